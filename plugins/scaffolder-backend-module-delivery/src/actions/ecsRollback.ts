import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  DeliveryApi,
  EcsRollbackResponse,
  EcsServiceState,
} from '@cicd-aws/plugin-delivery-common';
import {
  DeliveryBackendDeps,
  deliveryClientFor,
  explainDeliveryError,
  scaffolderIdempotencyKey,
} from '../deliveryClient';
import { ecsRollbackExamples } from './ecsRollback.examples';

/** Options of {@link createEcsRollbackAction}. @public */
export interface EcsRollbackActionOptions extends DeliveryBackendDeps {
  /** How often the rollout is checked while waiting; default 5 s. */
  pollIntervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 5_000;

function runningRevision(state: EcsServiceState): number | undefined {
  return state.deployments.find(d => d.status === 'PRIMARY')?.revision;
}

/** The revision a request means, or an error that lists the ones it could mean. */
function resolveTarget(
  state: EcsServiceState,
  revision: number | 'previous',
): number {
  const choices = state.rollbackTargets.map(t => t.revision);
  if (revision === 'previous') {
    if (choices.length === 0) {
      throw new Error(
        `${state.serviceName} has no earlier ACTIVE revision of ${state.family} to roll back to`,
      );
    }
    return choices[0];
  }
  if (!choices.includes(revision)) {
    throw new Error(
      `Revision ${revision} is not an earlier ACTIVE revision of ${
        state.family
      }; choose one of ${choices.join(', ') || '(none)'}`,
    );
  }
  return revision;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('The task was cancelled while waiting for the rollout'));
    });
  });

/**
 * Follows the rollback's deployment until ECS says COMPLETED or FAILED, logging progress.
 * Returns the final rollout state; throws on FAILED or when the time is up.
 */
async function waitForRollout(
  client: DeliveryApi,
  entityRef: string,
  result: EcsRollbackResponse,
  options: {
    deadline: number;
    pollIntervalMs: number;
    log: (line: string) => void;
    signal?: AbortSignal;
    timeoutMinutes: number;
  },
): Promise<string> {
  let lastLine = '';
  // Bounded by the deadline; each round costs one read of the (cached) state.
  for (;;) {
    const state = await client.getEcsState(entityRef);
    const deployment = state.deployments.find(
      d => d.id === result.deploymentId,
    );
    if (!deployment) {
      throw new Error(
        `ECS no longer lists deployment ${result.deploymentId} of ${state.serviceName}; another deployment replaced it, see the entity's Deployment tab`,
      );
    }
    const line = `rollout to revision ${result.toRevision}: ${deployment.rolloutState} (running ${deployment.runningCount}/${deployment.desiredCount}, pending ${deployment.pendingCount}, failed tasks ${deployment.failedTasks})`;
    if (line !== lastLine) {
      options.log(line);
      lastLine = line;
    }
    if (deployment.rolloutState === 'COMPLETED') {
      return 'COMPLETED';
    }
    if (deployment.rolloutState === 'FAILED') {
      throw new Error(
        `The rollback to revision ${result.toRevision} FAILED: ${
          deployment.rolloutStateReason ?? 'no reason given'
        }`,
      );
    }
    if (Date.now() + options.pollIntervalMs > options.deadline) {
      throw new Error(
        `The rollback to revision ${result.toRevision} was still ${deployment.rolloutState} after ${options.timeoutMinutes} minutes; follow it in the entity's Deployment tab`,
      );
    }
    await sleep(options.pollIntervalMs, options.signal);
  }
}

/**
 * `delivery:ecs:rollback`: rolls an entity's ECS service back through the delivery backend, with
 * the initiating user's credentials, so the permission decision and the audit event happen in the
 * one place that also serves the Deployment tab. It never calls AWS itself.
 *
 * @public
 */
export function createEcsRollbackAction(options: EcsRollbackActionOptions) {
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  return createTemplateAction({
    id: 'delivery:ecs:rollback',
    description:
      "Rolls an entity's ECS service back to an earlier task-definition revision through the delivery backend (permission delivery.ecs.rollback, audited), and optionally waits for the rollout.",
    examples: ecsRollbackExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe(
              'Entity whose aws.amazon.com/amazon-ecs-service-arn annotation names the service, e.g. component:default/orders-api',
            ),
        revision: z =>
          z
            .union([
              z.number().int().positive(),
              z.literal('previous'),
              // Form values arrive as text ("7").
              z.string().regex(/^[1-9][0-9]*$/),
            ])
            .describe(
              'Task-definition revision to go back to (a number, or its digits as text), or "previous" for the newest ACTIVE revision older than the running one',
            ),
        reason: z =>
          z
            .string()
            .trim()
            .min(3)
            .describe('Why; written to the audit log with the user and task'),
        waitForCompletion: z =>
          z
            .boolean()
            .default(true)
            .describe(
              'Wait until ECS reports the rollout COMPLETED (the step fails on FAILED or timeout)',
            ),
        timeoutMinutes: z =>
          z
            .number()
            .int()
            .min(1)
            .max(120)
            .default(15)
            .describe('How long to wait for the rollout, in minutes'),
      },
      output: {
        deploymentId: z =>
          z
            .string()
            .describe(
              'ECS deployment started by the rollback (empty in a dry run)',
            ),
        fromRevision: z =>
          z.number().describe('Revision that was running before'),
        toRevision: z => z.number().describe('Revision rolled back to'),
        rolloutState: z =>
          z
            .string()
            .describe(
              'COMPLETED, or IN_PROGRESS when not waited for, or DRY_RUN in a dry run',
            ),
      },
    },
    async handler(ctx) {
      const { entityRef, reason } = ctx.input;
      const waitForCompletion = ctx.input.waitForCompletion ?? true;
      const timeoutMinutes = ctx.input.timeoutMinutes ?? 15;
      const client = deliveryClientFor(
        options,
        await ctx.getInitiatorCredentials(),
      );

      const state = await client.getEcsState(entityRef).catch(error => {
        throw explainDeliveryError(error, `Reading ${entityRef}'s ECS service`);
      });
      const fromRevision = runningRevision(state);
      const requested = ctx.input.revision;
      const toRevision = resolveTarget(
        state,
        requested === 'previous' ? requested : Number(requested),
      );

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would roll ${state.serviceName} (${entityRef}) back from revision ${fromRevision} to ${toRevision}; nothing was changed`,
        );
        ctx.output('deploymentId', '');
        ctx.output('fromRevision', fromRevision ?? 0);
        ctx.output('toRevision', toRevision);
        ctx.output('rolloutState', 'DRY_RUN');
        return;
      }

      // A retried task resumes here with the stored answer instead of rolling back twice. Should
      // the backend have answered without the checkpoint being stored, the retry calls again with
      // the same idempotency key and gets the first answer back. The key leaves out the revision:
      // a retried "previous" could resolve to another one once the first rollback ran, and the
      // backend refuses (422) that instead of rolling back a second time.
      const idempotencyKey = scaffolderIdempotencyKey(
        ctx,
        'ecs-rollback',
        entityRef,
      );
      const result = await ctx.checkpoint({
        key: `delivery-ecs-rollback:${entityRef}:${toRevision}`,
        fn: async () => {
          ctx.logger.info(
            `Rolling ${state.serviceName} (${entityRef}) back from revision ${fromRevision} to ${toRevision}`,
          );
          const response = await client
            .rollbackEcs(
              entityRef,
              {
                revision: toRevision,
                reason: `${reason} (scaffolder task ${ctx.task.id})`,
              },
              { idempotencyKey },
            )
            .catch(error => {
              throw explainDeliveryError(error, `Rolling back ${entityRef}`);
            });
          return { ...response };
        },
      });
      ctx.output('deploymentId', result.deploymentId);
      ctx.output('fromRevision', result.fromRevision);
      ctx.output('toRevision', result.toRevision);

      if (!waitForCompletion) {
        ctx.output('rolloutState', 'IN_PROGRESS');
        return;
      }
      const rolloutState = await waitForRollout(client, entityRef, result, {
        deadline: Date.now() + timeoutMinutes * 60_000,
        pollIntervalMs,
        timeoutMinutes,
        log: line => ctx.logger.info(line),
        signal: ctx.signal,
      });
      ctx.output('rolloutState', rolloutState);
    },
  });
}
