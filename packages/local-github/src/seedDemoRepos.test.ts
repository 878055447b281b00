import { validateDriftReport } from '@cicd-aws/plugin-delivery-common';
import { unzipSync } from 'fflate';
import { FakeGithub } from './FakeGithub';
import { DEMO_GITHUB_TOKEN, seedDemoRepo } from './seedDemoRepos';

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
