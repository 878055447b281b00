import type { components } from './schema/openapi/generated/models';

// The API's types are the OpenAPI document's schemas (plugins/delivery-backend/src/schema/openapi.yaml),
// generated into ./schema/openapi/generated; these names are the ones the plugins were built with.
type Schemas = components['schemas'];

/** One container image of a task definition. @public */
export type EcsContainerImage = Schemas['ContainerImage'];

/** A deployment of an ECS service, as returned by `GET .../ecs`. @public */
export type EcsDeployment = Schemas['EcsDeployment'];

/** An earlier, still ACTIVE revision of the service's task-definition family. @public */
export type EcsRollbackTarget = Schemas['EcsRollbackTarget'];

/** A container of a task, with how it ended when the task stopped. @public */
export type EcsTaskContainer = Schemas['EcsTaskContainer'];

/** A task of the service (running, pending or recently stopped). @public */
export type EcsTask = Schemas['EcsTask'];

/** A service event. @public */
export type EcsServiceEvent = Schemas['EcsServiceEvent'];

/** Answer of `GET .../ecs`: the entity's ECS service. @public */
export type EcsServiceState = Schemas['EcsServiceState'];

/** Body of `POST .../ecs/rollback`. @public */
export type EcsRollbackRequest = Schemas['EcsRollbackRequest'];

/** Answer (202) of a rollback. @public */
export type EcsRollbackResponse = Schemas['EcsRollbackResponse'];

/** Body of `POST .../ecs/stop-rollout`. @public */
export type EcsStopRolloutRequest = Schemas['EcsStopRolloutRequest'];

/** Answer (202) of stop-rollout: ECS rolls the service back to the revision it ran before. @public */
export type EcsStopRolloutResponse = Schemas['EcsStopRolloutResponse'];

/** Who started a run or created a deployment. @public */
export type GithubActor = Schemas['GithubActor'];

/** One GitHub Actions workflow run. @public */
export type PipelineRun = Schemas['PipelineRun'];

/** Answer of `GET .../pipeline-runs`: a page of runs, newest first. @public */
export type PipelineRunsPage = Schemas['PipelineRunsPage'];

/** One step of a job. @public */
export type PipelineStep = Schemas['PipelineStep'];

/** One job of a run (its latest attempt). @public */
export type PipelineJob = Schemas['PipelineJob'];

/** Answer of `GET .../pipeline-runs/:runId/jobs`. @public */
export type PipelineJobsResponse = Schemas['PipelineJobsResponse'];

/** Answer of `POST .../pipeline-runs/:runId/rerun-failed`. @public */
export type PipelineRerunResponse = Schemas['PipelineRerunResponse'];

/** State of a GitHub deployment status. @public */
export type DeliveryDeploymentState = Schemas['DeliveryDeploymentState'];

/** A GitHub Deployment the deploy workflow recorded, with its latest status. @public */
export type DeliveryDeployment = Schemas['DeliveryDeployment'];

/** Answer of `GET .../deployments`. @public */
export type DeliveryDeploymentsResponse =
  Schemas['DeliveryDeploymentsResponse'];

/** Drift status the portal shows: a report's status, or `never-run` before the first check. @public */
export type DriftStateStatus = Schemas['DriftStateStatus'];

/** The drift workflow run a state comes from. @public */
export type DriftStateRun = Schemas['DriftStateRun'];

/** Answer of `GET .../drift`: the latest completed check of the drift workflow. @public */
export type DriftState = Schemas['DriftState'];

/** Answer of `POST .../drift/check`. @public */
export type DriftCheckResponse = Schemas['DriftCheckResponse'];

export type {
  /** Every schema of the delivery backend's OpenAPI document, generated from it. @public */
  components as DeliveryApiComponents,
} from './schema/openapi/generated/models';
