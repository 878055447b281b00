import {
  AuthenticationError,
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  DeployEnvironmentProtection,
  EnvironmentReviewer,
  PendingDeploymentReviewRequest,
  PendingDeploymentReviewResponse,
  PendingDeploymentsResponse,
  PendingEnvironment,
  PendingPlan,
  PLAN_SUMMARY_ARTIFACT_NAME,
  PLAN_SUMMARY_FILE_NAME,
  PlanResourceChange,
  PlanSummary,
  validatePlanSummary,
  WaitingRun,
} from '@cicd-aws/plugin-delivery-common';
import type { components } from '@octokit/openapi-types';
import { SwrCache } from '../cache/SwrCache';
import { ArtifactReader, JsonArtifactSpec } from './artifacts';
import {
  GithubClientFactory,
  GithubRepoClient,
  GithubRepoRef,
} from './GithubClientFactory';
import { GithubReadCache, repoKey } from './GithubReadCache';
import { mapGithubError } from './githubErrors';

type WorkflowRun = components['schemas']['workflow-run'];
type PendingDeployment = components['schemas']['pending-deployment'];
type Environment = components['schemas']['environment'];
type Artifact = components['schemas']['artifact'];

/** A summary of the template's ~120 resources is a few KB; anything near these is not one. */
export const MAX_PLAN_ZIP_BYTES = 2 * 1024 * 1024;
export const MAX_PLAN_SUMMARY_BYTES = 8 * 1024 * 1024;

/** Waiting runs looked at: a repository rarely has more than one deploy waiting. */
const MAX_WAITING_RUNS = 10;

/** The plan summary artifact of the deploy workflow's plan job. */
export const PLAN_ARTIFACT: JsonArtifactSpec<PlanSummary> = {
  artifactName: PLAN_SUMMARY_ARTIFACT_NAME,
  fileName: PLAN_SUMMARY_FILE_NAME,
  what: 'plan summary',
  maxZipBytes: MAX_PLAN_ZIP_BYTES,
  maxFileBytes: MAX_PLAN_SUMMARY_BYTES,
  validate: value => {
    const validation = validatePlanSummary(value);
    return validation.valid
      ? { valid: true, value: validation.summary }
      : validation;
  },
};

/** GitHub refused a review it was sent (the user is not one of the required reviewers). */
export class GithubReviewRefusedError extends CustomErrorBase {
  readonly statusCode = 422;
}

// Destroys and replaces are what a reviewer must not miss.
const ACTION_ORDER: Record<PlanResourceChange['action'], number> = {
  delete: 0,
  replace: 1,
  update: 2,
  create: 3,
};

function planOf(summary: PlanSummary): PendingPlan {
  return {
    status: 'ok',
    commit: summary.commit,
    createdAt: summary.createdAt,
    ...(summary.terraform?.version
      ? { terraformVersion: summary.terraform.version }
      : {}),
    totals: summary.totals,
    resources: [...summary.resources].sort(
      (a, b) =>
        ACTION_ORDER[a.action] - ACTION_ORDER[b.action] ||
        a.address.localeCompare(b.address),
    ),
  };
}

function reviewerOf(
  ref: GithubRepoRef,
  entry: PendingDeployment['reviewers'][number],
): EnvironmentReviewer | undefined {
  const reviewer = entry.reviewer as
    | { login?: string; slug?: string; html_url?: string | null }
    | undefined;
  if (entry.type === 'Team' && reviewer?.slug) {
    return {
      type: 'Team',
      name: `${ref.owner}/${reviewer.slug}`,
      ...(reviewer.html_url ? { url: reviewer.html_url } : {}),
    };
  }
  if (reviewer?.login) {
    return {
      type: 'User',
      name: reviewer.login,
      ...(reviewer.html_url ? { url: reviewer.html_url } : {}),
    };
  }
  return undefined;
}

function toPendingEnvironment(
  ref: GithubRepoRef,
  pending: PendingDeployment,
): PendingEnvironment {
  const waitTimerMinutes = pending.wait_timer ?? 0;
  const started = pending.wait_timer_started_at
    ? Date.parse(pending.wait_timer_started_at)
    : NaN;
  return {
    id: pending.environment.id ?? 0,
    name: pending.environment.name ?? '',
    ...(pending.environment.html_url
      ? { url: pending.environment.html_url }
      : {}),
    reviewers: pending.reviewers
      .map(r => reviewerOf(ref, r))
      .filter((r): r is EnvironmentReviewer => r !== undefined),
    waitTimerMinutes,
    ...(waitTimerMinutes > 0 && Number.isFinite(started)
      ? {
          waitTimerEndsAt: new Date(
            started + waitTimerMinutes * 60_000,
          ).toISOString(),
        }
      : {}),
  };
}

/**
 * Workflow runs waiting on an environment's required reviewers, with the Terraform plan each one
 * would apply, and reviewing them as the signed-in user. Reads use the portal's GitHub credentials
 * and are cached like the other GitHub reads; a review, and whether a user may make one, use the
 * user's own token, which is never kept.
 */
export class PendingDeploymentService {
  constructor(
    private readonly clients: GithubClientFactory,
    private readonly reads: GithubReadCache,
    private readonly answers: SwrCache,
    private readonly artifacts: ArtifactReader,
  ) {}

  /** What waits; with `userToken`, also whether that user may approve each environment. */
  async list(
    ref: GithubRepoRef,
    environment: string,
    userToken?: string,
  ): Promise<PendingDeploymentsResponse> {
    const base = await this.answers.getAnswer(
      `${repoKey(ref)}:pending-deployments:${environment}`,
      () => this.load(ref, environment),
      { group: repoKey(ref) },
    );
    if (!userToken) {
      return base;
    }
    return this.withViewer(ref, base, userToken);
  }

  /** Approves or rejects a run's pending deployments with the user's own GitHub token. */
  async review(
    ref: GithubRepoRef,
    runId: number,
    request: PendingDeploymentReviewRequest,
    userToken: string | undefined,
  ): Promise<PendingDeploymentReviewResponse> {
    const runUrl = `${ref.htmlUrl}/actions/runs/${runId}`;
    if (!userToken) {
      throw new InputError(
        `Reviewing a deployment needs your own GitHub sign-in: GitHub takes an approval only from one of the environment's required reviewers, never from the portal. Sign in with GitHub in the portal, or review the run on GitHub: ${runUrl}`,
      );
    }
    const user = this.clients.forUserToken(ref, userToken);
    const [pending, login] = await Promise.all([
      this.pendingAsUser(user, runId),
      this.loginOf(user).catch(() => undefined),
    ]);
    // Without a choice, the environments GitHub says this user may review: a review naming one
    // they may not would be refused whole. When they may review none, GitHub is asked anyway
    // and its refusal is passed on.
    const approvable = pending.filter(p => p.canApprove).map(p => p.id);
    const requested =
      request.environmentIds ??
      (approvable.length > 0 ? approvable : pending.map(p => p.id));
    const waiting = requested.filter(id => pending.some(p => p.id === id));
    if (pending.length === 0 || waiting.length !== requested.length) {
      throw new ConflictError(
        `Run ${runId} is no longer waiting for ${
          pending.length === 0
            ? 'an approval'
            : `approval of environment id ${requested
                .filter(id => !waiting.includes(id))
                .join(', ')}`
        }: it was reviewed by someone else or cancelled after the list was loaded. Reload to see where it is: ${runUrl}`,
      );
    }
    const names = pending.filter(p => waiting.includes(p.id)).map(p => p.name);
    try {
      await user.octokit.request(
        'POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
        {
          owner: ref.owner,
          repo: ref.repo,
          run_id: runId,
          environment_ids: waiting,
          state: request.state,
          comment: request.comment,
        },
      );
    } catch (error) {
      throw await this.reviewError(error, user, runId, runUrl, {
        names,
        login,
        state: request.state,
        pendingBefore: pending.filter(p => waiting.includes(p.id)),
      });
    }
    this.reads.forgetInFlight(ref);
    await this.answers.invalidateGroup(repoKey(ref));
    return {
      runId,
      runUrl,
      state: request.state,
      environments: names,
      ...(login ? { reviewer: login } : {}),
    };
  }

  private async load(
    ref: GithubRepoRef,
    environmentName: string,
  ): Promise<PendingDeploymentsResponse> {
    const client = await this.clients.forRepo(ref);
    const slug = `${ref.owner}/${ref.repo}`;
    const [runs, environment] = await Promise.all([
      this.reads.get<{ workflow_runs: WorkflowRun[] }>(
        client,
        'GET /repos/{owner}/{repo}/actions/runs',
        {
          status: 'waiting',
          exclude_pull_requests: true,
          per_page: MAX_WAITING_RUNS,
        },
        {
          operation: `list the waiting workflow runs of ${slug}`,
          permission: 'actions: read',
        },
      ),
      this.environment(client, environmentName),
    ]);
    const waiting = await Promise.all(
      runs.data.workflow_runs.map(run => this.waitingRun(client, run)),
    );
    return {
      repositoryUrl: ref.htmlUrl,
      environment,
      runs: waiting.filter((r): r is WaitingRun => r !== undefined),
      viewer: { githubSignedIn: false },
    };
  }

  private async environment(
    client: GithubRepoClient,
    name: string,
  ): Promise<DeployEnvironmentProtection> {
    const { ref } = client;
    const url = `${ref.htmlUrl}/settings/environments`;
    let environment: Environment;
    try {
      environment = (
        await this.reads.get<Environment>(
          client,
          'GET /repos/{owner}/{repo}/environments/{environment_name}',
          { environment_name: name },
          {
            operation: `read the ${name} environment of ${ref.owner}/${ref.repo}`,
            permission: 'actions: read',
          },
        )
      ).data;
    } catch (error) {
      if (error instanceof NotFoundError) {
        return {
          name,
          url,
          exists: false,
          reviewers: [],
          waitTimerMinutes: 0,
        };
      }
      throw error;
    }
    const rules = (environment.protection_rules ?? []) as Array<{
      type: string;
      wait_timer?: number;
      prevent_self_review?: boolean;
      reviewers?: PendingDeployment['reviewers'];
    }>;
    const preventSelfReview = rules.some(
      rule => rule.type === 'required_reviewers' && rule.prevent_self_review,
    );
    return {
      name,
      url: environment.html_url || url,
      exists: true,
      reviewers: rules
        .filter(rule => rule.type === 'required_reviewers')
        .flatMap(rule => rule.reviewers ?? [])
        .map(r => reviewerOf(ref, r))
        .filter((r): r is EnvironmentReviewer => r !== undefined),
      waitTimerMinutes:
        rules.find(rule => rule.type === 'wait_timer')?.wait_timer ?? 0,
      ...(preventSelfReview ? { preventSelfReview } : {}),
    };
  }

  private async waitingRun(
    client: GithubRepoClient,
    run: WorkflowRun,
  ): Promise<WaitingRun | undefined> {
    const { ref } = client;
    const slug = `${ref.owner}/${ref.repo}`;
    const pending = (
      await this.reads.get<PendingDeployment[]>(
        client,
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
        { run_id: run.id },
        {
          operation: `read the pending deployments of run ${run.id} in ${slug}`,
          permission: 'actions: read',
        },
      )
    ).data;
    if (pending.length === 0) {
      // Waiting on something else (a concurrency group), not on a reviewer.
      return undefined;
    }
    const started = pending
      .map(p => p.wait_timer_started_at)
      .filter((t): t is string => !!t)
      .sort()[0];
    return {
      id: run.id,
      attempt: run.run_attempt ?? 1,
      runNumber: run.run_number,
      url: run.html_url,
      workflow: run.name ?? '',
      event: run.event,
      ...(run.head_branch ? { branch: run.head_branch } : {}),
      commit: {
        sha: run.head_sha,
        url: `${ref.htmlUrl}/commit/${run.head_sha}`,
        ...(run.head_commit?.message || run.display_title
          ? {
              message: (run.head_commit?.message ?? run.display_title).split(
                '\n',
              )[0],
            }
          : {}),
      },
      ...(run.actor || run.triggering_actor
        ? {
            actor: {
              login: (run.actor ?? run.triggering_actor)!.login,
              ...((run.actor ?? run.triggering_actor)!.avatar_url
                ? { avatarUrl: (run.actor ?? run.triggering_actor)!.avatar_url }
                : {}),
            },
          }
        : {}),
      waitingSince: started ?? run.updated_at,
      environments: pending.map(p => toPendingEnvironment(ref, p)),
      plan: await this.plan(client, run),
    };
  }

  private async plan(
    client: GithubRepoClient,
    run: WorkflowRun,
  ): Promise<PendingPlan> {
    const { ref } = client;
    const artifacts = (
      await this.reads.get<{ artifacts: Artifact[] }>(
        client,
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
        { run_id: run.id, name: PLAN_SUMMARY_ARTIFACT_NAME, per_page: 10 },
        {
          operation: `list the artifacts of run ${run.id} in ${ref.owner}/${ref.repo}`,
          permission: 'actions: read',
        },
      )
    ).data.artifacts;
    // A re-run attempt of the plan job uploads the artifact again: the newest is the plan.
    const artifact = artifacts
      .filter(a => a.name === PLAN_SUMMARY_ARTIFACT_NAME)
      .sort((a, b) =>
        String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')),
      )[0];
    if (!artifact) {
      return {
        status: 'missing',
        message: `Run ${run.id} (${
          run.name ?? 'workflow'
        }) uploaded no ${PLAN_SUMMARY_ARTIFACT_NAME} artifact, so no Terraform plan can be shown here (only the deploy workflow's plan job writes one); read the run on GitHub before approving`,
      };
    }
    if (artifact.expired) {
      return {
        status: 'unusable',
        message: `The ${PLAN_SUMMARY_ARTIFACT_NAME} artifact of run ${run.id} has expired; read the plan job's log on GitHub`,
      };
    }
    if (artifact.size_in_bytes > MAX_PLAN_ZIP_BYTES) {
      return {
        status: 'unusable',
        message: `The ${PLAN_SUMMARY_ARTIFACT_NAME} artifact of run ${run.id} is ${artifact.size_in_bytes} bytes, more than the ${MAX_PLAN_ZIP_BYTES} a plan summary can need; read the plan on GitHub`,
      };
    }
    const result = await this.artifacts.read(ref, artifact.id, PLAN_ARTIFACT);
    if (!result.ok) {
      return {
        status: 'unusable',
        message: `The plan of run ${run.id} cannot be shown: ${result.reason}. Read the plan job's summary on GitHub before approving`,
      };
    }
    return planOf(result.value);
  }

  private async withViewer(
    ref: GithubRepoRef,
    base: PendingDeploymentsResponse,
    userToken: string,
  ): Promise<PendingDeploymentsResponse> {
    const user = this.clients.forUserToken(ref, userToken);
    let login: string;
    try {
      login = await this.loginOf(user);
    } catch (error) {
      // The list still shows what waits; the card says why this user cannot act on it.
      return {
        ...base,
        viewer: { githubSignedIn: false, problem: (error as Error).message },
      };
    }
    // One run's failure leaves its environments without `canApprove`, not the others.
    const perRun = await Promise.all(
      base.runs.map(run =>
        this.pendingAsUser(user, run.id).catch(() => undefined),
      ),
    );
    return {
      ...base,
      viewer: { githubSignedIn: true, login },
      runs: base.runs.map((run, i) => ({
        ...run,
        environments: run.environments.map(env => {
          const mine = perRun[i]?.find(p => p.id === env.id);
          return perRun[i]
            ? { ...env, canApprove: mine?.canApprove ?? false }
            : env;
        }),
      })),
    };
  }

  /** The run's pending deployments as the user sees them (uncached: a decision depends on it). */
  private async pendingAsUser(
    user: GithubRepoClient,
    runId: number,
  ): Promise<Array<{ id: number; name: string; canApprove: boolean }>> {
    const { ref } = user;
    try {
      const { data } = await user.octokit.request(
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
        { owner: ref.owner, repo: ref.repo, run_id: runId },
      );
      return data.map(p => ({
        id: p.environment.id ?? 0,
        name: p.environment.name ?? '',
        canApprove: p.current_user_can_approve,
      }));
    } catch (error) {
      throw this.userTokenError(error, ref, {
        operation: `read the pending deployments of run ${runId} in ${ref.owner}/${ref.repo}`,
      });
    }
  }

  private async loginOf(user: GithubRepoClient): Promise<string> {
    try {
      const { data } = await user.octokit.request('GET /user');
      return data.login;
    } catch (error) {
      throw this.userTokenError(error, user.ref, {
        operation: 'read who your GitHub sign-in belongs to',
      });
    }
  }

  /** A failure of a call made with the user's token: the user's sign-in, not the portal's. */
  private userTokenError(
    error: unknown,
    ref: GithubRepoRef,
    context: { operation: string },
  ): Error {
    const e = error as {
      status?: number;
      message?: string;
      response?: { headers?: Record<string, string | undefined> };
    };
    const status = e?.status;
    const headers = e?.response?.headers ?? {};
    if (
      status === 429 ||
      (status === 403 &&
        (headers['x-ratelimit-remaining'] === '0' ||
          /rate limit/i.test(String(e?.message ?? ''))))
    ) {
      return mapGithubError(error, {
        operation: context.operation,
        permission: 'repo scope of your GitHub sign-in',
        host: ref.host,
      });
    }
    if (status === 403 && headers['x-github-sso']) {
      return new NotAllowedError(
        `GitHub at ${ref.host} did not let your GitHub sign-in ${context.operation}: the organisation ${ref.owner} uses SAML single sign-on and this sign-in is not authorised for it; authorise it (${headers['x-github-sso']}) and try again`,
      );
    }
    const granted = headers['x-oauth-scopes'];
    const accepted = headers['x-accepted-oauth-scopes'];
    if (
      (status === 403 || status === 404) &&
      granted !== undefined &&
      accepted !== undefined &&
      accepted.split(/,\s*/).includes('repo') &&
      !granted.split(/,\s*/).includes('repo')
    ) {
      // GitHub answers 404, not 403, when a token lacks the scope for a private repository.
      return new NotAllowedError(
        `Your GitHub sign-in was not granted the repo scope (it has "${granted}"), which GitHub needs to ${context.operation} of the private repository ${ref.owner}/${ref.repo}; the portal's GitHub auth provider must ask it (additionalScopes: [repo]), then sign out and sign in with GitHub again`,
      );
    }
    if (status === 401) {
      return new AuthenticationError(
        `GitHub at ${ref.host} refused your GitHub sign-in while trying to ${context.operation} (401): sign out and sign in with GitHub again`,
      );
    }
    if (status === 403) {
      return new NotAllowedError(
        `GitHub at ${ref.host} did not let your GitHub sign-in ${context.operation} (403): it needs the repo scope, and an organisation that restricts OAuth apps must allow the portal's; ask an organisation owner, or review on GitHub`,
      );
    }
    if (status === 404) {
      return new NotFoundError(
        `GitHub at ${ref.host} did not let your GitHub sign-in ${context.operation} (404): the run is gone, your GitHub account cannot see ${ref.owner}/${ref.repo}, or your sign-in lacks the repo scope (GitHub answers 404 then); sign out and sign in with GitHub again`,
      );
    }
    return mapGithubError(error, {
      operation: context.operation,
      permission: 'repo scope of your GitHub sign-in',
      host: ref.host,
    });
  }

  private async reviewError(
    error: unknown,
    user: GithubRepoClient,
    runId: number,
    runUrl: string,
    review: {
      names: string[];
      login?: string;
      state: PendingDeploymentReviewRequest['state'];
      pendingBefore: Array<{ id: number; canApprove: boolean }>;
    },
  ): Promise<Error> {
    const status = (error as { status?: number })?.status;
    const said = String(
      (error as { response?: { data?: { message?: unknown } } })?.response?.data
        ?.message ??
        (error as Error)?.message ??
        error,
    ).slice(0, 300);
    if (status === 422 || status === 409) {
      // Someone else may have decided between the read and the post: then it is a conflict.
      const now = await this.pendingAsUser(user, runId).catch(() => undefined);
      const stillWaiting = now?.some(p =>
        review.pendingBefore.some(b => b.id === p.id),
      );
      if (now && !stillWaiting) {
        return new ConflictError(
          `Run ${runId} stopped waiting for ${review.names.join(
            ', ',
          )} while your review was sent: someone else reviewed it or it was cancelled. Reload to see where it is: ${runUrl}`,
        );
      }
      const who = review.login ? `${review.login} is` : 'you are';
      const notReviewer = review.pendingBefore.every(p => !p.canApprove);
      return new GithubReviewRefusedError(
        `GitHub refused to ${
          review.state === 'approved' ? 'approve' : 'reject'
        } ${review.names.join(', ')} for run ${runId}${
          notReviewer
            ? `: ${who} not one of its required reviewers (ask one of them, or an admin to add you in the environment's settings)`
            : ''
        }. GitHub said: ${said}`,
      );
    }
    return this.userTokenError(error, user.ref, {
      operation: `review the pending deployments of run ${runId}`,
    });
  }
}
