import {
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { ConflictError, InputError } from '@backstage/errors';
import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_ROLLBACK_WORKFLOW,
  DELIVERY_ANNOTATION_DEFAULTS,
  EcsRollbackRequest,
  EcsRollbackResponse,
  EcsStopRolloutResponse,
} from '@cicd-aws/plugin-delivery-common';
import { awsCall } from './awsErrors';
import { EcsClientFactory } from './EcsClientFactory';
import { EcsStateService } from './EcsStateService';
import { ServiceLocks } from '../database/ServiceLocks';
import { EcsServiceRef, parseTaskDefinition } from './serviceArn';

/** Service-deployment states after a StopServiceDeployment was accepted. */
const STOPPED_OR_STOPPING = new Set<string>([
  'STOP_REQUESTED',
  'STOPPED',
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED',
]);

/** What a rollback attempt resolved, for the audit log even when it fails. */
export interface RollbackAttempt {
  fromRevision?: number;
  toRevision?: number;
  /** The stopped service deployment (stop-rollout). */
  serviceDeploymentArn?: string;
}

/** How a change takes part in an idempotent request (see IdempotencyStore). */
export interface ChangeJournal {
  /** What an earlier attempt of the same request resolved before it stopped without an answer. */
  resumed?: RollbackAttempt;
  /** Called with the resolved target just before the change is sent to ECS. */
  beforeChange?(attempt: RollbackAttempt): Promise<void>;
}

/**
 * Rolls an ECS service back to an earlier revision of its task-definition family. One change
 * per service at a time across every replica: the lock is a row in the plugin's database.
 */
export class RollbackService {
  constructor(
    private readonly clients: EcsClientFactory,
    private readonly state: EcsStateService,
    private readonly locks: ServiceLocks,
  ) {}

  /** Runs `change` while holding the service's lock; a second caller gets 409 at once. */
  private async exclusively<T>(
    ref: EcsServiceRef,
    change: () => Promise<T>,
  ): Promise<T> {
    const lease = await this.locks.tryAcquire(`ecs-service:${ref.arn}`);
    if (!lease) {
      throw new ConflictError(
        `Another rollback of ${ref.service} is in progress; try again when it has started`,
      );
    }
    try {
      return await change();
    } finally {
      await this.state.invalidate(ref);
      await lease.release();
    }
  }

  private async freshRollingState(entity: Entity, ref: EcsServiceRef) {
    const state = await this.state.getState(ref, { fresh: true });
    if (state.deploymentController !== 'ECS') {
      const workflow =
        entity.metadata.annotations?.[ANNOTATION_ROLLBACK_WORKFLOW] ??
        DELIVERY_ANNOTATION_DEFAULTS[ANNOTATION_ROLLBACK_WORKFLOW];
      throw new ConflictError(
        `Service ${ref.service} uses the ${state.deploymentController} deployment controller; roll it back with the ${workflow} GitHub workflow instead`,
      );
    }
    return state;
  }

  /** Whether ECS already took a stop of this service deployment (asked, rolling back, done). */
  private async wasStopped(
    ref: EcsServiceRef,
    serviceDeploymentArn: string,
  ): Promise<boolean> {
    const ecs = await this.clients.forArn(ref.arn, ref.region, ref.accountId);
    const { serviceDeployments } = await awsCall(
      'ecs:DescribeServiceDeployments',
      () =>
        ecs.send(
          new DescribeServiceDeploymentsCommand({
            serviceDeploymentArns: [serviceDeploymentArn],
          }),
        ),
    );
    const status = serviceDeployments?.[0]?.status;
    return status !== undefined && STOPPED_OR_STOPPING.has(status);
  }

  async rollback(
    entity: Entity,
    ref: EcsServiceRef,
    request: EcsRollbackRequest,
    attempt: RollbackAttempt = {},
    journal: ChangeJournal = {},
  ): Promise<EcsRollbackResponse> {
    return this.exclusively(ref, async () => {
      const state = await this.freshRollingState(entity, ref);
      const primary = state.deployments.find(d => d.status === 'PRIMARY');
      const resumed = journal.resumed;
      if (
        resumed?.toRevision !== undefined &&
        primary?.revision === resumed.toRevision
      ) {
        // The earlier attempt's UpdateService went through before its answer was lost.
        Object.assign(attempt, resumed);
        return {
          deploymentId: primary.id,
          fromRevision: resumed.fromRevision ?? resumed.toRevision,
          toRevision: resumed.toRevision,
        };
      }
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
      if (resumed?.toRevision !== undefined) {
        toRevision = resumed.toRevision;
      } else if (request.revision === 'previous') {
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

      await journal.beforeChange?.(attempt);
      const ecs = await this.clients.forArn(
        ref.arn,
        ref.region,
        ref.accountId,
        {
          forChanges: true,
        },
      );
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
    });
  }

  /**
   * Stops the IN_PROGRESS rollout with ECS's own StopServiceDeployment (stopType ROLLBACK):
   * ECS returns the service to the revision it ran before, as its circuit breaker would.
   */
  async stopRollout(
    entity: Entity,
    ref: EcsServiceRef,
    attempt: RollbackAttempt = {},
    journal: ChangeJournal = {},
  ): Promise<EcsStopRolloutResponse> {
    return this.exclusively(ref, async () => {
      const state = await this.freshRollingState(entity, ref);
      const inProgress = state.deployments.find(
        d => d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS',
      );
      const resumed = journal.resumed;
      if (
        resumed?.serviceDeploymentArn &&
        (await this.wasStopped(ref, resumed.serviceDeploymentArn))
      ) {
        // The earlier attempt's StopServiceDeployment went through before its answer was lost.
        Object.assign(attempt, resumed);
        return {
          serviceDeploymentArn: resumed.serviceDeploymentArn,
          fromRevision: resumed.fromRevision,
          toRevision: resumed.toRevision,
        };
      }
      if (!inProgress) {
        throw new ConflictError(
          `Service ${ref.service} has no rollout in progress to stop; roll back to a revision instead`,
        );
      }
      attempt.fromRevision = inProgress.revision;
      attempt.toRevision = state.deployments.find(
        d => d.status === 'ACTIVE',
      )?.revision;

      const ecs = await this.clients.forArn(ref.arn, ref.region, ref.accountId);
      const { serviceDeployments } = await awsCall(
        'ecs:ListServiceDeployments',
        () =>
          ecs.send(
            new ListServiceDeploymentsCommand({
              cluster: ref.cluster,
              service: ref.service,
              status: ['PENDING', 'IN_PROGRESS'],
            }),
          ),
      );
      const running = serviceDeployments?.[0]?.serviceDeploymentArn;
      if (!running) {
        throw new ConflictError(
          `ECS lists no service deployment in progress for ${ref.service}; refresh and try again`,
        );
      }
      attempt.serviceDeploymentArn = running;
      await journal.beforeChange?.(attempt);
      const changes = await this.clients.forArn(
        ref.arn,
        ref.region,
        ref.accountId,
        { forChanges: true },
      );
      await awsCall('ecs:StopServiceDeployment', () =>
        changes.send(
          new StopServiceDeploymentCommand({
            serviceDeploymentArn: running,
            stopType: 'ROLLBACK',
          }),
        ),
      );
      return {
        serviceDeploymentArn: running,
        fromRevision: attempt.fromRevision,
        toRevision: attempt.toRevision,
      };
    });
  }
}
