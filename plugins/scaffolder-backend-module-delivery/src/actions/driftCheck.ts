import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { DriftState } from '@cicd-aws/plugin-delivery-common';
import {
  DeliveryBackendDeps,
  deliveryClientFor,
  explainDeliveryError,
  scaffolderIdempotencyKey,
} from '../deliveryClient';
import { driftCheckExamples } from './driftCheck.examples';

/** Options of {@link createDriftCheckAction}. @public */
export interface DriftCheckActionOptions extends DeliveryBackendDeps {
  /** How often the drift state is read while waiting; default 15 s. */
  pollIntervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 15_000;

/** Whether `state` is the report of the dispatched run (by id, or newer than the dispatch). */
function isReportOf(
  state: DriftState,
  runId: number | undefined,
  dispatchedAt: number,
): boolean {
  if (state.status === 'never-run') return false;
  if (runId !== undefined) return state.run?.id === runId;
  return !!state.checkedAt && Date.parse(state.checkedAt) >= dispatchedAt;
}

/**
 * `delivery:drift:check`: dispatches the entity's Terraform drift workflow through the delivery
 * backend (permission delivery.drift.check, audited) and optionally waits for its report.
 *
 * @public
 */
export function createDriftCheckAction(options: DriftCheckActionOptions) {
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  return createTemplateAction({
    id: 'delivery:drift:check',
    description:
      "Starts the entity's Terraform drift workflow through the delivery backend (permission delivery.drift.check, audited) and optionally waits for its report.",
    examples: driftCheckExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe(
              'Entity whose github.com/project-slug repository holds the drift workflow, e.g. component:default/orders-api',
            ),
        waitForReport: z =>
          z
            .boolean()
            .default(false)
            .describe("Wait for the run's drift report and return its status"),
        timeoutMinutes: z =>
          z
            .number()
            .int()
            .min(1)
            .max(120)
            .default(30)
            .describe('How long to wait for the report, in minutes'),
      },
      output: {
        runUrl: z =>
          z
            .string()
            .describe(
              "The dispatched run's page, or the workflow's runs when GitHub did not name the run",
            ),
        status: z =>
          z
            .string()
            .describe(
              'in-sync, drifted or error when waited for; DISPATCHED otherwise; DRY_RUN in a dry run',
            ),
        driftedResources: z =>
          z
            .number()
            .describe('How many resources drifted (0 unless waited for)'),
      },
    },
    async handler(ctx) {
      const { entityRef } = ctx.input;
      const client = deliveryClientFor(
        options,
        await ctx.getInitiatorCredentials(),
      );
      if (ctx.isDryRun) {
        const current = await client.getDrift(entityRef).catch(error => {
          throw explainDeliveryError(error, `Reading ${entityRef}'s drift`);
        });
        ctx.logger.info(
          `Dry run: would start ${current.workflow} for ${entityRef} (last check: ${current.status}); nothing was started`,
        );
        ctx.output('runUrl', current.workflowUrl);
        ctx.output('status', 'DRY_RUN');
        ctx.output('driftedResources', 0);
        return;
      }

      // A retried task resumes from the checkpoint; one whose checkpoint was not stored calls
      // again with the same idempotency key and gets the first dispatch back.
      const idempotencyKey = scaffolderIdempotencyKey(
        ctx,
        'drift-check',
        entityRef,
      );
      const dispatch = await ctx.checkpoint({
        key: `delivery-drift-check:${entityRef}`,
        fn: async () => {
          const dispatchedAt = Date.now();
          const response = await client
            .checkDrift(entityRef, { idempotencyKey })
            .catch(error => {
              throw explainDeliveryError(
                error,
                `Starting ${entityRef}'s drift check`,
              );
            });
          return { ...response, dispatchedAt };
        },
      });
      ctx.logger.info(`Drift check started: ${dispatch.runUrl}`);
      ctx.output('runUrl', dispatch.runUrl);

      if (!(ctx.input.waitForReport ?? false)) {
        ctx.output('status', 'DISPATCHED');
        ctx.output('driftedResources', 0);
        return;
      }
      const timeoutMinutes = ctx.input.timeoutMinutes ?? 30;
      const deadline = Date.now() + timeoutMinutes * 60_000;
      // Bounded by the deadline.
      for (;;) {
        const state = await client.getDrift(entityRef).catch(error => {
          throw explainDeliveryError(error, `Reading ${entityRef}'s drift`);
        });
        if (isReportOf(state, dispatch.runId, dispatch.dispatchedAt)) {
          ctx.logger.info(
            `Drift report: ${state.status}, ${state.resources.length} drifted resource(s)`,
          );
          ctx.output('status', state.status);
          ctx.output('driftedResources', state.resources.length);
          return;
        }
        if (Date.now() + pollIntervalMs > deadline) {
          throw new Error(
            `No drift report from ${dispatch.runUrl} after ${timeoutMinutes} minutes; follow the run on GitHub`,
          );
        }
        await new Promise(r => setTimeout(r, pollIntervalMs));
      }
    },
  });
}
