import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { Request } from 'express';

/** The path parameters every delivery route shares: `/v1/entities/{namespace}/{kind}/{name}/...`. */
export interface EntityPathParams {
  namespace: string;
  kind: string;
  name: string;
}

/** A request to an entity route (the typed router's requests carry more typed parameters). */
export type EntityRequest = Request<any, any, any, any> & {
  params: EntityPathParams;
};

/** The entity a route acts on, read from the catalog with the caller's credentials. */
export interface LoadedEntity {
  entity: Entity;
  entityRef: string;
  credentials: BackstageCredentials;
}

/** What every entity route does first: read the entity, and for changes check the permission. */
export interface EntityRoutes {
  /** The entity of the request's path; 404 when the catalog has none the caller may see. */
  loadEntity(req: EntityRequest): Promise<LoadedEntity>;
  /**
   * The entity, once the caller holds `permission` on it; 403 naming the permission otherwise.
   * `what` completes "Not allowed to ..." (e.g. `roll back`).
   */
  authorize(
    req: EntityRequest,
    permission: ResourcePermission<'catalog-entity'>,
    what: string,
  ): Promise<LoadedEntity>;
}

/** The entity ref a request's path names, lower-cased as the catalog compares refs. */
export function entityRefOfPath(params: EntityPathParams): string {
  return stringifyEntityRef(params).toLocaleLowerCase('en-US');
}

/** Reads an entity with the caller's credentials, so the catalog's read permissions apply; 404 when absent. */
export async function readEntity(
  catalog: CatalogService,
  entityRef: string,
  credentials: BackstageCredentials,
): Promise<LoadedEntity> {
  const entity = await catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) {
    throw new NotFoundError(`Entity ${entityRef} not found in the catalog`);
  }
  return { entity, entityRef: stringifyEntityRef(entity), credentials };
}

/** Throws 403 naming the permission unless the caller holds `permission` on the entity. */
export async function authorizeEntity(
  permissions: PermissionsService,
  loaded: Pick<LoadedEntity, 'entityRef' | 'credentials'>,
  permission: ResourcePermission<'catalog-entity'>,
  what: string,
): Promise<void> {
  const [decision] = await permissions.authorize(
    [{ permission, resourceRef: loaded.entityRef }],
    { credentials: loaded.credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `Not allowed to ${what} ${loaded.entityRef}: it needs the ${permission.name} permission, which the portal's policy gives the entity's owners`,
    );
  }
}

/** Entity lookup and permission checks for the delivery routes. */
export function createEntityRoutes(options: {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
}): EntityRoutes {
  const { httpAuth, catalog, permissions } = options;
  const loadEntity = async (req: EntityRequest): Promise<LoadedEntity> =>
    readEntity(
      catalog,
      stringifyEntityRef(req.params),
      await httpAuth.credentials(req),
    );
  return {
    loadEntity,
    async authorize(req, permission, what) {
      const loaded = await loadEntity(req);
      await authorizeEntity(permissions, loaded, permission, what);
      return loaded;
    },
  };
}
