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
import { LRUCache } from 'lru-cache';
import { timed } from './jsonAnswer';

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

/**
 * Who a credential stands for, as a key: reads are reused only for the same caller. A service's
 * access restrictions are part of it (two external-access tokens may share a subject).
 */
export function principalKey(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
    accessRestrictions?: unknown;
  };
  return JSON.stringify([
    principal.type,
    principal.userEntityRef ?? principal.subject ?? '',
    principal.accessRestrictions ?? null,
  ]);
}

/** Entity lookup and permission checks for the delivery routes. */
export function createEntityRoutes(options: {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
  /**
   * How long a read route reuses the entity it read for the same caller (every card of a tab,
   * and every poll, would otherwise read it again); 0 reads it every time. Changes always read it.
   */
  entityCacheTtlMs?: number;
}): EntityRoutes {
  const { httpAuth, catalog, permissions } = options;
  const ttl = options.entityCacheTtlMs ?? 0;
  const recent =
    ttl > 0
      ? new LRUCache<string, Promise<LoadedEntity>>({ max: 5000, ttl })
      : undefined;

  const credentialsOf = (req: EntityRequest) =>
    timed(req, 'auth', () => httpAuth.credentials(req));
  const read = (req: EntityRequest, credentials: BackstageCredentials) =>
    timed(req, 'catalog', () =>
      readEntity(catalog, stringifyEntityRef(req.params), credentials),
    );

  return {
    async loadEntity(req) {
      const credentials = await credentialsOf(req);
      if (!recent) {
        return read(req, credentials);
      }
      const key = `${principalKey(credentials)}|${entityRefOfPath(req.params)}`;
      let loaded = recent.get(key);
      if (!loaded) {
        loaded = read(req, credentials);
        recent.set(key, loaded);
        // A failed read (404, catalog down) is not reused.
        loaded.catch(() => recent.delete(key));
      }
      return { ...(await loaded), credentials };
    },
    async authorize(req, permission, what) {
      const credentials = await credentialsOf(req);
      // Backstage's permission clients allow an unrestricted service token without asking the
      // policy; a change to a running service is made by a person, whose ownership is checked.
      const principal = credentials.principal as { type: string };
      if (principal.type !== 'user') {
        throw new NotAllowedError(
          `Not allowed to ${what} ${entityRefOfPath(
            req.params,
          )}: changes are made by users, and this request has ${
            principal.type === 'service' ? 'a service token' : 'no user'
          }; a plugin acting for a user sends an on-behalf-of token (auth.getPluginRequestToken with onBehalfOf)`,
        );
      }
      const loaded = await read(req, credentials);
      await authorizeEntity(permissions, loaded, permission, what);
      return loaded;
    },
  };
}
