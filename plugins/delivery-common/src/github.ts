import type { DriftedResource } from './drift/types';

/**
 * Types of the delivery backend's GitHub routes (`pipeline-runs`, `deployments`, `drift`), as
 * the Deployment tab receives them. Times are ISO 8601 strings.
 */

/** Who started a run or created a deployment. */
export interface GithubActor {
  login: string;
  avatarUrl?: string;
}

/** Values GitHub uses for a run's, job's or step's `status`. */
export type PipelineStatus =
  | 'queued'
  | 'in_progress'
  | 'completed'
  | 'waiting'
  | 'requested'
  | 'pending'
  | 'action_required';

/** One GitHub Actions workflow run. */
export interface PipelineRun {
  id: number;
  /** Workflow name, e.g. `CI`. */
  workflowName: string;
  /** File name of the workflow in `.github/workflows/`, e.g. `ci.yml`. */
  workflowFile?: string;
  workflowId: number;
  /** Title GitHub shows for the run (commit message or pull-request title). */
  title?: string;
  runNumber: number;
  runAttempt: number;
  /** What started the run: `push`, `pull_request`, `schedule`, `workflow_dispatch`... */
  event: string;
  status: string;
  /** Set once completed: `success`, `failure`, `cancelled`, `skipped`, `timed_out`... */
  conclusion?: string;
  branch?: string;
  commitSha: string;
  /** Full message of the head commit. */
  commitMessage?: string;
  actor?: GithubActor;
  createdAt: string;
  startedAt?: string;
  updatedAt: string;
  /** From start to last update, for completed runs. */
  durationSeconds?: number;
  htmlUrl: string;
}

/** A page of {@link PipelineRun}s, newest first. */
export interface PipelineRunsPage {
  runs: PipelineRun[];
  /** Runs matching the filters (GitHub counts at most 1000 for some filters). */
  totalCount: number;
  page: number;
  perPage: number;
  hasNextPage: boolean;
}

/** One step of a job. */
export interface PipelineStep {
  number: number;
  name: string;
  status: string;
  conclusion?: string;
  startedAt?: string;
  completedAt?: string;
  durationSeconds?: number;
}

/** One job of a run (its latest attempt). */
export interface PipelineJob {
  id: number;
  name: string;
  status: string;
  conclusion?: string;
  runAttempt?: number;
  startedAt?: string;
  completedAt?: string;
  durationSeconds?: number;
  htmlUrl?: string;
  runnerName?: string;
  steps: PipelineStep[];
}

/** Answer of `GET .../pipeline-runs/:runId/jobs`. */
export interface PipelineJobsResponse {
  runId: number;
  totalCount: number;
  jobs: PipelineJob[];
}

/** Answer of `POST .../pipeline-runs/:runId/rerun-failed`. */
export interface PipelineRerunResponse {
  runId: number;
  /** The run's page on GitHub, where the new attempt shows up. */
  runUrl: string;
}

/** State of a GitHub deployment status. */
export type DeliveryDeploymentState =
  | 'error'
  | 'failure'
  | 'inactive'
  | 'in_progress'
  | 'queued'
  | 'pending'
  | 'success';

/**
 * A GitHub Deployment the deploy workflow recorded (task `deploy:ecs-service`), with its latest
 * status and what was deployed, as far as the payload says.
 */
export interface DeliveryDeployment {
  id: number;
  environment: string;
  ref: string;
  sha: string;
  /** The deployed commit's page on the repository's GitHub host. */
  commitUrl: string;
  task: string;
  description?: string;
  creator?: GithubActor;
  createdAt: string;
  /** Latest status; `pending` while the deployment has none. */
  state: DeliveryDeploymentState;
  statusDescription?: string;
  statusCreatedAt?: string;
  logUrl?: string;
  environmentUrl?: string;
  taskDefinitionArn?: string;
  family?: string;
  revision?: number;
  image?: string;
  cluster?: string;
  service?: string;
  /** On rollbacks: the task definition rolled back from. */
  rollbackFrom?: string;
}

/** Answer of `GET .../deployments`. */
export interface DeliveryDeploymentsResponse {
  environment: string;
  /** The repository's page on its GitHub host (github.com or GitHub Enterprise). */
  repositoryUrl: string;
  deployments: DeliveryDeployment[];
  page: number;
  perPage: number;
  hasNextPage: boolean;
}

/** Drift status the portal shows: a report's status, or `never-run` before the first check. */
export type DriftStateStatus = 'in-sync' | 'drifted' | 'error' | 'never-run';

/** The drift workflow run a state comes from. */
export interface DriftStateRun {
  id: number;
  attempt?: number;
  url: string;
  event?: string;
  conclusion?: string;
}

/** Answer of `GET .../drift`: the latest completed check of the drift workflow. */
export interface DriftState {
  status: DriftStateStatus;
  /** File name of the drift workflow. */
  workflow: string;
  /** The workflow's page on GitHub (its runs). */
  workflowUrl: string;
  /** The repository's page on its GitHub host (github.com or GitHub Enterprise). */
  repositoryUrl: string;
  /** When the check ran (the report's `checkedAt`, else when the run ended). */
  checkedAt?: string;
  /** Commit of the configuration that was compared. */
  commit?: string;
  /** The compared commit's page on the repository's GitHub host, when `commit` is known. */
  commitUrl?: string;
  /** True when `checkedAt` is older than the configured age (`delivery.drift.staleAfterHours`). */
  stale: boolean;
  resources: DriftedResource[];
  /** Why the check, or reading its report, failed; set exactly when `status` is `error`. */
  error?: { message: string };
  run?: DriftStateRun;
  terraform?: { version?: string; directory?: string };
  /** A newer run of the drift workflow that has not completed yet. */
  inProgress?: { id: number; url: string; status: string };
}

/** Answer of `POST .../drift/check`. */
export interface DriftCheckResponse {
  workflow: string;
  /** Branch the workflow was dispatched on (the repository's default branch). */
  ref: string;
  /** Id of the new run, when GitHub returned it. */
  runId?: number;
  /** The new run's page when GitHub returned it, else the workflow's runs page. */
  runUrl: string;
}
