import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  deliveryDriftCheckPermission,
  deliveryEcsRollbackPermission,
  deliveryPipelineRerunPermission,
} from '@cicd-aws/plugin-delivery-common';
import { DeliveryOwnersPolicy } from './permissionPolicy';

// The whole chain (policy -> catalog's IS_ENTITY_OWNER -> delivery backend) is not run here:
// with startTestBackend's mock auth, the catalog's on-behalf-of calls reach the permission
// backend as direct user calls, which it refuses. The delivery backend's own tests prove that a
// DENY is a 403 that changes nothing; the README's curl walkthrough shows the owner's 202.

const user = (name: string, ownershipEntityRefs: string[]) => ({
  identity: {
    type: 'user' as const,
    userEntityRef: `user:default/${name}`,
    ownershipEntityRefs,
  },
  token: 'token',
  credentials: mockCredentials.user(`user:default/${name}`),
  info: { userEntityRef: `user:default/${name}`, ownershipEntityRefs },
});

describe('DeliveryOwnersPolicy', () => {
  const policy = new DeliveryOwnersPolicy();

  it('gives the delivery permissions to the entity owners only, as a catalog condition', async () => {
    const decision = await policy.handle(
      { permission: deliveryEcsRollbackPermission },
      user('alice', ['user:default/alice', 'group:default/team-a']),
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: ['user:default/alice', 'group:default/team-a'] },
      },
    });
  });

  it.each([deliveryPipelineRerunPermission, deliveryDriftCheckPermission])(
    'gives $name to the entity owners only',
    async permission => {
      const decision = await policy.handle(
        { permission },
        user('alice', ['user:default/alice', 'group:default/team-a']),
      );
      expect(decision).toMatchObject({
        result: AuthorizeResult.CONDITIONAL,
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          params: { claims: ['user:default/alice', 'group:default/team-a'] },
        },
      });
      expect((await policy.handle({ permission })).result).toBe(
        AuthorizeResult.DENY,
      );
    },
  );

  it('denies the delivery permissions to callers that are not users', async () => {
    const decision = await policy.handle({
      permission: deliveryEcsRollbackPermission,
    });
    expect(decision.result).toBe(AuthorizeResult.DENY);
  });

  it('leaves every other permission allowed', async () => {
    const decision = await policy.handle(
      {
        permission: {
          type: 'basic',
          name: 'catalog.entity.create',
          attributes: { action: 'create' },
        },
      },
      user('bob', ['user:default/bob']),
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });
});
