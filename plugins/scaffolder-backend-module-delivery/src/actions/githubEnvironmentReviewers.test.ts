import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { parse } from 'yaml';
import { fakeGithubHost } from '../__testUtils__/fakeGithubHost';
import { mockActionContext } from '../__testUtils__/mockActionContext';
import { planGatedGithub } from '../__testUtils__/planGatedGithub';
import {
  createGithubEnvironmentReviewersAction,
  NO_REQUIRED_REVIEWERS,
} from './githubEnvironmentReviewers';
import { githubEnvironmentReviewersExamples } from './githubEnvironmentReviewers.examples';

// Servers on loopback and real HTTP round trips: generous on a busy CI machine, never a speed test.
jest.setTimeout(30_000);

const TOKEN = 'reviewers-token';
const host = fakeGithubHost(TOKEN);
const { github } = host;
let gated: Awaited<ReturnType<typeof planGatedGithub>>;

const integrationsAt = (url: string) =>
  ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        github: [
          {
            host: 'github.example.com',
            apiBaseUrl: `${url}/api/v3`,
            token: TOKEN,
          },
        ],
      },
    }),
  );
const action = () =>
  createGithubEnvironmentReviewersAction({ integrations: host.integrations() });
const gatedAction = () =>
  createGithubEnvironmentReviewersAction({
    integrations: integrationsAt(gated.url),
  });

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${github.url}/api/v3${path}`, {
    method,
    headers: { authorization: `token ${TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: res.status === 204 ? {} : await res.json(),
  };
};

/** What the template's environment step leaves: the environment, branch policy and variables, no rules. */
async function createEnvironment(repo: string) {
  await api('PUT', `/repos/acme/${repo}/environments/production`, {
    deployment_branch_policy: {
      protected_branches: true,
      custom_branch_policies: false,
    },
  });
  await api('POST', `/repos/acme/${repo}/environments/production/variables`, {
    name: 'AWS_REGION',
    value: 'eu-west-1',
  });
}

const environment = async (repo: string) =>
  (await api('GET', `/repos/acme/${repo}/environments/production`)).body;

const input = (repo: string, reviewers = ['group:default/platform-team']) => ({
  repoUrl: `github.example.com?owner=acme&repo=${repo}`,
  environment: 'production',
  reviewers,
});

beforeAll(async () => {
  await host.start();
  gated = await planGatedGithub(github.url);
  for (const repo of ['reviewed', 'gated', 'no-access']) {
    await api('POST', '/orgs/acme/repos', { name: repo, private: true });
    await createEnvironment(repo);
  }
  // GitHub: an environment's reviewers need at least read access to the repository.
  for (const repo of ['taken', 'reviewed', 'gated']) {
    await api('PUT', `/orgs/acme/teams/platform-team/repos/acme/${repo}`, {
      permission: 'pull',
    });
  }
  await createEnvironment('taken');
});
afterAll(async () => {
  await gated?.stop();
  await host.stop();
});

describe('delivery:github:environment-reviewers', () => {
  it('makes the team and the user required reviewers and keeps the branch policy and variables (its example runs as written)', async () => {
    const step = parse(githubEnvironmentReviewersExamples[0].example).steps[0];
    const run = mockActionContext({ input: step.input });
    await action().handler(run.ctx);
    expect(run.outputs).toEqual({ requiredReviewers: true, message: '' });

    const both = mockActionContext({
      input: input('reviewed', [
        'group:default/platform-team',
        'user:default/alice',
      ]),
    });
    await action().handler(both.ctx);
    expect(both.outputs).toEqual({ requiredReviewers: true, message: '' });
    const env = await environment('reviewed');
    const rule = env.protection_rules.find(
      (r: any) => r.type === 'required_reviewers',
    );
    expect(
      rule.reviewers.map(
        (r: any) => `${r.type} ${r.reviewer.slug ?? r.reviewer.login}`,
      ),
    ).toEqual(['Team platform-team', 'User alice']);
    expect(env.deployment_branch_policy).toEqual({
      protected_branches: true,
      custom_branch_policies: false,
    });
    const variables = await api(
      'GET',
      '/repos/acme/reviewed/environments/production/variables',
    );
    expect(variables.body.variables.map((v: any) => v.name)).toEqual([
      'AWS_REGION',
    ]);
  });

  it("does not fail when GitHub refuses reviewers because of the account's plan: it says deploys are applied without approval and what to do", async () => {
    const run = mockActionContext({ input: input('gated') });
    await gatedAction().handler(run.ctx);
    expect(run.outputs.requiredReviewers).toBe(false);
    const message = String(run.outputs.message);
    expect(message).toContain(
      `The environment production of github.example.com/acme/gated was created, but ${NO_REQUIRED_REVIEWERS}.`,
    );
    // GitHub's own words, then the three ways out.
    expect(message).toContain(
      '422: Failed to create the environment protection rule. Please ensure the billing plan supports the required reviewers protection rule.',
    );
    expect(message).toContain('upgrade the organisation to GitHub Enterprise');
    expect(message).toContain('make the repository public');
    expect(message).toContain(
      'add them later under Settings → Environments → production → Required reviewers (group:default/platform-team)',
    );
    expect(run.logLines.join('\n')).toContain(NO_REQUIRED_REVIEWERS);
    // The environment the earlier step made is still there, unchanged.
    const env = await environment('gated');
    expect(env.protection_rules.map((r: any) => r.type)).toEqual([
      'branch_policy',
    ]);
  });

  it('fails on any other refusal, with GitHub’s message and what it leaves ungated', async () => {
    const run = mockActionContext({ input: input('no-access') });
    await expect(action().handler(run.ctx)).rejects.toThrow(
      `GitHub refused the reviewers of production of github.example.com/acme/no-access (422: Validation Failed: team platform-team has no access to acme/no-access; reviewers need at least read access to the repository), so ${NO_REQUIRED_REVIEWERS} until they are set; fix what GitHub names, then add them later under Settings → Environments → production → Required reviewers (group:default/platform-team).`,
    );
    expect(run.outputs).toEqual({});
  });

  it('fails naming a reviewer that is not a team of the organisation', async () => {
    const run = mockActionContext({
      input: input('reviewed', ['group:default/payments-team']),
    });
    await expect(action().handler(run.ctx)).rejects.toThrow(
      'The reviewer group:default/payments-team is not a team of acme on github.example.com',
    );
  });

  it('says the step must follow github:environment:create when the environment does not exist', async () => {
    const run = mockActionContext({
      input: { ...input('reviewed'), environment: 'staging' },
    });
    await expect(action().handler(run.ctx)).rejects.toThrow(
      'The environment staging of github.example.com/acme/reviewed does not exist; this step adds reviewers to the environment github:environment:create made, so it must come after that step.',
    );
  });

  it('calls nothing in a dry run, where the repository does not exist', async () => {
    const before = github.requests.length;
    const run = mockActionContext({
      input: input('orders-api'),
      isDryRun: true,
    });
    await action().handler(run.ctx);
    expect(run.outputs).toEqual({ requiredReviewers: true, message: '' });
    expect(github.requests.length).toBe(before);
  });
});
