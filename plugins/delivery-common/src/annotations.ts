/**
 * The catalog annotations the delivery plugins read. The aws-ecs-service template writes all of
 * them into a new service's catalog-info.yaml; add them by hand to an existing component.
 */

/** `owner/repo` of the service's GitHub repository (Backstage's standard annotation). @public */
export const ANNOTATION_GITHUB_PROJECT_SLUG = 'github.com/project-slug';

/**
 * Full ARN of the ECS service: `arn:aws:ecs:<region>:<account>:service/<cluster>/<service>`.
 * The same annotation AWS's own ECS plugin for Backstage reads, so both work from one entry.
 *
 * @public
 */
export const ANNOTATION_ECS_SERVICE_ARN =
  'aws.amazon.com/amazon-ecs-service-arn';

/** File name of the scheduled drift-detection workflow in `.github/workflows/`; default `drift.yml`. @public */
export const ANNOTATION_DRIFT_WORKFLOW = 'cicd-aws.dev/drift-workflow';

/** File name of the manual rollback workflow (used for blue/green services); default `rollback.yml`. @public */
export const ANNOTATION_ROLLBACK_WORKFLOW = 'cicd-aws.dev/rollback-workflow';

/** Folder of the service's Terraform root module in its repository; default `infrastructure/terraform`. @public */
export const ANNOTATION_TERRAFORM_DIR = 'cicd-aws.dev/terraform-dir';

/** GitHub environment the deploy workflow deploys to (its Deployments are the history); default `production`. @public */
export const ANNOTATION_DEPLOY_ENVIRONMENT = 'cicd-aws.dev/deploy-environment';

/** Defaults for the optional annotations above. @public */
export const DELIVERY_ANNOTATION_DEFAULTS = {
  [ANNOTATION_DRIFT_WORKFLOW]: 'drift.yml',
  [ANNOTATION_ROLLBACK_WORKFLOW]: 'rollback.yml',
  [ANNOTATION_TERRAFORM_DIR]: 'infrastructure/terraform',
  [ANNOTATION_DEPLOY_ENVIRONMENT]: 'production',
} as const;
