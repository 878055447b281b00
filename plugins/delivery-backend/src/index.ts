/**
 * The delivery backend plugin: ECS deployment state and a safe rollback; GitHub pipeline runs,
 * deployments and Terraform drift; read-only actions and the rollback for AI assistants.
 *
 * @packageDocumentation
 */
export { deliveryPlugin as default } from './plugin';
