import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { wrapServer } from '@backstage/backend-openapi-utils/testUtils';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  DeliveryDeploymentsResponse,
  DriftState,
  EcsServiceState,
  PipelineJobsResponse,
  PipelineRunsPage,
  PendingDeploymentReviewResponse,
  PendingDeploymentsResponse,
} from '@cicd-aws/plugin-delivery-common';
import express from 'express';
import dns from 'node:dns';
import { IdempotencyStore } from '../database/IdempotencyStore';
import { EcsStateService } from '../ecs/EcsStateService';
import { RollbackService } from '../ecs/RollbackService';
import { DriftService } from '../github/DriftService';
import {
  GithubClientFactory,
  GithubRepoRef,
} from '../github/GithubClientFactory';
import { PendingDeploymentService } from '../github/PendingDeploymentService';
import { PipelineService } from '../github/PipelineService';
import { spec } from '../schema/openapi';
import { createRouter } from './router';

// Every answer of the router goes through Backstage's OpenAPI test proxy (`wrapServer`), which
// fails the test when a status or body is not what the document describes for the route.

// The proxy forwards to `localhost`; on a machine whose only interface is loopback, getaddrinfo's
// AI_ADDRCONFIG hides that name (ENOTFOUND), so it is resolved as the address it stands for.
const lookup = dns.lookup;
jest
  .spyOn(dns, 'lookup')
  .mockImplementation(((host: string, ...rest: unknown[]) =>
    (lookup as Function)(
      host === 'localhost' ? '127.0.0.1' : host,
      ...rest,
    )) as typeof dns.lookup);

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web';
const REPO: GithubRepoRef = {
  host: 'github.local',
  apiBaseUrl: 'https://github.local/api/v3',
  owner: 'acme',
  repo: 'web',
  htmlUrl: 'https://github.local/acme/web',
};
const SHA = 'a'.repeat(40);

const ecsState: EcsServiceState = {
  serviceArn: ARN,
  clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
  serviceName: 'web',
  region: 'eu-west-1',
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  deploymentController: 'ECS',
  deploymentStrategy: 'ROLLING',
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  taskDefinitionArn:
    'arn:aws:ecs:eu-west-1:123456789012:task-definition/web-production:3',
  family: 'web-production',
  circuitBreaker: { enable: true, rollback: true },
  deployments: [
    {
      id: 'ecs-svc/1',
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      taskDefinitionArn:
        'arn:aws:ecs:eu-west-1:123456789012:task-definition/web-production:3',
      revision: 3,
      images: [{ name: 'app', image: 'web:3' }],
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      failedTasks: 0,
      createdAt: '2026-12-01T10:00:00.000Z',
    },
  ],
  events: [
    {
      id: 'e1',
      message: 'has reached a steady state.',
      createdAt: '2026-12-01T10:05:00.000Z',
    },
  ],
  tasks: [
    {
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123',
      taskId: '0123',
      lastStatus: 'RUNNING',
      revision: 3,
      containers: [{ name: 'app', image: 'web:3', healthStatus: 'HEALTHY' }],
    },
  ],
  rollbackTargets: [
    {
      revision: 2,
      taskDefinitionArn:
        'arn:aws:ecs:eu-west-1:123456789012:task-definition/web-production:2',
      images: [{ name: 'app', image: 'web:2' }],
      lastCompleted: true,
    },
  ],
};

const runsPage: PipelineRunsPage = {
  runs: [
    {
      id: 7,
      workflowName: 'Deploy',
      workflowFile: 'deploy.yml',
      workflowId: 70,
      runNumber: 12,
      runAttempt: 1,
      event: 'push',
      status: 'completed',
      conclusion: 'success',
      branch: 'main',
      commitSha: SHA,
      actor: { login: 'dev' },
      createdAt: '2026-12-01T09:00:00Z',
      updatedAt: '2026-12-01T09:10:00Z',
      durationSeconds: 600,
      htmlUrl: `${REPO.htmlUrl}/actions/runs/7`,
    },
  ],
  totalCount: 1,
  page: 1,
  perPage: 20,
  hasNextPage: false,
};

const jobs: PipelineJobsResponse = {
  runId: 7,
  totalCount: 1,
  jobs: [
    {
      id: 71,
      name: 'apply',
      status: 'completed',
      conclusion: 'success',
      steps: [{ number: 1, name: 'terraform apply', status: 'completed' }],
    },
  ],
};

const deployments: DeliveryDeploymentsResponse = {
  environment: 'production',
  repositoryUrl: REPO.htmlUrl,
  deployments: [
    {
      id: 5,
      environment: 'production',
      ref: 'main',
      sha: SHA,
      commitUrl: `${REPO.htmlUrl}/commit/${SHA}`,
      task: 'deploy:ecs-service',
      createdAt: '2026-12-01T09:05:00Z',
      state: 'success',
      revision: 3,
    },
  ],
  page: 1,
  perPage: 20,
  hasNextPage: false,
};

const drift: DriftState = {
  status: 'drifted',
  workflow: 'drift.yml',
  workflowUrl: `${REPO.htmlUrl}/actions/workflows/drift.yml`,
  repositoryUrl: REPO.htmlUrl,
  checkedAt: '2026-12-01T08:00:00Z',
  commit: SHA,
  commitUrl: `${REPO.htmlUrl}/commit/${SHA}`,
  stale: false,
  resources: [
    {
      address: 'aws_ecs_service.app',
      type: 'aws_ecs_service',
      actions: ['update'],
      changedAttributes: ['tags.Owner'],
    },
  ],
  run: { id: 9, url: `${REPO.htmlUrl}/actions/runs/9` },
};

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const pending: PendingDeploymentsResponse = {
  repositoryUrl: REPO.htmlUrl,
  environment: {
    name: 'production',
    url: `${REPO.htmlUrl}/settings/environments`,
    exists: true,
    reviewers: [{ type: 'Team', name: 'acme/platform-team' }],
    waitTimerMinutes: 0,
  },
  viewer: { githubSignedIn: false },
  runs: [
    {
      id: 7,
      attempt: 1,
      runNumber: 12,
      url: `${REPO.htmlUrl}/actions/runs/7`,
      workflow: 'Deploy',
      event: 'push',
      branch: 'main',
      commit: {
        sha: '0123456789abcdef0123456789abcdef01234567',
        url: `${REPO.htmlUrl}/commit/0123456789abcdef0123456789abcdef01234567`,
        message: 'Raise the CPU alarm threshold',
      },
      actor: { login: 'riley' },
      waitingSince: '2026-03-01T10:05:00Z',
      environments: [
        {
          id: 11,
          name: 'production',
          reviewers: [{ type: 'Team', name: 'acme/platform-team' }],
          waitTimerMinutes: 0,
        },
      ],
      plan: {
        status: 'ok',
        commit: '0123456789abcdef0123456789abcdef01234567',
        createdAt: '2026-03-01T10:04:00Z',
        totals: { add: 0, change: 1, replace: 0, destroy: 0 },
        resources: [
          {
            address: 'aws_cloudwatch_metric_alarm.cpu_high',
            type: 'aws_cloudwatch_metric_alarm',
            action: 'update',
            changedAttributes: ['threshold'],
          },
        ],
      },
    },
  ],
};

const review: PendingDeploymentReviewResponse = {
  runId: 7,
  runUrl: `${REPO.htmlUrl}/actions/runs/7`,
  state: 'approved',
  environments: ['production'],
  reviewer: 'riley',
};

async function startRouter() {
  const config = new ConfigReader({});
  const knex = await databases.init('SQLITE_3');
  const router = await createRouter({
    idempotency: new IdempotencyStore(mockServices.database({ knex }), {
      leaseMs: 60_000,
      retentionMs: 60_000,
    }),
    httpAuth: mockServices.httpAuth(),
    permissions: mockServices.permissions(),
    auditor: mockServices.auditor.mock(),
    catalog: catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'web',
            annotations: {
              'aws.amazon.com/amazon-ecs-service-arn': ARN,
              'github.com/project-slug': 'acme/web',
            },
          },
          spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
        },
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'bare' },
          spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
        },
      ],
    }),
    awsConfigured: true,
    state: {
      getState: async () => ecsState,
    } as unknown as EcsStateService,
    rollbacks: {
      rollback: async () => ({
        deploymentId: 'ecs-svc/2',
        fromRevision: 3,
        toRevision: 2,
      }),
      stopRollout: async () => ({
        serviceDeploymentArn: `${ARN}/sd/1`,
        fromRevision: 3,
        toRevision: 2,
      }),
    } as unknown as RollbackService,
    github: {
      clients: { repoOf: () => REPO } as unknown as GithubClientFactory,
      pipelines: {
        listRuns: async () => runsPage,
        listJobs: async () => jobs,
        rerunFailedJobs: async () => ({
          runId: 7,
          runUrl: `${REPO.htmlUrl}/actions/runs/7`,
        }),
        listDeployments: async () => deployments,
      } as unknown as PipelineService,
      drift: {
        getState: async () => drift,
        check: async () => ({
          workflow: 'drift.yml',
          ref: 'main',
          runUrl: `${REPO.htmlUrl}/actions/workflows/drift.yml`,
        }),
      } as unknown as DriftService,
      pendingDeployments: {
        list: async () => pending,
        review: async () => review,
      } as unknown as PendingDeploymentService,
    },
  });
  const errors = MiddlewareFactory.create({
    config,
    logger: mockServices.logger.mock(),
  });
  const app = express().use(router).use(errors.error());
  const server = await wrapServer(app);
  const { port } = server.address() as { port: number };
  return Object.assign(
    (path: string, init?: { method?: string; body?: unknown }) =>
      fetch(`http://127.0.0.1:${port}/v1/entities/default/component/${path}`, {
        method: init?.method ?? 'GET',
        headers: init?.body ? { 'content-type': 'application/json' } : {},
        body: init?.body ? JSON.stringify(init.body) : undefined,
      }),
    { app },
  );
}

describe('the router against its OpenAPI document', () => {
  it('serves the generated document, the one the router validates against', async () => {
    const { app } = await startRouter();
    // Straight from the app: the proxy only forwards the document's own routes.
    const server = app.listen(0, '127.0.0.1');
    await new Promise(resolve => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const served = await (
        await fetch(`http://127.0.0.1:${port}/openapi.json`)
      ).json();
      expect(served).toEqual(JSON.parse(JSON.stringify(spec)));
    } finally {
      server.close();
    }
  });

  it('answers every read and change as the document describes', async () => {
    const call = await startRouter();
    const cases: Array<
      [string, { method?: string; body?: unknown }, number, unknown]
    > = [
      ['web/ecs', {}, 200, ecsState],
      ['web/pipeline-runs?perPage=5&workflow=deploy.yml', {}, 200, runsPage],
      ['web/pipeline-runs/7/jobs', {}, 200, jobs],
      ['web/deployments', {}, 200, deployments],
      ['web/drift', {}, 200, drift],
      ['web/pending-deployments', {}, 200, pending],
      [
        'web/pending-deployments/7/review',
        {
          method: 'POST',
          body: { state: 'approved', comment: 'plan read, go' },
        },
        200,
        review,
      ],
      [
        'web/ecs/rollback',
        {
          method: 'POST',
          body: { revision: 'previous', reason: 'bad deploy' },
        },
        202,
        { deploymentId: 'ecs-svc/2', fromRevision: 3, toRevision: 2 },
      ],
      [
        'web/ecs/stop-rollout',
        { method: 'POST', body: { reason: 'bad deploy' } },
        202,
        { serviceDeploymentArn: `${ARN}/sd/1`, fromRevision: 3, toRevision: 2 },
      ],
      [
        'web/pipeline-runs/7/rerun-failed',
        { method: 'POST' },
        202,
        { runId: 7, runUrl: `${REPO.htmlUrl}/actions/runs/7` },
      ],
      [
        'web/drift/check',
        { method: 'POST' },
        202,
        {
          workflow: 'drift.yml',
          ref: 'main',
          runUrl: `${REPO.htmlUrl}/actions/workflows/drift.yml`,
        },
      ],
    ];
    for (const [path, init, status, body] of cases) {
      const response = await call(path, init);
      expect({ path, status: response.status }).toEqual({ path, status });
      expect(await response.json()).toEqual(body);
    }
  });

  it('answers refusals with the document’s error shape', async () => {
    const call = await startRouter();
    const missing = await call('bare/ecs');
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.message).toContain(
      'aws.amazon.com/amazon-ecs-service-arn',
    );
    const unknown = await call('nobody/ecs');
    expect(unknown.status).toBe(404);
    const badBody = await call('web/ecs/rollback', {
      method: 'POST',
      body: { revision: 'latest', reason: 'x' },
    });
    expect(badBody.status).toBe(400);
    expect((await badBody.json()).error.name).toBe('InputError');
  });
});
