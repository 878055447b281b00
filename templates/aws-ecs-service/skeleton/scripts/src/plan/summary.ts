/**
 * The plan summary: what the deploy workflow's saved plan will do, as JSON the developer portal
 * shows on the Deployment tab while the production job waits for approval. Its format is a
 * contract (schema version 1, JSON Schema in the portal's delivery-common package): keep fields
 * and meanings stable, and never put attribute values in it (plans hold secrets).
 */
import { type PlanJson, type PlannedChange, changedAttributes, sensitivePaths } from '../drift/report.ts';
import { PipelineError } from '../lib/errors.ts';
import type { RunInfo } from '../lib/run.ts';

export type PlanResourceAction = 'create' | 'update' | 'replace' | 'delete';

export interface PlanResourceChange {
  address: string;
  type: string;
  moduleAddress?: string;
  action: PlanResourceAction;
  actionReason?: string;
  changedAttributes: string[];
}

export interface PlanTotals {
  add: number;
  change: number;
  replace: number;
  destroy: number;
}

export interface PlanSummary {
  schemaVersion: 1;
  createdAt: string;
  commit: string;
  run?: RunInfo;
  terraform?: { version?: string; directory?: string };
  totals: PlanTotals;
  resources: PlanResourceChange[];
}

export interface SummaryContext {
  /** When the plan JSON carries no timestamp of its own (Terraform before 1.5). */
  now: string;
  commit: string;
  run?: RunInfo;
  directory?: string;
}

/**
 * Terraform's action lists as the summary's one action; `null` for changes apply does not make
 * (no-op, data source reads, `forget` of a `removed` block, which leaves the object in AWS).
 * A replacement whose old object is forgotten rather than destroyed only creates.
 */
function actionOf(actions: string[]): PlanResourceAction | null {
  switch (actions.join(',')) {
    case 'create':
    case 'create,forget':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
      return 'delete';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    case 'no-op':
    case 'read':
    case 'forget':
      return null;
    default:
      // A summary that silently leaves a change out would be approved as something it is not.
      throw new PipelineError(
        `the plan has actions [${actions.join(', ')}], which this summary does not know; update the pipeline scripts`,
      );
  }
}

const TOTAL_OF: Record<PlanResourceAction, keyof PlanTotals> = {
  create: 'add',
  update: 'change',
  replace: 'replace',
  delete: 'destroy',
};

function resourceOf(change: PlannedChange, action: PlanResourceAction): PlanResourceChange {
  const { before, after, after_unknown: unknown, before_sensitive: wasSensitive, after_sensitive: isSensitive } = change.change;
  // A create or a delete changes every attribute; naming them all would hide nothing and say nothing.
  const changed =
    action === 'update' || action === 'replace'
      ? changedAttributes(before, after, unknown, sensitivePaths(wasSensitive, isSensitive))
      : [];
  return {
    // Terraform prints a deposed object as the same address; without the key two entries would share it.
    address: change.deposed ? `${change.address} (deposed object ${change.deposed})` : change.address,
    type: change.type,
    ...(change.module_address ? { moduleAddress: change.module_address } : {}),
    action,
    ...(change.action_reason ? { actionReason: change.action_reason } : {}),
    changedAttributes: changed,
  };
}

const validTime = (value: unknown): value is string =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));

/** The summary of `terraform show -json <planfile>`. */
export function summaryFromPlan(plan: PlanJson, context: SummaryContext): PlanSummary {
  if (typeof plan !== 'object' || plan === null || (!Array.isArray(plan.resource_changes) && plan.format_version === undefined)) {
    throw new PipelineError('the input is not the output of `terraform show -json <planfile>`');
  }
  const resources: PlanResourceChange[] = [];
  const totals: PlanTotals = { add: 0, change: 0, replace: 0, destroy: 0 };
  for (const change of plan.resource_changes ?? []) {
    if (change.mode === 'data') continue;
    const action = actionOf(change.change.actions);
    if (!action) continue;
    resources.push(resourceOf(change, action));
    totals[TOTAL_OF[action]] += 1;
  }
  const terraform = {
    ...(plan.terraform_version ? { version: plan.terraform_version } : {}),
    ...(context.directory ? { directory: context.directory } : {}),
  };
  return {
    schemaVersion: 1,
    createdAt: validTime(plan.timestamp) ? plan.timestamp : context.now,
    commit: context.commit,
    ...(context.run ? { run: context.run } : {}),
    ...(Object.keys(terraform).length > 0 ? { terraform } : {}),
    totals,
    resources,
  };
}

/** The totals in one line for the log, replacements apart (Terraform counts them as an add and a destroy). */
export function totalsLine(totals: PlanTotals): string {
  if (totals.add + totals.change + totals.replace + totals.destroy === 0) return 'no changes';
  return `${totals.add} to add, ${totals.change} to change, ${totals.replace} to replace, ${totals.destroy} to destroy`;
}
