import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createTestNetwork } from './network';
import { LocalAws, startLocalAws } from './startLocalAws';

jest.setTimeout(60_000);

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** What the generated stack's pipeline needs of the local AWS beyond plain moto. */
describe('local AWS: the gaps the generated stack runs into', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(() => aws?.stop());

  it('runs a Fargate task whose container has no memory of its own (the task-level memory applies)', async () => {
    const ecs = new ECSClient({
      endpoint: aws.endpoint,
      region: REGION,
      credentials,
    });
    const network = await createTestNetwork(aws.endpoint);
    // As the generated VPC has it (moto's RunTask needs DNS hostnames on; the stack turns them on).
    const dns = await fetch(aws.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({
        Version: '2016-11-15',
        Action: 'ModifyVpcAttribute',
        VpcId: network.vpcId,
        'EnableDnsHostnames.Value': 'true',
      }).toString(),
    });
    expect(dns.ok).toBe(true);
    await ecs.send(new CreateClusterCommand({ clusterName: 'migrations' }));
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'orders-api',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'orders-api', image: 'nginx:1.27', essential: true },
        ],
      }),
    );
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({
        cluster: 'migrations',
        taskDefinition: taskDefinition!.taskDefinitionArn,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: network.subnets,
            securityGroups: [network.securityGroup],
          },
        },
        overrides: {
          containerOverrides: [
            { name: 'orders-api', command: ['npm', 'run', 'migrate'] },
          ],
        },
      }),
    );
    expect(failures).toEqual([]);
    expect(tasks).toHaveLength(1);
  });

  it('lets requests through a TLS-only bucket policy, and still applies its other denials', async () => {
    const s3 = new S3Client({
      endpoint: aws.endpoint,
      region: REGION,
      credentials,
      forcePathStyle: true,
    });
    const policy = (statements: object[]) =>
      JSON.stringify({ Version: '2012-10-17', Statement: statements });
    const put = (bucket: string) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'index.html',
          Body: '<p>hi</p>',
        }),
      );
    for (const bucket of ['tls-only', 'deny-all']) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'tls-only',
        Policy: policy([
          {
            Sid: 'TlsOnly',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Resource: ['arn:aws:s3:::tls-only', 'arn:aws:s3:::tls-only/*'],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ]),
      }),
    );
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'deny-all',
        Policy: policy([
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::deny-all/*',
          },
        ]),
      }),
    );
    await expect(put('tls-only')).resolves.toBeDefined();
    await expect(put('deny-all')).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
  });
});
