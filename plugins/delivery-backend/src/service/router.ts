import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express, { ErrorRequestHandler } from 'express';
import { AwsThrottledError } from '../ecs/awsErrors';
import { EcsStateService } from '../ecs/EcsStateService';
import { IdempotencyStore } from '../database/IdempotencyStore';
import { addEcsRoutes } from '../ecs/routes';
import { RollbackService } from '../ecs/RollbackService';
import { addGithubRoutes, GithubRouteDeps } from '../github/routes';
import { createOpenApiRouter } from '../schema/openapi';
import { createEntityRoutes } from './entityRoutes';

/** Seconds a client should wait after AWS throttled the plugin's calls. */
export const THROTTLING_RETRY_AFTER_SECONDS = 5;

/** Adds `Retry-After` to 503 answers caused by AWS throttling, then defers to the error handler. */
export const retryAfterOnThrottling: ErrorRequestHandler = (
  error,
  _req,
  res,
  next,
) => {
  if (error instanceof AwsThrottledError && !res.headersSent) {
    res.setHeader('Retry-After', String(THROTTLING_RETRY_AFTER_SECONDS));
  }
  next(error);
};

/** Services the router needs. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  state: EcsStateService;
  rollbacks: RollbackService;
  /** Stored answers of changes sent with an `Idempotency-Key`. */
  idempotency: IdempotencyStore;
  /** False when neither `aws` nor `delivery.aws` config nor AWS environment credentials exist. */
  awsConfigured: boolean;
  /** The GitHub routes' services (pipeline runs, deployments, drift). */
  github: Pick<
    GithubRouteDeps,
    'clients' | 'pipelines' | 'drift' | 'pendingDeployments'
  >;
  /** How long a read route reuses an entity it read for the same caller; default 0 (never). */
  entityCacheTtlMs?: number;
}

/**
 * The delivery plugin's HTTP routes. Requests are validated against the OpenAPI document
 * (`schema/openapi.yaml`, generated into `schema/openapi/generated`) before a handler runs, and
 * each route's parameters, body and answer are typed from it.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const router = await createOpenApiRouter({ middleware: [express.json()] });
  const entities = createEntityRoutes(options);
  addEcsRoutes(router, { ...options, entities });
  addGithubRoutes(router, {
    ...options.github,
    auditor: options.auditor,
    idempotency: options.idempotency,
    entities,
  });
  router.use(retryAfterOnThrottling);
  return router;
}
