import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  Service,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { LocalAws, startLocalAws } from './startLocalAws';

jest.setTimeout(60_000);

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CLUSTER = 'delivery';
const SERVICE = 'web';
const DESIRED = 2;
const ROLLOUT_SECONDS = 2;
const taskDefinitionArn = (revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${SERVICE}:${revision}`;

/**
 * @aws-sdk/client-ec2 is not a dependency of this repo, so the VPC, subnet and
 * security group that awsvpc services need are created through the raw EC2
 * Query API (moto does not check signatures, only reads the credential scope).
 */
async function ec2(
  endpoint: string,
  params: Record<string, string>,
  idTag: string,
): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
  const xml = await response.text();
  const id = new RegExp(`<${idTag}>([^<]+)</${idTag}>`).exec(xml)?.[1];
  if (!response.ok || !id) {
    throw new Error(`EC2 ${params.Action} failed: ${xml}`);
  }
  return id;
}

describe('startLocalAws', () => {
  let aws: LocalAws;
  let ecs: ECSClient;
  let subnet: string;
  let securityGroup: string;

  const describeService = async (name = SERVICE): Promise<Service> => {
    const { services, failures } = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }),
    );
    expect(failures).toEqual([]);
    return services![0];
  };

  /** Polls DescribeServices at most `maxPolls` times. */
  const waitForService = async (
    done: (service: Service) => boolean,
    name = SERVICE,
    maxPolls = 40,
  ): Promise<Service> => {
    for (let poll = 0; poll < maxPolls; poll++) {
      const service = await describeService(name);
      if (done(service)) {
        return service;
      }
      await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`service did not settle after ${maxPolls} polls`);
  };

  const expectEventsNewestFirst = (service: Service) => {
    const times = service.events!.map(e => e.createdAt!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const event of service.events!) {
      expect(event.id).toEqual(expect.any(String));
      expect(event.message).toMatch(new RegExp(`^\\(service ${SERVICE}\\) `));
    }
  };

  beforeAll(async () => {
    aws = await startLocalAws({ rolloutSeconds: ROLLOUT_SECONDS });
    ecs = new ECSClient({
      endpoint: aws.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const vpc = await ec2(
      aws.endpoint,
      { Action: 'CreateVpc', CidrBlock: '10.0.0.0/16' },
      'vpcId',
    );
    subnet = await ec2(
      aws.endpoint,
      { Action: 'CreateSubnet', VpcId: vpc, CidrBlock: '10.0.1.0/24' },
      'subnetId',
    );
    securityGroup = await ec2(
      aws.endpoint,
      {
        Action: 'CreateSecurityGroup',
        VpcId: vpc,
        GroupName: 'web',
        GroupDescription: 'web',
      },
      'groupId',
    );
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  });

  afterAll(async () => {
    ecs?.destroy();
    await aws?.stop();
  });

  it('registers task definitions with registeredAt', async () => {
    for (let revision = 1; revision <= 3; revision++) {
      const { taskDefinition } = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: SERVICE,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            { name: 'app', image: `nginx:1.27.${revision}`, essential: true },
          ],
        }),
      );
      expect(taskDefinition!.taskDefinitionArn).toBe(
        taskDefinitionArn(revision),
      );
      expect(taskDefinition!.revision).toBe(revision);
      expect(taskDefinition!.registeredAt).toBeInstanceOf(Date);
    }
  });

  it('keeps deploymentConfiguration and completes the first deployment on CreateService', async () => {
    const deploymentConfiguration = {
      deploymentCircuitBreaker: { enable: true, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    };
    const { service } = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: SERVICE,
        taskDefinition: `${SERVICE}:3`,
        desiredCount: DESIRED,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [subnet],
            securityGroups: [securityGroup],
          },
        },
        deploymentConfiguration,
      }),
    );
    expect(service!.deploymentConfiguration).toEqual(deploymentConfiguration);
    expect(service!.taskDefinition).toBe(taskDefinitionArn(3));
    expect(service!.runningCount).toBe(DESIRED);
    expect(service!.pendingCount).toBe(0);
    expect(service!.createdAt).toBeInstanceOf(Date);
    expect(service!.deployments).toHaveLength(1);
    const [first] = service!.deployments!;
    expect(first.id).toMatch(/^ecs-svc\/\d+$/);
    expect(first).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: taskDefinitionArn(3),
      desiredCount: DESIRED,
      runningCount: DESIRED,
      pendingCount: 0,
      failedTasks: 0,
      launchType: 'FARGATE',
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${first.id} completed.`,
    });
    expect(service!.events![0].message).toBe(
      `(service ${SERVICE}) has reached a steady state.`,
    );
    expectEventsNewestFirst(service!);
  });

  it('starts a new PRIMARY deployment on UpdateService and completes it after the rollout delay', async () => {
    const before = await describeService();
    const { service: updated } = await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: `${SERVICE}:2`,
      }),
    );
    expect(updated!.taskDefinition).toBe(taskDefinitionArn(2));

    const during = await describeService();
    expect(during.taskDefinition).toBe(taskDefinitionArn(2));
    expect(during.deployments).toHaveLength(2);
    const [primary, active] = during.deployments!;
    expect(primary.id).toMatch(/^ecs-svc\/\d+$/);
    expect(primary.id).not.toBe(before.deployments![0].id);
    expect(primary).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: taskDefinitionArn(2),
      desiredCount: DESIRED,
      pendingCount: DESIRED,
      runningCount: 0,
      failedTasks: 0,
      launchType: 'FARGATE',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${primary.id} in progress.`,
    });
    expect(primary.createdAt).toBeInstanceOf(Date);
    expect(primary.updatedAt).toBeInstanceOf(Date);
    expect(active).toMatchObject({
      id: before.deployments![0].id,
      status: 'ACTIVE',
      taskDefinition: taskDefinitionArn(3),
      runningCount: DESIRED,
      rolloutState: 'COMPLETED',
    });

    const after = await waitForService(
      s => s.deployments![0].rolloutState !== 'IN_PROGRESS',
    );
    expect(after.deployments).toHaveLength(1);
    expect(after.deployments![0]).toMatchObject({
      id: primary.id,
      status: 'PRIMARY',
      taskDefinition: taskDefinitionArn(2),
      runningCount: DESIRED,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${primary.id} completed.`,
    });
    expect(after.runningCount).toBe(DESIRED);
    expect(after.pendingCount).toBe(0);
    expect(after.events!.slice(0, 2).map(e => e.message)).toEqual([
      `(service ${SERVICE}) has reached a steady state.`,
      `(service ${SERVICE}) (deployment ${primary.id}) deployment completed.`,
    ]);
    expect(
      after.events!.some(e =>
        /^\(service web\) has started 2 tasks: \(task \w+\) \(task \w+\)\.$/.test(
          e.message!,
        ),
      ),
    ).toBe(true);
    expectEventsNewestFirst(after);
  });

  it('fails the next rollout like the deployment circuit breaker', async () => {
    await aws.failNextRollout();
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: `${SERVICE}:1`,
      }),
    );
    const after = await waitForService(
      s => s.deployments![0].rolloutState !== 'IN_PROGRESS',
    );
    const [failed, previous] = after.deployments!;
    expect(failed).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: taskDefinitionArn(1),
      runningCount: 0,
      rolloutState: 'FAILED',
      rolloutStateReason:
        'ECS deployment circuit breaker: tasks failed to start.',
    });
    expect(failed.failedTasks).toBeGreaterThan(0);
    // Without rollback the old tasks keep serving.
    expect(previous).toMatchObject({
      status: 'ACTIVE',
      taskDefinition: taskDefinitionArn(2),
      runningCount: DESIRED,
    });
    expect(after.runningCount).toBe(DESIRED);
    expect(after.events![0].message).toBe(
      `(service ${SERVICE}) (deployment ${failed.id}) deployment failed: tasks failed to start.`,
    );

    const { serviceDeployments } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }),
    );
    expect(serviceDeployments![0]).toMatchObject({
      status: 'STOPPED',
      statusReason: 'ECS deployment circuit breaker: tasks failed to start.',
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
    });
  });

  it('rolls an in-progress service deployment back with StopServiceDeployment', async () => {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: `${SERVICE}:3`,
      }),
    );
    const { serviceDeployments } = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: CLUSTER,
        service: SERVICE,
        status: ['IN_PROGRESS'],
      }),
    );
    expect(serviceDeployments).toHaveLength(1);
    const arn = serviceDeployments![0].serviceDeploymentArn!;
    expect(arn).toMatch(
      new RegExp(
        `^arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${CLUSTER}/${SERVICE}/\\w+$`,
      ),
    );

    const stopped = await ecs.send(
      new StopServiceDeploymentCommand({
        serviceDeploymentArn: arn,
        stopType: 'ROLLBACK',
      }),
    );
    expect(stopped.serviceDeploymentArn).toBe(arn);

    const after = await waitForService(
      s =>
        s.deployments!.length === 1 &&
        s.deployments![0].rolloutState === 'COMPLETED',
    );
    expect(after.taskDefinition).toBe(taskDefinitionArn(2));
    expect(after.deployments![0].taskDefinition).toBe(taskDefinitionArn(2));

    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({
        serviceDeploymentArns: [arn, `${arn}-missing`],
      }),
    );
    expect(described.failures).toEqual([
      { arn: `${arn}-missing`, reason: 'MISSING' },
    ]);
    const [deployment] = described.serviceDeployments!;
    expect(deployment.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(deployment.targetServiceRevision!.arn).toMatch(
      new RegExp(`:service-revision/${CLUSTER}/${SERVICE}/\\d+$`),
    );
    expect(deployment.sourceServiceRevisions).toHaveLength(1);
    expect(deployment.rollback!.serviceRevisionArn).toBe(
      deployment.sourceServiceRevisions![0].arn,
    );
    expect(deployment.finishedAt).toBeInstanceOf(Date);

    await expect(
      ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: arn,
          stopType: 'ROLLBACK',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConflictException' });
    await expect(
      ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: arn,
          stopType: 'ABORT',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: `${arn}-missing`,
          stopType: 'ROLLBACK',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ServiceDeploymentNotFoundException' });
  });

  it('rolls back automatically when the circuit breaker has rollback on', async () => {
    const name = 'web-rollback';
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: name,
        taskDefinition: `${SERVICE}:3`,
        desiredCount: DESIRED,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [subnet],
            securityGroups: [securityGroup],
          },
        },
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
      }),
    );
    const created = await describeService(name);
    await aws.failNextRollout();
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: name,
        taskDefinition: `${SERVICE}:1`,
      }),
    );
    const rollingBack = await waitForService(
      s => s.deployments!.some(d => d.rolloutState === 'FAILED'),
      name,
    );
    const [rollback, failed] = rollingBack.deployments!;
    expect(failed).toMatchObject({
      status: 'ACTIVE',
      taskDefinition: taskDefinitionArn(1),
      rolloutState: 'FAILED',
    });
    expect(failed.failedTasks).toBeGreaterThan(0);
    expect(rollback).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: taskDefinitionArn(3),
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${
        created.deployments![0].id
      }.`,
    });

    const after = await waitForService(
      s =>
        s.deployments!.length === 1 &&
        s.deployments![0].rolloutState === 'COMPLETED',
      name,
    );
    expect(after.taskDefinition).toBe(taskDefinitionArn(3));
    const { serviceDeployments } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: name }),
    );
    expect(serviceDeployments!.map(d => d.status)).toEqual([
      'ROLLBACK_SUCCESSFUL',
      'SUCCESSFUL',
    ]);
  });

  it('resets all state', async () => {
    await aws.reset();
    const { clusterArns } = await ecs.send(new ListClustersCommand({}));
    expect(clusterArns).toEqual([]);
  });

  it('names what to install when the interpreter is missing', async () => {
    await expect(
      startLocalAws({ python: '/nonexistent/python3' }),
    ).rejects.toThrow(/'\/nonexistent\/python3' was not found.*moto/);
  });
});
