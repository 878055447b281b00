import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GithubUpstreamError } from '../github/githubErrors';
import { LoadedEntity, readEntity } from '../service/entityRoutes';

/** What every action's input says about the entity, and how. */
export const ENTITY_REF_DESCRIPTION =
  'Entity reference of the catalog entity, e.g. "component:default/web"; the kind defaults to "component" and the namespace to "default", so "web" also works.';

/**
 * The entity ref of an action's input, normalised (`component:default/web`). Throws an
 * InputError that names what to pass when it is not an entity reference.
 */
export function entityRefOf(input: string): string {
  const trimmed = input.trim();
  try {
    return stringifyEntityRef(
      parseEntityRef(trimmed, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch (error) {
    throw new InputError(
      `entityRef must be an entity reference such as "component:default/web" (kind:namespace/name; kind defaults to component, namespace to default); got '${trimmed.slice(
        0,
        200,
      )}': ${(error as Error).message}`,
    );
  }
}

/** Loads the entity with the caller's credentials, so the catalog's read permissions apply. */
export async function loadEntity(
  catalog: CatalogService,
  input: string,
  credentials: BackstageCredentials,
): Promise<LoadedEntity> {
  return readEntity(catalog, entityRefOf(input), credentials);
}

/**
 * The MCP actions backend tells an assistant the message of Backstage's own errors
 * (InputError, NotAllowedError, NotFoundError, ConflictError, ServiceUnavailableError...) and
 * hides others; GitHub failing after the retries is reported as the 503 it is to a caller.
 */
export function asActionError(error: unknown): unknown {
  if (error instanceof GithubUpstreamError) {
    return new ServiceUnavailableError(error.message, error.cause);
  }
  return error;
}

/** The caller, for audit events written outside an HTTP request. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef;
  }
  if (principal.type === 'service' && principal.subject) {
    return principal.subject;
  }
  return principal.type ?? 'unknown';
}
