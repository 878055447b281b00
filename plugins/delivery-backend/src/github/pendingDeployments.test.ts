import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_GITHUB_PROJECT_SLUG,
  deliveryDeploymentApprovePermission,
  PlanSummary,
} from '@cicd-aws/plugin-delivery-common';
import { FakeGithub } from '@internal/local-github';
import { AddressInfo } from 'node:net';
import deliveryPlugin from '../index';

jest.setTimeout(30_000);

const GHE = 'ghe.acme.test';
const TOKEN = 'portal-token';
const SHA = 'abcdef0123456789abcdef0123456789abcdef01';

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      [ANNOTATION_GITHUB_PROJECT_SLUG]: `acme/${name}`,
      'backstage.io/source-location': `url:https://${GHE}/acme/${name}/tree/main/`,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team-a' },
});

const summary = (overrides: Partial<PlanSummary> = {}): PlanSummary => ({
  schemaVersion: 1,
  createdAt: '2026-03-01T10:00:00Z',
  commit: SHA,
  terraform: { version: '1.11.4', directory: 'infrastructure/terraform' },
  totals: { add: 1, change: 0, replace: 1, destroy: 1 },
  resources: [
    {
      address: 'aws_cloudwatch_dashboard.service',
      type: 'aws_cloudwatch_dashboard',
      action: 'create',
      changedAttributes: ['dashboard_body'],
    },
    {
      address: 'aws_ecs_task_definition.app',
      type: 'aws_ecs_task_definition',
      action: 'replace',
      actionReason: 'replace_because_cannot_update',
      changedAttributes: ['container_definitions'],
    },
    {
      address: 'aws_security_group_rule.legacy',
      type: 'aws_security_group_rule',
      action: 'delete',
      changedAttributes: [],
    },
  ],
  ...overrides,
});

const REPOS = [
  'web',
  'nobody-waits',
  'ungated',
  'timer',
  'broken-plan',
  'bad-totals',
  'no-plan',
  'race',
  'reject',
  'replay',
  'two-envs',
  'scopes',
];

describe('pending deployments against the local GitHub', () => {
  const fake = new FakeGithub(GHE, TOKEN, {
    accounts: {
      orgs: { acme: ['platform-team', 'payments-team'] },
      users: ['portal-bot', 'riley', 'pat', 'alice'],
      teamMembers: {
        'acme/platform-team': ['riley'],
        'acme/payments-team': ['pat'],
      },
    },
    // Long enough that an approved job is seen in progress.
    deployDurationMs: 60_000,
  });
  let baseUrl: string;
  let stopBackend: () => Promise<void>;
  let riley: string;
  let pat: string;
  const authorize = jest.fn();
  const auditEvents: Array<{
    options: any;
    success: jest.Mock;
    fail: jest.Mock;
  }> = [];

  const call = async (
    path: string,
    init: {
      method?: string;
      body?: unknown;
      token?: string;
      key?: string;
    } = {},
  ) => {
    const response = await fetch(
      `${baseUrl}/api/delivery/v1/entities/default/component/${path}`,
      {
        method: init.method ?? 'GET',
        headers: {
          Authorization: mockCredentials.user.header(),
          ...(init.body !== undefined && {
            'Content-Type': 'application/json',
          }),
          ...(init.token && { 'X-GitHub-Token': init.token }),
          ...(init.key && { 'Idempotency-Key': init.key }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      },
    );
    return {
      status: response.status,
      headers: response.headers,
      body: await response.json(),
    };
  };

  const waitingRun = (
    name: string,
    options: {
      files?: Record<string, string>;
      waitTimer?: number;
    } = {},
  ) => {
    const slug = `acme/${name}`;
    fake.environment(slug, 'production', {
      teams: ['platform-team'],
      waitTimer: options.waitTimer,
    });
    return fake.waitingRun(slug, {
      headSha: SHA,
      displayTitle: 'Raise the CPU alarm threshold',
      actor: 'alice',
      jobs: [
        { name: 'Terraform plan', steps: [['Plan', 'success']] },
        {
          name: 'Apply and deploy to production',
          environment: 'production',
          steps: [['Apply', 'success']],
        },
      ],
      artifacts: options.files ? { 'plan-summary': options.files } : {},
    });
  };

  beforeAll(async () => {
    await fake.start();
    riley = fake.userToken('riley', ['repo', 'read:org', 'read:user']);
    pat = fake.userToken('pat', ['repo', 'read:org', 'read:user']);
    const backend = await startTestBackend({
      features: [
        deliveryPlugin,
        mockServices.permissions.mock({ authorize }).factory,
        mockServices.auditor.mock({
          createEvent: jest.fn(async options => {
            const event = { options, success: jest.fn(), fail: jest.fn() };
            auditEvents.push(event);
            return event;
          }),
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                { host: GHE, apiBaseUrl: `${fake.url}/api/v3`, token: TOKEN },
              ],
            },
            delivery: {
              github: {
                cacheTtl: '0s',
                staleWhileRevalidate: '0s',
                retries: 0,
              },
            },
          },
        }),
        catalogServiceMock.factory({ entities: REPOS.map(component) }),
      ],
    });
    baseUrl = `http://127.0.0.1:${
      (backend.server.address() as AddressInfo).port
    }`;
    stopBackend = () => backend.stop();
  });

  afterAll(async () => {
    await stopBackend?.();
    await fake.stop();
  });

  beforeEach(() => {
    authorize.mockReset();
    authorize.mockResolvedValue([{ result: AuthorizeResult.ALLOW }]);
    auditEvents.length = 0;
  });

  it('lists the waiting run with its commit, reviewers and plan, destroys and replaces first', async () => {
    const run = waitingRun('web', {
      files: { 'plan-summary.json': JSON.stringify(summary()) },
    });
    const { status, body } = await call('web/pending-deployments');
    expect(status).toBe(200);
    expect(body.environment).toMatchObject({
      name: 'production',
      exists: true,
      reviewers: [{ type: 'Team', name: 'acme/platform-team' }],
    });
    expect(body.viewer).toEqual({ githubSignedIn: false });
    expect(body.runs).toHaveLength(1);
    const [waiting] = body.runs;
    expect(waiting).toMatchObject({
      id: run.id,
      workflow: 'Deploy',
      commit: { sha: SHA, message: 'Raise the CPU alarm threshold' },
      actor: { login: 'alice' },
      environments: [
        {
          name: 'production',
          reviewers: [{ type: 'Team', name: 'acme/platform-team' }],
          waitTimerMinutes: 0,
        },
      ],
      plan: {
        status: 'ok',
        totals: { add: 1, change: 0, replace: 1, destroy: 1 },
      },
    });
    // Without the user's token nobody is said to be able to approve.
    expect(waiting.environments[0].canApprove).toBeUndefined();
    expect(
      waiting.plan.resources.map((r: { action: string }) => r.action),
    ).toEqual(['delete', 'replace', 'create']);
  });

  it('says from GitHub whether the user of the token can approve', async () => {
    const asRiley = await call('web/pending-deployments', { token: riley });
    expect(asRiley.body.viewer).toEqual({
      githubSignedIn: true,
      login: 'riley',
    });
    expect(asRiley.body.runs[0].environments[0].canApprove).toBe(true);
    const asPat = await call('web/pending-deployments', { token: pat });
    expect(asPat.body.runs[0].environments[0].canApprove).toBe(false);
    const bogus = await call('web/pending-deployments', { token: 'gho_bogus' });
    expect(bogus.status).toBe(200);
    expect(bogus.body.viewer.githubSignedIn).toBe(false);
    expect(bogus.body.viewer.problem).toMatch(/refused your GitHub sign-in/);
  });

  it('answers an empty list, and says when the environment has no required reviewers', async () => {
    fake.environment('acme/nobody-waits', 'production', {
      teams: ['platform-team'],
    });
    const gated = await call('nobody-waits/pending-deployments');
    expect(gated.body).toMatchObject({
      runs: [],
      environment: { exists: true },
    });
    fake.environment('acme/ungated', 'production', {});
    const ungated = await call('ungated/pending-deployments');
    expect(ungated.body.environment).toMatchObject({
      exists: true,
      reviewers: [],
    });
  });

  it('names the wait timer and when it ends', async () => {
    waitingRun('timer', {
      waitTimer: 30,
      files: { 'plan-summary.json': JSON.stringify(summary()) },
    });
    const { body } = await call('timer/pending-deployments');
    const [env] = body.runs[0].environments;
    expect(env.waitTimerMinutes).toBe(30);
    expect(Date.parse(env.waitTimerEndsAt)).toBeGreaterThan(Date.now());
  });

  it('shows why a malformed, oversized or missing plan cannot be shown, and still lists the run', async () => {
    waitingRun('broken-plan', { files: { 'plan-summary.json': '{"schema' } });
    const broken = await call('broken-plan/pending-deployments');
    expect(broken.body.runs[0].plan).toEqual({
      status: 'unusable',
      message: expect.stringMatching(/plan-summary.json is not JSON/),
    });

    const lying = summary({
      totals: { add: 9, change: 0, replace: 1, destroy: 1 },
    });
    waitingRun('bad-totals', {
      files: { 'plan-summary.json': JSON.stringify(lying) },
    });
    const invalid = await call('bad-totals/pending-deployments');
    expect(invalid.body.runs[0].plan.status).toBe('unusable');
    expect(invalid.body.runs[0].plan.message).toMatch(
      /does not match the plan summary schema/,
    );

    waitingRun('no-plan');
    const missing = await call('no-plan/pending-deployments');
    expect(missing.body.runs[0].plan).toEqual({
      status: 'missing',
      message: expect.stringMatching(/uploaded no plan-summary artifact/),
    });
  });

  it('refuses a plan artifact bigger than a summary can be without downloading it', async () => {
    const repo = fake.repo('acme/bad-totals');
    const runId = repo.runs[0].id;
    repo.artifacts[runId][0].size_in_bytes = 50 * 1024 * 1024;
    const before = fake.blobRequests.length;
    const { body } = await call('bad-totals/pending-deployments');
    expect(body.runs[0].plan.message).toMatch(
      /more than the 2097152 a plan summary can need/,
    );
    expect(fake.blobRequests.length).toBe(before);
  });

  it('approves as a reviewer with their own token; the run moves on and the review is audited', async () => {
    const runId = fake.repo('acme/web').runs[0].id;
    const { status, body } = await call(
      `web/pending-deployments/${runId}/review`,
      {
        method: 'POST',
        token: riley,
        body: { state: 'approved', comment: 'Plan read, go' },
      },
    );
    expect({ status, body }).toEqual({
      status: 200,
      body: {
        runId,
        runUrl: `https://${GHE}/acme/web/actions/runs/${runId}`,
        state: 'approved',
        environments: ['production'],
        reviewer: 'riley',
      },
    });
    // Made with riley's token, not the portal's.
    const post = fake
      .requestsFor('acme/web', 'POST')
      .find(r => r.path.endsWith('/pending_deployments'));
    expect(post?.headers.authorization).toBe(`token ${riley}`);
    expect(post?.body).toMatchObject({
      state: 'approved',
      comment: 'Plan read, go',
    });
    const listed = await call('web/pending-deployments');
    expect(listed.body.runs).toEqual([]);
    const jobs = await call(`web/pipeline-runs/${runId}/jobs`);
    expect(
      jobs.body.jobs.find((j: { name: string }) => j.name.startsWith('Apply')),
    ).toMatchObject({ status: 'in_progress' });
    expect(authorize).toHaveBeenCalledWith(
      [
        expect.objectContaining({
          permission: deliveryDeploymentApprovePermission,
        }),
      ],
      expect.anything(),
    );
    const [event] = auditEvents;
    expect(event.options).toMatchObject({ eventId: 'deployment-review' });
    expect(event.success).toHaveBeenCalledWith({
      meta: expect.objectContaining({
        state: 'approved',
        githubReviewer: 'riley',
        comment: 'Plan read, go',
      }),
    });
    // The token reaches neither the audit log nor the answers.
    expect(JSON.stringify(event.success.mock.calls)).not.toContain(riley);
  });

  it("surfaces GitHub's 422 for a non-reviewer as a clear message and changes nothing", async () => {
    const run = waitingRun('reject', {
      files: { 'plan-summary.json': JSON.stringify(summary()) },
    });
    const { status, body } = await call(
      `reject/pending-deployments/${run.id}/review`,
      {
        method: 'POST',
        token: pat,
        body: { state: 'approved', comment: 'looks fine' },
      },
    );
    expect(status).toBe(422);
    expect(body.error.message).toMatch(
      /GitHub refused to approve production for run \d+: pat is not one of its required reviewers/,
    );
    expect((await call('reject/pending-deployments')).body.runs).toHaveLength(
      1,
    );
    expect(auditEvents[0].fail).toHaveBeenCalled();
  });

  it('rejects as a reviewer: the run stops waiting and its job does not run', async () => {
    const runId = fake.repo('acme/reject').runs[0].id;
    const { status } = await call(
      `reject/pending-deployments/${runId}/review`,
      {
        method: 'POST',
        token: riley,
        body: { state: 'rejected', comment: 'Not during the freeze' },
      },
    );
    expect(status).toBe(200);
    expect((await call('reject/pending-deployments')).body.runs).toEqual([]);
  });

  it('refuses without a GitHub sign-in, naming the run on GitHub, and asks GitHub nothing', async () => {
    const run = waitingRun('race', {
      files: { 'plan-summary.json': JSON.stringify(summary()) },
    });
    const posts = fake.requestsFor('acme/race', 'POST').length;
    const { status, body } = await call(
      `race/pending-deployments/${run.id}/review`,
      {
        method: 'POST',
        body: { state: 'approved', comment: 'go' },
      },
    );
    expect(status).toBe(400);
    expect(body.error.message).toMatch(
      new RegExp(
        `needs your own GitHub sign-in.*https://${GHE.replace(
          /\./g,
          '\\.',
        )}/acme/race/actions/runs/${run.id}`,
      ),
    );
    expect(fake.requestsFor('acme/race', 'POST')).toHaveLength(posts);
  });

  it('answers 409 when the run stopped waiting between the list and the click', async () => {
    const runId = fake.repo('acme/race').runs[0].id;
    // Listed as waiting, then approved by someone else on GitHub.
    expect((await call('race/pending-deployments')).body.runs).toHaveLength(1);
    const other = await fetch(
      `${fake.url}/api/v3/repos/acme/race/actions/runs/${runId}/pending_deployments`,
      {
        headers: { Authorization: `token ${riley}` },
      },
    ).then(r => r.json());
    await fetch(
      `${fake.url}/api/v3/repos/acme/race/actions/runs/${runId}/pending_deployments`,
      {
        method: 'POST',
        headers: {
          Authorization: `token ${riley}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          environment_ids: [other[0].environment.id],
          state: 'approved',
          comment: 'approved on GitHub',
        }),
      },
    );
    const { status, body } = await call(
      `race/pending-deployments/${runId}/review`,
      {
        method: 'POST',
        token: riley,
        body: { state: 'approved', comment: 'me too' },
      },
    );
    expect(status).toBe(409);
    expect(body.error.message).toMatch(
      /no longer waiting for an approval: it was reviewed by someone else or cancelled/,
    );
  });

  it('refuses users without the portal permission before asking GitHub', async () => {
    const run = waitingRun('replay', {
      files: { 'plan-summary.json': JSON.stringify(summary()) },
    });
    authorize.mockResolvedValue([{ result: AuthorizeResult.DENY }]);
    const posts = fake.requestsFor('acme/replay', 'POST').length;
    const { status, body } = await call(
      `replay/pending-deployments/${run.id}/review`,
      {
        method: 'POST',
        token: riley,
        body: { state: 'approved', comment: 'go' },
      },
    );
    expect(status).toBe(403);
    expect(body.error.message).toMatch(/delivery\.deployment\.approve/);
    expect(fake.requestsFor('acme/replay', 'POST')).toHaveLength(posts);
  });

  it('answers a retried review with the first answer and reviews once', async () => {
    const runId = fake.repo('acme/replay').runs[0].id;
    const review = () =>
      call(`replay/pending-deployments/${runId}/review`, {
        method: 'POST',
        token: riley,
        key: 'review-once',
        body: { state: 'approved', comment: 'go' },
      });
    const first = await review();
    const again = await review();
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(
      fake
        .requestsFor('acme/replay', 'POST')
        .filter(r => r.path.endsWith('/pending_deployments')),
    ).toHaveLength(1);
  });

  it('reviews, without environmentIds, only the environments GitHub lets the user approve', async () => {
    const slug = 'acme/two-envs';
    fake.environment(slug, 'production', { teams: ['platform-team'] });
    fake.environment(slug, 'audit', { users: ['pat'] });
    const run = fake.waitingRun(slug, {
      headSha: SHA,
      jobs: [
        {
          name: 'Deploy',
          environment: 'production',
          steps: [['Apply', 'success']],
        },
        { name: 'Audit', environment: 'audit', steps: [['Record', 'success']] },
      ],
    });
    const { status, body } = await call(
      `two-envs/pending-deployments/${run.id}/review`,
      {
        method: 'POST',
        token: riley,
        body: { state: 'approved', comment: 'production only' },
      },
    );
    expect({ status, environments: body.environments }).toEqual({
      status: 200,
      environments: ['production'],
    });
    // audit still waits for pat, on GitHub.
    const left = await fetch(
      `${fake.url}/api/v3/repos/${slug}/actions/runs/${run.id}/pending_deployments`,
      { headers: { Authorization: `token ${pat}` } },
    ).then(r => r.json());
    expect(
      left.map(
        (p: {
          environment: { name: string };
          current_user_can_approve: boolean;
        }) => [p.environment.name, p.current_user_can_approve],
      ),
    ).toEqual([['audit', true]]);
  });

  it('says the sign-in lacks the repo scope when GitHub hides the private repository (404)', async () => {
    const narrow = fake.userToken('riley', ['read:user']);
    const run = waitingRun('scopes', {
      files: { 'plan-summary.json': JSON.stringify(summary()) },
    });
    const listed = await call('scopes/pending-deployments', { token: narrow });
    expect(listed.status).toBe(200);
    expect(listed.body.viewer.githubSignedIn).toBe(true);
    expect(listed.body.runs[0].environments[0].canApprove).toBeUndefined();
    const { status, body } = await call(
      `scopes/pending-deployments/${run.id}/review`,
      {
        method: 'POST',
        token: narrow,
        body: { state: 'approved', comment: 'go' },
      },
    );
    expect(status).toBe(403);
    expect(body.error.message).toMatch(
      /Your GitHub sign-in was not granted the repo scope \(it has "read:user"\).*additionalScopes: \[repo\]/,
    );
  });

  it("answers a user token's used-up rate limit with 503 and Retry-After, not as a missing scope", async () => {
    const repo = fake.repo('acme/scopes');
    repo.override = req =>
      req.headers.authorization === `token ${riley}` &&
      req.path.endsWith('/pending_deployments')
        ? {
            status: 403,
            headers: {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 120),
            },
            body: { message: 'API rate limit exceeded for user ID 1.' },
          }
        : undefined;
    try {
      const runId = repo.runs[0].id;
      const { status, headers, body } = await call(
        `scopes/pending-deployments/${runId}/review`,
        {
          method: 'POST',
          token: riley,
          body: { state: 'approved', comment: 'go' },
        },
      );
      expect(status).toBe(503);
      expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
      expect(body.error.message).toMatch(/rate limit/);
    } finally {
      repo.override = undefined;
    }
  });

  it('refuses a review body without a comment, or with an unknown state', async () => {
    const missing = await call('web/pending-deployments/1/review', {
      method: 'POST',
      token: riley,
      body: { state: 'approved' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/comment/);
    const blank = await call('web/pending-deployments/1/review', {
      method: 'POST',
      token: riley,
      body: { state: 'approved', comment: '   ' },
    });
    expect(blank.status).toBe(400);
    const state = await call('web/pending-deployments/1/review', {
      method: 'POST',
      token: riley,
      body: { state: 'maybe', comment: 'x' },
    });
    expect(state.status).toBe(400);
    expect(state.body.error.message).toMatch(/approved, rejected/);
  });
});
