/** Overall result of one drift check. */
export type DriftStatus = 'in-sync' | 'drifted' | 'error';

/**
 * One Terraform action in a plan's `resource_changes[].change.actions`. A replacement is two
 * actions: `["delete", "create"]` or `["create", "delete"]` (create before destroy).
 */
export type DriftAction =
  | 'create'
  | 'read'
  | 'update'
  | 'delete'
  | 'no-op'
  | 'forget';

/** A resource whose real state differs from the Terraform configuration. */
export interface DriftedResource {
  /** Full resource address, e.g. `aws_ecs_service.rolling[0]` or `module.vpc.aws_subnet.a`. */
  address: string;
  /** Resource type, e.g. `aws_ecs_service`. */
  type: string;
  /** Resource name in its module, e.g. `rolling`. */
  name?: string;
  /** `module.x` prefix of the address, for resources in child modules. */
  moduleAddress?: string;
  /** What `terraform apply` would do to bring it back in line. */
  actions: DriftAction[];
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`. */
  actionReason?: string;
  /**
   * Attribute paths whose planned value differs, e.g. `desired_count`, `tags.Team`,
   * `network_configuration[0].subnets`. Names only: a report never carries values, which may be
   * secrets.
   */
  changedAttributes: string[];
  /** True when the refresh saw the object changed outside Terraform (console, CLI, another tool). */
  changedOutsideTerraform?: boolean;
}

/** The workflow run that produced a report. */
export interface DriftRunInfo {
  /** GitHub Actions run id. */
  id?: number;
  attempt?: number;
  /** Link to the run. */
  url: string;
  /** Workflow name. */
  workflow?: string;
}

/**
 * The machine-readable result of the generated repository's drift workflow (`drift.yml`), the
 * contract between that workflow and the delivery backend. Validate with {@link validateDriftReport}.
 */
export interface DriftReport {
  schemaVersion: 1;
  /** ISO 8601 time of the check. */
  checkedAt: string;
  /** Commit of the configuration that was compared (7-40 lower-case hex digits). */
  commit: string;
  status: DriftStatus;
  /** Why the check itself failed; present exactly when `status` is `error`. */
  error?: { message: string };
  run?: DriftRunInfo;
  terraform?: {
    /** Terraform version that planned. */
    version?: string;
    /** Root module folder in the repository, e.g. `infrastructure/terraform`. */
    directory?: string;
  };
  /** Drifted resources: empty unless `status` is `drifted`. */
  resources: DriftedResource[];
}
