/**
 * A flat view of the resources in the JSON of `terraform show -json <planfile>`: planned values,
 * which attributes are unknown until apply, and which other resources each attribute references
 * in the configuration (so companion resources such as aws_s3_bucket_versioning can be matched to
 * their bucket even when the bucket id is only known after apply).
 */

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface PlanResource {
  /** Full address, e.g. module.web.aws_s3_bucket.assets["a"] */
  address: string;
  /** Address without instance key, e.g. module.web.aws_s3_bucket.assets */
  configAddress: string;
  /** Module prefix, '' for the root module, else e.g. 'module.web.' */
  modulePrefix: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  index: string | number | undefined;
  values: Record<string, Json>;
  /** after_unknown from resource_changes: true where a value is known only after apply. */
  unknown: Json;
  /** Attribute name -> config addresses (module-prefixed) referenced by its expression. */
  references: Record<string, string[]>;
}

function stripInstanceKeys(address: string): string {
  return address.replace(/\[[^\]]*\]/g, '');
}

function moduleConfigPrefix(moduleAddress: string | undefined): string {
  return moduleAddress ? `${stripInstanceKeys(moduleAddress)}.` : '';
}

/** Reference strings like "aws_s3_bucket.state.id" -> "aws_s3_bucket.state". */
function referencedResource(ref: string): string | undefined {
  const parts = ref.replace(/\[[^\]]*\]/g, '').split('.');
  if (parts[0] === 'data' && parts.length >= 3)
    return parts.slice(0, 3).join('.');
  if (/^aws_/.test(parts[0]) && parts.length >= 2)
    return parts.slice(0, 2).join('.');
  return undefined;
}

function collectReferences(expressions: Json, out: Set<string>) {
  if (!expressions || typeof expressions !== 'object') return;
  if (Array.isArray(expressions)) {
    expressions.forEach(e => collectReferences(e, out));
    return;
  }
  if (Array.isArray(expressions.references)) {
    for (const r of expressions.references) {
      const res = typeof r === 'string' ? referencedResource(r) : undefined;
      if (res) out.add(res);
    }
  }
  for (const [key, value] of Object.entries(expressions)) {
    if (key !== 'references') collectReferences(value, out);
  }
}

function walkConfiguration(
  module: Json,
  prefix: string,
  out: Map<string, Record<string, string[]>>,
) {
  for (const res of module?.resources ?? []) {
    const refs: Record<string, string[]> = {};
    for (const [attr, expr] of Object.entries(res.expressions ?? {})) {
      const set = new Set<string>();
      collectReferences(expr, set);
      refs[attr] = [...set].map(r => prefix + r);
    }
    out.set(prefix + res.address, refs);
  }
  for (const [name, call] of Object.entries<Json>(module?.module_calls ?? {})) {
    walkConfiguration(call.module, `${prefix}module.${name}.`, out);
  }
}

function walkValues(module: Json, out: Json[]) {
  for (const res of module?.resources ?? []) {
    out.push({ ...res, moduleAddress: module.address });
  }
  for (const child of module?.child_modules ?? []) walkValues(child, out);
}

/** Reads every managed resource (and data source read at plan time) of a plan. */
export function readPlan(plan: Json): PlanResource[] {
  const references = new Map<string, Record<string, string[]>>();
  walkConfiguration(plan?.configuration?.root_module, '', references);

  const unknownByAddress = new Map<string, Json>();
  for (const rc of plan?.resource_changes ?? []) {
    unknownByAddress.set(rc.address, rc.change?.after_unknown ?? {});
  }

  const raw: Json[] = [];
  walkValues(plan?.planned_values?.root_module, raw);
  // Data sources read during planning live in prior_state.
  const data: Json[] = [];
  walkValues(plan?.prior_state?.values?.root_module, data);
  raw.push(...data.filter(r => r.mode === 'data'));

  return raw.map(r => {
    const configAddress = stripInstanceKeys(r.address);
    const modulePrefix = moduleConfigPrefix(r.moduleAddress);
    return {
      address: r.address,
      configAddress,
      modulePrefix,
      mode: r.mode,
      type: r.type,
      name: r.name,
      index: r.index,
      values: r.values ?? {},
      unknown: unknownByAddress.get(r.address) ?? {},
      references: references.get(configAddress) ?? {},
    };
  });
}

/** The value at a path, e.g. get(values, 'versioning_configuration', 0, 'status'). */
export function get(obj: Json, ...path: Array<string | number>): Json {
  let cur = obj;
  for (const p of path) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** True when the attribute at path is known only after apply. */
export function isUnknown(
  res: PlanResource,
  ...path: Array<string | number>
): boolean {
  return get(res.unknown, ...path) === true;
}

/** True when the attribute holds a non-empty value or will be known after apply. */
export function isSet(
  res: PlanResource,
  ...path: Array<string | number>
): boolean {
  if (isUnknown(res, ...path)) return true;
  const v = get(res.values, ...path);
  return (
    v !== null &&
    v !== undefined &&
    v !== '' &&
    !(Array.isArray(v) && v.length === 0)
  );
}

/** A single nested block (Terraform models them as lists of 0..1 objects). */
export function block(values: Json, name: string): Json | undefined {
  const b = values?.[name];
  if (Array.isArray(b)) return b[0];
  return b ?? undefined;
}

export function blocks(values: Json, name: string): Json[] {
  const b = values?.[name];
  if (Array.isArray(b)) return b;
  return b ? [b] : [];
}

/**
 * Companion resources of `target` among `candidates`: those whose `attr` (e.g. "bucket", "vpc_id")
 * equals one of the target's identifying values, or whose configuration references it.
 */
export function companionsOf(
  target: PlanResource,
  candidates: PlanResource[],
  attr: string,
  targetKeys: string[],
): PlanResource[] {
  const keys = targetKeys
    .map(k => target.values[k])
    .filter(v => typeof v === 'string' && v !== '');
  return candidates.filter(c => {
    const v = c.values[attr];
    if (typeof v === 'string' && keys.includes(v)) return true;
    const refs = c.references[attr] ?? [];
    if (!refs.includes(target.configAddress)) return false;
    // With count/for_each on both, pair instances by key; otherwise any instance matches.
    if (target.index !== undefined && c.index !== undefined) {
      return target.index === c.index;
    }
    return true;
  });
}
