import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { deliveryEcsRollbackPermission } from '@cicd-aws/plugin-delivery-common';
import { RollbackAttempt } from '../ecs/RollbackService';
import { ecsServiceRefOf } from '../ecs/serviceArn';
import { authorizeEntity } from '../service/entityRoutes';
import {
  actorOf,
  asActionError,
  ENTITY_REF_DESCRIPTION,
  entityRefOf,
  loadEntity,
} from './entities';
import type { DeliveryActionsOptions } from './registerDeliveryActions';

/** The audit event id of a rollback, the same as the REST route's (`AUDITED_MUTATIONS`). */
export const ROLLBACK_AUDIT_EVENT_ID = 'ecs-rollback';

const trimmed = (value: unknown): JsonObject[string] => {
  if (typeof value === 'string') return value.slice(0, 1000);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
};

/**
 * Registers `rollback-ecs-service`: the Deployment tab's Roll back button as an action. The
 * same checks in the same order as `POST .../ecs/rollback` (reason, AWS configured, the entity
 * through the catalog with the caller's credentials, the `delivery.ecs.rollback` permission for
 * that entity, its ECS annotation), the same RollbackService (one rollback
 * per service at a time, rolling services only, older ACTIVE revisions only) and the same
 * `ecs-rollback` audit event, written for every attempt that reaches the action.
 */
export function registerRollbackAction(options: DeliveryActionsOptions): void {
  const { actionsRegistry, catalog, permissions, auditor, rollbacks } = options;

  actionsRegistry.register({
    name: 'rollback-ecs-service',
    title: 'Roll back the ECS service of an entity',
    description: `Rolls the entity's ECS service (aws.amazon.com/amazon-ecs-service-arn annotation) back to an earlier ACTIVE task-definition revision of its family, as the portal's Roll back button does: ECS starts a new deployment of that revision. Changes a running service: confirm the revision and the reason with the user first. Needs the delivery.ecs.rollback permission for the entity (the portal gives it to the entity's owners) and is written to the audit log with the reason. Refused while another rollout is IN_PROGRESS unless force is true, for revisions that are not older than the running one, and for blue/green (CODE_DEPLOY) services, which roll back with their rollback workflow. Use get-ecs-service-state first: its rollbackTargets are the revisions this accepts.`,
    attributes: { readOnly: false, destructive: true, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().describe(ENTITY_REF_DESCRIPTION),
          revision: z
            .union([z.number().int().min(1), z.string()])
            .describe(
              'Target revision: its number (e.g. 41), "previous" for the newest ACTIVE revision older than the running one, or "<family>:<revision>" / a task-definition ARN of the service\'s family',
            ),
          reason: z
            .string()
            .describe(
              'Why the service is rolled back (at least 3 visible characters, at most 1000); written to the audit log',
            ),
          force: z
            .boolean()
            .optional()
            .describe(
              'Roll back even while another rollout is IN_PROGRESS (default false)',
            ),
        }),
      output: z =>
        z.object({
          deploymentId: z.string().describe('The new ECS deployment'),
          fromRevision: z.number(),
          toRevision: z.number(),
          serviceArn: z.string(),
        }),
    },
    action: async ({ input, credentials }) => {
      let auditedRef: string;
      try {
        auditedRef = entityRefOf(input.entityRef);
      } catch {
        auditedRef = input.entityRef.slice(0, 1000);
      }
      const event = await auditor.createEvent({
        eventId: ROLLBACK_AUDIT_EVENT_ID,
        severityLevel: 'high',
        meta: {
          entityRef: auditedRef,
          revision: trimmed(input.revision),
          reason: trimmed(input.reason),
          force: trimmed(input.force),
          // No HTTP request of the caller's reaches the auditor here, so the actor is recorded.
          actor: actorOf(credentials),
          via: 'actions-registry',
        },
      });
      const attempt: RollbackAttempt = {};
      try {
        if (input.reason.trim().length < 3) {
          throw new InputError('reason must have at least 3 characters');
        }
        if (input.reason.length > 1000) {
          throw new InputError('reason must have at most 1000 characters');
        }
        options.requireAws();
        const { entity, entityRef } = await loadEntity(
          catalog,
          input.entityRef,
          credentials,
        );
        await authorizeEntity(
          permissions,
          { entityRef, credentials },
          deliveryEcsRollbackPermission,
          'roll back',
        );
        const ref = ecsServiceRefOf(entity);
        const result = await rollbacks.rollback(
          entity,
          ref,
          {
            revision: input.revision,
            reason: input.reason,
            force: input.force,
          },
          attempt,
        );
        await event.success({
          meta: {
            serviceArn: ref.arn,
            fromRevision: result.fromRevision,
            toRevision: result.toRevision,
            deploymentId: result.deploymentId,
          },
        });
        return {
          output: {
            deploymentId: result.deploymentId,
            fromRevision: result.fromRevision,
            toRevision: result.toRevision,
            serviceArn: ref.arn,
          },
        };
      } catch (error) {
        await event.fail({
          error: error as Error,
          meta: {
            fromRevision: attempt.fromRevision ?? null,
            toRevision: attempt.toRevision ?? null,
          },
        });
        throw asActionError(error);
      }
    },
  });
}
