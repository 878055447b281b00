import {
  DeliveryDeployment,
  DeliveryDeploymentsResponse,
  DeliveryDeploymentState,
  GithubActor,
  PipelineJob,
  PipelineJobsResponse,
  PipelineRerunResponse,
  PipelineRun,
  PipelineRunsPage,
} from '@cicd-aws/plugin-delivery-common';
import type { RestEndpointMethodTypes } from '@octokit/rest';
import { GithubClientFactory, GithubRepoRef } from './GithubClientFactory';
import { mapGithubError } from './githubErrors';
import { SwrCache } from '../cache/SwrCache';
import { GithubReadCache, hasNextLink, repoKey } from './GithubReadCache';

type WorkflowRun =
  RestEndpointMethodTypes['actions']['listWorkflowRunsForRepo']['response']['data']['workflow_runs'][number];
type Job =
  RestEndpointMethodTypes['actions']['listJobsForWorkflowRun']['response']['data']['jobs'][number];
type Deployment =
  RestEndpointMethodTypes['repos']['listDeployments']['response']['data'][number];
type DeploymentStatus =
  RestEndpointMethodTypes['repos']['listDeploymentStatuses']['response']['data'][number];
type SimpleUser = { login: string; avatar_url?: string } | null | undefined;

/**
 * `task` of the deployments the generated repositories' deploy workflow records (see the
 * template's scripts/src/github/deployments.ts). GitHub's own environment deployments (task
 * `deploy`, no payload) are not a history a rollback can choose from.
 */
export const DEPLOYMENT_TASK = 'deploy:ecs-service';

/** Job pages read per run (100 jobs each): a matrix beyond 300 jobs is cut, not paged forever. */
const MAX_JOB_PAGES = 3;

const seconds = (from?: string | null, to?: string | null) =>
  from && to
    ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000))
    : undefined;

const actor = (user: SimpleUser): GithubActor | undefined =>
  user
    ? {
        login: user.login,
        ...(user.avatar_url ? { avatarUrl: user.avatar_url } : {}),
      }
    : undefined;

/** Drops undefined and null fields, so the JSON carries only what GitHub said. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null),
  ) as T;
}

/** `ci.yml` from `.github/workflows/ci.yml` (or `...ci.yml@refs/heads/main`). */
export function workflowFileOf(path?: string | null): string | undefined {
  const file = path?.split('@')[0].split('/').pop();
  return file || undefined;
}

export function toPipelineRun(run: WorkflowRun): PipelineRun {
  return compact({
    id: run.id,
    workflowName: run.name ?? '',
    workflowFile: workflowFileOf(run.path),
    workflowId: run.workflow_id,
    title: run.display_title,
    runNumber: run.run_number,
    runAttempt: run.run_attempt ?? 1,
    event: run.event,
    status: run.status ?? 'queued',
    conclusion: run.conclusion ?? undefined,
    branch: run.head_branch ?? undefined,
    commitSha: run.head_sha,
    commitMessage: run.head_commit?.message,
    actor: actor(run.triggering_actor ?? run.actor),
    createdAt: run.created_at,
    startedAt: run.run_started_at,
    updatedAt: run.updated_at,
    durationSeconds:
      run.status === 'completed'
        ? seconds(run.run_started_at ?? run.created_at, run.updated_at)
        : undefined,
    htmlUrl: run.html_url,
  });
}

function toPipelineJob(job: Job): PipelineJob {
  return compact({
    id: job.id,
    name: job.name,
    status: job.status,
    conclusion: job.conclusion ?? undefined,
    runAttempt: job.run_attempt,
    startedAt: job.started_at,
    completedAt: job.completed_at ?? undefined,
    durationSeconds: seconds(job.started_at, job.completed_at),
    htmlUrl: job.html_url ?? undefined,
    runnerName: job.runner_name ?? undefined,
    steps: (job.steps ?? []).map(step =>
      compact({
        number: step.number,
        name: step.name,
        status: step.status,
        conclusion: step.conclusion ?? undefined,
        startedAt: step.started_at ?? undefined,
        completedAt: step.completed_at ?? undefined,
        durationSeconds: seconds(step.started_at, step.completed_at),
      }),
    ),
  });
}

function payloadOf(deployment: Deployment): Record<string, unknown> {
  const payload = deployment.payload as unknown;
  if (typeof payload === 'string') {
    try {
      const parsed = JSON.parse(payload);
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch {
      return {};
    }
  }
  return payload && typeof payload === 'object'
    ? (payload as Record<string, unknown>)
    : {};
}

const str = (v: unknown) =>
  typeof v === 'string' && v.length > 0 ? v : undefined;

function toDeployment(
  deployment: Deployment,
  status: DeploymentStatus | undefined,
  ref: GithubRepoRef,
): DeliveryDeployment {
  const payload = payloadOf(deployment);
  const revision = Number(payload.revision);
  return compact({
    id: deployment.id,
    commitUrl: `${ref.htmlUrl}/commit/${deployment.sha}`,
    environment: deployment.environment,
    ref: deployment.ref,
    sha: deployment.sha,
    task: deployment.task,
    description: deployment.description ?? undefined,
    creator: actor(deployment.creator),
    createdAt: deployment.created_at,
    state: (status?.state ?? 'pending') as DeliveryDeploymentState,
    statusDescription: str(status?.description),
    statusCreatedAt: status?.created_at,
    logUrl: str(status?.log_url) ?? str(status?.target_url),
    environmentUrl: str(status?.environment_url),
    taskDefinitionArn: str(payload.taskDefinitionArn),
    family: str(payload.family),
    revision: Number.isInteger(revision) && revision > 0 ? revision : undefined,
    image: str(payload.image),
    cluster: str(payload.cluster),
    service: str(payload.service),
    rollbackFrom: str(payload.rollbackFrom),
  });
}

/** Which runs to list. */
export interface RunsQuery {
  workflow?: string;
  branch?: string;
  status?: string;
  page: number;
  perPage: number;
}

/** Which deployments to list. */
export interface DeploymentsQuery {
  environment: string;
  page: number;
  perPage: number;
}

/**
 * Workflow runs, jobs and deployments of an entity's repository. Each answer is cached with
 * stale-while-revalidate; a re-run made here marks the repository's answers outdated.
 */
export class PipelineService {
  constructor(
    private readonly clients: GithubClientFactory,
    private readonly reads: GithubReadCache,
    private readonly answers: SwrCache,
  ) {}

  /** Runs of the repository, or of one workflow, newest first. */
  listRuns(ref: GithubRepoRef, query: RunsQuery): Promise<PipelineRunsPage> {
    return this.answers.getAnswer(
      `${repoKey(ref)}:runs:${JSON.stringify(query)}`,
      () => this.loadRuns(ref, query),
      { group: repoKey(ref) },
    );
  }

  /** The latest attempt's jobs of a run. */
  listJobs(ref: GithubRepoRef, runId: number): Promise<PipelineJobsResponse> {
    return this.answers.getAnswer(
      `${repoKey(ref)}:jobs:${runId}`,
      () => this.loadJobs(ref, runId),
      { group: repoKey(ref) },
    );
  }

  /**
   * Deployments the deploy workflow recorded for the environment, newest first, each with its
   * latest status (one more request per deployment).
   */
  listDeployments(
    ref: GithubRepoRef,
    query: DeploymentsQuery,
  ): Promise<DeliveryDeploymentsResponse> {
    return this.answers.getAnswer(
      `${repoKey(ref)}:deployments:${JSON.stringify(query)}`,
      () => this.loadDeployments(ref, query),
      { group: repoKey(ref) },
    );
  }

  private async loadRuns(
    ref: GithubRepoRef,
    query: RunsQuery,
  ): Promise<PipelineRunsPage> {
    const client = await this.clients.forRepo(ref);
    const params = {
      branch: query.branch,
      status: query.status,
      page: query.page,
      per_page: query.perPage,
    };
    const slug = `${ref.owner}/${ref.repo}`;
    const { data, link } = query.workflow
      ? await this.reads.get<{
          total_count: number;
          workflow_runs: WorkflowRun[];
        }>(
          client,
          'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
          { ...params, workflow_id: query.workflow },
          {
            operation: `list the runs of workflow ${query.workflow} in ${slug}`,
            permission: 'actions: read',
          },
        )
      : await this.reads.get<{
          total_count: number;
          workflow_runs: WorkflowRun[];
        }>(client, 'GET /repos/{owner}/{repo}/actions/runs', params, {
          operation: `list the workflow runs of ${slug}`,
          permission: 'actions: read',
        });
    return {
      runs: data.workflow_runs.map(toPipelineRun),
      totalCount: data.total_count,
      page: query.page,
      perPage: query.perPage,
      hasNextPage:
        hasNextLink(link) || query.page * query.perPage < data.total_count,
    };
  }

  private async loadJobs(
    ref: GithubRepoRef,
    runId: number,
  ): Promise<PipelineJobsResponse> {
    const client = await this.clients.forRepo(ref);
    const jobs: PipelineJob[] = [];
    let totalCount = 0;
    for (let page = 1; page <= MAX_JOB_PAGES; page++) {
      const { data, link } = await this.reads.get<{
        total_count: number;
        jobs: Job[];
      }>(
        client,
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
        { run_id: runId, filter: 'latest', per_page: 100, page },
        {
          operation: `list the jobs of run ${runId} in ${ref.owner}/${ref.repo}`,
          permission: 'actions: read',
        },
      );
      totalCount = data.total_count;
      jobs.push(...data.jobs.map(toPipelineJob));
      if (!hasNextLink(link)) {
        break;
      }
    }
    return { runId, totalCount, jobs };
  }

  async rerunFailedJobs(
    ref: GithubRepoRef,
    runId: number,
  ): Promise<PipelineRerunResponse> {
    const { octokit } = await this.clients.forRepo(ref);
    try {
      await octokit.request(
        'POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs',
        // A change whose answer was lost is not resent blindly.
        {
          owner: ref.owner,
          repo: ref.repo,
          run_id: runId,
          request: { retries: 0 },
        },
      );
    } catch (error) {
      throw mapGithubError(error, {
        operation: `re-run the failed jobs of run ${runId} in ${ref.owner}/${ref.repo}`,
        permission: 'actions: write',
        host: ref.host,
      });
    }
    this.reads.forgetInFlight(ref);
    await this.answers.invalidateGroup(repoKey(ref));
    return { runId, runUrl: `${ref.htmlUrl}/actions/runs/${runId}` };
  }

  private async loadDeployments(
    ref: GithubRepoRef,
    query: DeploymentsQuery,
  ): Promise<DeliveryDeploymentsResponse> {
    const client = await this.clients.forRepo(ref);
    const slug = `${ref.owner}/${ref.repo}`;
    const { data, link } = await this.reads.get<Deployment[]>(
      client,
      'GET /repos/{owner}/{repo}/deployments',
      {
        environment: query.environment,
        task: DEPLOYMENT_TASK,
        page: query.page,
        per_page: query.perPage,
      },
      {
        operation: `list the deployments of ${slug}`,
        permission: 'deployments: read',
      },
    );
    const statuses = await Promise.all(
      data.map(d =>
        this.reads
          .get<DeploymentStatus[]>(
            client,
            'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
            { deployment_id: d.id, per_page: 1 },
            {
              operation: `read the statuses of deployment ${d.id} in ${slug}`,
              permission: 'deployments: read',
            },
          )
          .then(r => r.data[0]),
      ),
    );
    return {
      environment: query.environment,
      repositoryUrl: ref.htmlUrl,
      deployments: data.map((d, i) => toDeployment(d, statuses[i], ref)),
      page: query.page,
      perPage: query.perPage,
      hasNextPage: hasNextLink(link),
    };
  }
}
