import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { DeliveryClient } from '@cicd-aws/plugin-delivery-common';
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
export const EntityDeliveryContent = deliveryPlugin.provide(
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

/** @public */
export const EntityEcsServiceCard = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityEcsServiceCard',
    component: {
      lazy: () =>
        import('./components/EcsServiceCard').then(m => m.EcsServiceCard),
    },
  }),
);

/** @public */
export const EntityRollbackCard = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityRollbackCard',
    component: {
      lazy: () => import('./components/RollbackCard').then(m => m.RollbackCard),
    },
  }),
);

/** @public */
export const EntityPipelineRunsCard = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityPipelineRunsCard',
    component: {
      lazy: () =>
        import('./components/PipelineRunsCard').then(m => m.PipelineRunsCard),
    },
  }),
);

/** @public */
export const EntityTerraformDriftCard = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityTerraformDriftCard',
    component: {
      lazy: () => import('./components/DriftCard').then(m => m.DriftCard),
    },
  }),
);
