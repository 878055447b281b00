import {
  validateDriftReport,
  validatePlanSummary,
} from '@cicd-aws/plugin-delivery-common';
import { unzipSync } from 'fflate';
import { FakeGithub } from './FakeGithub';
import {
  DEMO_ACCOUNTS,
  DEMO_GITHUB_TOKEN,
  seedDemoRepo,
  seedWaitingDeploy,
} from './seedDemoRepos';

// Servers on loopback and real HTTP round trips: generous on a busy CI machine, never a speed test.
jest.setTimeout(30_000);

describe('the demo repositories of the local GitHub', () => {
  const github = new FakeGithub('github.local', DEMO_GITHUB_TOKEN);
  const api = (path: string) =>
    fetch(`${github.url}/api/v3/repos/acme/demo-web${path}`, {
      headers: { Authorization: `token ${DEMO_GITHUB_TOKEN}` },
    });

  beforeAll(async () => {
    await github.start();
    seedDemoRepo(github, 'acme/demo-web', {
      cluster: 'demo',
      service: 'demo-web',
      region: 'us-east-1',
      account: '123456789012',
    });
  });
  afterAll(() => github.stop());

  it('has CI and deploy runs newest first, with a failed pull-request run and its jobs', async () => {
    const { workflow_runs: runs } = await (await api('/actions/runs')).json();
    expect(runs.map((r: any) => r.path.split('/').pop())).toEqual([
      'drift.yml',
      'ci.yml',
      'deploy.yml',
      'ci.yml',
      'deploy.yml',
      'ci.yml',
      'deploy.yml',
      'ci.yml',
    ]);
    const failed = runs.find((r: any) => r.conclusion === 'failure');
    expect(failed.head_branch).toBe('feature/discounts');
    const { jobs } = await (
      await api(`/actions/runs/${failed.id}/jobs`)
    ).json();
    expect(
      jobs[0].steps.map((s: any) => [s.name, s.conclusion]),
    ).toContainEqual(['npm test', 'failure']);
  });

  it('records a deployment per release with the task definition it rolled out', async () => {
    const deployments = await (
      await api('/deployments?task=deploy:ecs-service')
    ).json();
    expect(deployments.map((d: any) => d.payload.revision)).toEqual([3, 2, 1]);
    const statuses = await (
      await api(`/deployments/${deployments[0].id}/statuses`)
    ).json();
    expect(statuses[0].state).toBe('success');
  });

  it("serves a drift report artifact that the portal's schema accepts", async () => {
    const { workflow_runs: runs } = await (
      await api('/actions/workflows/drift.yml/runs')
    ).json();
    const { artifacts } = await (
      await api(`/actions/runs/${runs[0].id}/artifacts`)
    ).json();
    const zip = await api(`/actions/artifacts/${artifacts[0].id}/zip`);
    expect(zip.status).toBe(200); // after the redirect to the blob server
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const report = JSON.parse(
      new TextDecoder().decode(files['drift-report.json']),
    );
    expect(validateDriftReport(report)).toMatchObject({
      valid: true,
      errors: [],
    });
    expect(report.resources[0].address).toBe('aws_ecs_service.rolling[0]');
  });

  it('refuses requests without its token, as GitHub does', async () => {
    const response = await fetch(
      `${github.url}/api/v3/repos/acme/demo-web/actions/runs`,
    );
    expect(response.status).toBe(401);
  });
});

describe('the deploy of demo-web waiting for approval', () => {
  const github = new FakeGithub('github.local', DEMO_GITHUB_TOKEN, {
    accounts: DEMO_ACCOUNTS,
  });
  const api = (path: string, token = DEMO_GITHUB_TOKEN, init?: RequestInit) =>
    fetch(`${github.url}/api/v3/repos/acme/demo-web${path}`, {
      ...init,
      headers: { Authorization: `token ${token}`, ...init?.headers },
    });
  let runId: number;

  beforeAll(async () => {
    await github.start();
    for (const [service, team] of [
      ['demo-web', 'platform-team'],
      ['demo-payments', 'payments-team'],
    ]) {
      seedDemoRepo(github, `acme/${service}`, {
        cluster: 'demo',
        service,
        region: 'us-east-1',
        account: '123456789012',
        reviewerTeams: [team],
      });
    }
    runId = seedWaitingDeploy(github, 'acme/demo-web', { durationMs: 20 }).id;
  });
  afterAll(() => github.stop());

  it('is the one waiting run: a Deploy of a pushed commit, plan and frontend done, production waiting', async () => {
    const { workflow_runs: runs } = await (
      await api('/actions/runs?status=waiting')
    ).json();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: runId,
      name: 'Deploy',
      path: '.github/workflows/deploy.yml',
      status: 'waiting',
      display_title: 'Show the order history on the account page',
      actor: { login: 'alice' },
    });
    expect(runs[0].head_sha).toMatch(/^[0-9a-f]{40}$/);
    // The newest run of the repository has its highest id and number, as on GitHub.
    const { workflow_runs: all } = await (await api('/actions/runs')).json();
    expect(Math.max(...all.map((r: any) => r.run_number))).toBe(
      runs[0].run_number,
    );
    expect(Date.now() - Date.parse(runs[0].updated_at)).toBeGreaterThan(60_000);
    const { jobs } = await (await api(`/actions/runs/${runId}/jobs`)).json();
    expect(jobs.map((j: any) => [j.name, j.status, j.conclusion])).toEqual([
      ['Terraform plan', 'completed', 'success'],
      ['Frontend build', 'completed', 'success'],
      ['Apply and deploy to production', 'waiting', null],
    ]);
  });

  it("uploads a plan summary the portal's schema accepts, with a replacement, updates, a create and a delete", async () => {
    const { artifacts } = await (
      await api(`/actions/runs/${runId}/artifacts?name=plan-summary`)
    ).json();
    const zip = await api(`/actions/artifacts/${artifacts[0].id}/zip`);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const summary = JSON.parse(
      new TextDecoder().decode(files['plan-summary.json']),
    );
    expect(validatePlanSummary(summary)).toMatchObject({ valid: true });
    expect(summary.totals).toEqual({
      add: 1,
      change: 2,
      replace: 1,
      destroy: 1,
    });
    expect(summary.run.id).toBe(runId);
    expect(summary.resources[0]).toMatchObject({
      address: 'aws_ecs_task_definition.app',
      action: 'replace',
      actionReason: 'replace_because_cannot_update',
    });
  });

  it('may be approved by riley of platform-team and not by pat; riley approving deploys it', async () => {
    const riley = github.userToken('riley');
    const pat = github.userToken('pat');
    const pending = async (token: string) =>
      (await api(`/actions/runs/${runId}/pending_deployments`, token)).json();
    const [forRiley] = await pending(riley);
    expect(forRiley.current_user_can_approve).toBe(true);
    expect(forRiley.reviewers[0].reviewer.slug).toBe('platform-team');
    expect((await pending(pat))[0].current_user_can_approve).toBe(false);
    const env = await (await api('/environments/production', riley)).json();
    expect(env.id).toBe(forRiley.environment.id);

    const review = (token: string) =>
      api(`/actions/runs/${runId}/pending_deployments`, token, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          environment_ids: [env.id],
          state: 'approved',
          comment: 'Ship it',
        }),
      });
    expect((await review(pat)).status).toBe(422);
    expect((await review(riley)).status).toBe(200);
    let run: any;
    for (let i = 0; i < 100; i++) {
      run = await (await api(`/actions/runs/${runId}`)).json();
      if (run.status === 'completed') break;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect([run.status, run.conclusion]).toEqual(['completed', 'success']);
  });

  it("gives demo-payments' production environment to payments-team", async () => {
    const env = await (
      await fetch(
        `${github.url}/api/v3/repos/acme/demo-payments/environments/production`,
        { headers: { Authorization: `token ${DEMO_GITHUB_TOKEN}` } },
      )
    ).json();
    const rule = env.protection_rules.find(
      (r: any) => r.type === 'required_reviewers',
    );
    expect(rule.reviewers.map((r: any) => r.reviewer.slug)).toEqual([
      'payments-team',
    ]);
  });
});
