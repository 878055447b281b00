import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deliveryEcsRollbackPermission } from '@cicd-aws/plugin-delivery-common';
import express, { ErrorRequestHandler, Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EcsStateService } from './service/EcsStateService';
import { RollbackAttempt, RollbackService } from './service/RollbackService';
import { ecsServiceRefOf } from './service/serviceArn';

/** Services the router needs. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  state: EcsStateService;
  rollbacks: RollbackService;
}

const rollbackBody = z
  .object({
    revision: z.union([
      z.number().int().positive(),
      z.literal('previous'),
      z.string().regex(/^(?:arn:[^\s]+:task-definition\/)?[A-Za-z0-9_-]+:\d+$/),
    ]),
    reason: z.string().trim().min(3),
    force: z.boolean().optional(),
  })
  .strict();

/** The delivery plugin's HTTP routes. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, auditor, catalog, state, rollbacks } = options;
  const router = Router();
  router.use(express.json());

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

  router.get('/v1/entities/:namespace/:kind/:name/ecs', async (req, res) => {
    const { entity } = await loadEntity(req);
    res.json(await state.getState(ecsServiceRefOf(entity)));
  });

  router.post(
    '/v1/entities/:namespace/:kind/:name/ecs/rollback',
    async (req, res) => {
      const { namespace, kind, name } = req.params;
      const requestedRef = `${kind}:${namespace}/${name}`.toLocaleLowerCase(
        'en-US',
      );
      const body = rollbackBody.safeParse(req.body);
      const auditEvent = await auditor.createEvent({
        eventId: 'ecs-rollback',
        severityLevel: 'high',
        request: req,
        meta: {
          entityRef: requestedRef,
          requestedRevision: body.success ? body.data.revision : null,
          reason: body.success ? body.data.reason : null,
          force: body.success ? !!body.data.force : null,
        },
      });
      const attempt: RollbackAttempt = {};
      try {
        if (!body.success) {
          throw new InputError(
            `Invalid rollback request: ${body.error.issues
              .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
              .join('; ')}`,
          );
        }
        const { entity, entityRef, credentials } = await loadEntity(req);
        const ref = ecsServiceRefOf(entity);
        const [decision] = await permissions.authorize(
          [
            {
              permission: deliveryEcsRollbackPermission,
              resourceRef: entityRef,
            },
          ],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            `Not allowed to roll back ${entityRef} (permission ${deliveryEcsRollbackPermission.name})`,
          );
        }
        const result = await rollbacks.rollback(
          entity,
          ref,
          body.data,
          attempt,
        );
        await auditEvent.success({
          meta: {
            serviceArn: ref.arn,
            fromRevision: result.fromRevision,
            toRevision: result.toRevision,
            deploymentId: result.deploymentId,
          },
        });
        res.status(202).json(result);
      } catch (error) {
        await auditEvent.fail({
          error: error as Error,
          meta: {
            fromRevision: attempt.fromRevision ?? null,
            toRevision: attempt.toRevision ?? null,
          },
        });
        throw error;
      }
    },
  );

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
  if (error instanceof ServiceUnavailableError && !res.headersSent) {
    res.setHeader('Retry-After', String(THROTTLING_RETRY_AFTER_SECONDS));
  }
  next(error);
};
