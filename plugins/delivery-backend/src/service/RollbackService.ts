import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ConflictError, InputError } from '@backstage/errors';
import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_ROLLBACK_WORKFLOW,
  DELIVERY_ANNOTATION_DEFAULTS,
  EcsRollbackRequest,
  EcsRollbackResponse,
} from '@cicd-aws/plugin-delivery-common';
import { awsCall } from './awsErrors';
import { EcsClientFactory } from './EcsClientFactory';
import { EcsStateService } from './EcsStateService';
import { EcsServiceRef, parseTaskDefinition } from './serviceArn';

/** What a rollback attempt resolved, for the audit log even when it fails. */
export interface RollbackAttempt {
  fromRevision?: number;
  toRevision?: number;
}

/**
 * Rolls an ECS service back to an earlier revision of its task-definition
 * family. One rollback per service at a time in this process.
 */
export class RollbackService {
  private readonly locks = new Set<string>();

  constructor(
    private readonly clients: EcsClientFactory,
    private readonly state: EcsStateService,
  ) {}

  async rollback(
    entity: Entity,
    ref: EcsServiceRef,
    request: EcsRollbackRequest,
    attempt: RollbackAttempt = {},
  ): Promise<EcsRollbackResponse> {
    if (this.locks.has(ref.arn)) {
      throw new ConflictError(
        `Another rollback of ${ref.service} is in progress; try again when it has started`,
      );
    }
    this.locks.add(ref.arn);
    try {
      const state = await this.state.getState(ref, { fresh: true });
      if (state.deploymentController !== 'ECS') {
        const workflow =
          entity.metadata.annotations?.[ANNOTATION_ROLLBACK_WORKFLOW] ??
          DELIVERY_ANNOTATION_DEFAULTS[ANNOTATION_ROLLBACK_WORKFLOW];
        throw new ConflictError(
          `Service ${ref.service} uses the ${state.deploymentController} deployment controller; roll it back with the ${workflow} GitHub workflow instead`,
        );
      }
      const primary = state.deployments.find(d => d.status === 'PRIMARY');
      const fromRevision =
        primary?.revision ??
        (state.taskDefinitionArn
          ? parseTaskDefinition(state.taskDefinitionArn)?.revision
          : undefined);
      if (fromRevision === undefined || !state.family) {
        throw new ConflictError(
          `Service ${ref.service} has no primary deployment to roll back from`,
        );
      }
      attempt.fromRevision = fromRevision;

      let toRevision: number;
      if (request.revision === 'previous') {
        const previous = state.rollbackTargets[0];
        if (!previous) {
          throw new ConflictError(
            `Family ${state.family} has no ACTIVE revision older than ${fromRevision} to roll back to`,
          );
        }
        toRevision = previous.revision;
      } else if (typeof request.revision === 'string') {
        const parsed = parseTaskDefinition(request.revision);
        if (!parsed) {
          throw new InputError(
            `revision must be a number, "previous" or <family>:<revision>; got '${request.revision}'`,
          );
        }
        if (parsed.family !== state.family) {
          throw new InputError(
            `Task definition ${parsed.family}:${parsed.revision} is not of the service's family ${state.family}`,
          );
        }
        toRevision = parsed.revision;
      } else {
        toRevision = request.revision;
      }
      attempt.toRevision = toRevision;

      if (toRevision === fromRevision) {
        throw new ConflictError(
          `Revision ${state.family}:${toRevision} is already the primary deployment`,
        );
      }
      if (toRevision > fromRevision) {
        throw new InputError(
          `Revision ${state.family}:${toRevision} is newer than the running ${state.family}:${fromRevision}; a rollback goes to an older revision`,
        );
      }
      const target = state.rollbackTargets.find(t => t.revision === toRevision);
      if (!target) {
        throw new InputError(
          `Revision ${toRevision} is not an ACTIVE revision of family ${
            state.family
          }; choose one of ${
            state.rollbackTargets.map(t => t.revision).join(', ') || '(none)'
          }`,
        );
      }
      const inProgress = state.deployments.find(
        d => d.rolloutState === 'IN_PROGRESS',
      );
      if (inProgress && !request.force) {
        throw new ConflictError(
          `Deployment ${inProgress.id} (revision ${inProgress.revision}) is still IN_PROGRESS; wait for it or pass force: true`,
        );
      }

      const ecs = await this.clients.forArn(ref.arn, ref.region, ref.accountId);
      const { service } = await awsCall('ecs:UpdateService', () =>
        ecs.send(
          new UpdateServiceCommand({
            cluster: ref.cluster,
            service: ref.service,
            taskDefinition: target.taskDefinitionArn,
          }),
        ),
      );
      const deploymentId =
        service?.deployments?.find(d => d.status === 'PRIMARY')?.id ?? '';
      return { deploymentId, fromRevision, toRevision };
    } finally {
      await this.state.invalidate(ref);
      this.locks.delete(ref.arn);
    }
  }
}
