/**
 * The steps of the deploy workflow's `production` job (`.github/workflows/deploy.yml` of the
 * AWS ECS service template) that run the repository's own `scripts` CLI, in the workflow's order
 * and with the workflow's arguments. `pipeline.test.ts` compares this list with the workflow, so
 * the local deploy cannot drift from it.
 */

/** What the steps read: Terraform's outputs, earlier steps' outputs, the commit and image. */
export interface PipelineState {
  sha: string;
  image: string;
  /** Outputs by step id (`tf` holds Terraform's outputs, as `steps.tf.outputs` does). */
  steps: Record<string, Record<string, string>>;
  /** A step has failed (GitHub's `failure()`). */
  failed: boolean;
}

export interface PipelineStep {
  /** The step's id in deploy.yml, whose outputs later steps read. */
  id: string;
  /** The step's name in deploy.yml. */
  name: string;
  /** The scripts CLI command (with its sub-command), e.g. `github-deployment create`. */
  command: string;
  /** Runs only when this holds (the step's `if:`); default: no earlier step failed. */
  when?: (state: PipelineState) => boolean;
  args: (state: PipelineState) => string[];
  /** `terraform output -json` goes to its stdin. */
  stdinTerraformOutputs?: boolean;
}

const tf = (s: PipelineState, name: string) => s.steps.tf?.[name] ?? '';
const out = (s: PipelineState, step: string, name: string) =>
  s.steps[step]?.[name] ?? '';
const service = (s: PipelineState) => [
  '--cluster',
  tf(s, 'ecs_cluster_name'),
  '--service',
  tf(s, 'ecs_service_name'),
];
const codedeploy = (s: PipelineState) => [
  '--codedeploy-app',
  tf(s, 'codedeploy_app_name'),
  '--codedeploy-group',
  tf(s, 'codedeploy_deployment_group_name'),
];

export const PIPELINE: PipelineStep[] = [
  {
    id: 'tf',
    name: 'Read the Terraform outputs',
    command: 'terraform-outputs',
    stdinTerraformOutputs: true,
    args: () => [],
  },
  {
    id: 'register',
    name: 'Register a task definition with the new image',
    command: 'register-task-definition',
    // The workflow runs the image CI pushed to ECR ($REPOSITORY_URL:$SHA); no Docker here, so the
    // image comes from the command line.
    args: s => [...service(s), '--image', s.image],
  },
  {
    id: 'record',
    name: 'Record the GitHub deployment',
    command: 'github-deployment create',
    args: s => [
      '--environment',
      'production',
      '--ref',
      s.sha,
      '--task-definition-arn',
      out(s, 'register', 'task_definition_arn'),
      '--image',
      out(s, 'register', 'image'),
      ...service(s),
    ],
  },
  {
    id: 'migrate',
    name: 'Run the database migrations (one-off ECS task, new image)',
    command: 'migrate',
    when: s => !s.failed && tf(s, 'database_endpoint') !== '',
    args: s => [
      ...service(s),
      '--task-definition',
      out(s, 'register', 'task_definition_arn'),
      '--command',
      'npm run migrate',
    ],
  },
  {
    id: 'deploy',
    name: 'Roll out (fails and rolls back if the rollout fails)',
    command: 'deploy',
    args: s => [
      ...service(s),
      '--task-definition',
      out(s, 'register', 'task_definition_arn'),
      ...codedeploy(s),
    ],
  },
  {
    id: 'rollback',
    name: 'Roll back to the previous task definition after a failed smoke test',
    command: 'rollback',
    // Only after the smoke test failed. The local deploy has no running container to test (the
    // local AWS runs no images), so it records no smoke outcome and this step never runs here.
    when: s => s.failed && out(s, 'smoke', 'outcome') === 'failure',
    args: s => [
      ...service(s),
      '--to',
      out(s, 'deploy', 'previous_task_definition_arn'),
      ...codedeploy(s),
    ],
  },
  {
    id: 'frontend',
    name: 'Upload the frontend and invalidate CloudFront',
    command: 'upload-frontend',
    args: s => [
      '--bucket',
      tf(s, 'frontend_bucket'),
      '--dir',
      'frontend/dist',
      '--distribution-id',
      tf(s, 'cloudfront_distribution_id'),
    ],
  },
  {
    id: 'status',
    name: 'Record the outcome on the GitHub deployment',
    command: 'github-deployment status',
    when: s => out(s, 'record', 'deployment_id') !== '',
    args: s => [
      '--deployment-id',
      out(s, 'record', 'deployment_id'),
      '--state',
      s.failed ? 'failure' : 'success',
      '--environment-url',
      tf(s, 'service_url'),
    ],
  },
];
