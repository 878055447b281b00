/**
 * The delivery backend plugin: ECS deployment state and a safe rollback.
 *
 * @packageDocumentation
 */
export { deliveryPlugin as default } from './plugin';
export { mapAwsError } from './ecs/awsErrors';
