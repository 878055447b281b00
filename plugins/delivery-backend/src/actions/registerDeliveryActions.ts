import {
  AuditorService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { requireAwsConfigured } from '../ecs/awsConfigured';
import { EcsStateService } from '../ecs/EcsStateService';
import { RollbackService } from '../ecs/RollbackService';
import { createGithubServices } from '../github/services';
import { registerReadActions } from './readActions';
import { registerRollbackAction } from './rollbackAction';

/** What {@link registerDeliveryActions} needs: the plugin's services, as its routes get them. */
export interface RegisterDeliveryActionsOptions {
  actionsRegistry: ActionsRegistryService;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  state: EcsStateService;
  rollbacks: RollbackService;
  /** False when neither `aws` nor `delivery.aws` config nor AWS environment credentials exist. */
  awsConfigured: boolean;
  github: Pick<
    ReturnType<typeof createGithubServices>,
    'clients' | 'pipelines' | 'drift'
  >;
}

/** The options with the check every ECS action starts with. */
export interface DeliveryActionsOptions extends RegisterDeliveryActionsOptions {
  /** Throws the 503 the ECS routes answer when AWS is not configured. */
  requireAws(): void;
}

/** Names of the actions, as the actions registry lists them under the plugin id `delivery`. */
export const DELIVERY_ACTION_NAMES = [
  'get-ecs-service-state',
  'list-pipeline-runs',
  'list-deployments',
  'get-terraform-drift',
  'rollback-ecs-service',
] as const;

/**
 * Registers the delivery plugin's actions in Backstage's actions registry, for AI assistants
 * through the MCP actions backend (and any other caller of the actions service): four reads
 * (ECS state, pipeline runs, deployments, Terraform drift) and the rollback, destructive,
 * behind the `delivery.ecs.rollback` permission and audited as the Roll back button is.
 */
export function registerDeliveryActions(
  options: RegisterDeliveryActionsOptions,
): void {
  const withAws: DeliveryActionsOptions = {
    ...options,
    requireAws: () => requireAwsConfigured(options.awsConfigured),
  };
  registerReadActions(withAws);
  registerRollbackAction(withAws);
}
