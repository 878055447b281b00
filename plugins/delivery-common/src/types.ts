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
  taskDefinitionArn?: string;
  family?: string;
  deployments: EcsDeployment[];
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** The 20 newest service events, newest first. */
  events: EcsServiceEvent[];
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

/** Response (202) of a rollback. */
export interface EcsRollbackResponse {
  deploymentId: string;
  fromRevision: number;
  toRevision: number;
}
