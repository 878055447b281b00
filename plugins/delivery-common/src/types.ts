/** One container image of a task definition. */
export interface EcsContainerImage {
  /** Container name. */
  name: string;
  /** Image reference. */
  image: string;
}

/** A deployment of an ECS service, as returned by `GET .../ecs`. */
export interface EcsDeployment {
  id: string;
  /** `PRIMARY` (newest) or `ACTIVE` (still draining). */
  status: string;
  rolloutState?: string;
  rolloutStateReason?: string;
  taskDefinitionArn: string;
  /** Task-definition revision number. */
  revision?: number;
  images: EcsContainerImage[];
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  createdAt?: string;
  updatedAt?: string;
}

/** An earlier, still ACTIVE revision of the service's task-definition family. */
export interface EcsRollbackTarget {
  revision: number;
  taskDefinitionArn: string;
  images: EcsContainerImage[];
  registeredAt?: string;
  /**
   * True for the target that was most recently deployed successfully (ECS's service-deployment
   * history, ListServiceDeployments); at most one target carries it, and none where the account
   * lacks that API.
   */
  lastCompleted?: boolean;
}

/** A container of a task, with how it ended when the task stopped. */
export interface EcsTaskContainer {
  name: string;
  image?: string;
  lastStatus?: string;
  /** `HEALTHY`, `UNHEALTHY` or `UNKNOWN` (no health check). */
  healthStatus?: string;
  exitCode?: number;
  reason?: string;
}

/** A task of the service (running, pending or recently stopped). */
export interface EcsTask {
  taskArn: string;
  /** Last path segment of the ARN, as the ECS console shows it. */
  taskId: string;
  /** `PROVISIONING`, `PENDING`, `RUNNING`, `STOPPED`, ... */
  lastStatus?: string;
  desiredStatus?: string;
  /** `HEALTHY`, `UNHEALTHY` or `UNKNOWN`. */
  healthStatus?: string;
  taskDefinitionArn?: string;
  revision?: number;
  /** The deployment that started it (`ecs-svc/...`), when ECS recorded it. */
  startedBy?: string;
  availabilityZone?: string;
  createdAt?: string;
  startedAt?: string;
  stoppedAt?: string;
  /** Why a stopped task stopped, e.g. `Essential container in task exited`. */
  stoppedReason?: string;
  stopCode?: string;
  containers: EcsTaskContainer[];
}

/** A service event. */
export interface EcsServiceEvent {
  id?: string;
  message?: string;
  createdAt?: string;
}

/** Response of `GET /v1/entities/:namespace/:kind/:name/ecs`. */
export interface EcsServiceState {
  serviceArn: string;
  clusterArn?: string;
  serviceName: string;
  region: string;
  status?: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  /** `ECS`, `CODE_DEPLOY` or `EXTERNAL`. */
  deploymentController: string;
  /**
   * `ROLLING` or `BLUE_GREEN`: ECS's `deploymentConfiguration.strategy` when set, `BLUE_GREEN`
   * for the CODE_DEPLOY controller, else `ROLLING`.
   */
  deploymentStrategy: string;
  /** Rolling-update bounds, percent of the desired count. */
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  taskDefinitionArn?: string;
  family?: string;
  deployments: EcsDeployment[];
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** The 20 newest service events, newest first. */
  events: EcsServiceEvent[];
  /** Running and pending tasks, then recently stopped ones (as long as ECS keeps them, about an hour). */
  tasks: EcsTask[];
  /** Earlier ACTIVE revisions of the family, newest first. */
  rollbackTargets: EcsRollbackTarget[];
}

/** Body of `POST /v1/entities/:namespace/:kind/:name/ecs/rollback`. */
export interface EcsRollbackRequest {
  /**
   * Target revision number; `previous` for the newest ACTIVE revision older than the running one;
   * or `<family>:<revision>` / a task-definition ARN (refused unless of the service's family).
   */
  revision: number | 'previous' | (string & {});
  /** Why (at least 3 characters); written to the audit log. */
  reason: string;
  /** Roll back even while another rollout is IN_PROGRESS. */
  force?: boolean;
}

/** Body of `POST /v1/entities/:namespace/:kind/:name/ecs/stop-rollout`. */
export interface EcsStopRolloutRequest {
  /** Why (at least 3 characters); written to the audit log. */
  reason: string;
}

/** Response (202) of stop-rollout: ECS rolls the service back to the revision it ran before. */
export interface EcsStopRolloutResponse {
  /** ARN of the stopped service deployment. */
  serviceDeploymentArn: string;
  /** The revision whose rollout was stopped. */
  fromRevision?: number;
  /** The revision ECS returns the service to. */
  toRevision?: number;
}

/** Response (202) of a rollback. */
export interface EcsRollbackResponse {
  deploymentId: string;
  fromRevision: number;
  toRevision: number;
}
