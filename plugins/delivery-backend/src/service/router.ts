import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  deliveryEcsRollbackPermission,
  EcsRollbackRequest,
  EcsStopRolloutRequest,
} from '@cicd-aws/plugin-delivery-common';
import express, { ErrorRequestHandler, Request } from 'express';
import {
  auditFailure,
  auditSuccess,
  failUnfinishedAudit,
  startMutationAudit,
} from './audit';
import {
  createGithubRoutes,
  GITHUB_AUDITED_MUTATIONS,
  GithubRouteDeps,
} from '../github/routes';
import { loadOpenApiDocument } from '../schema/openapi';
import { AwsThrottledError } from '../ecs/awsErrors';
import { EcsStateService } from '../ecs/EcsStateService';
import { RollbackAttempt, RollbackService } from '../ecs/RollbackService';
import { ecsServiceRefOf } from '../ecs/serviceArn';

/** Services the router needs. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  state: EcsStateService;
  rollbacks: RollbackService;
  /** False when neither `aws` nor `delivery.aws` config nor AWS environment credentials exist. */
  awsConfigured: boolean;
  /** The GitHub routes' services (pipeline runs, deployments, drift); without them no routes. */
  github?: Omit<GithubRouteDeps, 'permissions' | 'loadEntity'>;
}

/** Audit event ids of the mutating routes, by route suffix. */
export const AUDITED_MUTATIONS = {
  '/ecs/rollback': 'ecs-rollback',
  '/ecs/stop-rollout': 'ecs-stop-rollout',
  ...GITHUB_AUDITED_MUTATIONS,
};

const ENTITY = '/v1/entities/:namespace/:kind/:name';

/** The delivery plugin's HTTP routes, validated against `schema/openapi.yaml`. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, catalog, state, rollbacks } = options;
  // The document is loaded from YAML, so the typed-router generics would only see `any`.
  const router: express.Router = createValidatedOpenApiRouter(
    loadOpenApiDocument(),
    {
      middleware: [
        express.json(),
        startMutationAudit(options.auditor, AUDITED_MUTATIONS),
      ],
    },
  ) as any;

  const loadEntity = async (req: Request) => {
    const { namespace, kind, name } = req.params;
    const entityRef = stringifyEntityRef({ kind, namespace, name });
    const credentials = await httpAuth.credentials(req);
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`Entity ${entityRef} not found in the catalog`);
    }
    return { entity, entityRef: stringifyEntityRef(entity), credentials };
  };

  const requireAws = () => {
    if (!options.awsConfigured) {
      throw new ServiceUnavailableError(
        'AWS is not configured for the delivery plugin: add aws.accounts (or aws.mainAccount) to app-config, see the delivery backend README',
      );
    }
  };

  /** Loads the entity and its ECS service and checks that the caller may change it. */
  const authorizeEcsChange = async (req: Request) => {
    requireAws();
    const { entity, entityRef, credentials } = await loadEntity(req);
    const ref = ecsServiceRefOf(entity);
    const [decision] = await permissions.authorize(
      [{ permission: deliveryEcsRollbackPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to roll back ${entityRef}: it needs the ${deliveryEcsRollbackPermission.name} permission, which the portal's policy gives the entity's owners`,
      );
    }
    return { entity, ref };
  };

  const requireReason = (reason: string) => {
    if (reason.trim().length < 3) {
      throw new InputError('reason must have at least 3 characters');
    }
  };

  router.get(`${ENTITY}/ecs`, async (req, res) => {
    requireAws();
    const { entity } = await loadEntity(req);
    res.json(await state.getState(ecsServiceRefOf(entity)));
  });

  router.post(`${ENTITY}/ecs/rollback`, async (req, res) => {
    const attempt: RollbackAttempt = {};
    try {
      const body = req.body as EcsRollbackRequest;
      requireReason(body.reason);
      const { entity, ref } = await authorizeEcsChange(req);
      const result = await rollbacks.rollback(entity, ref, body, attempt);
      await auditSuccess(res, {
        serviceArn: ref.arn,
        fromRevision: result.fromRevision,
        toRevision: result.toRevision,
        deploymentId: result.deploymentId,
      });
      res.status(202).json(result);
    } catch (error) {
      await auditFailure(res, error, {
        fromRevision: attempt.fromRevision ?? null,
        toRevision: attempt.toRevision ?? null,
      });
      throw error;
    }
  });

  router.post(`${ENTITY}/ecs/stop-rollout`, async (req, res) => {
    const attempt: RollbackAttempt = {};
    try {
      requireReason((req.body as EcsStopRolloutRequest).reason);
      const { entity, ref } = await authorizeEcsChange(req);
      const result = await rollbacks.stopRollout(entity, ref, attempt);
      await auditSuccess(res, {
        serviceArn: ref.arn,
        serviceDeploymentArn: result.serviceDeploymentArn,
        fromRevision: result.fromRevision ?? null,
        toRevision: result.toRevision ?? null,
      });
      res.status(202).json(result);
    } catch (error) {
      await auditFailure(res, error, {
        fromRevision: attempt.fromRevision ?? null,
        toRevision: attempt.toRevision ?? null,
      });
      throw error;
    }
  });

  if (options.github) {
    createGithubRoutes(router, { ...options.github, permissions, loadEntity });
  }

  router.use(failUnfinishedAudit);
  return router;
}

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
