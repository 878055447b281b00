import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { deliveryPermissions } from '@cicd-aws/plugin-delivery-common';

const DELIVERY_PERMISSION_NAMES = new Set(deliveryPermissions.map(p => p.name));

/**
 * The portal's permission policy: the delivery plugins' actions (rollback, stop a rollout, re-run
 * failed pipeline jobs, start a drift check) are allowed to the entity's owners, directly or
 * through a group, and to nobody else; everything else stays allowed, as in the app's allow-all starting point. Replace it with your own policy
 * when your portal has one, keeping the delivery rule.
 */
export class DeliveryOwnersPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!DELIVERY_PERMISSION_NAMES.has(request.permission.name)) {
      return { result: AuthorizeResult.ALLOW };
    }
    // Changing a running service is for people; a service principal has no ownership to check.
    if (
      !user ||
      !isResourcePermission(request.permission, RESOURCE_TYPE_CATALOG_ENTITY)
    ) {
      return { result: AuthorizeResult.DENY };
    }
    return createCatalogConditionalDecision(
      request.permission,
      catalogConditions.isEntityOwner({
        claims: user.info.ownershipEntityRefs,
      }),
    );
  }
}

/** Installs {@link DeliveryOwnersPolicy} as the permission backend's policy. */
export const deliveryOwnersPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'delivery-owners-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new DeliveryOwnersPolicy());
      },
    });
  },
});
