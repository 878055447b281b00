import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';

/** What {@link seedEcsService} creates. */
export interface SeedEcsServiceOptions {
  /** The local AWS endpoint. */
  endpoint: string;
  /** Default `us-east-1`. */
  region?: string;
  cluster: string;
  /** Service name, also the task-definition family. */
  service: string;
  /** Container image of each revision, oldest first; the service runs the last one. */
  images: string[];
  /** Default 2. */
  desiredCount?: number;
}

/** The seeded service. */
export interface SeededEcsService {
  serviceArn: string;
  taskDefinitionArns: string[];
}

/** moto's fixed account id. */
export const LOCAL_AWS_ACCOUNT_ID = '123456789012';

/** Creates an EC2 resource through moto's EC2 Query API and returns its id (no EC2 SDK here). */
async function ec2(
  endpoint: string,
  region: string,
  params: Record<string, string>,
  idTag: string,
): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
  const xml = await response.text();
  const id = new RegExp(`<${idTag}>([^<]+)</${idTag}>`).exec(xml)?.[1];
  if (!response.ok || !id) {
    throw new Error(`local-aws: EC2 ${params.Action} failed: ${xml}`);
  }
  return id;
}

/** Registers a Fargate revision of `family` with one container running `image`; returns its ARN. */
export async function registerRevision(
  ecs: ECSClient,
  family: string,
  image: string,
): Promise<string> {
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: family,
          image,
          essential: true,
          portMappings: [{ containerPort: 8080 }],
          // With a health check ECS reports tasks HEALTHY rather than UNKNOWN, as the template's do.
          healthCheck: {
            command: [
              'CMD-SHELL',
              'wget -qO- http://localhost:8080/health || exit 1',
            ],
          },
        },
      ],
    }),
  );
  return taskDefinition!.taskDefinitionArn!;
}

/**
 * Creates a Fargate service the way the template's Terraform would (network, cluster, one
 * task-definition revision per image, the service on the newest), so the Deployment tab and
 * tests have something real to show and roll back.
 */
export async function seedEcsService(
  options: SeedEcsServiceOptions,
): Promise<SeededEcsService> {
  const region = options.region ?? 'us-east-1';
  const { endpoint, cluster, service, images } = options;
  if (images.length === 0) {
    throw new Error('local-aws: seedEcsService needs at least one image');
  }
  const ecs = new ECSClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    const vpc = await ec2(
      endpoint,
      region,
      { Action: 'CreateVpc', CidrBlock: '10.0.0.0/16' },
      'vpcId',
    );
    const subnet = await ec2(
      endpoint,
      region,
      { Action: 'CreateSubnet', VpcId: vpc, CidrBlock: '10.0.1.0/24' },
      'subnetId',
    );
    const securityGroup = await ec2(
      endpoint,
      region,
      {
        Action: 'CreateSecurityGroup',
        VpcId: vpc,
        GroupName: service,
        GroupDescription: `${service} tasks`,
      },
      'groupId',
    );
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const taskDefinitionArns: string[] = [];
    for (const image of images) {
      taskDefinitionArns.push(await registerRevision(ecs, service, image));
    }
    const { service: created } = await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service,
        taskDefinition: taskDefinitionArns[taskDefinitionArns.length - 1],
        desiredCount: options.desiredCount ?? 2,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [subnet],
            securityGroups: [securityGroup],
          },
        },
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          minimumHealthyPercent: 100,
          maximumPercent: 200,
        },
      }),
    );
    return { serviceArn: created!.serviceArn!, taskDefinitionArns };
  } finally {
    ecs.destroy();
  }
}
