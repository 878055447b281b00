// Terraform helpers live in @internal/local-aws, shared with the local deploy (yarn demo:deploy).
export {
  motoOverrideTf,
  runTerraform,
  terraformEnv,
} from '@internal/local-aws';
export type { RunTerraformOptions, TerraformResult } from '@internal/local-aws';
