import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { DeliveryClient } from '@cicd-aws/plugin-delivery-common';
import type { JSX } from 'react';
import { deliveryApiRef } from './api';

/**
 * The delivery plugin for Backstage's legacy frontend system.
 *
 * @public
 */
export const deliveryPlugin = createPlugin({
  id: 'delivery',
  apis: [
    createApiFactory({
      api: deliveryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeliveryClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * The Deployment tab's content: ECS service, rollback, pipeline runs and Terraform drift.
 *
 * @public
 */
export const EntityDeliveryContent: () => JSX.Element = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityDeliveryContent',
    component: {
      lazy: () =>
        import('./components/EntityDeliveryContent').then(
          m => m.EntityDeliveryContent,
        ),
    },
  }),
);

/**
 * The entity's ECS service: counts, deployments with rollout state, tasks with health and why
 * they stopped, and events. Needs `aws.amazon.com/amazon-ecs-service-arn`.
 *
 * @public
 */
export const EntityEcsServiceCard: () => JSX.Element = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityEcsServiceCard',
    component: {
      lazy: () =>
        import('./components/EcsServiceCard').then(m => m.EcsServiceCard),
    },
  }),
);

/**
 * Rolls the entity's ECS service back to an earlier revision, with a reason and a confirmation;
 * stops a rollout in progress. Needs `aws.amazon.com/amazon-ecs-service-arn` (and
 * `github.com/project-slug` for who deployed which commit).
 *
 * @public
 */
export const EntityRollbackCard: () => JSX.Element = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityRollbackCard',
    component: {
      lazy: () => import('./components/RollbackCard').then(m => m.RollbackCard),
    },
  }),
);

/**
 * The repository's GitHub Actions runs, with their jobs and a re-run of failed jobs. Needs
 * `github.com/project-slug`.
 *
 * @public
 */
export const EntityPipelineRunsCard: () => JSX.Element = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityPipelineRunsCard',
    component: {
      lazy: () =>
        import('./components/PipelineRunsCard').then(m => m.PipelineRunsCard),
    },
  }),
);

/**
 * The latest Terraform drift check of the entity's infrastructure, and "Check now". Needs
 * `github.com/project-slug`.
 *
 * @public
 */
export const EntityTerraformDriftCard: () => JSX.Element =
  deliveryPlugin.provide(
    createComponentExtension({
      name: 'EntityTerraformDriftCard',
      component: {
        lazy: () => import('./components/DriftCard').then(m => m.DriftCard),
      },
    }),
  );

/**
 * Runs waiting for a GitHub environment's approval, with the Terraform plan each would apply,
 * and Approve and Reject made with the user's own GitHub token (the app's ScmAuthApi must cover
 * the repository's host). Renders nothing while nothing waits. Needs `github.com/project-slug`.
 *
 * @public
 */
export const EntityPendingApprovalsCard: () => JSX.Element | null =
  deliveryPlugin.provide(
    createComponentExtension({
      name: 'EntityPendingApprovalsCard',
      component: {
        lazy: () =>
          import('./components/PendingApprovalsCard').then(
            m => m.PendingApprovalsCard,
          ),
      },
    }),
  );
