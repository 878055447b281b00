import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  ANNOTATION_ECS_SERVICE_ARN,
  ANNOTATION_GITHUB_PROJECT_SLUG,
  DeliveryClient,
} from '@cicd-aws/plugin-delivery-common';
import { z } from 'zod';
import { deliveryApiRef } from './api';
import { PollIntervalsProvider } from './hooks/usePollIntervals';

const hasEcsService = {
  [`metadata.annotations.${ANNOTATION_ECS_SERVICE_ARN}`]: { $exists: true },
};
const hasGithubRepository = {
  [`metadata.annotations.${ANNOTATION_GITHUB_PROJECT_SLUG}`]: {
    $exists: true,
  },
};

/**
 * A poll interval in milliseconds. At least a second: the backend caches the ECS state for 10 s
 * and GitHub counts every call against the rate limit, so faster polling only costs.
 */
const pollIntervalMs = () => z.number().int().min(1000).optional();

/**
 * The delivery backend's client (`api:delivery`), with the app's discovery and fetch APIs.
 *
 * @alpha
 */
export const deliveryApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deliveryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeliveryClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The Deployment tab (`/deployment`) of entities with an ECS service or GitHub repository
 * annotation. Its filter can be narrowed in app-config, e.g. to `kind: component`; its cards'
 * poll intervals set with `ecsPollIntervalMs`, `pipelineRunsPollIntervalMs`,
 * `driftPollIntervalMs` and `approvalsPollIntervalMs`.
 *
 * @alpha
 */
export const entityDeliveryContent = EntityContentBlueprint.makeWithOverrides({
  name: 'deployment',
  configSchema: {
    ecsPollIntervalMs: pollIntervalMs(),
    pipelineRunsPollIntervalMs: pollIntervalMs(),
    driftPollIntervalMs: pollIntervalMs(),
    approvalsPollIntervalMs: pollIntervalMs(),
  },
  factory(originalFactory, { config }) {
    return originalFactory({
      path: '/deployment',
      title: 'Deployment',
      group: 'deployment',
      filter: { $any: [hasEcsService, hasGithubRepository] },
      loader: () =>
        import('./components/EntityDeliveryContent').then(m => (
          <PollIntervalsProvider
            intervals={{
              ecsMs: config.ecsPollIntervalMs,
              pipelineRunsMs: config.pipelineRunsPollIntervalMs,
              driftMs: config.driftPollIntervalMs,
              approvalsMs: config.approvalsPollIntervalMs,
            }}
          >
            <m.EntityDeliveryContent />
          </PollIntervalsProvider>
        )),
    });
  },
});

/**
 * The ECS service card for the overview page; disabled until enabled in app-config
 * (`app.extensions`), so an app that installs the tab does not get it twice. `pollIntervalMs`
 * sets how often it reloads during a rollout.
 *
 * @alpha
 */
export const entityEcsServiceCard = EntityCardBlueprint.makeWithOverrides({
  name: 'ecs-service',
  disabled: true,
  configSchema: { pollIntervalMs: pollIntervalMs() },
  factory(originalFactory, { config }) {
    return originalFactory({
      filter: hasEcsService,
      loader: () =>
        import('./components/EcsServiceCard').then(m => (
          <PollIntervalsProvider intervals={{ ecsMs: config.pollIntervalMs }}>
            <m.EcsServiceCard />
          </PollIntervalsProvider>
        )),
    });
  },
});

/**
 * The rollback card for the overview page; disabled until enabled in app-config.
 * `pollIntervalMs` sets how often it reloads while it follows a rollback.
 *
 * @alpha
 */
export const entityRollbackCard = EntityCardBlueprint.makeWithOverrides({
  name: 'rollback',
  disabled: true,
  configSchema: { pollIntervalMs: pollIntervalMs() },
  factory(originalFactory, { config }) {
    return originalFactory({
      filter: hasEcsService,
      loader: () =>
        import('./components/RollbackCard').then(m => (
          <PollIntervalsProvider intervals={{ ecsMs: config.pollIntervalMs }}>
            <m.RollbackCard />
          </PollIntervalsProvider>
        )),
    });
  },
});

/**
 * The pipeline runs card for the overview page; disabled until enabled in app-config.
 * `pollIntervalMs` sets how often it reloads while a run is unfinished.
 *
 * @alpha
 */
export const entityPipelineRunsCard = EntityCardBlueprint.makeWithOverrides({
  name: 'pipeline-runs',
  disabled: true,
  configSchema: { pollIntervalMs: pollIntervalMs() },
  factory(originalFactory, { config }) {
    return originalFactory({
      filter: hasGithubRepository,
      loader: () =>
        import('./components/PipelineRunsCard').then(m => (
          <PollIntervalsProvider
            intervals={{ pipelineRunsMs: config.pollIntervalMs }}
          >
            <m.PipelineRunsCard />
          </PollIntervalsProvider>
        )),
    });
  },
});

/**
 * The Terraform drift card for the overview page; disabled until enabled in app-config.
 * `pollIntervalMs` sets how often it reloads while a check runs.
 *
 * @alpha
 */
export const entityTerraformDriftCard = EntityCardBlueprint.makeWithOverrides({
  name: 'terraform-drift',
  disabled: true,
  configSchema: { pollIntervalMs: pollIntervalMs() },
  factory(originalFactory, { config }) {
    return originalFactory({
      filter: hasGithubRepository,
      loader: () =>
        import('./components/DriftCard').then(m => (
          <PollIntervalsProvider intervals={{ driftMs: config.pollIntervalMs }}>
            <m.DriftCard />
          </PollIntervalsProvider>
        )),
    });
  },
});

/**
 * The "Waiting for approval" card for the overview page; disabled until enabled in app-config.
 * It renders nothing while nothing waits. `pollIntervalMs` sets how often it reloads while a run
 * waits.
 *
 * @alpha
 */
export const entityPendingApprovalsCard = EntityCardBlueprint.makeWithOverrides(
  {
    name: 'pending-approvals',
    disabled: true,
    configSchema: { pollIntervalMs: pollIntervalMs() },
    factory(originalFactory, { config }) {
      return originalFactory({
        filter: hasGithubRepository,
        loader: () =>
          import('./components/PendingApprovalsCard').then(m => (
            <PollIntervalsProvider
              intervals={{ approvalsMs: config.pollIntervalMs }}
            >
              <m.PendingApprovalsCard />
            </PollIntervalsProvider>
          )),
      });
    },
  },
);

/**
 * The delivery plugin for Backstage's new frontend system: the API, the Deployment tab and the
 * overview cards.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'delivery',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    deliveryApi,
    entityDeliveryContent,
    entityEcsServiceCard,
    entityRollbackCard,
    entityPipelineRunsCard,
    entityTerraformDriftCard,
    entityPendingApprovalsCard,
  ],
});
