/**
 * Scaffolder actions of the delivery plugins: `delivery:ecs:rollback`, `delivery:drift:check` and
 * `delivery:github:preflight`.
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
