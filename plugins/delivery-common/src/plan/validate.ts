import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { planSummarySchema } from './schema';
import type { PlanResourceAction, PlanSummary, PlanTotals } from './types';

/** Result of {@link validatePlanSummary}. @public */
export type PlanSummaryValidation =
  | { valid: true; summary: PlanSummary; errors: [] }
  | { valid: false; errors: string[] };

let compiled: ReturnType<Ajv2020['compile']> | undefined;

function validator() {
  if (!compiled) {
    // allErrors: a producer fixing its output wants every problem at once, not one per run.
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv, ['date-time', 'uri']);
    compiled = ajv.compile(planSummarySchema);
  }
  return compiled;
}

const TOTAL_OF: Record<PlanResourceAction, keyof PlanTotals> = {
  create: 'add',
  update: 'change',
  replace: 'replace',
  delete: 'destroy',
};

/**
 * What JSON Schema cannot say: the totals a reviewer reads first must be the counts of the
 * resources listed below them, and each resource is listed once.
 */
function consistencyErrors(summary: PlanSummary): string[] {
  const errors: string[] = [];
  const counted: PlanTotals = { add: 0, change: 0, replace: 0, destroy: 0 };
  for (const resource of summary.resources) {
    counted[TOTAL_OF[resource.action]] += 1;
  }
  for (const [action, total] of Object.entries(TOTAL_OF)) {
    const given = summary.totals[total];
    if (given !== counted[total]) {
      errors.push(
        `/totals/${total}: says ${given} but the resources have ${counted[total]} with action "${action}"`,
      );
    }
  }
  const seen = new Set<string>();
  summary.resources.forEach((resource, i) => {
    if (seen.has(resource.address)) {
      errors.push(
        `/resources/${i}/address: ${resource.address} is listed more than once`,
      );
    }
    seen.add(resource.address);
  });
  return errors;
}

/**
 * Checks a parsed plan summary against {@link planSummarySchema}, then that its totals agree
 * with its resources' actions and that no address is listed twice. Returns the typed summary, or
 * every violation as `<JSON pointer>: <message>` (the pointer is `/` for the summary itself).
 *
 * @public
 */
export function validatePlanSummary(value: unknown): PlanSummaryValidation {
  const validate = validator();
  if (!validate(value)) {
    const errors = (validate.errors ?? []).map(
      e => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`,
    );
    return { valid: false, errors: [...new Set(errors)] };
  }
  const summary = value as PlanSummary;
  const errors = consistencyErrors(summary);
  if (errors.length > 0) return { valid: false, errors };
  return { valid: true, summary, errors: [] };
}
