import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
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

/** The config key naming the groups whose members may take every delivery action. */
export const ADMIN_GROUPS_CONFIG_KEY = 'delivery.permissions.adminGroups';

/** Options of {@link DeliveryOwnersPolicy}. */
export interface DeliveryOwnersPolicyOptions {
  /**
   * Group entity refs (`group:default/platform-admins`) whose members may take every delivery
   * action on every entity, owners or not. Compared with the user's `ownershipEntityRefs`.
   */
  adminGroups?: string[];
}

/**
 * Reads `delivery.permissions.adminGroups`: each entry must be a group entity ref
 * (`group:default/platform-admins`, or `group:platform-admins` for the default namespace). Throws,
 * naming the key and the entry, when one is not, so the backend does not start with a rule that
 * silently matches nobody.
 */
export function readAdminGroups(config: Config): string[] {
  const entries = config.getOptionalStringArray(ADMIN_GROUPS_CONFIG_KEY) ?? [];
  return entries.map((entry, index) => {
    let ref;
    try {
      ref = parseEntityRef(entry.trim());
    } catch (error) {
      throw new Error(
        `Invalid ${ADMIN_GROUPS_CONFIG_KEY}[${index}] "${entry}": not an entity ref (${
          (error as Error).message
        }); expected a group entity ref such as group:default/platform-admins`,
      );
    }
    if (ref.kind.toLocaleLowerCase('en-US') !== 'group') {
      throw new Error(
        `Invalid ${ADMIN_GROUPS_CONFIG_KEY}[${index}] "${entry}": kind "${ref.kind}" is not a group; expected a group entity ref such as group:default/platform-admins`,
      );
    }
    // Lower-cased, as the catalog compares entity refs (ownershipEntityRefs are lower-case).
    return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
  });
}

/**
 * The portal's permission policy: the delivery plugins' actions (rollback, stop a rollout, re-run
 * failed pipeline jobs, start a drift check) are allowed to the entity's owners, directly or
 * through a group, and to the members of the groups listed in `delivery.permissions.adminGroups`
 * (on every entity, unconditionally); to nobody else. Service principals are denied by this
 * policy (note that Backstage's permissions service decides for service principals itself, from
 * their access restrictions, without asking the policy). Everything else stays allowed, as in the
 * app's allow-all starting point. Replace it with your own policy when your portal has one,
 * keeping the delivery rule.
 *
 * ```yaml
 * delivery:
 *   permissions:
 *     adminGroups:
 *       - group:default/platform-admins
 * ```
 */
export class DeliveryOwnersPolicy implements PermissionPolicy {
  private readonly adminGroups: ReadonlySet<string>;

  constructor(options: DeliveryOwnersPolicyOptions = {}) {
    this.adminGroups = new Set(
      (options.adminGroups ?? []).map(ref => ref.toLocaleLowerCase('en-US')),
    );
  }

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
    if (
      user.info.ownershipEntityRefs.some(ref =>
        this.adminGroups.has(ref.toLocaleLowerCase('en-US')),
      )
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    return createCatalogConditionalDecision(
      request.permission,
      catalogConditions.isEntityOwner({
        claims: user.info.ownershipEntityRefs,
      }),
    );
  }
}

/**
 * Installs {@link DeliveryOwnersPolicy} as the permission backend's policy, with the admin groups
 * of `delivery.permissions.adminGroups`; start-up fails when an entry is not a group entity ref.
 */
export const deliveryOwnersPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'delivery-owners-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new DeliveryOwnersPolicy({ adminGroups: readAdminGroups(config) }),
        );
      },
    });
  },
});
