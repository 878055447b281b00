import { type GitHubContext, gitHub } from './client.ts';

/**
 * `task` of the deployments these scripts record. GitHub also creates a deployment (task
 * `deploy`, no payload) for every job bound to an environment; the portal tells ours apart by it.
 */
export const DEPLOYMENT_TASK = 'deploy:ecs-service';

/** What the portal shows and a rollback chooses from. */
export interface DeploymentPayload {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  image?: string;
  cluster: string;
  service: string;
  /** Set on rollbacks: the revision rolled back from. */
  rollbackFrom?: string;
}

export type DeploymentState = 'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export async function createDeployment(
  context: GitHubContext,
  input: { ref: string; environment: string; description: string; payload: DeploymentPayload },
): Promise<number> {
  const created = await gitHub<{ id: number }>(context, 'POST', '/{repo}/deployments', {
    ref: input.ref,
    environment: input.environment,
    task: DEPLOYMENT_TASK,
    description: input.description.slice(0, 140),
    payload: input.payload,
    // The commit passed CI already (the deploy runs after it); do not re-check or merge.
    auto_merge: false,
    required_contexts: [],
    production_environment: input.environment === 'production',
  });
  return created.id;
}

export async function setDeploymentStatus(
  context: GitHubContext,
  deploymentId: number,
  input: { state: DeploymentState; description?: string; environmentUrl?: string; logUrl?: string },
): Promise<void> {
  await gitHub(context, 'POST', `/{repo}/deployments/${deploymentId}/statuses`, {
    state: input.state,
    ...(input.description ? { description: input.description.slice(0, 140) } : {}),
    ...(input.environmentUrl ? { environment_url: input.environmentUrl } : {}),
    ...(input.logUrl ? { log_url: input.logUrl } : {}),
    // A successful deployment marks the earlier ones of the environment inactive.
    auto_inactive: true,
  });
}

/**
 * The environment URL of the newest successful deployment these scripts recorded, e.g. for the
 * health check of a rollback, which does not run Terraform.
 */
export async function lastEnvironmentUrl(context: GitHubContext, environment: string): Promise<string | undefined> {
  const deployments = await gitHub<Array<{ id: number }>>(
    context,
    'GET',
    `/{repo}/deployments?environment=${encodeURIComponent(environment)}&task=${encodeURIComponent(DEPLOYMENT_TASK)}&per_page=20`,
  );
  for (const deployment of deployments) {
    const statuses = await gitHub<Array<{ state: string; environment_url?: string }>>(
      context,
      'GET',
      `/{repo}/deployments/${deployment.id}/statuses?per_page=10`,
    );
    const url = statuses.find(s => s.environment_url)?.environment_url;
    if (url) return url;
  }
  return undefined;
}

/** Link to the current workflow run, for deployment statuses. */
export function runUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}
