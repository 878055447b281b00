/*
 * A local AWS for tests: moto plus a patch layer that models ECS deployments.
 * See ../README.md.
 */
export { startLocalAws } from './startLocalAws';
export type { LocalAws, StartLocalAwsOptions } from './startLocalAws';
export { createTestNetwork } from './network';
export type { TestNetwork } from './network';
export { seedEcsService, LOCAL_AWS_ACCOUNT_ID } from './seedEcsService';
export type { SeedEcsServiceOptions, SeededEcsService } from './seedEcsService';
export {
  motoOverrideTf,
  MOTO_TOGGLES,
  MOTO_LIFECYCLE_OVERRIDE,
} from './terraformOverrides';
export { runTerraform, terraformEnv } from './terraform';
export type { RunTerraformOptions, TerraformResult } from './terraform';
