/*
 * A local AWS for tests: moto plus a patch layer that models ECS deployments.
 * See ../README.md.
 */
export { startLocalAws } from './startLocalAws';
export type { LocalAws, StartLocalAwsOptions } from './startLocalAws';
