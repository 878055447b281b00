/** Overall result of one drift check. @public */
export type DriftStatus = 'in-sync' | 'drifted' | 'error';

/**
 * One Terraform action in a plan's `resource_changes[].change.actions`. A replacement is two
 * actions: `["delete", "create"]` or `["create", "delete"]` (create before destroy).
 *
 * @public
 */
export type DriftAction =
  | 'create'
  | 'read'
  | 'update'
  | 'delete'
  | 'no-op'
  | 'forget';

/** A resource whose real state differs from the Terraform configuration. @public */
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

/** The workflow run that produced a report. @public */
export interface DriftRunInfo {
  /** GitHub Actions run id. */
  id?: number;
  /** Attempt of the run (re-runs count up from 1). */
  attempt?: number;
  /** Link to the run. */
  url: string;
  /** Workflow name. */
  workflow?: string;
}

/**
 * The machine-readable result of the generated repository's drift workflow (`drift.yml`), the
 * contract between that workflow and the delivery backend. Validate with {@link validateDriftReport}.
 *
 * @public
 */
export interface DriftReport {
  /** Version of this format; a backend refuses versions it does not know. */
  schemaVersion: 1;
  /** ISO 8601 time of the check. */
  checkedAt: string;
  /** Commit of the configuration that was compared (7-40 lower-case hex digits). */
  commit: string;
  /** `in-sync`, `drifted`, or `error` when the check itself failed. */
  status: DriftStatus;
  /** Why the check itself failed; present exactly when `status` is `error`. */
  error?: { message: string };
  /** The workflow run that wrote the report. */
  run?: DriftRunInfo;
  /** The Terraform that planned, and where. */
  terraform?: {
    /** Terraform version that planned. */
    version?: string;
    /** Root module folder in the repository, e.g. `infrastructure/terraform`. */
    directory?: string;
  };
  /** Drifted resources: empty unless `status` is `drifted`. */
  resources: DriftedResource[];
}
