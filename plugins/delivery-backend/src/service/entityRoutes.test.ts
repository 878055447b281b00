import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { createEntityRoutes, EntityRequest } from './entityRoutes';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web', namespace: 'default' },
};
const rollback = createPermission({
  name: 'test.rollback',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

function setup(entityCacheTtlMs: number) {
  let caller: any = mockCredentials.user('user:default/alice');
  const getEntityByRef = jest.fn(async (ref: string, _options?: unknown) =>
    ref === 'component:default/web' ? entity : undefined,
  );
  const routes = createEntityRoutes({
    httpAuth: mockServices.httpAuth.mock({
      credentials: jest.fn(async () => caller) as any,
    }),
    catalog: { getEntityByRef } as unknown as CatalogService,
    permissions: mockServices.permissions.mock({
      authorize: jest.fn(async () => [{ result: AuthorizeResult.ALLOW }]),
    }),
    entityCacheTtlMs,
  });
  const request = (name = 'web') =>
    ({
      params: { namespace: 'default', kind: 'component', name },
    } as unknown as EntityRequest);
  return {
    routes,
    request,
    getEntityByRef,
    signInAs: (ref: string) => {
      caller = mockCredentials.user(ref);
    },
    signInAsCredentials: (credentials: any) => {
      caller = credentials;
    },
  };
}

describe('createEntityRoutes', () => {
  it('reads an entity once for the cards and polls of one caller', async () => {
    const { routes, request, getEntityByRef } = setup(5000);
    for (let card = 0; card < 4; card++) {
      const loaded = await routes.loadEntity(request());
      expect(loaded.entity.metadata.name).toBe('web');
    }
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
  });

  it("reads it again for another caller, with that caller's credentials", async () => {
    const { routes, request, getEntityByRef, signInAs } = setup(5000);
    await routes.loadEntity(request());
    signInAs('user:default/bob');
    const loaded = await routes.loadEntity(request());
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
    expect(getEntityByRef.mock.calls[1][1]).toEqual({
      credentials: mockCredentials.user('user:default/bob'),
    });
    expect(loaded.credentials).toEqual(
      mockCredentials.user('user:default/bob'),
    );
  });

  it('does not reuse a read between service tokens of one subject with other access restrictions', async () => {
    const { routes, request, getEntityByRef, signInAsCredentials } =
      setup(5000);
    signInAsCredentials(
      mockCredentials.service('external:ci', { permissionNames: ['a'] }),
    );
    await routes.loadEntity(request());
    signInAsCredentials(
      mockCredentials.service('external:ci', { permissionNames: ['b'] }),
    );
    await routes.loadEntity(request());
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
  });

  it('always reads the entity for a change, and never reuses a 404', async () => {
    const { routes, request, getEntityByRef } = setup(5000);
    await routes.loadEntity(request());
    await routes.authorize(request(), rollback, 'roll back');
    expect(getEntityByRef).toHaveBeenCalledTimes(2);

    await expect(routes.loadEntity(request('gone'))).rejects.toThrow(
      'Entity component:default/gone not found in the catalog',
    );
    await expect(routes.loadEntity(request('gone'))).rejects.toThrow(
      'not found',
    );
    expect(getEntityByRef).toHaveBeenCalledTimes(4);
  });

  it('reads the entity on every request when the cache TTL is zero', async () => {
    const { routes, request, getEntityByRef } = setup(0);
    await routes.loadEntity(request());
    await routes.loadEntity(request());
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
  });
});
