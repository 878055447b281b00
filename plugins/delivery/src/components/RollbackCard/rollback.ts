import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_ROLLBACK_WORKFLOW,
  DELIVERY_ANNOTATION_DEFAULTS,
  DeliveryDeployment,
  EcsContainerImage,
  EcsDeployment,
  EcsRollbackResponse,
  EcsRollbackTarget,
  EcsServiceState,
  EcsStopRolloutResponse,
} from '@cicd-aws/plugin-delivery-common';

/** A rollback or stop-rollout this card started, followed until its deployment settles. */
export interface RollbackOperation {
  kind: 'rollback' | 'stop';
  service: string;
  fromRevision?: number;
  toRevision?: number;
  /** The ECS deployment a rollback created. */
  deploymentId?: string;
  /** The deployment a stop-rollout stopped; ECS's replacement is any other PRIMARY. */
  stoppedDeploymentId?: string;
}

export type RollbackOutcome =
  | { state: 'waiting' }
  | {
      state: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
      deployment: EcsDeployment;
    };

/** Why the rollback button is disabled whatever the user enters, if it is. */
export type RollbackBlocker =
  | 'checking-permission'
  | 'denied'
  | 'code-deploy'
  | 'external';

/** Visible characters a reason needs; the audit log should say something. */
export const MIN_REASON_LENGTH = 3;

export function primaryOf(state?: EcsServiceState): EcsDeployment | undefined {
  return state?.deployments.find(d => d.status === 'PRIMARY');
}

/** A rollout in progress is stopped (ECS returns to the revision before) rather than rolled back. */
export function isStopMode(primary?: EcsDeployment): boolean {
  return primary?.rolloutState === 'IN_PROGRESS';
}

/** The revision ECS returns to when the rollout of `primary` is stopped: the ACTIVE one. */
export function returnRevisionOf(
  state?: EcsServiceState,
  primary?: EcsDeployment,
): number | undefined {
  return state?.deployments.find(
    d => d.status === 'ACTIVE' && d.id !== primary?.id,
  )?.revision;
}

export function isReasonOk(reason: string): boolean {
  return reason.trim().length >= MIN_REASON_LENGTH;
}

export function rollbackBlocker(options: {
  permissionLoading: boolean;
  allowed: boolean;
  deploymentController?: EcsServiceState['deploymentController'];
}): RollbackBlocker | undefined {
  if (options.permissionLoading) return 'checking-permission';
  if (!options.allowed) return 'denied';
  if (options.deploymentController === 'CODE_DEPLOY') return 'code-deploy';
  if (options.deploymentController === 'EXTERNAL') return 'external';
  return undefined;
}

/** What the user still has to enter before the button enables, in words; undefined when done. */
export function missingInput(options: {
  stopMode: boolean;
  targets: EcsRollbackTarget[];
  target?: EcsRollbackTarget;
  reason: string;
  family?: string;
}): string | undefined {
  const { stopMode, targets, target, reason, family } = options;
  if (!stopMode && targets.length === 0) {
    return `There is no earlier ACTIVE revision of ${
      family ?? 'the task-definition family'
    } to roll back to.`;
  }
  if (!stopMode && !target) return 'Choose a target revision.';
  if (!isReasonOk(reason)) {
    return `Type a reason (at least ${MIN_REASON_LENGTH} characters); it goes to the audit log.`;
  }
  return undefined;
}

export function revisionText(revision: number | undefined, unknown: string) {
  return revision !== undefined ? `revision ${revision}` : unknown;
}

/**
 * The operation the card is about to start, as it sees the service now: stopping the rollout of
 * `primary` (ECS returns to `returnTo`), or rolling back to `target`.
 */
export function plannedOperation(options: {
  service: string;
  primary?: EcsDeployment;
  stopMode: boolean;
  returnTo?: number;
  target?: EcsRollbackTarget;
}): RollbackOperation {
  const { service, primary, stopMode, returnTo, target } = options;
  return stopMode
    ? {
        kind: 'stop',
        service,
        fromRevision: primary?.revision,
        toRevision: returnTo,
        stoppedDeploymentId: primary?.id,
      }
    : {
        kind: 'rollback',
        service,
        fromRevision: primary?.revision,
        toRevision: target?.revision,
      };
}

/** The operation as it stands once the rollback POST answered: follow the deployment it made. */
export function afterRollback(
  op: RollbackOperation,
  response: EcsRollbackResponse,
): RollbackOperation {
  return {
    ...op,
    fromRevision: response.fromRevision,
    toRevision: response.toRevision,
    deploymentId: response.deploymentId || undefined,
  };
}

/** After a stop-rollout: ECS names the revisions when it can; else keep what the card saw. */
export function afterStop(
  op: RollbackOperation,
  response: EcsStopRolloutResponse,
): RollbackOperation {
  return {
    ...op,
    fromRevision: response.fromRevision ?? op.fromRevision,
    toRevision: response.toRevision ?? op.toRevision,
  };
}

/**
 * The deployment that tells how the operation went: the one a rollback created (by id, else the
 * PRIMARY of the target revision), or ECS's replacement of a stopped rollout.
 */
export function followedDeployment(
  op: RollbackOperation,
  state?: EcsServiceState,
): EcsDeployment | undefined {
  const deployments = state?.deployments ?? [];
  if (op.kind === 'rollback') {
    return op.deploymentId
      ? deployments.find(d => d.id === op.deploymentId)
      : deployments.find(
          d => d.status === 'PRIMARY' && d.revision === op.toRevision,
        );
  }
  return deployments.find(
    d =>
      d.status === 'PRIMARY' &&
      d.id !== op.stoppedDeploymentId &&
      (op.toRevision === undefined || d.revision === op.toRevision),
  );
}

export function outcomeOf(
  op: RollbackOperation,
  state?: EcsServiceState,
): RollbackOutcome {
  const deployment = followedDeployment(op, state);
  if (!deployment) return { state: 'waiting' };
  if (
    deployment.rolloutState === 'COMPLETED' ||
    deployment.rolloutState === 'FAILED'
  ) {
    return { state: deployment.rolloutState, deployment };
  }
  return { state: 'IN_PROGRESS', deployment };
}

export function isSettled(outcome?: RollbackOutcome): boolean {
  return outcome?.state === 'COMPLETED' || outcome?.state === 'FAILED';
}

/** "Rollback of web to revision 2", the subject of the outcome's sentence. */
export function operationText(op: RollbackOperation): string {
  const to = revisionText(op.toRevision, 'the revision');
  return op.kind === 'rollback'
    ? `Rollback of ${op.service} to ${to}`
    : `Stopping the rollout of ${op.service} and returning to ${to}`;
}

export function imagesText(images: EcsContainerImage[]): string {
  return images.map(i => `${i.name}: ${i.image}`).join(', ') || '–';
}

/** The newest recorded deploy of a revision, for "who deployed it and which commit". */
export function deployOf(
  history: DeliveryDeployment[] | undefined,
  revision?: number,
): DeliveryDeployment | undefined {
  if (!history || revision === undefined) return undefined;
  return history.find(d => d.revision === revision);
}

/** The repository's workflow page, on the host the backend named; undefined when none did. */
export function workflowUrl(
  repositoryUrl: string | undefined,
  workflowFile: string,
): string | undefined {
  if (!repositoryUrl) return undefined;
  return `${repositoryUrl.replace(
    /\/+$/,
    '',
  )}/actions/workflows/${encodeURIComponent(workflowFile)}`;
}

/** The workflow file that rolls a blue/green service back (`cicd-aws.dev/rollback-workflow`). */
export function rollbackWorkflowOf(entity: Entity): string {
  return (
    entity.metadata.annotations?.[ANNOTATION_ROLLBACK_WORKFLOW] ||
    DELIVERY_ANNOTATION_DEFAULTS[ANNOTATION_ROLLBACK_WORKFLOW]
  );
}
