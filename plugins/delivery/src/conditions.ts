import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_ECS_SERVICE_ARN,
  ANNOTATION_GITHUB_PROJECT_SLUG,
} from '@cicd-aws/plugin-delivery-common';

const hasAnnotation = (entity: Entity, annotation: string) =>
  Boolean(entity.metadata.annotations?.[annotation]?.trim());

/**
 * True when the entity names its ECS service (`aws.amazon.com/amazon-ecs-service-arn`).
 *
 * @public
 */
export const isEcsServiceAvailable = (entity: Entity) =>
  hasAnnotation(entity, ANNOTATION_ECS_SERVICE_ARN);

/**
 * True when the entity names its GitHub repository (`github.com/project-slug`).
 *
 * @public
 */
export const isGithubRepositoryAvailable = (entity: Entity) =>
  hasAnnotation(entity, ANNOTATION_GITHUB_PROJECT_SLUG);

/**
 * Whether the Deployment tab has anything to show for the entity: an ECS service or a GitHub
 * repository annotation. Use it as the `if` of an `EntityLayout.Route`.
 *
 * @public
 */
export const isDeliveryAvailable = (entity: Entity) =>
  isEcsServiceAvailable(entity) || isGithubRepositoryAvailable(entity);
