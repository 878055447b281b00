import {
  DRIFT_REPORT_ARTIFACT_NAME,
  DRIFT_REPORT_FILE_NAME,
  DriftReport,
  PLAN_SUMMARY_ARTIFACT_NAME,
  PLAN_SUMMARY_FILE_NAME,
  PlanSummary,
} from '@cicd-aws/plugin-delivery-common';
import type { Accounts } from './accounts';
import {
  artifact,
  deployment,
  deploymentStatus,
  FakeGithub,
  job,
  zipOf,
} from './FakeGithub';

/** Host name of the demo GitHub Enterprise (its web links; the API is on loopback). */
export const DEMO_GITHUB_HOST = 'github.local';
/** Token the demo GitHub accepts from the portal (it acts as the user `guest`). */
export const DEMO_GITHUB_TOKEN = 'local-demo-token';
/** Token of the local deploy's "workflow run" (it acts as `github-actions[bot]`, as GITHUB_TOKEN does). */
export const DEMO_WORKFLOW_TOKEN = 'local-demo-workflow-token';
/** Client id of the demo's OAuth app (the portal's GitHub sign-in, `auth.providers.github`). */
export const DEMO_OAUTH_CLIENT_ID = 'local-demo-oauth-client';
/** Its client secret. */
export const DEMO_OAUTH_CLIENT_SECRET = 'local-demo-oauth-secret';

/**
 * The organisation of the demo and its teams, named like the catalog's groups (the template's
 * reviewer step looks the owner group up as a team of the repository's organisation), and its
 * users: `guest` owns the portal's token; `riley` (platform-team) reviews demo-web's production
 * deploys; `pat` (payments-team) reviews demo-payments' and not demo-web's.
 */
export const DEMO_ACCOUNTS: Accounts = {
  orgs: { acme: ['platform-team', 'payments-team'] },
  users: ['guest', 'riley', 'pat'],
  teamMembers: {
    'acme/platform-team': ['riley'],
    'acme/payments-team': ['pat'],
  },
};

const minutesAgo = (minutes: number) =>
  new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

const sha = (n: number) => `${n}`.repeat(40).slice(0, 40);

/**
 * Gives `owner/name` the history a service of the aws-ecs-service template has after three
 * releases: CI and deploy runs (one failed CI run with its failing step), the deploy workflow's
 * GitHub Deployments of revisions 1-3 with their statuses, and a drift check whose report
 * (valid against the shared schema) finds the ECS service's desired count changed by hand.
 */
export function seedDemoRepo(
  github: FakeGithub,
  slug: string,
  options: {
    cluster: string;
    service: string;
    region: string;
    account: string;
    /**
     * Team slugs of the organisation that review the `production` environment's deploys (as
     * the template's github:environment:create sets it); without them there is no environment.
     */
    reviewerTeams?: string[];
  },
): void {
  const repo = github.repo(slug);
  repo.workflows = ['ci.yml', 'deploy.yml', 'drift.yml', 'rollback.yml'];
  if (options.reviewerTeams?.length) {
    github.environment(slug, 'production', { teams: options.reviewerTeams });
  }
  const taskDefinitionArn = (revision: number) =>
    `arn:aws:ecs:${options.region}:${options.account}:task-definition/${options.service}:${revision}`;
  const image = (revision: number) =>
    `public.ecr.aws/nginx/nginx:1.27.${revision}`;

  const releases = [1, 2, 3];
  let id = 5000 + repo.runs.length * 10 + (slug.length % 7) * 1000;
  for (const revision of releases) {
    const age = (4 - revision) * 24 * 60;
    const commit = {
      id: sha(revision),
      tree_id: sha(revision + 5),
      message: `Release ${revision}: ${
        ['first version', 'faster checkout', 'new orders endpoint'][
          revision - 1
        ]
      }`,
      timestamp: minutesAgo(age + 5),
      author: { name: 'Alice', email: 'alice@example.test' },
      committer: { name: 'Alice', email: 'alice@example.test' },
    };
    const ci = github.run(slug, {
      id: id++,
      workflowFile: 'ci.yml',
      name: 'CI',
      head_sha: commit.id,
      head_commit: commit,
      display_title: commit.message,
      created_at: minutesAgo(age),
      run_started_at: minutesAgo(age),
      updated_at: minutesAgo(age - 6),
    });
    const deploy = github.run(slug, {
      id: id++,
      workflowFile: 'deploy.yml',
      name: 'Deploy',
      event: 'workflow_run',
      head_sha: commit.id,
      head_commit: commit,
      display_title: commit.message,
      created_at: minutesAgo(age - 7),
      run_started_at: minutesAgo(age - 7),
      updated_at: minutesAgo(age - 19),
    });
    repo.runs.unshift(deploy, ci);
    repo.jobs[ci.id] = [
      job(ci.id, { id: ci.id * 10, name: 'lint and test' }, [
        ['Set up job', 'success'],
        ['npm ci', 'success'],
        ['npm run lint', 'success'],
        ['npm test', 'success'],
      ]),
      job(ci.id, { id: ci.id * 10 + 1, name: 'image' }, [
        ['Build image', 'success'],
        ['Trivy image scan', 'success'],
      ]),
    ];
    repo.jobs[deploy.id] = [
      job(
        deploy.id,
        { id: deploy.id * 10, name: 'plan', workflow_name: 'Deploy' },
        [['terraform plan', 'success']],
      ),
      job(
        deploy.id,
        { id: deploy.id * 10 + 1, name: 'production', workflow_name: 'Deploy' },
        [
          ['terraform apply', 'success'],
          ['Run the database migrations', 'success'],
          ['Roll out', 'success'],
          ['Smoke test', 'success'],
        ],
      ),
    ];
    repo.deployments.unshift(
      deployment({
        id: 900 + revision,
        sha: commit.id,
        description: `Deploy ${options.service}:${revision}`,
        created_at: minutesAgo(age - 10),
        updated_at: minutesAgo(age - 19),
        payload: {
          taskDefinitionArn: taskDefinitionArn(revision),
          family: options.service,
          revision,
          image: image(revision),
          cluster: options.cluster,
          service: options.service,
        },
      }),
    );
    repo.statuses[900 + revision] = [
      deploymentStatus({
        id: 9000 + revision,
        state: 'success',
        description: `Rolled out ${options.service}:${revision}`,
        log_url: deploy.html_url,
        created_at: minutesAgo(age - 19),
      }),
    ];
  }

  // A pull request whose tests fail, so the card has a failed run to re-run.
  const failed = github.run(slug, {
    id: id++,
    workflowFile: 'ci.yml',
    name: 'CI',
    event: 'pull_request',
    head_branch: 'feature/discounts',
    conclusion: 'failure',
    display_title: 'Add discount codes',
    head_sha: sha(4),
    head_commit: {
      id: sha(4),
      tree_id: sha(9),
      message: 'Add discount codes',
      timestamp: minutesAgo(95),
      author: { name: 'Bob', email: 'bob@example.test' },
      committer: { name: 'Bob', email: 'bob@example.test' },
    },
    created_at: minutesAgo(90),
    run_started_at: minutesAgo(90),
    updated_at: minutesAgo(84),
  });
  repo.runs.unshift(failed);
  repo.jobs[failed.id] = [
    job(failed.id, { id: failed.id * 10, name: 'lint and test' }, [
      ['Set up job', 'success'],
      ['npm ci', 'success'],
      ['npm test', 'failure'],
    ]),
  ];

  // The scheduled drift check of this morning.
  const drift = github.run(slug, {
    id: id++,
    workflowFile: 'drift.yml',
    name: 'Drift',
    event: 'schedule',
    head_sha: sha(3),
    head_commit: {
      id: sha(3),
      tree_id: sha(8),
      message: 'Release 3: new orders endpoint',
      timestamp: minutesAgo(24 * 60),
      author: { name: 'Alice', email: 'alice@example.test' },
      committer: { name: 'Alice', email: 'alice@example.test' },
    },
    created_at: minutesAgo(60),
    run_started_at: minutesAgo(60),
    updated_at: minutesAgo(57),
  });
  repo.runs.unshift(drift);
  const report: DriftReport = {
    schemaVersion: 1,
    checkedAt: minutesAgo(57),
    commit: sha(3),
    status: 'drifted',
    run: { id: drift.id, attempt: 1, url: drift.html_url, workflow: 'Drift' },
    terraform: { version: '1.11.4', directory: 'infrastructure/terraform' },
    resources: [
      {
        address: 'aws_ecs_service.rolling[0]',
        type: 'aws_ecs_service',
        name: 'rolling',
        actions: ['update'],
        changedAttributes: ['desired_count'],
        changedOutsideTerraform: true,
      },
    ],
  };
  const reportArtifact = artifact(drift.id, {
    id: drift.id * 10,
    name: DRIFT_REPORT_ARTIFACT_NAME,
  });
  repo.artifacts[drift.id] = [reportArtifact];
  repo.zips[reportArtifact.id] = zipOf({
    [DRIFT_REPORT_FILE_NAME]: JSON.stringify(report, null, 2),
  });
}

/** The commit of the deploy waiting for approval. */
const WAITING_COMMIT = {
  sha: '8f3c2a1d9e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
  message:
    'Show the order history on the account page\n\nAdds a CloudWatch dashboard for the service and drops the legacy ingress rule.',
};

/**
 * The plan summary of the waiting deploy, as the template's `plan-summary` command writes it:
 * a new image (the task definition replaced, the service updated to it), a tuned alarm, a new
 * dashboard and a removed legacy security group rule.
 */
export function demoPlanSummary(run: {
  id: number;
  html_url: string;
  createdAt: string;
}): PlanSummary {
  return {
    schemaVersion: 1,
    createdAt: run.createdAt,
    commit: WAITING_COMMIT.sha,
    run: { id: run.id, attempt: 1, url: run.html_url, workflow: 'Deploy' },
    terraform: { version: '1.11.4', directory: 'infrastructure/terraform' },
    totals: { add: 1, change: 2, replace: 1, destroy: 1 },
    resources: [
      {
        address: 'aws_ecs_task_definition.app',
        type: 'aws_ecs_task_definition',
        action: 'replace',
        actionReason: 'replace_because_cannot_update',
        changedAttributes: ['container_definitions'],
      },
      {
        address: 'aws_ecs_service.rolling[0]',
        type: 'aws_ecs_service',
        action: 'update',
        changedAttributes: ['task_definition'],
      },
      {
        address: 'aws_cloudwatch_metric_alarm.cpu_high',
        type: 'aws_cloudwatch_metric_alarm',
        action: 'update',
        changedAttributes: ['threshold'],
      },
      {
        address: 'aws_cloudwatch_dashboard.service',
        type: 'aws_cloudwatch_dashboard',
        action: 'create',
        changedAttributes: [],
      },
      {
        address: 'aws_security_group_rule.legacy_ingress',
        type: 'aws_security_group_rule',
        action: 'delete',
        changedAttributes: [],
      },
    ],
  };
}

/**
 * A push to main whose CI passed and whose deploy run now waits for a reviewer of the
 * `production` environment (which `seedDemoRepo` with `reviewerTeams` creates): the plan and
 * frontend jobs done, the plan summary uploaded, the production job waiting since a few minutes
 * ago. Approving it moves the run on; answers the deploy run.
 */
export function seedWaitingDeploy(
  github: FakeGithub,
  slug: string,
  options: { waitingForMinutes?: number; durationMs?: number } = {},
) {
  const waitingFor = options.waitingForMinutes ?? 4;
  const repo = github.repo(slug);
  const commit = {
    id: WAITING_COMMIT.sha,
    tree_id: 'e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5',
    message: WAITING_COMMIT.message,
    timestamp: minutesAgo(waitingFor + 14),
    author: { name: 'Alice', email: 'alice@example.test' },
    committer: { name: 'Alice', email: 'alice@example.test' },
  };
  const title = WAITING_COMMIT.message.split('\n')[0];
  const ci = github.run(slug, {
    id: Math.max(...repo.runs.map(r => r.id + 1), 1),
    workflowFile: 'ci.yml',
    name: 'CI',
    head_sha: commit.id,
    head_commit: commit,
    display_title: title,
    created_at: minutesAgo(waitingFor + 12),
    run_started_at: minutesAgo(waitingFor + 12),
    updated_at: minutesAgo(waitingFor + 5),
  });
  repo.runs.unshift(ci);
  repo.jobs[ci.id] = [
    job(ci.id, { id: ci.id * 10, name: 'lint and test' }, [
      ['Set up job', 'success'],
      ['npm ci', 'success'],
      ['npm run lint', 'success'],
      ['npm test', 'success'],
    ]),
    job(ci.id, { id: ci.id * 10 + 1, name: 'image' }, [
      ['Build image', 'success'],
      ['Trivy image scan', 'success'],
    ]),
  ];
  const since = minutesAgo(waitingFor);
  const run = github.waitingRun(slug, {
    workflowFile: 'deploy.yml',
    name: 'Deploy',
    event: 'workflow_run',
    headSha: commit.id,
    displayTitle: title,
    commitMessage: commit.message,
    actor: 'alice',
    waitingSince: since,
    durationMs: options.durationMs,
    // The template's job names (deploy.yml).
    jobs: [
      {
        name: 'Terraform plan',
        steps: [
          ['Set up job', 'success'],
          ['Commit to deploy', 'success'],
          ['Plan (saved for the apply)', 'success'],
          ['Summarise the plan', 'success'],
          ['Write the plan summary for the approval gate', 'success'],
        ],
      },
      {
        name: 'Frontend build',
        steps: [
          ['Set up job', 'success'],
          ['npm ci', 'success'],
          ['npm run build', 'success'],
        ],
      },
      {
        name: 'Apply and deploy to production',
        environment: 'production',
        steps: [
          ['Set up job', 'success'],
          ['Apply exactly the reviewed plan', 'success'],
          ['Register a task definition with the new image', 'success'],
          [
            'Run the database migrations (one-off ECS task, new image)',
            'success',
          ],
          ['Roll out (fails and rolls back if the rollout fails)', 'success'],
          ['Smoke test /health/ready through the public URL', 'success'],
          ['Upload the frontend and invalidate CloudFront', 'success'],
        ],
      },
    ],
  });
  const summary = demoPlanSummary({
    id: run.id,
    html_url: run.html_url,
    createdAt: minutesAgo(waitingFor + 1),
  });
  const uploaded = artifact(run.id, {
    id: run.id * 10,
    name: PLAN_SUMMARY_ARTIFACT_NAME,
    created_at: minutesAgo(waitingFor + 1),
    updated_at: minutesAgo(waitingFor + 1),
    workflow_run: {
      id: run.id,
      repository_id: 1,
      head_repository_id: 1,
      head_branch: 'main',
      head_sha: commit.id,
    },
  });
  const zip = zipOf({
    [PLAN_SUMMARY_FILE_NAME]: JSON.stringify(summary, null, 2),
  });
  uploaded.size_in_bytes = zip.byteLength;
  repo.artifacts[run.id] = [uploaded];
  repo.zips[uploaded.id] = zip;
  return run;
}
