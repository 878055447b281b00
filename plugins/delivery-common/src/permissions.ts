import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Roll an entity's ECS service back to an earlier task-definition revision.
 * Resource permission on the catalog entity, so policies can allow it to the entity's owners.
 *
 * @public
 */
export const deliveryEcsRollbackPermission = createPermission({
  name: 'delivery.ecs.rollback',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Re-run the failed jobs of one of an entity's GitHub Actions workflow runs.
 * Resource permission on the catalog entity (owners only in the portal's policy).
 *
 * @public
 */
export const deliveryPipelineRerunPermission = createPermission({
  name: 'delivery.pipeline.rerun',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Start the entity's Terraform drift workflow now (`workflow_dispatch`) instead of waiting for
 * its schedule. Resource permission on the catalog entity (owners only in the portal's policy).
 *
 * @public
 */
export const deliveryDriftCheckPermission = createPermission({
  name: 'delivery.drift.check',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Approve or reject a workflow run's pending deployments (a GitHub environment's approval gate)
 * from the portal. Resource permission on the catalog entity (owners only in the portal's policy).
 * GitHub still decides too: the review is made with the user's own GitHub token, and GitHub takes
 * it only from one of the environment's required reviewers.
 *
 * @public
 */
export const deliveryDeploymentApprovePermission = createPermission({
  name: 'delivery.deployment.approve',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** All permissions of the delivery plugins. @public */
export const deliveryPermissions = [
  deliveryEcsRollbackPermission,
  deliveryPipelineRerunPermission,
  deliveryDriftCheckPermission,
  deliveryDeploymentApprovePermission,
];
