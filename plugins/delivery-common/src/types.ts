import type { components } from './schema/openapi/generated/models';

// The API's types are the OpenAPI document's schemas (plugins/delivery-backend/src/schema/openapi.yaml),
// generated into ./schema/openapi/generated; these names are the ones the plugins were built with.
/** The OpenAPI document's schemas, by name. @public */
export type DeliveryApiSchemas = components['schemas'];

/**
 * Set on a read's answer (`staleAnswer`) when the backend serves the last good answer because
 * refreshing it from AWS or GitHub failed: when it was fetched, how old it was when served, and why
 * no newer one could be fetched.
 *
 * @public
 */
export type StaleAnswer = DeliveryApiSchemas['StaleAnswer'];

/** One container image of a task definition. @public */
export type EcsContainerImage = DeliveryApiSchemas['ContainerImage'];

/** A deployment of an ECS service, as returned by `GET .../ecs`. @public */
export type EcsDeployment = DeliveryApiSchemas['EcsDeployment'];

/** An earlier, still ACTIVE revision of the service's task-definition family. @public */
export type EcsRollbackTarget = DeliveryApiSchemas['EcsRollbackTarget'];

/** A container of a task, with how it ended when the task stopped. @public */
export type EcsTaskContainer = DeliveryApiSchemas['EcsTaskContainer'];

/** A task of the service (running, pending or recently stopped). @public */
export type EcsTask = DeliveryApiSchemas['EcsTask'];

/** A service event. @public */
export type EcsServiceEvent = DeliveryApiSchemas['EcsServiceEvent'];

/** Answer of `GET .../ecs`: the entity's ECS service. @public */
export type EcsServiceState = DeliveryApiSchemas['EcsServiceState'];

/** Body of `POST .../ecs/rollback`. @public */
export type EcsRollbackRequest = DeliveryApiSchemas['EcsRollbackRequest'];

/** Answer (202) of a rollback. @public */
export type EcsRollbackResponse = DeliveryApiSchemas['EcsRollbackResponse'];

/** Body of `POST .../ecs/stop-rollout`. @public */
export type EcsStopRolloutRequest = DeliveryApiSchemas['EcsStopRolloutRequest'];

/** Answer (202) of stop-rollout: ECS rolls the service back to the revision it ran before. @public */
export type EcsStopRolloutResponse =
  DeliveryApiSchemas['EcsStopRolloutResponse'];

/** Who started a run or created a deployment. @public */
export type GithubActor = DeliveryApiSchemas['GithubActor'];

/** One GitHub Actions workflow run. @public */
export type PipelineRun = DeliveryApiSchemas['PipelineRun'];

/** Answer of `GET .../pipeline-runs`: a page of runs, newest first. @public */
export type PipelineRunsPage = DeliveryApiSchemas['PipelineRunsPage'];

/** One step of a job. @public */
export type PipelineStep = DeliveryApiSchemas['PipelineStep'];

/** One job of a run (its latest attempt). @public */
export type PipelineJob = DeliveryApiSchemas['PipelineJob'];

/** Answer of `GET .../pipeline-runs/:runId/jobs`. @public */
export type PipelineJobsResponse = DeliveryApiSchemas['PipelineJobsResponse'];

/** Answer of `POST .../pipeline-runs/:runId/rerun-failed`. @public */
export type PipelineRerunResponse = DeliveryApiSchemas['PipelineRerunResponse'];

/** State of a GitHub deployment status. @public */
export type DeliveryDeploymentState =
  DeliveryApiSchemas['DeliveryDeploymentState'];

/** A GitHub Deployment the deploy workflow recorded, with its latest status. @public */
export type DeliveryDeployment = DeliveryApiSchemas['DeliveryDeployment'];

/** Answer of `GET .../deployments`. @public */
export type DeliveryDeploymentsResponse =
  DeliveryApiSchemas['DeliveryDeploymentsResponse'];

/** Drift status the portal shows: a report's status, or `never-run` before the first check. @public */
export type DriftStateStatus = DeliveryApiSchemas['DriftStateStatus'];

/** The drift workflow run a state comes from. @public */
export type DriftStateRun = DeliveryApiSchemas['DriftStateRun'];

/** Answer of `GET .../drift`: the latest completed check of the drift workflow. @public */
export type DriftState = DeliveryApiSchemas['DriftState'];

/** Answer of `POST .../drift/check`. @public */
export type DriftCheckResponse = DeliveryApiSchemas['DriftCheckResponse'];

/** A required reviewer of a GitHub environment, a user or a team. @public */
export type EnvironmentReviewer = DeliveryApiSchemas['EnvironmentReviewer'];

/** An environment a run waits on, with its reviewers and wait timer. @public */
export type PendingEnvironment = DeliveryApiSchemas['PendingEnvironment'];

/** A waiting run's Terraform plan summary, or why there is none. @public */
export type PendingPlan = DeliveryApiSchemas['PendingPlan'];

/** A workflow run waiting for approval. @public */
export type WaitingRun = DeliveryApiSchemas['WaitingRun'];

/** How the entity's deploy environment is protected on GitHub. @public */
export type DeployEnvironmentProtection =
  DeliveryApiSchemas['DeployEnvironmentProtection'];

/** Answer of `GET .../pending-deployments`. @public */
export type PendingDeploymentsResponse =
  DeliveryApiSchemas['PendingDeploymentsResponse'];

/** Body of `POST .../pending-deployments/{runId}/review`. @public */
export type PendingDeploymentReviewRequest =
  DeliveryApiSchemas['PendingDeploymentReviewRequest'];

/** Answer of `POST .../pending-deployments/{runId}/review`. @public */
export type PendingDeploymentReviewResponse =
  DeliveryApiSchemas['PendingDeploymentReviewResponse'];

export type {
  /** Every schema of the delivery backend's OpenAPI document, generated from it. @public */
  components as DeliveryApiComponents,
} from './schema/openapi/generated/models';
