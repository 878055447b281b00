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
  deliveryDriftCheckPermission,
  deliveryPipelineRerunPermission,
  DriftReport,
} from '@cicd-aws/plugin-delivery-common';
import { AddressInfo } from 'node:net';
import {
  artifact,
  Deployment,
  FakeGithub,
  user,
  zipOf,
} from '@internal/local-github';
import deliveryPlugin from '../index';

jest.setTimeout(30_000);

const GHE = 'ghe.acme.test';
const TOKEN = 'ghe-token';
const TTL_SECONDS = 1;

const component = (
  name: string,
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      [ANNOTATION_GITHUB_PROJECT_SLUG]: `acme/${name}`,
      'backstage.io/source-location': `url:https://${GHE}/acme/${name}/tree/main/`,
      ...annotations,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team-a' },
});

const hoursAgo = (h: number) =>
  new Date(Date.now() - h * 3600_000).toISOString();

const report = (overrides: Partial<DriftReport> = {}): DriftReport => ({
  schemaVersion: 1,
  checkedAt: hoursAgo(1),
  commit: '0123456789abcdef0123456789abcdef01234567',
  status: 'drifted',
  terraform: { version: '1.11.4', directory: 'infrastructure/terraform' },
  resources: [
    {
      address: 'aws_ecs_service.rolling[0]',
      type: 'aws_ecs_service',
      name: 'rolling',
      actions: ['update'],
      changedAttributes: ['desired_count'],
      changedOutsideTerraform: true,
    },
  ],
  ...overrides,
});

async function listen(backend: { server: any }) {
  return `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
}

/** Polls `done` every 50 ms, at most 200 times (a busy machine is slow, never wrong). */
async function waitFor(done: () => boolean) {
  for (let i = 0; i < 200 && !done(); i++) {
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('GitHub routes against a fake GitHub Enterprise', () => {
  const fake = new FakeGithub(GHE, TOKEN);
  let baseUrl: string;
  let stopBackend: () => Promise<void>;
  const authorize = jest.fn();
  const auditEvents: Array<{
    options: any;
    success: jest.Mock;
    fail: jest.Mock;
  }> = [];

  const api = (path: string, method = 'GET') =>
    fetch(`${baseUrl}/api/delivery/v1/entities/default/component/${path}`, {
      method,
      headers: { Authorization: mockCredentials.user.header() },
    });
  const json = async (path: string, method = 'GET') => {
    const response = await api(path, method);
    return {
      status: response.status,
      headers: response.headers,
      body: await response.json(),
    };
  };

  beforeAll(async () => {
    await fake.start();
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
              github: { cacheTtl: { seconds: TTL_SECONDS }, retries: 1 },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            'web',
            'popular',
            'jobs',
            'deploys',
            'drifted',
            'stale',
            'invalid',
            'failed',
            'never',
            'oversized',
            'notzip',
            'limited',
            'secondary',
            'broken',
            'badcreds',
            'forbidden',
            'missing',
            'polled',
          ].map(n => component(n)),
        }),
      ],
    });
    baseUrl = await listen(backend);
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

  it('lists runs field by field, paginated and filtered, from the configured apiBaseUrl', async () => {
    const repo = fake.repo('acme/web');
    const runs = Array.from({ length: 45 }, (_, i) =>
      fake.run('acme/web', {
        id: 5000 + i,
        workflowFile: i % 3 === 0 ? 'deploy.yml' : 'ci.yml',
        head_branch: i % 2 === 0 ? 'main' : 'feature/x',
        conclusion: i === 1 ? 'failure' : 'success',
      }),
    );
    repo.runs = runs;

    const first = await json('web/pipeline-runs?perPage=20');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      totalCount: 45,
      page: 1,
      perPage: 20,
      hasNextPage: true,
    });
    expect(first.body.runs).toHaveLength(20);
    expect(first.body.runs[0]).toEqual({
      id: 5000,
      workflowName: 'CI',
      workflowFile: 'deploy.yml',
      workflowId: 'deploy.yml'.length,
      title: 'Add the orders endpoint',
      runNumber: 5000 - 999,
      runAttempt: 1,
      event: 'push',
      status: 'completed',
      conclusion: 'success',
      branch: 'main',
      commitSha: '0123456789abcdef0123456789abcdef01234567',
      commitMessage: 'Add the orders endpoint\n\nWith tests.',
      actor: { login: 'bob', avatarUrl: 'https://avatars.example.test/bob' },
      createdAt: '2026-03-01T10:00:00Z',
      startedAt: '2026-03-01T10:00:05Z',
      updatedAt: '2026-03-01T10:04:10Z',
      durationSeconds: 245,
      htmlUrl: `https://${GHE}/acme/web/actions/runs/5000`,
    });

    const last = await json('web/pipeline-runs?perPage=20&page=3');
    expect(last.body.runs.map((r: any) => r.id)).toEqual(
      runs.slice(40).map(r => r.id),
    );
    expect(last.body.hasNextPage).toBe(false);

    const deploys = await json(
      'web/pipeline-runs?workflow=deploy.yml&branch=main&status=success&perPage=100',
    );
    expect(deploys.body.runs.map((r: any) => r.id)).toEqual(
      runs.filter((_, i) => i % 3 === 0 && i % 2 === 0).map(r => r.id),
    );
    const upstream = fake.requestsFor('acme/web');
    expect(upstream.map(r => [r.path, r.query])).toEqual([
      ['/actions/runs', { page: '1', per_page: '20' }],
      ['/actions/runs', { page: '3', per_page: '20' }],
      [
        '/actions/workflows/deploy.yml/runs',
        { branch: 'main', status: 'success', page: '1', per_page: '100' },
      ],
    ]);
    // Every call went to the GitHub Enterprise API root, with the integration's token.
    for (const request of fake.requests) {
      expect(request.path.startsWith('/api/v3/')).toBe(true);
      expect(request.headers.authorization).toBe(`token ${TOKEN}`);
    }
  });

  it('refuses more than 100 runs per page and workflow names that are not workflow files', async () => {
    for (const query of [
      'perPage=101',
      'perPage=0',
      'workflow=../../x',
      'status=bogus',
    ]) {
      const { status, body } = await json(`web/pipeline-runs?${query}`);
      expect(status).toBe(400);
      expect(body.error.message).toMatch(/perPage|workflow|status/);
    }
  });

  it('serves 50 concurrent viewers with one GitHub call, then revalidates with If-None-Match after the TTL', async () => {
    const repo = fake.repo('acme/popular');
    repo.runs = [fake.run('acme/popular', { id: 7001 })];
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => json('popular/pipeline-runs')),
    );
    expect(answers.every(a => a.status === 200)).toBe(true);
    expect(new Set(answers.map(a => JSON.stringify(a.body))).size).toBe(1);
    const calls = () => fake.requestsFor('acme/popular');
    expect(calls()).toHaveLength(1);
    expect(calls()[0].headers['if-none-match']).toBeUndefined();

    // Within the TTL: served from the cache.
    await json('popular/pipeline-runs');
    expect(calls()).toHaveLength(1);

    // Past the TTL the previous answer comes at once, and one revalidation runs behind it.
    await new Promise(r => setTimeout(r, TTL_SECONDS * 1000 + 200));
    const again = await Promise.all(
      Array.from({ length: 10 }, () => json('popular/pipeline-runs')),
    );
    expect(again.map(a => a.status)).toEqual(Array(10).fill(200));
    expect(again.map(a => a.body)).toEqual(Array(10).fill(answers[0].body));
    await waitFor(() => calls().length === 2);
    expect(calls()).toHaveLength(2);
    expect(calls()[1].headers['if-none-match']).toMatch(/^W\/"[0-9a-f]{40}"$/);

    // A change upstream (GitHub answers 200 with a new ETag) is answered once the refresh
    // after the next TTL has run: the first read after it still gets the previous answer.
    repo.runs = [fake.run('acme/popular', { id: 7002 }), ...repo.runs];
    await new Promise(r => setTimeout(r, TTL_SECONDS * 1000 + 200));
    const stale = await json('popular/pipeline-runs');
    expect(stale.body.runs.map((r: any) => r.id)).toEqual([7001]);
    await waitFor(() => calls().length === 3);
    let changed = await json('popular/pipeline-runs');
    for (let i = 0; i < 200 && changed.body.runs.length === 1; i++) {
      await new Promise(r => setTimeout(r, 50));
      changed = await json('popular/pipeline-runs');
    }
    expect(changed.body.runs.map((r: any) => r.id)).toEqual([7002, 7001]);
  });

  it('answers a poll of an unchanged answer with 304 to its ETag, and says where the time went', async () => {
    const repo = fake.repo('acme/polled');
    repo.runs = [fake.run('acme/polled', { id: 7101 })];
    const first = await api('polled/pipeline-runs');
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('server-timing')).toMatch(
      /^auth;dur=[\d.]+, catalog;dur=[\d.]+, github;dur=[\d.]+, serialise;dur=[\d.]+$/,
    );

    const poll = await fetch(
      `${baseUrl}/api/delivery/v1/entities/default/component/polled/pipeline-runs`,
      {
        headers: {
          Authorization: mockCredentials.user.header(),
          // as a browser revalidates; fetch() adds Cache-Control: no-cache, also honoured
          'If-None-Match': `W/${etag}, "other"`,
        },
      },
    );
    expect(poll.status).toBe(304);
    expect(await poll.text()).toBe('');

    // Another query is another answer with its own ETag.
    const filtered = await api('polled/pipeline-runs?status=failure');
    expect(filtered.status).toBe(200);
    expect(filtered.headers.get('etag')).not.toBe(etag);
  });

  it('lists the jobs of a run with steps and timings', async () => {
    const repo = fake.repo('acme/jobs');
    repo.runs = [fake.run('acme/jobs', { id: 8001 })];
    repo.jobs[8001] = [
      {
        id: 91,
        run_id: 8001,
        run_url: '',
        node_id: 'J_91',
        head_sha: '0123456789abcdef0123456789abcdef01234567',
        url: '',
        html_url: `https://${GHE}/acme/jobs/actions/runs/8001/job/91`,
        status: 'completed',
        conclusion: 'failure',
        created_at: '2026-03-01T10:00:01Z',
        started_at: '2026-03-01T10:00:10Z',
        completed_at: '2026-03-01T10:01:40Z',
        name: 'test',
        steps: [
          {
            name: 'Set up job',
            status: 'completed',
            conclusion: 'success',
            number: 1,
            started_at: '2026-03-01T10:00:10Z',
            completed_at: '2026-03-01T10:00:12Z',
          },
          {
            name: 'npm test',
            status: 'completed',
            conclusion: 'failure',
            number: 2,
            started_at: '2026-03-01T10:00:12Z',
            completed_at: '2026-03-01T10:01:39Z',
          },
        ],
        check_run_url: '',
        labels: ['ubuntu-24.04'],
        runner_id: 1,
        runner_name: 'GitHub Actions 1',
        runner_group_id: 1,
        runner_group_name: 'GitHub Actions',
        run_attempt: 2,
        workflow_name: 'CI',
        head_branch: 'main',
      },
    ];
    const { status, body } = await json('jobs/pipeline-runs/8001/jobs');
    expect(status).toBe(200);
    expect(body).toEqual({
      runId: 8001,
      totalCount: 1,
      jobs: [
        {
          id: 91,
          name: 'test',
          status: 'completed',
          conclusion: 'failure',
          runAttempt: 2,
          startedAt: '2026-03-01T10:00:10Z',
          completedAt: '2026-03-01T10:01:40Z',
          durationSeconds: 90,
          htmlUrl: `https://${GHE}/acme/jobs/actions/runs/8001/job/91`,
          runnerName: 'GitHub Actions 1',
          steps: [
            {
              number: 1,
              name: 'Set up job',
              status: 'completed',
              conclusion: 'success',
              startedAt: '2026-03-01T10:00:10Z',
              completedAt: '2026-03-01T10:00:12Z',
              durationSeconds: 2,
            },
            {
              number: 2,
              name: 'npm test',
              status: 'completed',
              conclusion: 'failure',
              startedAt: '2026-03-01T10:00:12Z',
              completedAt: '2026-03-01T10:01:39Z',
              durationSeconds: 87,
            },
          ],
        },
      ],
    });
    expect(fake.requestsFor('acme/jobs')[0].query).toEqual({
      filter: 'latest',
      page: '1',
      per_page: '100',
    });
    expect((await json('jobs/pipeline-runs/9999/jobs')).status).toBe(404);
  });

  it('re-runs failed jobs only when the permission allows it, and audits both outcomes', async () => {
    const repo = fake.repo('acme/web');
    const posts = () => fake.requestsFor('acme/web', 'POST');
    authorize.mockResolvedValueOnce([{ result: AuthorizeResult.DENY }]);
    const denied = await json('web/pipeline-runs/5001/rerun-failed', 'POST');
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('delivery.pipeline.rerun');
    expect(posts()).toHaveLength(0);
    expect(authorize).toHaveBeenCalledWith(
      [
        {
          permission: deliveryPipelineRerunPermission,
          resourceRef: 'component:default/web',
        },
      ],
      expect.anything(),
    );

    const allowed = await json('web/pipeline-runs/5001/rerun-failed', 'POST');
    expect(allowed.status).toBe(202);
    expect(allowed.body).toEqual({
      runId: 5001,
      runUrl: `https://${GHE}/acme/web/actions/runs/5001`,
    });
    expect(posts().map(r => r.path)).toEqual([
      '/actions/runs/5001/rerun-failed-jobs',
    ]);
    expect(repo.runs.some(r => r.id === 5001)).toBe(true);

    expect(auditEvents.map(e => e.options.eventId)).toEqual([
      'pipeline-rerun-failed',
      'pipeline-rerun-failed',
    ]);
    expect(auditEvents[0].options.meta.entityRef).toBe('component:default/web');
    expect(auditEvents[0].fail).toHaveBeenCalledTimes(1);
    expect(auditEvents[0].success).not.toHaveBeenCalled();
    expect(auditEvents[1].success).toHaveBeenCalledWith({
      meta: {
        repository: `${GHE}/acme/web`,
        runId: 5001,
        runUrl: `https://${GHE}/acme/web/actions/runs/5001`,
      },
    });
  });

  it('lists the deploy workflow deployments with their latest status and payload', async () => {
    const repo = fake.repo('acme/deploys');
    const deployment = (
      id: number,
      task: string,
      payload: Record<string, unknown>,
    ): Deployment => ({
      id,
      node_id: `D_${id}`,
      url: '',
      sha: `${id}`.padEnd(40, 'a'),
      ref: 'main',
      task,
      payload,
      environment: 'production',
      description: `deploy ${id}`,
      creator: user('deployer'),
      created_at: `2026-03-0${id - 200}T12:00:00Z`,
      updated_at: `2026-03-0${id - 200}T12:00:00Z`,
      statuses_url: '',
      repository_url: '',
    });
    repo.deployments = [
      deployment(203, 'deploy:ecs-service', {
        taskDefinitionArn:
          'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7',
        family: 'web',
        revision: 7,
        image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:abc',
        cluster: 'prod',
        service: 'web',
        rollbackFrom:
          'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8',
      }),
      deployment(202, 'deploy', {}),
      deployment(201, 'deploy:ecs-service', {
        taskDefinitionArn:
          'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:6',
        family: 'web',
        revision: 6,
        cluster: 'prod',
        service: 'web',
      }),
    ];
    repo.statuses[203] = [
      {
        id: 1,
        node_id: 'S_1',
        state: 'success',
        creator: user('deployer'),
        description: 'Rolled back to web:7',
        environment: 'production',
        target_url: '',
        log_url: `https://${GHE}/acme/deploys/actions/runs/42`,
        environment_url: 'https://web.example.test',
        created_at: '2026-03-03T12:05:00Z',
        updated_at: '2026-03-03T12:05:00Z',
        deployment_url: '',
        repository_url: '',
        url: '',
      },
    ];
    const { status, body } = await json('deploys/deployments');
    expect(status).toBe(200);
    expect(body).toEqual({
      repositoryUrl: `https://${GHE}/acme/deploys`,
      environment: 'production',
      page: 1,
      perPage: 20,
      hasNextPage: false,
      deployments: [
        {
          id: 203,
          environment: 'production',
          ref: 'main',
          sha: '203'.padEnd(40, 'a'),
          task: 'deploy:ecs-service',
          description: 'deploy 203',
          creator: {
            login: 'deployer',
            avatarUrl: 'https://avatars.example.test/deployer',
          },
          createdAt: '2026-03-03T12:00:00Z',
          state: 'success',
          statusDescription: 'Rolled back to web:7',
          statusCreatedAt: '2026-03-03T12:05:00Z',
          logUrl: `https://${GHE}/acme/deploys/actions/runs/42`,
          environmentUrl: 'https://web.example.test',
          taskDefinitionArn:
            'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7',
          family: 'web',
          revision: 7,
          image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:abc',
          commitUrl: expect.stringMatching(
            new RegExp(`^https://${GHE}/acme/deploys/commit/[0-9a-f]{40}$`),
          ),
          cluster: 'prod',
          service: 'web',
          rollbackFrom:
            'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8',
        },
        expect.objectContaining({ id: 201, state: 'pending', revision: 6 }),
      ],
    });
    expect(fake.requestsFor('acme/deploys')[0].query).toEqual({
      environment: 'production',
      task: 'deploy:ecs-service',
      page: '1',
      per_page: '20',
    });
    const staging = await json('deploys/deployments?environment=staging');
    expect(staging.body.deployments).toEqual([]);
  });

  describe('drift', () => {
    const driftRun = (slug: string, overrides: any = {}) =>
      fake.run(slug, {
        workflowFile: 'drift.yml',
        event: 'schedule',
        ...overrides,
      });
    const withReport = (
      slug: string,
      content: string | Uint8Array,
      runOverrides: any = {},
    ) => {
      const repo = fake.repo(slug);
      const run = driftRun(slug, runOverrides);
      const zip =
        typeof content === 'string'
          ? zipOf({ 'drift-report.json': content })
          : content;
      const entry = artifact(run.id, { size_in_bytes: zip.byteLength });
      repo.runs = [run];
      repo.artifacts[run.id] = [entry];
      repo.zips[entry.id] = zip;
      return { repo, run };
    };

    it('reports a valid drifted report with its resources and run', async () => {
      const written = report();
      const { run } = withReport('acme/drifted', JSON.stringify(written));
      const { status, body } = await json('drifted/drift');
      expect(status).toBe(200);
      expect(body).toEqual({
        repositoryUrl: `https://${GHE}/acme/drifted`,
        commitUrl: `https://${GHE}/acme/drifted/commit/0123456789abcdef0123456789abcdef01234567`,
        status: 'drifted',
        workflow: 'drift.yml',
        workflowUrl: `https://${GHE}/acme/drifted/actions/workflows/drift.yml`,
        checkedAt: written.checkedAt,
        commit: written.commit,
        stale: false,
        resources: written.resources,
        terraform: written.terraform,
        run: {
          id: run.id,
          attempt: 1,
          url: `https://${GHE}/acme/drifted/actions/runs/${run.id}`,
          event: 'schedule',
          conclusion: 'success',
        },
      });
      // The zip came from the storage redirect, without the GitHub token.
      expect(fake.blobRequests).toHaveLength(1);
      expect(fake.blobRequests[0].headers.authorization).toBeUndefined();
      // A second look reuses the parsed artifact.
      await new Promise(r => setTimeout(r, TTL_SECONDS * 1000 + 200));
      expect((await json('drifted/drift')).body.status).toBe('drifted');
      expect(fake.blobRequests).toHaveLength(1);
    });

    it('flags a report older than the configured age as stale and shows a run in progress', async () => {
      const { repo } = withReport(
        'acme/stale',
        JSON.stringify(
          report({ status: 'in-sync', resources: [], checkedAt: hoursAgo(72) }),
        ),
      );
      const running = driftRun('acme/stale', {
        status: 'in_progress',
        conclusion: null,
      });
      repo.runs = [running, ...repo.runs];
      const { body } = await json('stale/drift');
      expect(body).toMatchObject({
        status: 'in-sync',
        stale: true,
        resources: [],
        inProgress: {
          id: running.id,
          url: running.html_url,
          status: 'in_progress',
        },
      });
    });

    it('is an error naming the schema problem when the report is invalid', async () => {
      const { run } = withReport(
        'acme/invalid',
        JSON.stringify({ ...report(), commit: undefined }),
      );
      const { status, body } = await json('invalid/drift');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        status: 'error',
        resources: [],
        run: { id: run.id, url: run.html_url },
      });
      expect(body.error.message).toContain(
        "drift-report.json does not match the drift report schema: /: must have required property 'commit'",
      );
    });

    it('is an error with the run URL when the run failed before writing a report', async () => {
      const repo = fake.repo('acme/failed');
      const run = driftRun('acme/failed', { conclusion: 'failure' });
      repo.runs = [run];
      const { status, body } = await json('failed/drift');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        status: 'error',
        checkedAt: run.updated_at,
        run: { id: run.id, url: run.html_url, conclusion: 'failure' },
        error: {
          message: `the drift run ${run.id} ended with conclusion "failure" before writing a report; see the run`,
        },
      });
    });

    it('is never-run before the workflow first completes, with the workflow named by the annotation', async () => {
      fake.repo('acme/never');
      const { body } = await json('never/drift');
      expect(body).toEqual({
        repositoryUrl: `https://${GHE}/acme/never`,
        status: 'never-run',
        workflow: 'drift.yml',
        workflowUrl: `https://${GHE}/acme/never/actions/workflows/drift.yml`,
        stale: false,
        resources: [],
      });
    });

    it('does not download an oversized artifact, and reports an unreadable one', async () => {
      const { repo, run } = withReport(
        'acme/oversized',
        JSON.stringify(report()),
      );
      repo.artifacts[run.id][0].size_in_bytes = 50 * 1024 * 1024;
      const big = await json('oversized/drift');
      expect(big.body.status).toBe('error');
      expect(big.body.error.message).toMatch(/52428800 bytes, more than/);
      expect(
        fake.requestsFor('acme/oversized').some(r => r.path.includes('/zip')),
      ).toBe(false);

      withReport(
        'acme/notzip',
        new TextEncoder().encode('<html>not a zip</html>'),
      );
      const garbage = await json('notzip/drift');
      expect(garbage.body.status).toBe('error');
      expect(garbage.body.error.message).toContain(
        'not a readable zip archive',
      );
    });

    it('dispatches the drift workflow on the default branch only when allowed, and audits both', async () => {
      const repo = fake.repo('acme/never');
      repo.defaultBranch = 'trunk';
      const posts = () => fake.requestsFor('acme/never', 'POST');
      authorize.mockResolvedValueOnce([{ result: AuthorizeResult.DENY }]);
      const denied = await json('never/drift/check', 'POST');
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toContain('delivery.drift.check');
      expect(posts()).toHaveLength(0);
      expect(authorize.mock.calls[0][0][0].permission).toBe(
        deliveryDriftCheckPermission,
      );

      const allowed = await json('never/drift/check', 'POST');
      expect(allowed.status).toBe(202);
      expect(allowed.body).toEqual({
        workflow: 'drift.yml',
        ref: 'trunk',
        runId: expect.any(Number),
        runUrl: `https://${GHE}/acme/never/actions/runs/${allowed.body.runId}`,
      });
      expect(posts().map(r => [r.path, r.body])).toEqual([
        [
          '/actions/workflows/drift.yml/dispatches',
          { ref: 'trunk', return_run_details: true },
        ],
      ]);
      expect(auditEvents.map(e => e.options.eventId)).toEqual([
        'drift-check',
        'drift-check',
      ]);
      expect(auditEvents[0].fail).toHaveBeenCalledTimes(1);
      expect(auditEvents[1].success).toHaveBeenCalledWith({
        meta: {
          repository: `${GHE}/acme/never`,
          workflow: 'drift.yml',
          ref: 'trunk',
          runId: allowed.body.runId,
          runUrl: allowed.body.runUrl,
        },
      });
    });
  });

  describe('errors', () => {
    it('answers 503 with Retry-After from the reset header when the rate limit is used up', async () => {
      const resetAt = Math.floor(Date.now() / 1000) + 120;
      fake.repo('acme/limited').override = () => ({
        status: 403,
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(resetAt),
        },
        body: { message: 'API rate limit exceeded for installation ID 1.' },
      });
      const { status, headers, body } = await json('limited/pipeline-runs');
      expect(status).toBe(503);
      const retryAfter = Number(headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(100);
      expect(retryAfter).toBeLessThanOrEqual(121);
      expect(body.error.message).toContain('rate limit');
      expect(body.error.message).toContain(
        new Date(resetAt * 1000).toISOString().slice(0, 16),
      );
      expect(fake.requestsFor('acme/limited')).toHaveLength(1);
    });

    it('answers 503 with GitHub Retry-After on a secondary rate limit (429)', async () => {
      fake.repo('acme/secondary').override = () => ({
        status: 429,
        headers: { 'retry-after': '30' },
        body: { message: 'You have exceeded a secondary rate limit.' },
      });
      const { status, headers } = await json('secondary/drift');
      expect(status).toBe(503);
      expect(headers.get('retry-after')).toBe('30');
    });

    it('answers 502 when GitHub keeps failing after the retries', async () => {
      fake.repo('acme/broken').override = () => ({
        status: 500,
        body: { message: 'Server Error' },
      });
      const { status, body } = await json('broken/deployments');
      expect(status).toBe(502);
      expect(body.error.message).toContain('after retries');
      // The first attempt and the one configured retry.
      expect(fake.requestsFor('acme/broken')).toHaveLength(2);
    });

    it('names the integration and the permission for 401, 403 and 404', async () => {
      fake.repo('acme/badcreds').override = () => ({
        status: 401,
        body: { message: 'Bad credentials' },
      });
      const bad = await json('badcreds/pipeline-runs');
      expect(bad.status).toBe(503);
      expect(bad.body.error.message).toContain(
        `integrations.github entry for ${GHE}`,
      );

      fake.repo('acme/forbidden').override = () => ({
        status: 403,
        body: { message: 'Resource not accessible by integration' },
      });
      const forbidden = await json(
        'forbidden/pipeline-runs/1/rerun-failed',
        'POST',
      );
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.message).toContain('"actions: write"');
      expect(forbidden.body.error.message).toContain(
        'Resource not accessible by integration',
      );

      const missing = await json('missing/pipeline-runs');
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toContain(GHE);
    });

    it('answers 404 naming a workflow file that does not exist', async () => {
      fake.repo('acme/web');
      const missingWorkflow = await json('web/pipeline-runs?workflow=nope.yml');
      expect(missingWorkflow.status).toBe(404);
      expect(missingWorkflow.body.error.message).toContain('nope.yml');
    });
  });
});

describe('GitHub routes without GitHub configuration', () => {
  it('answers 503 "not configured" and 400 for an entity without a project slug', async () => {
    const backend = await startTestBackend({
      features: [
        deliveryPlugin,
        mockServices.rootConfig.factory({ data: {} }),
        catalogServiceMock.factory({
          entities: [
            component('web'),
            {
              ...component('noslug'),
              metadata: {
                name: 'noslug',
                namespace: 'default',
                annotations: {},
              },
            },
          ],
        }),
      ],
    });
    try {
      const baseUrl = await listen(backend);
      const get = (path: string) =>
        fetch(`${baseUrl}/api/delivery/v1/entities/default/component/${path}`, {
          headers: { Authorization: mockCredentials.user.header() },
        });
      const unconfigured = await get('web/pipeline-runs');
      expect(unconfigured.status).toBe(503);
      expect((await unconfigured.json()).error.message).toMatch(
        /^GitHub is not configured for the delivery plugin/,
      );
      expect(unconfigured.headers.get('retry-after')).toBeNull();

      const noSlug = await get('noslug/drift');
      expect(noSlug.status).toBe(400);
      expect((await noSlug.json()).error.message).toContain(
        'github.com/project-slug',
      );
    } finally {
      await backend.stop();
    }
  });
});
