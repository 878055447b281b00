import { type Deployment, type ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PipelineError } from '../lib/errors.ts';
import { log } from '../lib/output.ts';
import { poll } from '../lib/wait.ts';
import { type ServiceRef, describeService } from './service.ts';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
}

export interface RolloutResult {
  deploymentId: string;
  taskDefinitionArn: string;
  state: 'COMPLETED' | 'FAILED';
  reason?: string;
}

function progress(d: Deployment): string {
  return `${d.rolloutState ?? 'no rollout state'}: ${d.runningCount ?? 0}/${d.desiredCount ?? 0} running, ${
    d.pendingCount ?? 0
  } pending, ${d.failedTasks ?? 0} failed`;
}

/**
 * Waits until the deployment is COMPLETED or FAILED (the circuit breaker fails it), bounded by
 * `timeoutMs`. A deployment that disappears was replaced by another one (a newer update, or the
 * circuit breaker's rollback): that is a failure of this one.
 */
export async function waitForDeployment(
  ecs: ECSClient,
  ref: ServiceRef,
  deploymentId: string,
  options: WaitOptions,
): Promise<RolloutResult> {
  let taskDefinitionArn = '';
  return poll<RolloutResult>(
    async () => {
      const service = await describeService(ecs, ref);
      const deployments = service.deployments ?? [];
      const deployment = deployments.find(d => d.id === deploymentId);
      if (!deployment) {
        return {
          deploymentId,
          taskDefinitionArn,
          state: 'FAILED',
          reason: `deployment ${deploymentId} was replaced by another deployment of ${ref.service}`,
        };
      }
      taskDefinitionArn = deployment.taskDefinition ?? taskDefinitionArn;
      log(`  ${deploymentId} ${progress(deployment)}`);
      const done = (state: 'COMPLETED' | 'FAILED'): RolloutResult => ({
        deploymentId,
        taskDefinitionArn,
        state,
        reason: deployment.rolloutStateReason,
      });
      if (deployment.rolloutState === 'COMPLETED') return done('COMPLETED');
      if (deployment.rolloutState === 'FAILED') return done('FAILED');
      // Without rollout tracking ECS reports steady state as one deployment with all tasks running.
      const steady =
        deployment.rolloutState === undefined &&
        deployments.length === 1 &&
        (deployment.runningCount ?? 0) === (deployment.desiredCount ?? -1);
      return steady ? done('COMPLETED') : undefined;
    },
    { ...options, what: `rollout ${deploymentId} of ${ref.service}` },
  );
}

/**
 * The task definition someone else put the service on while our rollout of `target` ran (a
 * rollback from the portal or the Rollback workflow): the PRIMARY deployment runs neither our
 * target nor the revision we replaced. A deploy must then leave the service alone, or it would undo
 * that rollback by rolling "back" to the revision it replaced.
 */
export function takenOverBy(
  deployments: Deployment[] | undefined,
  target: string,
  previous: string | undefined,
): string | undefined {
  const primary = deployments?.find(d => d.status === 'PRIMARY')?.taskDefinition;
  return primary && primary !== target && primary !== previous ? primary : undefined;
}

/** Points the service at `taskDefinitionArn` and waits for the rollout it starts. */
export async function updateServiceAndWait(
  ecs: ECSClient,
  ref: ServiceRef,
  taskDefinitionArn: string,
  options: WaitOptions,
): Promise<RolloutResult> {
  const answer = await ecs.send(
    new UpdateServiceCommand({ cluster: ref.cluster, service: ref.service, taskDefinition: taskDefinitionArn }),
  );
  const primary = answer.service?.deployments?.find(d => d.status === 'PRIMARY');
  if (!primary?.id) {
    throw new PipelineError(`UpdateService of ${ref.service} returned no PRIMARY deployment`);
  }
  log(`service ${ref.service}: deployment ${primary.id} started for ${taskDefinitionArn}`);
  return waitForDeployment(ecs, ref, primary.id, options);
}
