/*
 * Deployment approvals as GitHub Actions has them: a job that names an environment with
 * protection rules (required reviewers, a wait timer) waits, its run is `waiting`, and a
 * required reviewer approves or rejects it through `POST .../runs/{id}/pending_deployments`.
 */
import type { components } from '@octokit/openapi-types';
import { Accounts, simpleUser, teamMembers } from './accounts';
import type {
  Deployment,
  FakeAnswer,
  FakeRepo,
  Job,
  WorkflowRun,
} from './FakeGithub';
import {
  artifact,
  deployment,
  deploymentStatus,
  job,
  newId,
  user,
  workflowRun,
  zipOf,
} from './FakeGithub';
import type { EnvironmentRecord } from './repositoryRoutes';

type PendingDeployment = components['schemas']['pending-deployment'];
type EnvironmentApproval = components['schemas']['environment-approvals'];
type Step = NonNullable<Job['steps']>[number];
type Conclusion = 'success' | 'failure' | 'skipped';

/** A job of a run waiting for an environment's protection rules. */
export interface PendingGate {
  environmentId: number;
  environment: string;
  jobId: number;
  /** The Deployment GitHub created for the job when it began to wait. */
  deploymentId: number;
  /** When the job began waiting: GitHub's `wait_timer_started_at`. */
  since: string;
  /** What the job runs once it may start: `[name, conclusion]`. */
  steps: Array<[string, Conclusion]>;
  /** How long the job runs once approved. */
  durationMs: number;
}

/** A job of a waiting run: one that finished before the gate, or one that deploys. */
export interface WaitingRunJob {
  name: string;
  /**
   * The environment the job deploys to (`environment:` in the workflow). Its protection rules
   * make it wait; the environment must exist with required reviewers or a wait timer.
   */
  environment?: string;
  /**
   * `[name, conclusion]`: the steps a finished job ran, or those the deploying job runs once it
   * may start (their conclusions decide the job's and the run's).
   */
  steps?: Array<[string, Conclusion]>;
}

/** What `waitingRun` and `POST /_local-github/repos/{owner}/{repo}/waiting-runs` take. */
export interface WaitingRunSpec {
  /** Default `deploy.yml`. */
  workflowFile?: string;
  /** Workflow name; default `Deploy`. */
  name?: string;
  jobs: WaitingRunJob[];
  headSha?: string;
  headBranch?: string;
  /** The run's title, the head commit's first line; default "Deploy". */
  displayTitle?: string;
  /** The head commit's message; default the title. */
  commitMessage?: string;
  /** Who pushed (the run's actor and triggering actor); default the first user. */
  actor?: string;
  event?: string;
  /** ISO time the deploying jobs began waiting; default now. */
  waitingSince?: string;
  /**
   * How long an approved job runs before it completes; default the fake's `deployDurationMs`.
   * A long one keeps the job `in_progress` for a test to look at (stop() clears the timer).
   */
  durationMs?: number;
  /** Artifacts the run uploaded before the gate: name → files, zipped as upload-artifact does. */
  artifacts?: Record<string, Record<string, string>>;
}

/** What the approvals need from the fake. */
export interface ApprovalHost {
  readonly accounts: Accounts;
  readonly webHost: string;
  readonly url: string;
  /** Runs `fn` after `ms`, unless the fake stops first. */
  schedule(fn: () => void, ms: number): void;
  /** Default time an approved deploying job runs. */
  readonly deployDurationMs: number;
}

/** A setup mistake of a test or a control call; the control API answers it with 422. */
export class ApprovalSetupError extends Error {}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const BOT = 'github-actions[bot]';
const DOCS =
  'https://docs.github.com/rest/actions/workflow-runs#review-pending-deployments-for-a-workflow-run';

/**
 * GitHub's answer when none of the environments asked for can be reviewed by the caller right
 * now: no such pending deployment, already reviewed, the caller not a required reviewer, or the
 * wait timer still running (observed answers: see the README's sources).
 */
const noPendingRequests: FakeAnswer = {
  status: 422,
  body: {
    message: 'No pending deployment requests to approve or reject',
    documentation_url: DOCS,
  },
};

const invalidRequest = (detail: string): FakeAnswer => ({
  status: 422,
  body: { message: `Invalid request.\n\n${detail}`, documentation_url: DOCS },
});

function rulesOf(record: EnvironmentRecord) {
  const rules = record.environment.protection_rules ?? [];
  const reviewers = rules.find(r => r.type === 'required_reviewers') as
    | {
        prevent_self_review?: boolean;
        reviewers?: PendingDeployment['reviewers'];
      }
    | undefined;
  const timer = rules.find(r => r.type === 'wait_timer') as
    | { wait_timer?: number }
    | undefined;
  return {
    reviewers: reviewers?.reviewers ?? [],
    hasReviewers: Boolean(reviewers?.reviewers?.length),
    preventSelfReview: Boolean(reviewers?.prevent_self_review),
    waitTimer: timer?.wait_timer ?? 0,
  };
}

const timerEndsAt = (gate: PendingGate, waitTimer: number) =>
  Date.parse(gate.since) + waitTimer * 60_000;

/** Whether `login` is one of the environment's required reviewers (directly or by a team). */
function isReviewer(
  accounts: Accounts,
  owner: string,
  record: EnvironmentRecord,
  login: string,
) {
  return rulesOf(record).reviewers.some(r => {
    const reviewer = r.reviewer as { login?: string; slug?: string };
    return r.type === 'User'
      ? reviewer?.login === login
      : teamMembers(accounts, owner, reviewer?.slug ?? '').includes(login);
  });
}

/** Whether `login` may approve or reject the gate now (`current_user_can_approve`). */
function canReview(
  host: ApprovalHost,
  slug: string,
  repo: FakeRepo,
  run: WorkflowRun,
  gate: PendingGate,
  login: string,
): boolean {
  const record = repo.environments.get(gate.environment);
  if (!record) return false;
  const rules = rulesOf(record);
  if (!rules.hasReviewers) return false;
  // GitHub asks the reviewers once the wait timer has passed; before, nothing can be reviewed.
  if (timerEndsAt(gate, rules.waitTimer) > Date.now()) return false;
  const author = (run.triggering_actor ?? run.actor)?.login;
  if (rules.preventSelfReview && author === login) return false;
  return isReviewer(host.accounts, slug.split('/')[0], record, login);
}

function environmentRef(record: EnvironmentRecord) {
  const { id, node_id, name, url, html_url } = record.environment;
  return { id, node_id, name, url, html_url };
}

/** The run's status and conclusion from its jobs, as GitHub derives them. */
function refreshRun(repo: FakeRepo, run: WorkflowRun) {
  const jobs = repo.jobs[run.id] ?? [];
  const running = jobs.some(
    j => j.status === 'in_progress' || j.status === 'queued',
  );
  if (running) {
    run.status = 'in_progress';
    run.conclusion = null;
  } else if (jobs.some(j => j.status === 'waiting')) {
    run.status = 'waiting';
    run.conclusion = null;
  } else {
    run.status = 'completed';
    run.conclusion = jobs.some(j => j.conclusion === 'failure')
      ? 'failure'
      : 'success';
  }
  run.updated_at = now();
}

function addStatus(
  repo: FakeRepo,
  target: Deployment,
  state: 'in_progress' | 'success' | 'failure',
  logUrl: string,
  description: string,
) {
  const at = now();
  // Not `auto_inactive`: the deploy workflow's own `deploy:ecs-service` deployments stay as
  // they are, since the fake does not run the workflow that would record the new revision.
  repo.statuses[target.id] = [
    deploymentStatus({
      id: newId(),
      state,
      description,
      environment: target.environment,
      creator: user(BOT),
      target_url: logUrl,
      log_url: logUrl,
      created_at: at,
      updated_at: at,
    }),
    ...(repo.statuses[target.id] ?? []),
  ];
  target.updated_at = at;
}

function gateJob(repo: FakeRepo, run: WorkflowRun, gate: PendingGate) {
  return (repo.jobs[run.id] ?? []).find(j => j.id === gate.jobId);
}

function completeJob(repo: FakeRepo, run: WorkflowRun, gate: PendingGate) {
  const target = gateJob(repo, run, gate);
  if (!target || target.status !== 'in_progress') return;
  const at = now();
  target.steps = gate.steps.map(([name, conclusion], i) => ({
    name,
    number: i + 1,
    status: 'completed',
    conclusion,
    started_at: target.started_at,
    completed_at: at,
  }));
  target.status = 'completed';
  target.conclusion = gate.steps.some(([, c]) => c === 'failure')
    ? 'failure'
    : 'success';
  target.completed_at = at;
  const deployed = repo.deployments.find(d => d.id === gate.deploymentId);
  if (deployed) {
    addStatus(
      repo,
      deployed,
      target.conclusion === 'success' ? 'success' : 'failure',
      target.html_url ?? '',
      '',
    );
  }
  refreshRun(repo, run);
}

/** The gate passed: its job starts, and completes after the gate's duration. */
function startJob(
  host: ApprovalHost,
  repo: FakeRepo,
  run: WorkflowRun,
  gate: PendingGate,
) {
  repo.gates[run.id] = (repo.gates[run.id] ?? []).filter(g => g !== gate);
  const target = gateJob(repo, run, gate);
  if (!target) return;
  const at = now();
  target.status = 'in_progress';
  target.conclusion = null;
  target.started_at = at;
  target.completed_at = null;
  target.runner_name = 'GitHub Actions 2';
  target.steps = gate.steps.map(
    ([name], i): Step => ({
      name,
      number: i + 1,
      status: i === 0 ? 'in_progress' : 'queued',
      conclusion: null,
      started_at: i === 0 ? at : null,
      completed_at: null,
    }),
  );
  const deployed = repo.deployments.find(d => d.id === gate.deploymentId);
  if (deployed) {
    addStatus(repo, deployed, 'in_progress', target.html_url ?? '', '');
  }
  refreshRun(repo, run);
  host.schedule(() => completeJob(repo, run, gate), gate.durationMs);
}

function rejectJob(repo: FakeRepo, run: WorkflowRun, gate: PendingGate) {
  repo.gates[run.id] = (repo.gates[run.id] ?? []).filter(g => g !== gate);
  const target = gateJob(repo, run, gate);
  if (target) {
    // A rejected job never starts: it fails without steps, and so does the run.
    target.status = 'completed';
    target.conclusion = 'failure';
    target.completed_at = now();
    target.steps = [];
  }
  const deployed = repo.deployments.find(d => d.id === gate.deploymentId);
  if (deployed)
    addStatus(repo, deployed, 'failure', target?.html_url ?? '', '');
  refreshRun(repo, run);
}

/**
 * A run whose deploying jobs wait for their environments, as GitHub records it when the
 * workflow reaches them: status `waiting`, the earlier jobs done, each deploying job `waiting`
 * with a pending deployment and the Deployment GitHub creates for it.
 */
export function createWaitingRun(
  host: ApprovalHost,
  slug: string,
  repo: FakeRepo,
  spec: WaitingRunSpec,
): WorkflowRun {
  if (!Array.isArray(spec?.jobs) || spec.jobs.length === 0) {
    throw new ApprovalSetupError('A waiting run needs its jobs.');
  }
  const gated = spec.jobs.filter(j => j.environment);
  if (gated.length === 0) {
    throw new ApprovalSetupError(
      'No job names an environment, so nothing would wait: give the deploying job `environment`.',
    );
  }
  for (const j of gated) {
    const record = repo.environments.get(j.environment!);
    const rules = record && rulesOf(record);
    if (!rules || (!rules.hasReviewers && !rules.waitTimer)) {
      throw new ApprovalSetupError(
        `The environment ${j.environment} of ${slug} ${
          record
            ? 'has no required reviewers and no wait timer'
            : 'does not exist'
        }, so job ${
          j.name
        } would not wait: create it with reviewers or a wait timer first.`,
      );
    }
  }
  const since = spec.waitingSince ?? now();
  const startedAt = new Date(Date.parse(since) - 3 * 60_000)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');
  const workflowFile = spec.workflowFile ?? 'deploy.yml';
  const actor = spec.actor ?? host.accounts.users[0];
  const headSha = spec.headSha ?? '0123456789abcdef0123456789abcdef01234567';
  const title = spec.displayTitle ?? 'Deploy';
  const message = spec.commitMessage ?? title;
  // Newer than every run of the repository, as GitHub's run ids and numbers grow.
  const id = Math.max(newId(), ...repo.runs.map(r => r.id + 1));
  const run = workflowRun(host.webHost, slug, {
    id,
    workflowFile,
    name: spec.name ?? 'Deploy',
    event: spec.event ?? 'push',
    status: 'waiting',
    conclusion: null,
    head_branch: spec.headBranch ?? 'main',
    head_sha: headSha,
    display_title: title,
    created_at: startedAt,
    run_started_at: startedAt,
    updated_at: since,
    actor: user(actor),
    triggering_actor: user(actor),
    url: `${host.url}/api/v3/repos/${slug}/actions/runs/${id}`,
    jobs_url: `${host.url}/api/v3/repos/${slug}/actions/runs/${id}/jobs`,
    artifacts_url: `${host.url}/api/v3/repos/${slug}/actions/runs/${id}/artifacts`,
    head_commit: {
      id: headSha,
      tree_id: headSha.split('').reverse().join(''),
      message,
      timestamp: startedAt,
      author: { name: actor, email: `${actor}@example.test` },
      committer: { name: actor, email: `${actor}@example.test` },
    },
  });
  if (!repo.workflows.includes(workflowFile)) repo.workflows.push(workflowFile);
  const jobs: Job[] = [];
  const gates: PendingGate[] = [];
  spec.jobs.forEach((spec_, i) => {
    const jobId = id * 100 + i;
    const html = `https://${host.webHost}/${slug}/actions/runs/${id}/job/${jobId}`;
    if (!spec_.environment) {
      jobs.push(
        job(
          id,
          {
            id: jobId,
            name: spec_.name,
            workflow_name: run.name,
            head_sha: headSha,
            html_url: html,
            created_at: startedAt,
            started_at: startedAt,
            completed_at: since,
          },
          spec_.steps ?? [],
        ),
      );
      return;
    }
    jobs.push(
      job(id, {
        id: jobId,
        name: spec_.name,
        workflow_name: run.name,
        head_sha: headSha,
        html_url: html,
        status: 'waiting',
        conclusion: null,
        created_at: since,
        started_at: since,
        completed_at: null,
        runner_id: null,
        runner_name: null,
        runner_group_id: null,
        runner_group_name: null,
      }),
    );
    const record = repo.environments.get(spec_.environment)!;
    const created = deployment({
      id: newId(),
      sha: headSha,
      ref: run.head_branch ?? 'main',
      task: 'deploy',
      payload: {},
      environment: spec_.environment,
      description: null,
      creator: user(actor),
      created_at: since,
      updated_at: since,
      production_environment: spec_.environment === 'production',
      transient_environment: false,
    });
    repo.deployments.unshift(created);
    repo.statuses[created.id] = [];
    gates.push({
      environmentId: record.environment.id,
      environment: spec_.environment,
      jobId,
      deploymentId: created.id,
      since,
      steps: spec_.steps ?? [],
      durationMs: spec.durationMs ?? host.deployDurationMs,
    });
  });
  repo.runs.unshift(run);
  repo.jobs[id] = jobs;
  repo.gates[id] = gates;
  repo.approvals[id] = [];
  for (const [name, files] of Object.entries(spec.artifacts ?? {})) {
    const uploaded = artifact(id, {
      id: newId(),
      name,
      created_at: since,
      updated_at: since,
      workflow_run: {
        id,
        repository_id: 1,
        head_repository_id: 1,
        head_branch: run.head_branch ?? 'main',
        head_sha: headSha,
      },
    });
    const zip = zipOf(files);
    uploaded.size_in_bytes = zip.byteLength;
    repo.artifacts[id] = [...(repo.artifacts[id] ?? []), uploaded];
    repo.zips[uploaded.id] = zip;
  }
  for (const gate of gates) scheduleTimer(host, repo, run, gate);
  return run;
}

/**
 * A wait timer's end: GitHub records it as an approval by github-actions[bot]; a gate without
 * reviewers then lets its job start.
 */
function scheduleTimer(
  host: ApprovalHost,
  repo: FakeRepo,
  run: WorkflowRun,
  gate: PendingGate,
) {
  const record = repo.environments.get(gate.environment);
  const rules = record && rulesOf(record);
  if (!record || !rules?.waitTimer) return;
  host.schedule(() => {
    if (!(repo.gates[run.id] ?? []).includes(gate)) return;
    repo.approvals[run.id] = [
      ...(repo.approvals[run.id] ?? []),
      {
        environments: [environmentRef(record)],
        state: 'approved',
        user: simpleUser(BOT),
        comment: `${rules.waitTimer} minute wait timer`,
      },
    ];
    if (!rules.hasReviewers) startJob(host, repo, run, gate);
  }, timerEndsAt(gate, rules.waitTimer) - Date.now());
}

/** `GET .../actions/runs/{run_id}/pending_deployments`, for the caller's login. */
export function pendingDeployments(
  host: ApprovalHost,
  slug: string,
  repo: FakeRepo,
  runId: number,
  login: string,
): FakeAnswer {
  const run = repo.runs.find(r => r.id === runId);
  if (!run) return { status: 404, body: { message: 'Not Found' } };
  const body: PendingDeployment[] = (repo.gates[runId] ?? []).flatMap(gate => {
    const record = repo.environments.get(gate.environment);
    if (!record) return [];
    const rules = rulesOf(record);
    return [
      {
        environment: environmentRef(record),
        wait_timer: rules.waitTimer,
        wait_timer_started_at: gate.since,
        current_user_can_approve: canReview(host, slug, repo, run, gate, login),
        reviewers: rules.reviewers,
      },
    ];
  });
  return { status: 200, body };
}

/**
 * `POST .../actions/runs/{run_id}/pending_deployments`: approve or reject, as a required reviewer,
 * the run's pending deployments to the given environments. GitHub's body schema requires
 * `environment_ids`, `state` and `comment` (which may be empty).
 */
export function reviewPendingDeployments(
  host: ApprovalHost,
  slug: string,
  repo: FakeRepo,
  runId: number,
  login: string,
  body: any,
): FakeAnswer {
  const run = repo.runs.find(r => r.id === runId);
  if (!run) return { status: 404, body: { message: 'Not Found' } };
  for (const field of ['environment_ids', 'state', 'comment']) {
    if (body?.[field] === undefined) {
      return invalidRequest(`"${field}" wasn't supplied.`);
    }
  }
  const ids: unknown[] = body.environment_ids;
  if (!Array.isArray(ids) || !ids.every(i => Number.isInteger(i))) {
    return invalidRequest(
      `For 'properties/environment_ids', ${JSON.stringify(
        body.environment_ids,
      )} is not an array of integers.`,
    );
  }
  if (body.state !== 'approved' && body.state !== 'rejected') {
    return invalidRequest(
      `For 'properties/state', ${JSON.stringify(
        body.state,
      )} is not one of ["approved", "rejected"].`,
    );
  }
  if (typeof body.comment !== 'string') {
    return invalidRequest(
      `For 'properties/comment', ${JSON.stringify(
        body.comment,
      )} is not a string.`,
    );
  }
  const reviewable = (repo.gates[runId] ?? []).filter(
    g =>
      ids.includes(g.environmentId) &&
      canReview(host, slug, repo, run, g, login),
  );
  // Every environment asked for must be reviewable, or nothing changes.
  if (
    ids.length === 0 ||
    !ids.every(i => reviewable.some(g => g.environmentId === i))
  ) {
    return noPendingRequests;
  }
  const approval: EnvironmentApproval = {
    environments: reviewable.flatMap(g => {
      const record = repo.environments.get(g.environment);
      return record ? [environmentRef(record)] : [];
    }),
    state: body.state,
    user: simpleUser(login),
    comment: body.comment,
  };
  repo.approvals[runId] = [...(repo.approvals[runId] ?? []), approval];
  for (const gate of reviewable) {
    if (body.state === 'approved') startJob(host, repo, run, gate);
    else rejectJob(repo, run, gate);
  }
  const deployments = reviewable.flatMap(g =>
    repo.deployments.filter(d => d.id === g.deploymentId),
  );
  return { status: 200, body: deployments };
}

/** `GET .../actions/runs/{run_id}/approvals`: the reviews of the run, oldest first. */
export function approvalsOf(repo: FakeRepo, runId: number): FakeAnswer {
  if (!repo.runs.some(r => r.id === runId)) {
    return { status: 404, body: { message: 'Not Found' } };
  }
  return { status: 200, body: repo.approvals[runId] ?? [] };
}
