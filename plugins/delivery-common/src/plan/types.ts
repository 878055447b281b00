/**
 * What `terraform apply` of the saved plan does to one resource. A replacement (Terraform's
 * `["delete", "create"]` or `["create", "delete"]`) is one action, `replace`.
 *
 * @public
 */
export type PlanResourceAction = 'create' | 'update' | 'replace' | 'delete';

/** One resource the plan changes. @public */
export interface PlanResourceChange {
  /** Full resource address, e.g. `aws_ecs_service.rolling[0]` or `module.vpc.aws_subnet.a`. */
  address: string;
  /** Resource type, e.g. `aws_ecs_service`. */
  type: string;
  /** `module.x` prefix of the address, for resources in child modules. */
  moduleAddress?: string;
  /** What apply does to it. */
  action: PlanResourceAction;
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`. */
  actionReason?: string;
  /**
   * Attribute paths whose planned value differs, e.g. `desired_count`, `tags.Team`. Names only: a
   * summary never carries values, because plans hold secrets.
   */
  changedAttributes: string[];
}

/** How many resources the plan adds, changes in place, replaces and destroys. @public */
export interface PlanTotals {
  /** Resources created. */
  add: number;
  /** Resources updated in place. */
  change: number;
  /** Resources destroyed and created again. */
  replace: number;
  /** Resources destroyed. */
  destroy: number;
}

/**
 * The machine-readable summary of the plan the deploy workflow saved for its approval gate: the
 * contract between the generated repository's `plan-summary` command and the delivery backend.
 * Validate with {@link validatePlanSummary}.
 *
 * @public
 */
export interface PlanSummary {
  /** Version of this format; a backend refuses versions it does not know. */
  schemaVersion: 1;
  /** ISO 8601 time the plan was made. */
  createdAt: string;
  /** Commit whose configuration was planned (7-40 lower-case hex digits). */
  commit: string;
  /** The workflow run that planned. */
  run?: {
    /** GitHub Actions run id. */
    id?: number;
    /** Attempt of the run. */
    attempt?: number;
    /** Link to the run. */
    url: string;
    /** Workflow name. */
    workflow?: string;
  };
  /** The Terraform that planned, and where. */
  terraform?: {
    /** Terraform version that planned. */
    version?: string;
    /** Root module folder in the repository, e.g. `infrastructure/terraform`. */
    directory?: string;
  };
  /** Counts by action; they agree with `resources`. */
  totals: PlanTotals;
  /** The resources the plan changes (no-ops and reads are left out). */
  resources: PlanResourceChange[];
}
