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
import { deliveryApiRef } from './api';

const hasEcsService = {
  [`metadata.annotations.${ANNOTATION_ECS_SERVICE_ARN}`]: { $exists: true },
};
const hasGithubRepository = {
  [`metadata.annotations.${ANNOTATION_GITHUB_PROJECT_SLUG}`]: {
    $exists: true,
  },
};

/** @alpha */
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
 * annotation. Its filter can be narrowed in app-config, e.g. to `kind: component`.
 *
 * @alpha
 */
export const entityDeliveryContent = EntityContentBlueprint.make({
  name: 'deployment',
  params: {
    path: '/deployment',
    title: 'Deployment',
    group: 'deployment',
    filter: { $any: [hasEcsService, hasGithubRepository] },
    loader: () =>
      import('./components/EntityDeliveryContent').then(m => (
        <m.EntityDeliveryContent />
      )),
  },
});

/**
 * The cards for the overview page; disabled until enabled in app-config (`app.extensions`), so
 * an app that installs the tab does not get them twice.
 *
 * @alpha
 */
export const entityEcsServiceCard = EntityCardBlueprint.make({
  name: 'ecs-service',
  disabled: true,
  params: {
    filter: hasEcsService,
    loader: () =>
      import('./components/EcsServiceCard').then(m => <m.EcsServiceCard />),
  },
});

/** @alpha */
export const entityRollbackCard = EntityCardBlueprint.make({
  name: 'rollback',
  disabled: true,
  params: {
    filter: hasEcsService,
    loader: () =>
      import('./components/RollbackCard').then(m => <m.RollbackCard />),
  },
});

/** @alpha */
export const entityPipelineRunsCard = EntityCardBlueprint.make({
  name: 'pipeline-runs',
  disabled: true,
  params: {
    filter: hasGithubRepository,
    loader: () =>
      import('./components/PipelineRunsCard').then(m => <m.PipelineRunsCard />),
  },
});

/** @alpha */
export const entityTerraformDriftCard = EntityCardBlueprint.make({
  name: 'terraform-drift',
  disabled: true,
  params: {
    filter: hasGithubRepository,
    loader: () => import('./components/DriftCard').then(m => <m.DriftCard />),
  },
});

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
  ],
});
