/**
 * Scaffolder actions of the delivery plugins: `delivery:ecs:rollback`, `delivery:drift:check`,
 * `delivery:github:preflight`, `delivery:github:repository-ids` and
 * `delivery:github:environment-reviewers`.
 *
 * @packageDocumentation
 */
export { scaffolderModuleDelivery as default } from './module';
export { createEcsRollbackAction } from './actions/ecsRollback';
export type { EcsRollbackActionOptions } from './actions/ecsRollback';
export { createDriftCheckAction } from './actions/driftCheck';
export type { DriftCheckActionOptions } from './actions/driftCheck';
export { createGithubPreflightAction } from './actions/githubPreflight';
export type { GithubPreflightActionOptions } from './actions/githubPreflight';
export { createGithubRepositoryIdsAction } from './actions/githubRepositoryIds';
export type { GithubRepositoryIdsActionOptions } from './actions/githubRepositoryIds';
export { createGithubEnvironmentReviewersAction } from './actions/githubEnvironmentReviewers';
export type { GithubEnvironmentReviewersActionOptions } from './actions/githubEnvironmentReviewers';
export type { DeliveryBackendDeps } from './deliveryClient';
