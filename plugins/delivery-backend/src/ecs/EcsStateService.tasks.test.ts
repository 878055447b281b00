import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ANNOTATION_ECS_SERVICE_ARN,
  EcsServiceState,
} from '@cicd-aws/plugin-delivery-common';
import {
  createTestNetwork,
  LocalAws,
  startLocalAws,
  TestNetwork,
} from '@internal/local-aws';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import deliveryPlugin from '../index';

jest.setTimeout(90_000);

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CLUSTER = 'tasks';
const DESIRED = 2;
const serviceArn = (name: string) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${name}`;
const tdArn = (revision: number, family = 'web') =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
const image = (revision: number) => `nginx:1.27.${revision}`;

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { [ANNOTATION_ECS_SERVICE_ARN]: serviceArn(name) },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team-a' },
});

/**
 * A loopback proxy in front of the local AWS that records the plugin's ECS calls and can answer
 * an action with an AWS error, the way an account without that API or permission answers.
 */
async function startRecordingProxy(target: string) {
  const calls: Array<{ action: string; input: any }> = [];
  const refusals = new Map<string, string>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const action = String(req.headers['x-amz-target'] ?? '')
      .split('.')
      .pop()!;
    calls.push({ action, input: body.length ? JSON.parse(String(body)) : {} });
    const refusal = refusals.get(action);
    if (refusal) {
      res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          __type: refusal,
          message: `${refusal} for ecs:${action} (test)`,
        }),
      );
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        ([k]) => !['host', 'content-length', 'connection'].includes(k),
      ),
    ) as Record<string, string>;
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' ? undefined : body,
    });
    const payload = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, {
      'Content-Type':
        upstream.headers.get('content-type') ?? 'application/x-amz-json-1.1',
      'Content-Length': String(payload.length),
    });
    res.end(payload);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    refusals,
    stop: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('ECS state: tasks and service-deployment history against the local AWS', () => {
  let aws: LocalAws;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let ecs: ECSClient;
  let network: TestNetwork;
  let baseUrl: string;
  let stopBackend: () => Promise<void>;

  const describeService = async (name = 'web'): Promise<Service> => {
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }),
    );
    return services![0];
  };
  const waitForRollout = async (name = 'web'): Promise<Service> => {
    for (let poll = 0; poll < 50; poll++) {
      const service = await describeService(name);
      if (service.deployments![0].rolloutState !== 'IN_PROGRESS') {
        return service;
      }
      await new Promise(r => setTimeout(r, 200));
    }
    throw new Error(`${name}: the rollout did not finish`);
  };
  const deploy = (revision: number, name = 'web') =>
    ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: name,
        taskDefinition: tdArn(revision),
      }),
    );
  const getState = async (name = 'web'): Promise<EcsServiceState> => {
    const response = await fetch(
      `${baseUrl}/api/delivery/v1/entities/default/component/${name}/ecs`,
      { headers: { Authorization: mockCredentials.user.header() } },
    );
    expect(response.status).toBe(200);
    return response.json();
  };
  const createService = (
    name: string,
    taskDefinition: string,
    desiredCount: number,
    extra: Record<string, unknown> = {},
  ) =>
    ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: name,
        taskDefinition,
        desiredCount,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: network.subnets,
            securityGroups: [network.securityGroup],
          },
        },
        ...extra,
      }),
    );

  beforeAll(async () => {
    // 2 s, so that a state read right after UpdateService sees the rollout in progress
    aws = await startLocalAws({ rolloutSeconds: 2 });
    proxy = await startRecordingProxy(aws.endpoint);
    ecs = new ECSClient({
      endpoint: aws.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    network = await createTestNetwork(aws.endpoint, { region: REGION });
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    for (let revision = 1; revision <= 4; revision++) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            {
              name: 'app',
              image: image(revision),
              essential: true,
              healthCheck: {
                command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
              },
            },
          ],
        }),
      );
    }
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'plain',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: 'busybox:1.36' }],
      }),
    );
    await createService('web', 'web:1', DESIRED, {
      deploymentConfiguration: {
        minimumHealthyPercent: 50,
        maximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: false },
      },
    });
    await createService('idle', 'plain:1', 0);

    const backend = await startTestBackend({
      features: [
        deliveryPlugin,
        mockServices.rootConfig.factory({
          data: {
            aws: {
              accounts: [
                {
                  accountId: ACCOUNT,
                  accessKeyId: 'test',
                  secretAccessKey: 'test',
                },
              ],
            },
            // no caching: every read below must show ECS as it is now
            delivery: {
              aws: { endpoint: proxy.endpoint, maxAttempts: 1 },
              ecs: { cacheTtl: '0s' },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: ['web', 'big', 'idle'].map(component),
        }),
      ],
    });
    stopBackend = () => backend.stop();
    baseUrl = `http://localhost:${
      (backend.server.address() as AddressInfo).port
    }`;
  });

  afterAll(async () => {
    await stopBackend?.();
    await proxy?.stop();
    ecs?.destroy();
    await aws?.stop();
  });

  beforeEach(() => {
    proxy.calls.length = 0;
    proxy.refusals.clear();
  });

  it('returns the running tasks of the first rollout with health, revision and startedBy', async () => {
    const state = await getState();
    expect(state).toMatchObject({
      deploymentController: 'ECS',
      deploymentStrategy: 'ROLLING',
      minimumHealthyPercent: 50,
      maximumPercent: 200,
      runningCount: DESIRED,
    });
    const deploymentId = state.deployments[0].id;
    expect(state.tasks).toHaveLength(DESIRED);
    for (const task of state.tasks) {
      expect(task).toEqual({
        taskArn: expect.stringMatching(
          new RegExp(`^arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/`),
        ),
        taskId: task.taskArn.split('/').pop(),
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
        taskDefinitionArn: tdArn(1),
        revision: 1,
        startedBy: deploymentId,
        availabilityZone: expect.stringMatching(/^us-east-1[ab]$/),
        createdAt: expect.any(String),
        startedAt: expect.any(String),
        containers: [
          {
            name: 'app',
            image: image(1),
            lastStatus: 'RUNNING',
            healthStatus: 'HEALTHY',
          },
        ],
      });
    }
    const { taskArns } = await ecs.send(
      new ListTasksCommand({ cluster: CLUSTER, serviceName: 'web' }),
    );
    expect(state.tasks.map(t => t.taskArn).sort()).toEqual(taskArns!.sort());
    expect(state.rollbackTargets).toEqual([]);
  });

  it("shows a rollout's pending tasks first, then the replaced deployment's tasks as stopped", async () => {
    const oldId = (await describeService()).deployments![0].id!;
    await deploy(2);

    const during = await getState();
    const newId = during.deployments[0].id;
    expect(during.deployments.map(d => [d.revision, d.status])).toEqual([
      [2, 'PRIMARY'],
      [1, 'ACTIVE'],
    ]);
    expect(
      during.tasks.map(t => [t.revision, t.lastStatus, t.healthStatus]),
    ).toEqual([
      [2, 'PENDING', 'UNKNOWN'],
      [2, 'PENDING', 'UNKNOWN'],
      [1, 'RUNNING', 'HEALTHY'],
      [1, 'RUNNING', 'HEALTHY'],
    ]);
    expect(during.tasks.slice(0, 2).every(t => t.startedBy === newId)).toBe(
      true,
    );
    expect([during.runningCount, during.pendingCount]).toEqual([
      DESIRED,
      DESIRED,
    ]);

    await waitForRollout();
    const after = await getState();
    expect(after.tasks).toHaveLength(2 * DESIRED);
    const [running, stopped] = [after.tasks.slice(0, 2), after.tasks.slice(2)];
    for (const task of running) {
      expect(task).toMatchObject({
        lastStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
        revision: 2,
        startedBy: newId,
      });
    }
    for (const task of stopped) {
      expect(task).toEqual({
        taskArn: expect.any(String),
        taskId: expect.any(String),
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        healthStatus: 'UNKNOWN',
        taskDefinitionArn: tdArn(1),
        revision: 1,
        startedBy: oldId,
        availabilityZone: expect.any(String),
        createdAt: expect.any(String),
        startedAt: expect.any(String),
        stoppedAt: expect.any(String),
        stoppedReason: `Scaling activity initiated by (deployment ${oldId})`,
        stopCode: 'ServiceSchedulerInitiated',
        containers: [
          {
            name: 'app',
            image: image(1),
            lastStatus: 'STOPPED',
            healthStatus: 'UNKNOWN',
            exitCode: 0,
          },
        ],
      });
    }
    expect(after.rollbackTargets).toEqual([
      {
        revision: 1,
        taskDefinitionArn: tdArn(1),
        images: [{ name: 'app', image: image(1) }],
        registeredAt: expect.any(String),
        lastCompleted: true,
      },
    ]);
  });

  it('marks the revision that last completed before the current one (1 → 2 → 3 marks 2)', async () => {
    await deploy(3);
    await waitForRollout();
    const state = await getState();
    expect(
      state.rollbackTargets.map(t => [t.revision, t.lastCompleted]),
    ).toEqual([
      [2, true],
      [1, undefined],
    ]);
  });

  it('marks the revision that completed most recently, not the newest one (… → 1 → 3 marks 1)', async () => {
    await deploy(1);
    await waitForRollout();
    await deploy(3);
    await waitForRollout();
    const state = await getState();
    expect(
      state.rollbackTargets.map(t => [t.revision, t.lastCompleted]),
    ).toEqual([
      [2, undefined],
      [1, true],
    ]);
  });

  it('shows the tasks of a failed rollout as stopped with exit code 1', async () => {
    await aws.failNextRollout();
    await deploy(4);
    await waitForRollout();
    const state = await getState();
    const [failed, previous] = state.deployments;
    expect(failed).toMatchObject({
      revision: 4,
      status: 'PRIMARY',
      rolloutState: 'FAILED',
    });
    expect(previous).toMatchObject({ revision: 3, runningCount: DESIRED });

    // the tasks still serving come first
    expect(
      state.tasks.slice(0, DESIRED).map(t => [t.revision, t.lastStatus]),
    ).toEqual([
      [3, 'RUNNING'],
      [3, 'RUNNING'],
    ]);
    const failedTasks = state.tasks.filter(t => t.revision === 4);
    expect(failedTasks).toHaveLength(failed.failedTasks);
    expect(state.tasks.slice(DESIRED, DESIRED + failed.failedTasks)).toEqual(
      failedTasks,
    );
    for (const task of failedTasks) {
      expect(task).toMatchObject({
        lastStatus: 'STOPPED',
        startedBy: failed.id,
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [
          {
            name: 'app',
            image: image(4),
            lastStatus: 'STOPPED',
            exitCode: 1,
          },
        ],
      });
    }
    // revision 3 completed last; the failed 4 is current
    expect(
      state.rollbackTargets.map(t => [t.revision, t.lastCompleted]),
    ).toEqual([
      [3, true],
      [2, undefined],
      [1, undefined],
    ]);
  });

  it('describes 120 tasks in two DescribeTasks batches and returns the first 100', async () => {
    await createService('big', 'plain:1', 120);
    proxy.calls.length = 0;
    const state = await getState('big');
    expect(state.runningCount).toBe(120);
    expect(state.tasks).toHaveLength(100);
    expect(
      state.tasks.every(
        t => t.lastStatus === 'RUNNING' && t.healthStatus === 'UNKNOWN',
      ),
    ).toBe(true);
    const describes = proxy.calls.filter(c => c.action === 'DescribeTasks');
    expect(describes.map(c => c.input.tasks.length).sort()).toEqual([100, 20]);
    const runningPages = proxy.calls.filter(
      c => c.action === 'ListTasks' && c.input.desiredStatus === 'RUNNING',
    );
    expect(runningPages).toHaveLength(2);
  });

  it('answers a service without tasks with an empty list', async () => {
    const state = await getState('idle');
    expect(state.tasks).toEqual([]);
    expect(proxy.calls.some(c => c.action === 'DescribeTasks')).toBe(false);
  });

  it.each(['UnknownOperationException', 'AccessDeniedException'])(
    'still answers 200, without lastCompleted, when ListServiceDeployments fails with %s',
    async error => {
      proxy.refusals.set('ListServiceDeployments', error);
      const state = await getState();
      expect(state.rollbackTargets.map(t => t.revision)).toEqual([3, 2, 1]);
      expect(state.rollbackTargets.some(t => 'lastCompleted' in t)).toBe(false);
      expect(state.tasks.length).toBeGreaterThan(0);
      expect(proxy.calls.some(c => c.action === 'ListServiceDeployments')).toBe(
        true,
      );
    },
  );

  it('answers 403 naming ecs:ListTasks when the role may not list tasks', async () => {
    proxy.refusals.set('ListTasks', 'AccessDeniedException');
    const response = await fetch(
      `${baseUrl}/api/delivery/v1/entities/default/component/web/ecs`,
      { headers: { Authorization: mockCredentials.user.header() } },
    );
    expect(response.status).toBe(403);
    expect((await response.json()).error.message).toContain('ecs:ListTasks');
  });
});
