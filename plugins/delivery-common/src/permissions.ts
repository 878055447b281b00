import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Roll an entity's ECS service back to an earlier task-definition revision.
 * Resource permission on the catalog entity, so policies can allow it to the entity's owners.
 */
export const deliveryEcsRollbackPermission = createPermission({
  name: 'delivery.ecs.rollback',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** All permissions of the delivery plugins. */
export const deliveryPermissions = [deliveryEcsRollbackPermission];
