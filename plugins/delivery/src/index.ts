/**
 * The Deployment tab of an entity: ECS service state and a careful rollback, GitHub Actions runs
 * and Terraform drift, over the delivery backend.
 *
 * @packageDocumentation
 */
export {
  deliveryPlugin,
  EntityDeliveryContent,
  EntityEcsServiceCard,
  EntityPipelineRunsCard,
  EntityRollbackCard,
  EntityTerraformDriftCard,
  EntityPendingApprovalsCard,
} from './plugin';
export { deliveryApiRef } from './api';
export {
  isDeliveryAvailable,
  isEcsServiceAvailable,
  isGithubRepositoryAvailable,
} from './conditions';
