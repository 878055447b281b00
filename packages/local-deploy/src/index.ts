/*
 * The local deploy of `yarn demo:deploy`. See ../README.md.
 */
export {
  localDeploy,
  LocalDeployError,
  readTfvars,
  parseStepOutputs,
} from './localDeploy';
export type { LocalDeployOptions, LocalDeployResult } from './localDeploy';
export { PIPELINE } from './pipeline';
