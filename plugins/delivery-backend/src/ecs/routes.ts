import { AuditorService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  deliveryEcsRollbackPermission,
  EcsRollbackResponse,
  EcsStopRolloutResponse,
} from '@cicd-aws/plugin-delivery-common';
import { IdempotencyStore } from '../database/IdempotencyStore';
import { answerIdempotently } from '../service/idempotentChange';
import { DeliveryRouter } from '../schema/openapi';
import { EntityRoutes, entityRefOfPath } from '../service/entityRoutes';
import { sendJson, timed } from '../service/jsonAnswer';
import { requireAwsConfigured } from './awsConfigured';
import { EcsStateService } from './EcsStateService';
import { RollbackAttempt, RollbackService } from './RollbackService';
import { ecsServiceRefOf } from './serviceArn';

/** What the ECS routes need. */
export interface EcsRouteDeps {
  entities: EntityRoutes;
  auditor: AuditorService;
  state: EcsStateService;
  rollbacks: RollbackService;
  /** Stored answers of changes sent with an `Idempotency-Key`. */
  idempotency: IdempotencyStore;
  /** False when neither `aws` nor `delivery.aws` config nor AWS environment credentials exist. */
  awsConfigured: boolean;
}

// The document allows 3 characters of any kind; blanks around them do not make a reason.
function requireReason(reason: string) {
  if (reason.trim().length < 3) {
    throw new InputError('reason must have at least 3 characters');
  }
}

/** Adds the ECS routes (state, rollback, stop-rollout) to the plugin's validated router. */
export function addEcsRoutes(router: DeliveryRouter, deps: EcsRouteDeps) {
  const { entities, auditor, state, rollbacks, idempotency } = deps;

  const requireAws = () => requireAwsConfigured(deps.awsConfigured);

  router.get('/v1/entities/:namespace/:kind/:name/ecs', async (req, res) => {
    requireAws();
    const { entity } = await entities.loadEntity(req);
    const answer = await timed(req, 'state', () =>
      state.getState(ecsServiceRefOf(entity)),
    );
    sendJson(req, res, answer);
  });

  router.post(
    '/v1/entities/:namespace/:kind/:name/ecs/rollback',
    async (req, res) => {
      const { revision, reason, force } = req.body;
      const auditorEvent = await auditor.createEvent({
        eventId: 'ecs-rollback',
        severityLevel: 'high',
        request: req,
        meta: {
          entityRef: entityRefOfPath(req.params),
          revision,
          reason,
          force: force ?? null,
        },
      });
      const attempt: RollbackAttempt = {};
      try {
        requireReason(reason);
        requireAws();
        const loaded = await entities.authorize(
          req,
          deliveryEcsRollbackPermission,
          'roll back',
        );
        const { entity } = loaded;
        const ref = ecsServiceRefOf(entity);
        const answer = await answerIdempotently(
          req,
          res,
          idempotency,
          loaded,
          'ecs-rollback',
          async journal => ({
            status: 202,
            body: await rollbacks.rollback(
              entity,
              ref,
              req.body,
              attempt,
              journal,
            ),
          }),
        );
        const result = answer.body as unknown as EcsRollbackResponse;
        await auditorEvent.success({
          meta: {
            serviceArn: ref.arn,
            fromRevision: result.fromRevision,
            toRevision: result.toRevision,
            deploymentId: result.deploymentId,
            ...(answer.replayed && { replayed: true }),
          },
        });
      } catch (error) {
        await auditorEvent.fail({
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

  router.post(
    '/v1/entities/:namespace/:kind/:name/ecs/stop-rollout',
    async (req, res) => {
      const { reason } = req.body;
      const auditorEvent = await auditor.createEvent({
        eventId: 'ecs-stop-rollout',
        severityLevel: 'high',
        request: req,
        meta: { entityRef: entityRefOfPath(req.params), reason },
      });
      const attempt: RollbackAttempt = {};
      try {
        requireReason(reason);
        requireAws();
        const loaded = await entities.authorize(
          req,
          deliveryEcsRollbackPermission,
          'roll back',
        );
        const { entity } = loaded;
        const ref = ecsServiceRefOf(entity);
        const answer = await answerIdempotently(
          req,
          res,
          idempotency,
          loaded,
          'ecs-stop-rollout',
          async journal => ({
            status: 202,
            body: await rollbacks.stopRollout(entity, ref, attempt, journal),
          }),
        );
        const result = answer.body as unknown as EcsStopRolloutResponse;
        await auditorEvent.success({
          meta: {
            serviceArn: ref.arn,
            serviceDeploymentArn: result.serviceDeploymentArn,
            fromRevision: result.fromRevision ?? null,
            toRevision: result.toRevision ?? null,
            ...(answer.replayed && { replayed: true }),
          },
        });
      } catch (error) {
        await auditorEvent.fail({
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
}
