import {
  DRIFT_REPORT_ARTIFACT_NAME,
  DRIFT_REPORT_FILE_NAME,
  DriftCheckResponse,
  DriftReport,
  DriftState,
  validateDriftReport,
} from '@cicd-aws/plugin-delivery-common';
import type { RestEndpointMethodTypes } from '@octokit/rest';
import { GithubClientFactory, GithubRepoRef } from './GithubClientFactory';
import { mapGithubError } from './githubErrors';
import { SwrCache } from '../cache/SwrCache';
import { GithubReadCache, repoKey } from './GithubReadCache';
import {
  ArtifactReader,
  ArtifactResult,
  JsonArtifactSpec,
  readJsonArtifact,
} from './artifacts';

type WorkflowRun =
  RestEndpointMethodTypes['actions']['listWorkflowRuns']['response']['data']['workflow_runs'][number];
type Artifact =
  RestEndpointMethodTypes['actions']['listWorkflowRunArtifacts']['response']['data']['artifacts'][number];

/**
 * Bounds on the artifact: a report of the schema's 5000 resources is about 2 MB of JSON, a few
 * hundred KB zipped. Anything bigger is not a drift report and is not downloaded or inflated.
 */
export const MAX_ARTIFACT_ZIP_BYTES = 5 * 1024 * 1024;
export const MAX_REPORT_BYTES = 20 * 1024 * 1024;

/** Runs looked at to find the latest completed one without a second request. */
const RECENT_RUNS = 10;

/** The drift report artifact: its names, bounds and schema. */
export const DRIFT_ARTIFACT: JsonArtifactSpec<DriftReport> = {
  artifactName: DRIFT_REPORT_ARTIFACT_NAME,
  fileName: DRIFT_REPORT_FILE_NAME,
  what: 'drift report',
  maxZipBytes: MAX_ARTIFACT_ZIP_BYTES,
  maxFileBytes: MAX_REPORT_BYTES,
  validate: value => {
    const validation = validateDriftReport(value);
    return validation.valid
      ? { valid: true, value: validation.report }
      : validation;
  },
};

/** Reads a drift report out of the artifact's zip, bounded and validated. */
export function readDriftArtifact(
  zip: Uint8Array,
): ArtifactResult<DriftReport> {
  return readJsonArtifact(zip, DRIFT_ARTIFACT);
}

/** The latest Terraform drift check of an entity's repository, and starting a new one. */
export class DriftService {
  constructor(
    private readonly clients: GithubClientFactory,
    private readonly reads: GithubReadCache,
    private readonly answers: SwrCache,
    private readonly artifacts: ArtifactReader,
    private readonly staleAfterMs: number,
  ) {}

  /** The latest completed drift check's report, cached with stale-while-revalidate. */
  getState(ref: GithubRepoRef, workflow: string): Promise<DriftState> {
    return this.answers.getAnswer(
      `${repoKey(ref)}:drift:${workflow}`,
      () => this.loadState(ref, workflow),
      { group: repoKey(ref) },
    );
  }

  private async loadState(
    ref: GithubRepoRef,
    workflow: string,
  ): Promise<DriftState> {
    const client = await this.clients.forRepo(ref);
    const slug = `${ref.owner}/${ref.repo}`;
    const workflowUrl = `${ref.htmlUrl}/actions/workflows/${workflow}`;
    const listRuns = (params: Record<string, string | number>) =>
      this.reads.get<{ total_count: number; workflow_runs: WorkflowRun[] }>(
        client,
        'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
        { workflow_id: workflow, exclude_pull_requests: true, ...params },
        {
          operation: `list the runs of the drift workflow ${workflow} in ${slug}`,
          permission: 'actions: read',
        },
      );
    const recent = (await listRuns({ per_page: RECENT_RUNS })).data;
    const newest = recent.workflow_runs[0];
    let latest = recent.workflow_runs.find(r => r.status === 'completed');
    if (!latest && recent.total_count > recent.workflow_runs.length) {
      latest = (await listRuns({ status: 'completed', per_page: 1 })).data
        .workflow_runs[0];
    }
    const inProgress =
      newest && newest.status !== 'completed'
        ? { id: newest.id, url: newest.html_url, status: newest.status ?? '' }
        : undefined;
    const base = {
      workflow,
      workflowUrl,
      repositoryUrl: ref.htmlUrl,
      resources: [],
      ...(inProgress ? { inProgress } : {}),
    };
    if (!latest) {
      return { ...base, status: 'never-run', stale: false };
    }
    const run = {
      id: latest.id,
      attempt: latest.run_attempt,
      url: latest.html_url,
      event: latest.event,
      ...(latest.conclusion ? { conclusion: latest.conclusion } : {}),
    };
    const finishedAt = latest.updated_at;
    const failed = (message: string, checkedAt = finishedAt): DriftState => ({
      ...base,
      status: 'error',
      checkedAt,
      commit: latest!.head_sha,
      commitUrl: `${ref.htmlUrl}/commit/${latest!.head_sha}`,
      stale: this.isStale(checkedAt),
      error: { message },
      run,
    });

    const artifacts = (
      await this.reads.get<{ artifacts: Artifact[] }>(
        client,
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
        { run_id: latest.id, name: DRIFT_REPORT_ARTIFACT_NAME, per_page: 10 },
        {
          operation: `list the artifacts of drift run ${latest.id} in ${slug}`,
          permission: 'actions: read',
        },
      )
    ).data.artifacts;
    const artifact = artifacts.find(a => a.name === DRIFT_REPORT_ARTIFACT_NAME);
    if (!artifact) {
      return failed(
        latest.conclusion === 'success'
          ? `the drift run ${latest.id} uploaded no ${DRIFT_REPORT_ARTIFACT_NAME} artifact`
          : `the drift run ${latest.id} ended with conclusion "${
              latest.conclusion ?? 'unknown'
            }" before writing a report; see the run`,
      );
    }
    if (artifact.expired) {
      return failed(
        `the ${DRIFT_REPORT_ARTIFACT_NAME} artifact of drift run ${latest.id} has expired; run the drift check again`,
      );
    }
    if (artifact.size_in_bytes > MAX_ARTIFACT_ZIP_BYTES) {
      return failed(
        `the ${DRIFT_REPORT_ARTIFACT_NAME} artifact is ${artifact.size_in_bytes} bytes, more than the ${MAX_ARTIFACT_ZIP_BYTES} a drift report can need`,
      );
    }
    const result = await this.artifacts.read(ref, artifact.id, DRIFT_ARTIFACT);
    if (!result.ok) {
      return failed(result.reason);
    }
    const report = result.value;
    return {
      ...base,
      status: report.status,
      checkedAt: report.checkedAt,
      commit: report.commit,
      ...(report.commit
        ? { commitUrl: `${ref.htmlUrl}/commit/${report.commit}` }
        : {}),
      stale: this.isStale(report.checkedAt),
      resources: report.resources,
      ...(report.error ? { error: report.error } : {}),
      ...(report.terraform ? { terraform: report.terraform } : {}),
      run,
    };
  }

  /** Dispatches the drift workflow on the repository's default branch. */
  async check(
    ref: GithubRepoRef,
    workflow: string,
  ): Promise<DriftCheckResponse> {
    const client = await this.clients.forRepo(ref);
    const slug = `${ref.owner}/${ref.repo}`;
    const repository = await this.reads.get<{ default_branch: string }>(
      client,
      'GET /repos/{owner}/{repo}',
      {},
      {
        operation: `read the repository ${slug}`,
        permission: 'metadata: read',
      },
    );
    const branch = repository.data.default_branch;
    let response;
    try {
      response = await client.octokit.request(
        'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
        {
          owner: ref.owner,
          repo: ref.repo,
          workflow_id: workflow,
          ref: branch,
          // Since 2026 GitHub answers 200 with the new run's id and URL instead of a bare 204.
          return_run_details: true,
          // A change whose answer was lost is not resent blindly (the Idempotency-Key retry is
          // the caller's).
          request: { retries: 0 },
        },
      );
    } catch (error) {
      throw mapGithubError(error, {
        operation: `dispatch the drift workflow ${workflow} on ${branch} of ${slug}`,
        permission: 'actions: write',
        host: ref.host,
      });
    }
    this.reads.forgetInFlight(ref);
    await this.answers.invalidateGroup(repoKey(ref));
    const details = (response.data ?? {}) as {
      workflow_run_id?: number;
      html_url?: string;
    };
    return {
      workflow,
      ref: branch,
      ...(typeof details.workflow_run_id === 'number'
        ? { runId: details.workflow_run_id }
        : {}),
      runUrl:
        typeof details.html_url === 'string'
          ? details.html_url
          : `${ref.htmlUrl}/actions/workflows/${workflow}`,
    };
  }

  private isStale(checkedAt: string): boolean {
    return Date.now() - Date.parse(checkedAt) > this.staleAfterMs;
  }
}
