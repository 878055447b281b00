import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
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
  ANNOTATION_GITHUB_PROJECT_SLUG,
  deliveryEcsRollbackPermission,
} from '@cicd-aws/plugin-delivery-common';
import {
  LOCAL_AWS_ACCOUNT_ID,
  LocalAws,
  seedEcsService,
  startLocalAws,
} from '@internal/local-aws';
import { FakeGithub, seedDemoRepo } from '@internal/local-github';
import { AddressInfo } from 'node:net';
import deliveryPlugin from '../index';

jest.setTimeout(90_000);

// The actions as a caller of Backstage's actions registry sees them (the MCP actions backend
// calls these same routes through the actions service), against the local AWS and a fake
// GitHub Enterprise: the real EcsStateService, RollbackService and GitHub services.

const REGION = 'us-east-1';
const CLUSTER = 'actions';
const SERVICE = 'web';
const GHE = 'ghe.acme.test';
const TOKEN = 'ghe-token';
const image = (revision: number) =>
  `public.ecr.aws/nginx/nginx:1.27.${revision}`;

const component = (
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team-a' },
});

describe('delivery actions in the actions registry', () => {
  const github = new FakeGithub(GHE, TOKEN);
  let aws: LocalAws;
  let ecs: ECSClient;
  let serviceArn: string;
  let baseUrl: string;
  let stopBackend: () => Promise<void>;

  const authorize = jest.fn();
  const auditEvents: Array<{
    options: any;
    success: jest.Mock;
    fail: jest.Mock;
  }> = [];

  const list = async () => {
    const response = await fetch(
      `${baseUrl}/api/delivery/.backstage/actions/v1/actions`,
      { headers: { Authorization: mockCredentials.user.header() } },
    );
    expect(response.status).toBe(200);
    return (await response.json()).actions as any[];
  };
  const invoke = async (
    name: string,
    input: object,
    authorization: string | null = mockCredentials.user.header(),
  ) => {
    const response = await fetch(
      `${baseUrl}/api/delivery/.backstage/actions/v1/actions/delivery:${name}/invoke`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(authorization ? { Authorization: authorization } : {}),
        },
        body: JSON.stringify(input),
      },
    );
    return { status: response.status, body: await response.json() };
  };
  const runningRevision = async () => {
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }),
    );
    return services![0].taskDefinition!.split(':').pop();
  };
  const waitForSteadyState = async () => {
    for (let poll = 0; poll < 100; poll++) {
      const { services } = await ecs.send(
        new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }),
      );
      const deployments = services![0].deployments!;
      if (
        deployments.length === 1 &&
        deployments[0].rolloutState === 'COMPLETED'
      ) {
        return;
      }
      await new Promise(r => setTimeout(r, 200));
    }
    throw new Error('the service did not reach a steady state');
  };

  beforeAll(async () => {
    aws = await startLocalAws({ rolloutSeconds: 1 });
    ecs = new ECSClient({
      endpoint: aws.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    ({ serviceArn } = await seedEcsService({
      endpoint: aws.endpoint,
      region: REGION,
      cluster: CLUSTER,
      service: SERVICE,
      images: [image(1), image(2), image(3)],
    }));
    await github.start();
    seedDemoRepo(github, 'acme/web', {
      cluster: CLUSTER,
      service: SERVICE,
      region: REGION,
      account: LOCAL_AWS_ACCOUNT_ID,
    });

    const backend = await startTestBackend({
      features: [
        deliveryPlugin,
        mockServices.rootConfig.factory({
          data: {
            aws: {
              accounts: [
                {
                  accountId: LOCAL_AWS_ACCOUNT_ID,
                  accessKeyId: 'test',
                  secretAccessKey: 'test',
                },
              ],
            },
            integrations: {
              github: [
                { host: GHE, apiBaseUrl: `${github.url}/api/v3`, token: TOKEN },
              ],
            },
            delivery: {
              aws: { endpoint: aws.endpoint, maxAttempts: 1 },
              github: { retries: 0 },
              drift: { notify: { enabled: false } },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            component(SERVICE, {
              [ANNOTATION_ECS_SERVICE_ARN]: serviceArn,
              [ANNOTATION_GITHUB_PROJECT_SLUG]: 'acme/web',
              'backstage.io/source-location': `url:https://${GHE}/acme/web/tree/main/`,
            }),
            component('no-annotations', {}),
          ],
        }),
        mockServices.permissions.mock({ authorize }).factory,
        mockServices.auditor.mock({
          createEvent: jest.fn(async options => {
            const event = { options, success: jest.fn(), fail: jest.fn() };
            auditEvents.push(event);
            return event;
          }),
        }).factory,
        // requests without a token are unauthenticated (the default mock treats them as a user)
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
    stopBackend = () => backend.stop();
    baseUrl = `http://127.0.0.1:${
      (backend.server.address() as AddressInfo).port
    }`;
    await waitForSteadyState();
  });

  afterAll(async () => {
    await stopBackend?.();
    await github.stop();
    ecs?.destroy();
    await aws?.stop();
  });

  beforeEach(() => {
    authorize.mockReset();
    authorize.mockResolvedValue([{ result: AuthorizeResult.ALLOW }]);
    auditEvents.length = 0;
  });

  it('lists four read-only actions and one destructive rollback', async () => {
    const actions = await list();
    expect(
      actions.map(a => ({
        id: a.id,
        pluginId: a.pluginId,
        attributes: a.attributes,
      })),
    ).toEqual([
      {
        id: 'delivery:get-ecs-service-state',
        pluginId: 'delivery',
        attributes: { readOnly: true, destructive: false, idempotent: true },
      },
      {
        id: 'delivery:list-pipeline-runs',
        pluginId: 'delivery',
        attributes: { readOnly: true, destructive: false, idempotent: true },
      },
      {
        id: 'delivery:list-deployments',
        pluginId: 'delivery',
        attributes: { readOnly: true, destructive: false, idempotent: true },
      },
      {
        id: 'delivery:get-terraform-drift',
        pluginId: 'delivery',
        attributes: { readOnly: true, destructive: false, idempotent: true },
      },
      {
        id: 'delivery:rollback-ecs-service',
        pluginId: 'delivery',
        attributes: { readOnly: false, destructive: true, idempotent: false },
      },
    ]);
    for (const action of actions) {
      expect(action.title).toEqual(expect.any(String));
      expect(action.description.length).toBeGreaterThan(80);
      expect(action.schema.input).toMatchObject({
        type: 'object',
        required: expect.arrayContaining(['entityRef']),
      });
    }
    const rollback = actions.find(a => a.name === 'rollback-ecs-service');
    expect(rollback.schema.input.required).toEqual([
      'entityRef',
      'revision',
      'reason',
    ]);
    expect(rollback.description).toContain('delivery.ecs.rollback');
  });

  it('reads the ECS service state, with the revisions a rollback can go to', async () => {
    const { status, body } = await invoke('get-ecs-service-state', {
      entityRef: 'component:default/web',
    });
    expect(status).toBe(200);
    expect(body.output).toMatchObject({
      serviceArn,
      serviceName: SERVICE,
      region: REGION,
      desiredCount: 2,
      deploymentController: 'ECS',
      family: SERVICE,
    });
    expect(body.output.deployments[0]).toMatchObject({
      status: 'PRIMARY',
      revision: 3,
      images: [{ name: SERVICE, image: image(3) }],
    });
    expect(
      body.output.rollbackTargets.map((t: { revision: number }) => t.revision),
    ).toEqual([2, 1]);
    // the short form of the ref works as well
    const short = await invoke('get-ecs-service-state', { entityRef: 'web' });
    expect(short.body.output.serviceArn).toBe(serviceArn);
  });

  it('reads pipeline runs, deployments and drift from the entity’s GitHub repository', async () => {
    const runs = await invoke('list-pipeline-runs', {
      entityRef: 'component:default/web',
      workflow: 'deploy.yml',
      perPage: 2,
    });
    expect(runs.status).toBe(200);
    expect(runs.body.output).toMatchObject({ page: 1, perPage: 2 });
    expect(runs.body.output.runs).toHaveLength(2);
    expect(runs.body.output.runs[0]).toMatchObject({
      workflowFile: 'deploy.yml',
      htmlUrl: expect.stringContaining(`https://${GHE}/acme/web/actions/runs/`),
    });

    const deployments = await invoke('list-deployments', {
      entityRef: 'component:default/web',
    });
    expect(deployments.status).toBe(200);
    expect(deployments.body.output).toMatchObject({
      environment: 'production',
      repositoryUrl: `https://${GHE}/acme/web`,
    });
    expect(deployments.body.output.deployments[0]).toMatchObject({
      revision: 3,
      state: 'success',
    });

    const drift = await invoke('get-terraform-drift', {
      entityRef: 'component:default/web',
    });
    expect(drift.status).toBe(200);
    expect(drift.body.output).toMatchObject({
      status: 'drifted',
      workflow: 'drift.yml',
      stale: false,
    });
    expect(drift.body.output.resources.length).toBeGreaterThan(0);
  });

  it('answers clear errors: what to pass, which annotation is missing, which entity is unknown', async () => {
    const badRef = await invoke('get-ecs-service-state', {
      entityRef: 'component:default/',
    });
    expect(badRef.status).toBe(400);
    expect(badRef.body.error.name).toBe('InputError');
    expect(badRef.body.error.message).toContain(
      'entityRef must be an entity reference such as "component:default/web"',
    );

    const noInput = await invoke('get-ecs-service-state', {});
    expect(noInput.status).toBe(400);
    expect(noInput.body.error.message).toContain(
      'Invalid input to action "delivery:get-ecs-service-state"',
    );

    const noArn = await invoke('get-ecs-service-state', {
      entityRef: 'no-annotations',
    });
    expect(noArn.status).toBe(400);
    expect(noArn.body.error.message).toContain(
      'Entity has no aws.amazon.com/amazon-ecs-service-arn annotation',
    );
    const noSlug = await invoke('list-pipeline-runs', {
      entityRef: 'no-annotations',
    });
    expect(noSlug.status).toBe(400);
    expect(noSlug.body.error.message).toContain(
      'github.com/project-slug annotation',
    );

    const unknown = await invoke('list-deployments', {
      entityRef: 'component:default/nope',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(
      'Entity component:default/nope not found in the catalog',
    );

    const anonymous = await invoke(
      'get-ecs-service-state',
      { entityRef: 'web' },
      null,
    );
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.name).toBe('AuthenticationError');
  });

  it('refuses the rollback without delivery.ecs.rollback, audits the attempt and changes nothing', async () => {
    authorize.mockResolvedValue([{ result: AuthorizeResult.DENY }]);
    const { status, body } = await invoke('rollback-ecs-service', {
      entityRef: 'component:default/web',
      revision: 'previous',
      reason: 'checkout errors since 3',
    });
    expect(status).toBe(403);
    expect(body.error).toMatchObject({
      name: 'NotAllowedError',
      message:
        "Not allowed to roll back component:default/web: it needs the delivery.ecs.rollback permission, which the portal's policy gives the entity's owners",
    });
    expect(authorize).toHaveBeenCalledWith(
      [
        {
          permission: deliveryEcsRollbackPermission,
          resourceRef: 'component:default/web',
        },
      ],
      {
        credentials: expect.objectContaining({
          principal: expect.objectContaining({
            userEntityRef: 'user:default/mock',
          }),
        }),
      },
    );
    expect(auditEvents).toHaveLength(1);
    expect(auditEvents[0].options).toEqual({
      eventId: 'ecs-rollback',
      severityLevel: 'high',
      meta: {
        entityRef: 'component:default/web',
        revision: 'previous',
        reason: 'checkout errors since 3',
        force: null,
        actor: 'user:default/mock',
        via: 'actions-registry',
      },
    });
    expect(auditEvents[0].success).not.toHaveBeenCalled();
    expect(auditEvents[0].fail).toHaveBeenCalledWith({
      error: expect.objectContaining({ name: 'NotAllowedError' }),
      meta: { fromRevision: null, toRevision: null },
    });
    expect(await runningRevision()).toBe('3');
  });

  it('audits and refuses a rollback without a reason before looking at AWS', async () => {
    const { status, body } = await invoke('rollback-ecs-service', {
      entityRef: 'web',
      revision: 2,
      reason: '  ',
    });
    expect(status).toBe(400);
    expect(body.error.message).toBe('reason must have at least 3 characters');
    expect(authorize).not.toHaveBeenCalled();
    expect(auditEvents).toHaveLength(1);
    expect(auditEvents[0].fail).toHaveBeenCalled();
  });

  it('rolls back with the permission: ECS deploys the older revision, audited with what it did', async () => {
    const { status, body } = await invoke('rollback-ecs-service', {
      entityRef: 'component:default/web',
      revision: 'previous',
      reason: 'checkout errors since 3',
    });
    expect(status).toBe(200);
    expect(body.output).toEqual({
      deploymentId: expect.stringMatching(/^ecs-svc\/\d+$/),
      fromRevision: 3,
      toRevision: 2,
      serviceArn,
    });
    expect(await runningRevision()).toBe('2');
    expect(auditEvents).toHaveLength(1);
    expect(auditEvents[0].options.meta).toMatchObject({
      entityRef: 'component:default/web',
      revision: 'previous',
      reason: 'checkout errors since 3',
    });
    expect(auditEvents[0].success).toHaveBeenCalledWith({
      meta: {
        serviceArn,
        fromRevision: 3,
        toRevision: 2,
        deploymentId: body.output.deploymentId,
      },
    });
    expect(auditEvents[0].fail).not.toHaveBeenCalled();

    // the state the next read answers is ECS's new one (the rollback dropped the cached state)
    const after = await invoke('get-ecs-service-state', { entityRef: 'web' });
    expect(after.body.output.taskDefinitionArn).toMatch(/:2$/);

    // a second rollback while that rollout is IN_PROGRESS is refused, with the way out
    const again = await invoke('rollback-ecs-service', {
      entityRef: 'web',
      revision: 1,
      reason: 'further back',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(
      'is still IN_PROGRESS; wait for it or pass force: true',
    );
    expect(auditEvents[1].fail).toHaveBeenCalledWith({
      error: expect.objectContaining({ name: 'ConflictError' }),
      meta: { fromRevision: 2, toRevision: 1 },
    });
  });
});
