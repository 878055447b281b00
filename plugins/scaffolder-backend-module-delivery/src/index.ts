/**
 * Scaffolder actions of the delivery plugins: `delivery:ecs:rollback` and `delivery:drift:check`.
 *
 * @packageDocumentation
 */
export { scaffolderModuleDelivery as default } from './module';
export { createEcsRollbackAction } from './actions/ecsRollback';
export type { EcsRollbackActionOptions } from './actions/ecsRollback';
export { createDriftCheckAction } from './actions/driftCheck';
export type { DriftCheckActionOptions } from './actions/driftCheck';
