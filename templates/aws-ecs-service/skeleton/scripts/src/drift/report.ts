/**
 * The drift report: what `terraform plan` found, as JSON the developer portal reads. Its format is
 * a contract (schema version 1, JSON Schema in the portal's delivery-common package): keep fields
 * and meanings stable, and never put attribute values in it (they may be secrets).
 */

export type DriftStatus = 'in-sync' | 'drifted' | 'error';

export interface DriftedResource {
  address: string;
  type: string;
  name?: string;
  moduleAddress?: string;
  actions: string[];
  actionReason?: string;
  changedAttributes: string[];
  changedOutsideTerraform?: boolean;
}

export interface DriftRunInfo {
  id?: number;
  attempt?: number;
  url: string;
  workflow?: string;
}

export interface DriftReport {
  schemaVersion: 1;
  checkedAt: string;
  commit: string;
  status: DriftStatus;
  error?: { message: string };
  run?: DriftRunInfo;
  terraform?: { version?: string; directory?: string };
  resources: DriftedResource[];
}

export interface ReportContext {
  checkedAt: string;
  commit: string;
  run?: DriftRunInfo;
  directory?: string;
}

// The subset of `terraform show -json` (format 1.x) the report reads.
export interface PlannedChange {
  address: string;
  module_address?: string;
  mode?: string;
  type: string;
  name?: string;
  action_reason?: string;
  /** Set when the change is to a deposed object (an older copy left by create_before_destroy). */
  deposed?: string;
  change: {
    actions: string[];
    before?: unknown;
    after?: unknown;
    after_unknown?: unknown;
    before_sensitive?: unknown;
    after_sensitive?: unknown;
  };
}

export interface PlanJson {
  format_version?: string;
  terraform_version?: string;
  /** When the plan was made (Terraform 1.5 and later). */
  timestamp?: string;
  resource_changes?: PlannedChange[];
  resource_drift?: PlannedChange[];
}

// Deep enough for `tags.Team` or `network_configuration[0].assign_public_ip`; deeper paths
// (policy documents, container definitions) stop at a name a person recognises.
const MAX_PATH_DEPTH = 3;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Providers read an absent map or list back as null, {} or [] interchangeably: none is a change.
function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (isObject(value) && Object.keys(value).length === 0)
  );
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Terraform's `before_sensitive` and `after_sensitive` as one tree: a path is sensitive when
 * either side marks it.
 */
export function sensitivePaths(before: unknown, after: unknown): unknown {
  if (before === true || after === true) return true;
  if (Array.isArray(before) || Array.isArray(after)) {
    const b = Array.isArray(before) ? before : [];
    const a = Array.isArray(after) ? after : [];
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => sensitivePaths(b[i], a[i]));
  }
  if (isObject(before) || isObject(after)) {
    const b = isObject(before) ? before : {};
    const a = isObject(after) ? after : {};
    return Object.fromEntries([...new Set([...Object.keys(b), ...Object.keys(a)])].map(k => [k, sensitivePaths(b[k], a[k])]));
  }
  return undefined;
}

const child = (tree: unknown, key: string | number): unknown =>
  typeof key === 'number' ? (Array.isArray(tree) ? tree[key] : undefined) : isObject(tree) ? tree[key] : undefined;

/**
 * Paths of attributes whose planned value differs from the current one, or becomes known only
 * after apply. Objects and lists of objects are descended into; scalars and lists of scalars are
 * reported as one path. A path marked in `sensitive` (see {@link sensitivePaths}) is reported as
 * a whole and never descended into: the keys of a sensitive map can be data too.
 */
export function changedAttributes(before: unknown, after: unknown, afterUnknown: unknown, sensitive?: unknown): string[] {
  const paths = new Set<string>();
  const walk = (b: unknown, a: unknown, u: unknown, s: unknown, path: string, depth: number) => {
    if (u === true) {
      paths.add(path);
      return;
    }
    const canDescend = s !== true && (depth < MAX_PATH_DEPTH || path === '');
    if (canDescend && isObject(b) && isObject(a)) {
      const keys = new Set([...Object.keys(b), ...Object.keys(a), ...(isObject(u) ? Object.keys(u) : [])]);
      for (const key of keys) {
        walk(b[key], a[key], child(u, key), child(s, key), join(path, key), depth + 1);
      }
      return;
    }
    const objectLists =
      Array.isArray(b) && Array.isArray(a) && b.length === a.length && a.every(isObject) && b.every(isObject);
    if (canDescend && objectLists) {
      (a as unknown[]).forEach((item, i) => walk((b as unknown[])[i], item, child(u, i), child(s, i), join(path, i), depth + 1));
      return;
    }
    if (isEmpty(a) && isEmpty(b)) return;
    if (JSON.stringify(b) !== JSON.stringify(a) && path !== '') paths.add(path);
  };
  walk(before ?? {}, after ?? {}, afterUnknown, sensitive, '', 0);
  return [...paths].sort();
}

function isDrift(change: PlannedChange): boolean {
  const actions = change.change.actions;
  // Data sources are read, not owned; a no-op is in sync.
  return change.mode !== 'data' && !(actions.length === 1 && actions[0] === 'no-op');
}

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}[`);

/**
 * Whether the refresh saw the planned change's attributes altered outside Terraform. Refreshes
 * also report harmless read-back differences on many resources, so only overlapping attributes
 * count; a resource that appeared or vanished outside Terraform counts as a whole.
 */
function changedOutside(drift: PlannedChange | undefined, planned: string[]): boolean {
  if (!drift) return false;
  if (!drift.change.actions.includes('update')) return true;
  const outside = changedAttributes(drift.change.before, drift.change.after, undefined);
  return outside.some(o => planned.some(p => overlaps(o, p)));
}

function base(context: ReportContext, plan?: PlanJson): Omit<DriftReport, 'status' | 'resources'> {
  const terraform = {
    ...(plan?.terraform_version ? { version: plan.terraform_version } : {}),
    ...(context.directory ? { directory: context.directory } : {}),
  };
  return {
    schemaVersion: 1,
    checkedAt: context.checkedAt,
    commit: context.commit,
    ...(context.run ? { run: context.run } : {}),
    ...(Object.keys(terraform).length > 0 ? { terraform } : {}),
  };
}

/**
 * The report for a plan. Status follows the managed resources Terraform would change, not the
 * plan's exit code: data sources in `check` blocks make `-detailed-exitcode` exit 2 on a stack
 * that is in sync, and refresh-only differences (attributes that change by themselves, such as
 * an RDS instance's latest restorable time, or ignored ones) plan no change.
 */
export function reportFromPlan(plan: PlanJson, context: ReportContext): DriftReport {
  if (!Array.isArray(plan.resource_changes) && plan.format_version === undefined) {
    return errorReport('the input is not the output of `terraform show -json <planfile>`', context);
  }
  const driftByAddress = new Map((plan.resource_drift ?? []).map(r => [r.address, r]));
  const resources: DriftedResource[] = (plan.resource_changes ?? []).filter(isDrift).map(r => {
    const changed = r.change.actions.includes('update')
      ? changedAttributes(r.change.before, r.change.after, r.change.after_unknown)
      : [];
    return {
      address: r.address,
      type: r.type,
      ...(r.name ? { name: r.name } : {}),
      ...(r.module_address ? { moduleAddress: r.module_address } : {}),
      actions: r.change.actions,
      ...(r.action_reason ? { actionReason: r.action_reason } : {}),
      changedAttributes: changed,
      ...(changedOutside(driftByAddress.get(r.address), changed) ? { changedOutsideTerraform: true } : {}),
    };
  });
  return {
    ...base(context, plan),
    status: resources.length > 0 ? 'drifted' : 'in-sync',
    resources,
  };
}

/** The report when the check itself failed (Terraform error, no credentials, no plan). */
export function errorReport(message: string, context: ReportContext): DriftReport {
  return {
    ...base(context),
    status: 'error',
    error: { message: message.slice(0, 4000) || 'the drift check failed' },
    resources: [],
  };
}

/** A markdown summary for the run page and the drift issue. */
export function reportMarkdown(report: DriftReport): string {
  const lines: string[] = [];
  const when = `checked ${report.checkedAt} at \`${report.commit.slice(0, 12)}\``;
  if (report.status === 'in-sync') {
    lines.push(`### Terraform: in sync`, '', `No drift: the infrastructure matches the configuration (${when}).`);
  } else if (report.status === 'error') {
    lines.push(`### Terraform drift check failed`, '', `${report.error?.message ?? ''}`, '', `(${when})`);
  } else {
    lines.push(
      `### Terraform drift: ${report.resources.length} resource${report.resources.length === 1 ? '' : 's'}`,
      '',
      `The infrastructure differs from the configuration (${when}).`,
      '',
      '| Resource | Action | Changed attributes | Changed outside Terraform |',
      '| --- | --- | --- | --- |',
    );
    for (const r of report.resources) {
      const attributes = r.changedAttributes.length > 0 ? r.changedAttributes.map(a => `\`${a}\``).join(', ') : '-';
      lines.push(`| \`${r.address}\` | ${r.actions.join(', ')} | ${attributes} | ${r.changedOutsideTerraform ? 'yes' : ''} |`);
    }
  }
  if (report.run?.url) lines.push('', `[Workflow run](${report.run.url})`);
  return lines.join('\n');
}
