// The delivery backend's client (hoisted from its workspace); declaring it here would change the
// shared yarn.lock.
// eslint-disable-next-line @backstage/no-undeclared-imports
import { Octokit } from '@octokit/rest';
import { FakeGithub } from './FakeGithub';

// Servers on loopback and real HTTP round trips: generous on a busy CI machine, never a speed test.
jest.setTimeout(30_000);

const TOKEN = 'approvals-test-token';
const SLUG = 'acme/shop';
const [owner, repo] = SLUG.split('/');

/** Until `check` holds; at most `tries` reads 20 ms apart. */
async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  tries = 100,
): Promise<T> {
  let value = await read();
  for (let i = 1; i < tries && !check(value); i++) {
    await new Promise(resolve => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

describe('deployment approvals on the local GitHub', () => {
  const github = new FakeGithub('github.local', TOKEN, {
    accounts: {
      orgs: { acme: ['platform-team', 'payments-team'] },
      users: ['guest', 'riley', 'pat', 'alice'],
      teamMembers: {
        'acme/platform-team': ['riley'],
        'acme/payments-team': ['pat'],
      },
    },
    // An approved job completes almost at once, so the tests never wait on the clock.
    deployDurationMs: 30,
  });
  const as = (login: string) =>
    new Octokit({
      auth: github.userToken(login),
      baseUrl: `${github.url}/api/v3`,
      // Octokit's own retries would hide what the fake answered first.
      request: { retries: 0 },
    });
  let riley: Octokit;
  let pat: Octokit;

  const waitingDeploy = (overrides: { waitingSince?: string } = {}) =>
    github.waitingRun(SLUG, {
      displayTitle: 'Show the order history',
      actor: 'alice',
      jobs: [
        { name: 'Terraform plan', steps: [['terraform plan', 'success']] },
        {
          name: 'Apply and deploy to production',
          environment: 'production',
          steps: [
            ['Apply exactly the reviewed plan', 'success'],
            ['Roll out', 'success'],
          ],
        },
      ],
      ...overrides,
    });

  beforeAll(async () => {
    await github.start();
    github.repo(SLUG);
    github.environment(SLUG, 'production', { teams: ['platform-team'] });
    github.environment(SLUG, 'staging', {});
    riley = as('riley');
    pat = as('pat');
  });
  afterAll(() => github.stop());

  it('lists the waiting run, and tells each caller whether they may approve it', async () => {
    const run = waitingDeploy();
    const { data: listed } = await riley.actions.listWorkflowRunsForRepo({
      owner,
      repo,
      status: 'waiting',
    });
    expect(listed.workflow_runs.map(r => r.id)).toContain(run.id);
    const { data: byWorkflow } = await riley.actions.listWorkflowRuns({
      owner,
      repo,
      workflow_id: 'deploy.yml',
      status: 'waiting',
    });
    expect(byWorkflow.workflow_runs.map(r => r.id)).toContain(run.id);
    const { data: jobs } = await riley.actions.listJobsForWorkflowRun({
      owner,
      repo,
      run_id: run.id,
    });
    expect(jobs.jobs.map(j => [j.name, j.status, j.conclusion])).toEqual([
      ['Terraform plan', 'completed', 'success'],
      ['Apply and deploy to production', 'waiting', null],
    ]);

    const pending = (client: Octokit) =>
      client.actions
        .getPendingDeploymentsForRun({ owner, repo, run_id: run.id })
        .then(r => r.data);
    const forRiley = await pending(riley);
    expect(forRiley).toHaveLength(1);
    expect(forRiley[0]).toMatchObject({
      environment: { name: 'production' },
      wait_timer: 0,
      current_user_can_approve: true,
      reviewers: [{ type: 'Team', reviewer: { slug: 'platform-team' } }],
    });
    expect(forRiley[0].wait_timer_started_at).toBe(run.updated_at);
    expect((await pending(pat))[0].current_user_can_approve).toBe(false);
  });

  it('answers the environment with its required reviewers, and 404 for one that does not exist', async () => {
    const { data: env } = await riley.repos.getEnvironment({
      owner,
      repo,
      environment_name: 'production',
    });
    expect(env.protection_rules).toEqual([
      expect.objectContaining({
        type: 'required_reviewers',
        reviewers: [
          expect.objectContaining({
            type: 'Team',
            reviewer: expect.objectContaining({ slug: 'platform-team' }),
          }),
        ],
      }),
    ]);
    const { data: staging } = await riley.repos.getEnvironment({
      owner,
      repo,
      environment_name: 'staging',
    });
    expect(staging.protection_rules).toEqual([]);
    await expect(
      riley.repos.getEnvironment({ owner, repo, environment_name: 'qa' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('refuses an approval by someone who is not a reviewer with 422, and changes nothing', async () => {
    const run = waitingDeploy();
    const [pending] = (
      await pat.actions.getPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
      })
    ).data;
    await expect(
      pat.actions.reviewPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
        environment_ids: [pending.environment.id!],
        state: 'approved',
        comment: 'Looks fine to me',
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining(
        'No pending deployment requests to approve or reject',
      ),
    });
    const { data: after } = await pat.actions.getWorkflowRun({
      owner,
      repo,
      run_id: run.id,
    });
    expect(after.status).toBe('waiting');
  });

  it('moves the run on when a reviewer approves: the job runs, a deployment is made, the run succeeds', async () => {
    const run = waitingDeploy();
    const [pending] = (
      await riley.actions.getPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
      })
    ).data;
    const { status, data: deployments } =
      await riley.actions.reviewPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
        environment_ids: [pending.environment.id!],
        state: 'approved',
        comment: 'Ship it',
      });
    expect(status).toBe(200);
    expect(deployments).toEqual([
      expect.objectContaining({
        environment: 'production',
        sha: run.head_sha,
        task: 'deploy',
      }),
    ]);

    const finished = await eventually(
      () =>
        riley.actions
          .getWorkflowRun({ owner, repo, run_id: run.id })
          .then(r => r.data),
      r => r.status === 'completed',
    );
    expect([finished.status, finished.conclusion]).toEqual([
      'completed',
      'success',
    ]);
    const { data: jobs } = await riley.actions.listJobsForWorkflowRun({
      owner,
      repo,
      run_id: run.id,
    });
    const production = jobs.jobs.find(j => j.name.includes('production'))!;
    expect(production.conclusion).toBe('success');
    expect(production.steps?.map(s => [s.name, s.conclusion])).toEqual([
      ['Apply exactly the reviewed plan', 'success'],
      ['Roll out', 'success'],
    ]);
    const { data: statuses } = await riley.repos.listDeploymentStatuses({
      owner,
      repo,
      deployment_id: deployments[0].id,
    });
    expect(statuses.map(s => s.state)).toEqual(['success', 'in_progress']);
    expect(
      (
        await riley.actions.getPendingDeploymentsForRun({
          owner,
          repo,
          run_id: run.id,
        })
      ).data,
    ).toEqual([]);
    const { data: reviews } = await riley.request(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals',
      { owner, repo, run_id: run.id },
    );
    expect(reviews).toEqual([
      expect.objectContaining({
        state: 'approved',
        comment: 'Ship it',
        user: expect.objectContaining({ login: 'riley' }),
      }),
    ]);
  });

  it('shows the approved job in progress with its steps until it completes', async () => {
    const run = github.waitingRun(SLUG, {
      jobs: [
        {
          name: 'production',
          environment: 'production',
          steps: [
            ['Apply', 'success'],
            ['Roll out', 'success'],
          ],
        },
      ],
      // Longer than the test: stop() clears the timer.
      durationMs: 60_000,
    });
    const [pending] = (
      await riley.actions.getPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
      })
    ).data;
    await riley.actions.reviewPendingDeploymentsForRun({
      owner,
      repo,
      run_id: run.id,
      environment_ids: [pending.environment.id!],
      state: 'approved',
      comment: '',
    });
    const { data: running } = await riley.actions.getWorkflowRun({
      owner,
      repo,
      run_id: run.id,
    });
    expect(running.status).toBe('in_progress');
    const { data: jobs } = await riley.actions.listJobsForWorkflowRun({
      owner,
      repo,
      run_id: run.id,
    });
    expect(jobs.jobs[0].status).toBe('in_progress');
    expect(jobs.jobs[0].steps?.map(s => [s.name, s.status])).toEqual([
      ['Apply', 'in_progress'],
      ['Roll out', 'queued'],
    ]);
  });

  it('answers a second review of the same deployment, as GitHub does, with 422', async () => {
    const run = waitingDeploy();
    const [pending] = (
      await riley.actions.getPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
      })
    ).data;
    const review = (state: 'approved' | 'rejected') =>
      riley.actions.reviewPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
        environment_ids: [pending.environment.id!],
        state,
        comment: '',
      });
    await review('approved');
    await expect(review('approved')).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('No pending deployment requests'),
    });
    await expect(review('rejected')).rejects.toMatchObject({ status: 422 });
  });

  it('fails the job and the run when a reviewer rejects, and the pending deployment is gone', async () => {
    const run = waitingDeploy();
    const [pending] = (
      await riley.actions.getPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
      })
    ).data;
    const { data: deployments } =
      await riley.actions.reviewPendingDeploymentsForRun({
        owner,
        repo,
        run_id: run.id,
        environment_ids: [pending.environment.id!],
        state: 'rejected',
        comment: 'Not during the sale',
      });
    const { data: after } = await riley.actions.getWorkflowRun({
      owner,
      repo,
      run_id: run.id,
    });
    expect([after.status, after.conclusion]).toEqual(['completed', 'failure']);
    const { data: jobs } = await riley.actions.listJobsForWorkflowRun({
      owner,
      repo,
      run_id: run.id,
    });
    expect(jobs.jobs.map(j => j.conclusion)).toEqual(['success', 'failure']);
    expect(
      (
        await riley.actions.getPendingDeploymentsForRun({
          owner,
          repo,
          run_id: run.id,
        })
      ).data,
    ).toEqual([]);
    const { data: statuses } = await riley.repos.listDeploymentStatuses({
      owner,
      repo,
      deployment_id: deployments[0].id,
    });
    expect(statuses.map(s => s.state)).toEqual(['failure']);
  });

  it('answers a run that does not wait, an unknown environment and a body without comment with 422, an unknown run with 404', async () => {
    const done = github.run(SLUG, { workflowFile: 'deploy.yml' });
    github.repo(SLUG).runs.unshift(done);
    const envId = (
      await riley.repos.getEnvironment({
        owner,
        repo,
        environment_name: 'production',
      })
    ).data.id;
    const review = (runId: number, body: Record<string, unknown>) =>
      riley.request(
        'POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
        { owner, repo, run_id: runId, ...body } as any,
      );
    await expect(
      review(done.id, {
        environment_ids: [envId],
        state: 'approved',
        comment: '',
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('No pending deployment requests'),
    });
    const waiting = waitingDeploy();
    await expect(
      review(waiting.id, {
        environment_ids: [424242],
        state: 'approved',
        comment: '',
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      review(waiting.id, { environment_ids: [envId], state: 'approved' }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('"comment" wasn\'t supplied'),
    });
    await expect(
      review(999_999_999, {
        environment_ids: [envId],
        state: 'approved',
        comment: '',
      }),
    ).rejects.toMatchObject({ status: 404 });
    const { data: still } = await riley.actions.getWorkflowRun({
      owner,
      repo,
      run_id: waiting.id,
    });
    expect(still.status).toBe('waiting');
  });

  it('lets a directly named reviewer approve, but not the run author when self-review is prevented', async () => {
    github.environment(SLUG, 'payments', {
      users: ['alice', 'pat'],
      preventSelfReview: true,
    });
    const run = github.waitingRun(SLUG, {
      actor: 'alice',
      jobs: [{ name: 'deploy', environment: 'payments' }],
    });
    const canApprove = async (login: string) =>
      (
        await as(login).actions.getPendingDeploymentsForRun({
          owner,
          repo,
          run_id: run.id,
        })
      ).data[0].current_user_can_approve;
    expect(await canApprove('alice')).toBe(false);
    expect(await canApprove('pat')).toBe(true);
    expect(await canApprove('riley')).toBe(false);
  });

  it('refuses approvals while the wait timer runs, and takes them once it has passed', async () => {
    github.environment(SLUG, 'timed', {
      teams: ['platform-team'],
      waitTimer: 10,
    });
    const minutesAgo = (n: number) =>
      new Date(Date.now() - n * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const approve = async (runId: number) => {
      const [pending] = (
        await riley.actions.getPendingDeploymentsForRun({
          owner,
          repo,
          run_id: runId,
        })
      ).data;
      return {
        pending,
        review: riley.actions.reviewPendingDeploymentsForRun({
          owner,
          repo,
          run_id: runId,
          environment_ids: [pending.environment.id!],
          state: 'approved',
          comment: '',
        }),
      };
    };
    const timing = github.waitingRun(SLUG, {
      waitingSince: minutesAgo(2),
      jobs: [{ name: 'deploy', environment: 'timed' }],
    });
    const early = await approve(timing.id);
    expect(early.pending).toMatchObject({
      wait_timer: 10,
      current_user_can_approve: false,
    });
    await expect(early.review).rejects.toMatchObject({ status: 422 });

    const waited = github.waitingRun(SLUG, {
      waitingSince: minutesAgo(11),
      jobs: [{ name: 'deploy', environment: 'timed' }],
    });
    const late = await approve(waited.id);
    expect(late.pending.current_user_can_approve).toBe(true);
    expect((await late.review).status).toBe(200);
  });

  it('starts a job whose environment has only a wait timer once the timer has passed', async () => {
    github.environment(SLUG, 'soak', { waitTimer: 1 });
    const run = github.waitingRun(SLUG, {
      waitingSince: new Date(Date.now() - 61_000).toISOString(),
      jobs: [
        { name: 'deploy', environment: 'soak', steps: [['Go', 'success']] },
      ],
    });
    const finished = await eventually(
      () =>
        riley.actions
          .getWorkflowRun({ owner, repo, run_id: run.id })
          .then(r => r.data),
      r => r.status === 'completed',
    );
    expect(finished.conclusion).toBe('success');
    const { data: reviews } = await riley.request(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals',
      { owner, repo, run_id: run.id },
    );
    expect(reviews).toEqual([
      expect.objectContaining({
        state: 'approved',
        comment: '1 minute wait timer',
        user: expect.objectContaining({ login: 'github-actions[bot]' }),
      }),
    ]);
  });

  it('answers GET /user with the user the token belongs to, and their teams', async () => {
    expect((await riley.users.getAuthenticated()).data.login).toBe('riley');
    expect((await pat.users.getAuthenticated()).data.login).toBe('pat');
    const { data: teams } = await riley.teams.listForAuthenticatedUser();
    expect(teams.map(t => t.slug)).toEqual(['platform-team']);
    await expect(
      riley.teams.getMembershipForUserInOrg({
        org: 'acme',
        team_slug: 'payments-team',
        username: 'riley',
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('sets up environments and waiting runs through the control API, as a browser test would', async () => {
    const control = (path: string, method: string, body: unknown) =>
      fetch(`${github.url}/_local-github/repos/${SLUG}${path}`, {
        method,
        headers: {
          authorization: `token ${TOKEN}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }).then(async r => ({ status: r.status, body: await r.json() }));
    const env = await control('/environments/canary', 'PUT', {
      teams: ['payments-team'],
    });
    expect(env.status).toBe(200);
    const created = await control('/waiting-runs', 'POST', {
      name: 'Deploy',
      jobs: [
        { name: 'plan', steps: [['terraform plan', 'success']] },
        {
          name: 'canary',
          environment: 'canary',
          steps: [['Roll out', 'success']],
        },
      ],
      artifacts: { 'plan-summary': { 'plan-summary.json': '{}' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('waiting');
    const [pending] = (
      await pat.actions.getPendingDeploymentsForRun({
        owner,
        repo,
        run_id: created.body.id,
      })
    ).data;
    expect(pending).toMatchObject({
      environment: { name: 'canary' },
      current_user_can_approve: true,
    });
    const { data: artifacts } = await pat.actions.listWorkflowRunArtifacts({
      owner,
      repo,
      run_id: created.body.id,
    });
    expect(artifacts.artifacts.map(a => a.name)).toEqual(['plan-summary']);
    const refused = await control('/waiting-runs', 'POST', {
      jobs: [{ name: 'deploy', environment: 'staging' }],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('no required reviewers');
  });
});
