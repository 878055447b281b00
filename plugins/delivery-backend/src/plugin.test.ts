import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
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
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_ECS_SERVICE_ARN,
  deliveryEcsRollbackPermission,
  EcsServiceState,
} from '@cicd-aws/plugin-delivery-common';
import { LocalAws, startLocalAws } from '@internal/local-aws';
import { AddressInfo } from 'node:net';
import deliveryPlugin from './index';

jest.setTimeout(60_000);

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CLUSTER = 'delivery';
const SERVICE = 'web';
const DESIRED = 2;
const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`;
const tdArn = (revision: number, family = SERVICE) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
const image = (revision: number) => `nginx:1.27.${revision}`;

/** VPC, subnet and security group through moto's EC2 Query API (no EC2 SDK in this repo). */
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

const component = (name: string, arn?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: arn ? { [ANNOTATION_ECS_SERVICE_ARN]: arn } : {},
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team-a' },
});

describe('delivery backend against the local AWS', () => {
  let aws: LocalAws;
  let ecs: ECSClient;
  let baseUrl: string;
  let stopBackend: () => Promise<void>;

  const authorize = jest.fn();
  const permissions = mockServices.permissions.mock({ authorize });
  const auditEvents: Array<{
    options: any;
    success: jest.Mock;
    fail: jest.Mock;
  }> = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async options => {
      const event = { options, success: jest.fn(), fail: jest.fn() };
      auditEvents.push(event);
      return event;
    }),
  });

  const describeService = async (): Promise<Service> => {
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }),
    );
    return services![0];
  };
  const waitForSteadyState = async () => {
    for (let poll = 0; poll < 60; poll++) {
      const service = await describeService();
      if (
        service.deployments!.length === 1 &&
        service.deployments![0].rolloutState === 'COMPLETED'
      ) {
        return service;
      }
      await new Promise(r => setTimeout(r, 200));
    }
    throw new Error('service did not reach a steady state');
  };

  const api = (
    path: string,
    init?: { body?: unknown; user?: boolean; idempotencyKey?: string },
  ) =>
    fetch(`${baseUrl}/api/delivery/v1/entities/default/component/${path}`, {
      method: init?.body === undefined ? 'GET' : 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(init?.idempotencyKey
          ? { 'Idempotency-Key': init.idempotencyKey }
          : {}),
        ...(init?.user === false
          ? {}
          : { Authorization: mockCredentials.user.header() }),
      },
      body: init?.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const rollback = (body: unknown, name = SERVICE) =>
    api(`${name}/ecs/rollback`, { body });
  const stopRollout = (body: unknown, name = SERVICE) =>
    api(`${name}/ecs/stop-rollout`, { body });

  beforeAll(async () => {
    // Long enough that a rollout is still IN_PROGRESS when the next request looks at it.
    aws = await startLocalAws({ rolloutSeconds: 2 });
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
    const subnet = await ec2(
      aws.endpoint,
      { Action: 'CreateSubnet', VpcId: vpc, CidrBlock: '10.0.1.0/24' },
      'subnetId',
    );
    const securityGroup = await ec2(
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
    const register = (family: string, revision: number) =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            { name: 'app', image: image(revision), essential: true },
          ],
        }),
      );
    for (let revision = 1; revision <= 3; revision++) {
      await register(SERVICE, revision);
    }
    await register('other', 1);
    await ecs.send(
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
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: false },
        },
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'bg',
        taskDefinition: `${SERVICE}:3`,
        desiredCount: 1,
        launchType: 'FARGATE',
        deploymentController: { type: 'CODE_DEPLOY' },
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [subnet],
            securityGroups: [securityGroup],
          },
        },
      }),
    );
    // a newer revision registered but not deployed
    await register(SERVICE, 4);

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
            delivery: { aws: { endpoint: aws.endpoint, maxAttempts: 1 } },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            component(SERVICE, SERVICE_ARN),
            component('no-annotation'),
            component('malformed', 'arn:aws:ecs:us-east-1:web'),
            component('gone', SERVICE_ARN.replace(/web$/, 'gone')),
            component(
              'no-cluster',
              `arn:aws:ecs:${REGION}:${ACCOUNT}:service/nope/${SERVICE}`,
            ),
            {
              ...component('bg', SERVICE_ARN.replace(/web$/, 'bg')),
              metadata: {
                name: 'bg',
                namespace: 'default',
                annotations: {
                  [ANNOTATION_ECS_SERVICE_ARN]: SERVICE_ARN.replace(
                    /web$/,
                    'bg',
                  ),
                  'cicd-aws.dev/rollback-workflow': 'bg-rollback.yml',
                },
              },
            },
          ],
        }),
        permissions.factory,
        auditor.factory,
        // requests without a token are unauthenticated (the default mock treats them as a user)
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
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
    ecs?.destroy();
    await aws?.stop();
  });

  beforeEach(() => {
    authorize.mockReset();
    authorize.mockImplementation(async requests =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    );
    auditEvents.length = 0;
  });

  it('returns the service state field by field', async () => {
    const response = await api(`${SERVICE}/ecs`);
    expect(response.status).toBe(200);
    const state: EcsServiceState = await response.json();
    expect(state).toMatchObject({
      serviceArn: SERVICE_ARN,
      serviceName: SERVICE,
      region: REGION,
      status: 'ACTIVE',
      desiredCount: DESIRED,
      runningCount: DESIRED,
      pendingCount: 0,
      deploymentController: 'ECS',
      taskDefinitionArn: tdArn(3),
      family: SERVICE,
      circuitBreaker: { enable: true, rollback: false },
    });
    expect(state.deployments).toHaveLength(1);
    expect(state.deployments[0]).toEqual({
      id: expect.stringMatching(/^ecs-svc\/\d+$/),
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      rolloutStateReason: expect.stringContaining('completed'),
      taskDefinitionArn: tdArn(3),
      revision: 3,
      images: [{ name: 'app', image: image(3) }],
      desiredCount: DESIRED,
      runningCount: DESIRED,
      pendingCount: 0,
      failedTasks: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(state.events.length).toBeGreaterThan(0);
    expect(state.events.length).toBeLessThanOrEqual(20);
    expect(state.events[0].message).toBe(
      `(service ${SERVICE}) has reached a steady state.`,
    );
    // older ACTIVE revisions only (not 3 = primary, not 4 = newer, not the other family), newest first
    expect(state.rollbackTargets).toEqual([
      {
        revision: 2,
        taskDefinitionArn: tdArn(2),
        images: [{ name: 'app', image: image(2) }],
        registeredAt: expect.any(String),
      },
      {
        revision: 1,
        taskDefinitionArn: tdArn(1),
        images: [{ name: 'app', image: image(1) }],
        registeredAt: expect.any(String),
      },
    ]);
  });

  it('answers 404 for an unknown entity and 400 naming the annotation', async () => {
    expect((await api('nope/ecs')).status).toBe(404);
    expect(
      (await rollback({ revision: 2, reason: 'bad' }, 'nope')).status,
    ).toBe(404);
    for (const name of ['no-annotation', 'malformed']) {
      const response = await api(`${name}/ecs`);
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toContain(
        ANNOTATION_ECS_SERVICE_ARN,
      );
    }
    expect((await api(`${SERVICE}/ecs`, { user: false })).status).toBe(401);
  });

  it('answers 404 when the ECS service or cluster is gone', async () => {
    for (const name of ['gone', 'no-cluster']) {
      const response = await api(`${name}/ecs`);
      expect(response.status).toBe(404);
      expect((await response.json()).error.message).toMatch(/not found/i);
    }
  });

  it('refuses a CODE_DEPLOY service with 409 naming the rollback workflow', async () => {
    const state: EcsServiceState = await (await api('bg/ecs')).json();
    expect(state.deploymentController).toBe('CODE_DEPLOY');
    const response = await rollback(
      { revision: 2, reason: 'blue/green' },
      'bg',
    );
    expect(response.status).toBe(409);
    expect((await response.json()).error.message).toContain('bg-rollback.yml');
    expect(auditEvents[0].fail).toHaveBeenCalled();
  });

  it('refuses bad bodies with 400', async () => {
    for (const body of [
      {},
      { revision: 2 },
      { revision: 2, reason: 'x' },
      { revision: 'latest', reason: 'because' },
      { revision: -1, reason: 'because' },
      { revision: 2, reason: 'because', extra: true },
    ]) {
      expect((await rollback(body)).status).toBe(400);
    }
    // The OpenAPI validator refuses them before any handler runs: nothing is read or changed, so
    // there is no mutation to audit (the root router's access log has the requests).
    expect(authorize).not.toHaveBeenCalled();
    expect(auditEvents).toHaveLength(0);
    expect((await describeService()).taskDefinition).toBe(tdArn(3));
  });

  it('refuses with 403 when the permission is denied, and audits it', async () => {
    authorize.mockImplementation(async requests =>
      requests.map(() => ({ result: AuthorizeResult.DENY })),
    );
    const response = await rollback({ revision: 2, reason: 'bad deploy' });
    expect(response.status).toBe(403);
    expect(authorize).toHaveBeenCalledWith(
      [
        {
          permission: deliveryEcsRollbackPermission,
          resourceRef: `component:default/${SERVICE}`,
        },
      ],
      { credentials: expect.anything() },
    );
    const service = await describeService();
    expect(service.taskDefinition).toBe(tdArn(3));
    expect(service.deployments).toHaveLength(1);
    expect(auditEvents).toHaveLength(1);
    expect(auditEvents[0].options).toMatchObject({
      eventId: 'ecs-rollback',
      meta: {
        entityRef: `component:default/${SERVICE}`,
        revision: 2,
        reason: 'bad deploy',
      },
    });
    expect(auditEvents[0].fail).toHaveBeenCalledWith(
      expect.objectContaining({
        error: expect.objectContaining({ name: 'NotAllowedError' }),
      }),
    );
  });

  it('refuses other families, newer and current revisions, and changes nothing', async () => {
    const cases: Array<[unknown, number, string]> = [
      ['other:1', 400, 'family'],
      [tdArn(1, 'other'), 400, 'family'],
      [4, 400, 'newer'],
      [99, 400, 'newer'],
      [3, 409, 'already the primary'],
    ];
    for (const [revision, status, message] of cases) {
      const response = await rollback({ revision, reason: 'test refusal' });
      expect(response.status).toBe(status);
      expect((await response.json()).error.message).toContain(message);
    }
    expect(auditEvents).toHaveLength(cases.length);
    expect(auditEvents[4].fail).toHaveBeenCalledWith(
      expect.objectContaining({ meta: { fromRevision: 3, toRevision: 3 } }),
    );
    const service = await describeService();
    expect(service.taskDefinition).toBe(tdArn(3));
    expect(service.deployments).toHaveLength(1);
  });

  it('rolls back to revision 2, refuses another rollback while in progress', async () => {
    await api(`${SERVICE}/ecs`); // warm the cache; the rollback must invalidate it
    const response = await rollback({ revision: 2, reason: 'bad deploy' });
    expect(response.status).toBe(202);
    const result = await response.json();
    expect(result).toEqual({
      deploymentId: expect.stringMatching(/^ecs-svc\/\d+$/),
      fromRevision: 3,
      toRevision: 2,
    });
    const service = await describeService();
    expect(service.taskDefinition).toBe(tdArn(2));
    expect(service.deployments![0]).toMatchObject({
      id: result.deploymentId,
      status: 'PRIMARY',
      taskDefinition: tdArn(2),
    });
    expect(auditEvents[0].success).toHaveBeenCalledWith({
      meta: expect.objectContaining({ fromRevision: 3, toRevision: 2 }),
    });

    const state: EcsServiceState = await (await api(`${SERVICE}/ecs`)).json();
    expect(state.deployments.map(d => [d.status, d.revision])).toEqual([
      ['PRIMARY', 2],
      ['ACTIVE', 3],
    ]);
    expect(state.deployments[0].rolloutState).toBe('IN_PROGRESS');
    expect(state.rollbackTargets.map(t => t.revision)).toEqual([1]);

    const blocked = await rollback({ revision: 1, reason: 'again' });
    expect(blocked.status).toBe(409);
    expect((await blocked.json()).error.message).toContain('IN_PROGRESS');
    expect((await describeService()).taskDefinition).toBe(tdArn(2));

    const settled = await waitForSteadyState();
    expect(settled.taskDefinition).toBe(tdArn(2));
  });

  it('rolls back while a rollout is in progress when forced', async () => {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: tdArn(3),
      }),
    );
    const response = await rollback({
      revision: 2,
      reason: 'forced',
      force: true,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      fromRevision: 3,
      toRevision: 2,
    });
    expect((await waitForSteadyState()).taskDefinition).toBe(tdArn(2));
  });

  it('rolls back to the previous revision', async () => {
    const response = await rollback({ revision: 'previous', reason: 'again' });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      fromRevision: 2,
      toRevision: 1,
    });
    expect((await describeService()).taskDefinition).toBe(tdArn(1));
    await waitForSteadyState();
    const none = await rollback({ revision: 'previous', reason: 'again' });
    expect(none.status).toBe(409);
  });

  it('performs exactly one update for two concurrent rollbacks', async () => {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: tdArn(3),
      }),
    );
    await waitForSteadyState();
    const statuses = await Promise.all([
      rollback({ revision: 'previous', reason: 'first' }),
      rollback({ revision: 'previous', reason: 'second' }),
    ]).then(responses => responses.map(r => r.status).sort());
    expect(statuses).toEqual([202, 409]);
    const service = await describeService();
    expect(service.taskDefinition).toBe(tdArn(2));
    expect(service.deployments).toHaveLength(2);
    expect(auditEvents).toHaveLength(2);
    expect(
      auditEvents
        .map(
          e =>
            (e.success.mock.calls.length ? 's' : '') +
            (e.fail.mock.calls.length ? 'f' : ''),
        )
        .sort(),
    ).toEqual(['f', 's']);
    await waitForSteadyState();
  });

  it('answers a retried rollback with the first answer and rolls back once', async () => {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: tdArn(3),
      }),
    );
    await waitForSteadyState();
    const body = { revision: 'previous', reason: 'bad release' };
    const first = await api(`${SERVICE}/ecs/rollback`, {
      body,
      idempotencyKey: 'submit-1',
    });
    expect(first.status).toBe(202);
    const answer = await first.json();
    expect(answer).toMatchObject({ fromRevision: 3, toRevision: 2 });

    const retry = await api(`${SERVICE}/ecs/rollback`, {
      body,
      idempotencyKey: 'submit-1',
    });
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(answer);
    // Without the key the retry would have gone on to revision 1.
    const service = await describeService();
    expect(service.taskDefinition).toBe(tdArn(2));
    expect(service.deployments).toHaveLength(2);

    const reused = await api(`${SERVICE}/ecs/rollback`, {
      body: { ...body, revision: 1 },
      idempotencyKey: 'submit-1',
    });
    expect(reused.status).toBe(422);
    expect((await reused.json()).error.message).toContain(
      'already used with a different request',
    );
    expect(
      auditEvents.map(e => e.success.mock.calls[0]?.[0]?.meta?.replayed),
    ).toEqual([undefined, true, undefined]);
    await waitForSteadyState();
  });

  it('stops an in-progress rollout and ECS returns the service to the previous revision', async () => {
    await waitForSteadyState();
    const before = (await describeService()).taskDefinition;
    expect(before).toBe(tdArn(2));

    const idle = await stopRollout({ reason: 'nothing to stop' });
    expect(idle.status).toBe(409);
    expect((await idle.json()).error.message).toContain('no rollout');

    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: tdArn(3),
      }),
    );
    authorize.mockImplementationOnce(async requests =>
      requests.map(() => ({ result: AuthorizeResult.DENY })),
    );
    const denied = await stopRollout({ reason: 'bad release' });
    expect(denied.status).toBe(403);
    expect((await describeService()).deployments![0].rolloutState).toBe(
      'IN_PROGRESS',
    );

    const response = await stopRollout({ reason: 'bad release' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      serviceDeploymentArn: expect.stringContaining(':service-deployment/'),
      fromRevision: 3,
      toRevision: 2,
    });
    expect((await waitForSteadyState()).taskDefinition).toBe(tdArn(2));

    expect(auditEvents.map(e => e.options.eventId)).toEqual([
      'ecs-stop-rollout',
      'ecs-stop-rollout',
      'ecs-stop-rollout',
    ]);
    expect(auditEvents[2].options.meta).toMatchObject({
      entityRef: `component:default/${SERVICE}`,
      reason: 'bad release',
    });
    expect(auditEvents[2].success).toHaveBeenCalledWith({
      meta: expect.objectContaining({ fromRevision: 3, toRevision: 2 }),
    });
    expect(auditEvents[1].fail).toHaveBeenCalled();
  });

  it('refuses a stop-rollout body that does not match the API document', async () => {
    for (const body of [{}, { reason: '  ' }, { reason: 'ok!', force: true }]) {
      expect((await stopRollout(body)).status).toBe(400);
    }
    expect(auditEvents).toHaveLength(0);
  });

  it('serves its OpenAPI document', async () => {
    const response = await fetch(`${baseUrl}/api/delivery/openapi.json`, {
      headers: { Authorization: mockCredentials.user.header() },
    });
    expect(response.status).toBe(200);
    const document = await response.json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/delivery/v1/entities/{namespace}/{kind}/{name}/ecs',
        '/api/delivery/v1/entities/{namespace}/{kind}/{name}/ecs/rollback',
        '/api/delivery/v1/entities/{namespace}/{kind}/{name}/ecs/stop-rollout',
      ]),
    );
  });
});

describe('delivery backend without AWS configuration', () => {
  it('answers the ECS routes with 503 saying what to configure', async () => {
    const backend = await startTestBackend({
      features: [
        deliveryPlugin,
        mockServices.rootConfig.factory({ data: {} }),
        catalogServiceMock.factory({
          entities: [component(SERVICE, SERVICE_ARN)],
        }),
      ],
    });
    try {
      const port = (backend.server.address() as AddressInfo).port;
      const response = await fetch(
        `http://localhost:${port}/api/delivery/v1/entities/default/component/${SERVICE}/ecs`,
        { headers: { Authorization: mockCredentials.user.header() } },
      );
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBeNull();
      expect((await response.json()).error.message).toContain(
        'AWS is not configured',
      );
    } finally {
      await backend.stop();
    }
  });
});
