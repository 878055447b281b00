import { mockServices } from '@backstage/backend-test-utils';
import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  createGithubEnvironmentAction,
  createGithubRepoCreateAction,
  createGithubRepoPushAction,
  createPublishGithubAction,
} from '@backstage/plugin-scaffolder-backend-module-github';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FakeGithub } from './FakeGithub';

// Asynchronous: a synchronous git call would block the server it talks to (same process).
const exec = promisify(execFile);

// Real git pushes and Backstage's scaffolder actions: seconds each on a busy machine, more than
// Jest's default 5 s (a publish timed out in CI once).
jest.setTimeout(60_000);
const TOKEN = 'hosting-test-token';
const root = mkdtempSync(join(tmpdir(), 'local-github-hosting-'));
const github = new FakeGithub('github.local', TOKEN, {
  accounts: { orgs: { acme: ['platform-team'] }, users: ['guest'] },
  gitRoot: join(root, 'git'),
  tokens: { 'workflow-token': 'github-actions[bot]' },
});

const config = () =>
  new ConfigReader({
    integrations: {
      github: [
        {
          host: 'github.local',
          apiBaseUrl: `${github.url}/api/v3`,
          token: TOKEN,
        },
      ],
    },
  });

/** A scaffolder action context: logs kept, checkpoints run once. */
function context(input: unknown, workspacePath: string) {
  const log: string[] = [];
  const outputs: Record<string, unknown> = {};
  const logger = {
    info: (m: unknown) => log.push(String(m)),
    warn: (m: unknown) => log.push(`warn: ${m}`),
    error: (m: unknown) => log.push(`error: ${m}`),
    debug: () => {},
    child: () => logger,
  };
  const ctx = {
    input,
    workspacePath,
    logger,
    logStream: new PassThrough(),
    output: (k: string, v: unknown) => {
      outputs[k] = v;
    },
    checkpoint: async ({ fn }: { fn: () => unknown }) => fn(),
    getInitiatorCredentials: async () => ({}),
    createTemporaryDirectory: async () => mkdtempSync(join(root, 'tmp-')),
    task: { id: 't' },
    isDryRun: false,
  };
  return { ctx: ctx as any, log, outputs };
}

const groupEntity = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

async function publish(repo: string, input: Record<string, unknown> = {}) {
  const workspace = mkdtempSync(join(root, 'workspace-'));
  mkdirSync(join(workspace, 'docs'));
  writeFileSync(
    join(workspace, 'catalog-info.yaml'),
    `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${repo}\nspec:\n  type: service\n  owner: platform-team\n  lifecycle: production\n`,
  );
  writeFileSync(join(workspace, 'docs', 'index.md'), '# Docs\n');
  const action = createPublishGithubAction({
    integrations: ScmIntegrations.fromConfig(config()),
    config: config(),
  });
  const run = context(
    {
      repoUrl: `github.local?owner=acme&repo=${repo}`,
      description: 'A service',
      defaultBranch: 'main',
      repoVisibility: 'private',
      protectDefaultBranch: true,
      requiredApprovingReviewCount: 1,
      repoVariables: { AWS_REGION: 'us-east-1' },
      gitCommitMessage: 'Create it',
      gitAuthorName: 'Scaffolder',
      gitAuthorEmail: 'scaffolder@example.test',
      // As the template does: the owning team reads the repository, so it can review deploys.
      collaborators: [{ team: 'group:default/platform-team', access: 'pull' }],
      // publish:github's subject template, which the local GitHub records.
      oidcCustomization: {
        useDefault: false,
        includeClaimKeys: ['repo', 'context'],
      },
      ...input,
    },
    workspace,
  );
  await action.handler(run.ctx);
  return run;
}

beforeAll(() => github.start());
afterAll(async () => {
  await github.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the local GitHub as a git host for the scaffolder and the catalog', () => {
  it("runs Backstage's publish:github: repository, real git push, variables, branch protection", async () => {
    const { outputs, log } = await publish('orders');
    expect(outputs.remoteUrl).toBe(`${github.url}/acme/orders.git`);
    expect(outputs.repoContentsUrl).toBe(
      'https://github.local/acme/orders/blob/main',
    );
    expect(log.filter(l => l.startsWith('warn'))).toEqual([]);
    // The bare repository holds the pushed commit: real git reads it back.
    const clone = join(root, 'clone');
    await exec('git', [
      'clone',
      '--quiet',
      `http://x-access-token:${TOKEN}@${github.url.slice(7)}/acme/orders.git`,
      clone,
    ]);
    const { stdout } = await exec('git', [
      '-C',
      clone,
      'log',
      '--format=%s %an',
    ]);
    expect(stdout.trim()).toBe('Create it Scaffolder');
    const hosted = github.repos.get('acme/orders')!.hosted!;
    expect(hosted.private).toBe(true);
    expect([...hosted.variables.keys()]).toEqual(['AWS_REGION']);
    expect(hosted.protection.get('main')).toMatchObject({
      required_pull_request_reviews: { required_approving_review_count: 1 },
    });
    expect(Object.fromEntries(hosted.teamPermissions)).toEqual({
      'platform-team': 'pull',
    });
    expect(hosted.oidcSubject).toEqual({
      use_default: false,
      include_claim_keys: ['repo', 'context'],
    });
  });

  it("runs the template's split publish: github:repo:create, then github:repo:push of the workspace", async () => {
    const integrations = ScmIntegrations.fromConfig(config());
    const created = context(
      {
        repoUrl: 'github.local?owner=acme&repo=split',
        description: 'A service',
        repoVisibility: 'private',
        collaborators: [
          { team: 'group:default/platform-team', access: 'pull' },
        ],
        repoVariables: { AWS_REGION: 'us-east-1' },
      },
      root,
    );
    await createGithubRepoCreateAction({ integrations }).handler(created.ctx);
    const hosted = github.repos.get('acme/split')!.hosted!;
    expect(Object.fromEntries(hosted.teamPermissions)).toEqual({
      'platform-team': 'pull',
    });
    const workspace = mkdtempSync(join(root, 'workspace-'));
    writeFileSync(join(workspace, 'README.md'), '# split\n');
    const pushed = context(
      {
        repoUrl: 'github.local?owner=acme&repo=split',
        defaultBranch: 'main',
        protectDefaultBranch: true,
        requiredApprovingReviewCount: 1,
        gitCommitMessage: 'Create split',
        gitAuthorName: 'Scaffolder',
        gitAuthorEmail: 'scaffolder@example.test',
      },
      workspace,
    );
    await createGithubRepoPushAction({
      integrations,
      config: config(),
    }).handler(pushed.ctx);
    expect(pushed.outputs.repoContentsUrl).toBe(
      'https://github.local/acme/split/blob/main',
    );
    expect(
      [...created.log, ...pushed.log].filter(l => l.startsWith('warn')),
    ).toEqual([]);
    expect(hosted.protection.get('main')).toMatchObject({
      required_pull_request_reviews: { required_approving_review_count: 1 },
    });
  }, 60_000);

  it('refuses a repository that already exists, as GitHub does (422), and a clone without a token', async () => {
    await expect(publish('orders')).rejects.toThrow(
      /Failed to create the Organization repository acme\/orders.*name already exists/,
    );
    await expect(
      exec('git', ['ls-remote', `${github.url}/acme/orders.git`], {
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      }),
    ).rejects.toThrow(/Authentication failed|401|could not read Username/);
  });

  it("runs Backstage's github:environment:create with the owning team as reviewer and its variables", async () => {
    const action = createGithubEnvironmentAction({
      integrations: ScmIntegrations.fromConfig(config()),
      catalog: catalogServiceMock({ entities: [groupEntity('platform-team')] }),
    });
    const run = context(
      {
        repoUrl: 'github.local?owner=acme&repo=orders',
        name: 'production',
        deploymentBranchPolicy: {
          protected_branches: true,
          custom_branch_policies: false,
        },
        reviewers: ['group:default/platform-team'],
        environmentVariables: { ECS_SERVICE: 'orders' },
      },
      root,
    );
    await action.handler(run.ctx);
    expect(run.log.filter(l => l.startsWith('error'))).toEqual([]);
    const env = await (
      await fetch(
        `${github.url}/api/v3/repos/acme/orders/environments/production`,
        {
          headers: { authorization: `Bearer ${TOKEN}` },
        },
      )
    ).json();
    const reviewers = env.protection_rules.find(
      (r: any) => r.type === 'required_reviewers',
    );
    expect(reviewers.reviewers.map((r: any) => r.reviewer.slug)).toEqual([
      'platform-team',
    ]);
    expect([
      ...github.repos
        .get('acme/orders')!
        .hosted!.environments.get('production')!
        .variables.keys(),
    ]).toEqual(['ECS_SERVICE']);
  });

  it('refuses a reviewer team without access to the repository (422), so the environment action fails instead of creating an ungated environment', async () => {
    await publish('billing', { collaborators: undefined });
    const action = createGithubEnvironmentAction({
      integrations: ScmIntegrations.fromConfig(config()),
      catalog: catalogServiceMock({ entities: [groupEntity('platform-team')] }),
    });
    const run = context(
      {
        repoUrl: 'github.local?owner=acme&repo=billing',
        name: 'production',
        reviewers: ['group:default/platform-team'],
      },
      root,
    );
    await expect(action.handler(run.ctx)).rejects.toThrow(
      /platform-team has no access to acme\/billing/,
    );
    expect(
      github.repos.get('acme/billing')!.hosted!.environments.has('production'),
    ).toBe(false);
  }, 60_000);

  it('answers an environment with an unknown team as reviewer with 422 and changes nothing', async () => {
    const response = await fetch(
      `${github.url}/api/v3/repos/acme/orders/environments/staging`,
      {
        method: 'PUT',
        headers: {
          authorization: `token ${TOKEN}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ reviewers: [{ type: 'Team', id: 424242 }] }),
      },
    );
    expect(response.status).toBe(422);
    expect((await response.json()).errors[0].field).toBe('reviewers');
    expect(
      github.repos.get('acme/orders')!.hosted!.environments.has('staging'),
    ).toBe(false);
  });

  it("serves the catalog's GitHub URL reader: the file, a tree of the default branch and a search", async () => {
    const reader = UrlReaders.default({
      config: config(),
      logger: mockServices.logger.mock(),
    });
    const file = await reader.readUrl(
      'https://github.local/acme/orders/blob/main/catalog-info.yaml',
    );
    expect((await file.buffer()).toString()).toContain('name: orders');
    const tree = await reader.readTree(
      'https://github.local/acme/orders/tree/main/docs',
    );
    const files = await tree.files();
    expect(files.map(f => f.path)).toEqual(['index.md']);
    const found = await reader.search(
      'https://github.local/acme/orders/blob/main/**/*.md',
    );
    expect(found.files.map(f => f.url)).toEqual([
      'https://github.local/acme/orders/blob/main/docs/index.md',
    ]);
    await expect(
      reader.readUrl('https://github.local/acme/orders/blob/main/missing.yaml'),
    ).rejects.toThrow(/404/);
  });

  it('records deployments and statuses under the token of the workflow, and marks the earlier one inactive', async () => {
    const api = (path: string, body: unknown) =>
      fetch(`${github.url}/api/v3/repos/acme/orders${path}`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer workflow-token',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }).then(async r => ({ status: r.status, body: await r.json() }));
    const first = await api('/deployments', {
      ref: 'main',
      environment: 'production',
      task: 'deploy:ecs-service',
    });
    expect(first.status).toBe(201);
    expect(first.body.creator.login).toBe('github-actions[bot]');
    expect(first.body.sha).toMatch(/^[0-9a-f]{40}$/);
    await api(`/deployments/${first.body.id}/statuses`, { state: 'success' });
    const second = await api('/deployments', {
      ref: 'main',
      environment: 'production',
    });
    await api(`/deployments/${second.body.id}/statuses`, { state: 'success' });
    const statuses = github.repos.get('acme/orders')!.statuses;
    expect(statuses[first.body.id].map(s => s.state)).toEqual([
      'inactive',
      'success',
    ]);
    expect((await api('/deployments', { ref: 'no-such-branch' })).status).toBe(
      422,
    );
  });

  it("knows a hosted repository's workflows from the files on its default branch", async () => {
    const runs = (file: string) =>
      fetch(
        `${github.url}/api/v3/repos/acme/orders/actions/workflows/${file}/runs`,
        {
          headers: { authorization: `token ${TOKEN}` },
        },
      ).then(r => r.status);
    expect(await runs('drift.yml')).toBe(404);
    const workspace = mkdtempSync(join(root, 'push-'));
    const remote = `http://x-access-token:${TOKEN}@${github.url.slice(
      7,
    )}/acme/orders.git`;
    await exec('git', ['clone', '--quiet', remote, workspace]);
    mkdirSync(join(workspace, '.github', 'workflows'), { recursive: true });
    writeFileSync(
      join(workspace, '.github', 'workflows', 'drift.yml'),
      'name: Drift\n',
    );
    const git = (...args: string[]) =>
      exec('git', [
        '-C',
        workspace,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@example.test',
        ...args,
      ]);
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'Add the drift workflow');
    await git('push', '--quiet', 'origin', 'main');
    expect(await runs('drift.yml')).toBe(200);
  });

  it('answers a call it does not model with 501 naming the method and path', async () => {
    const response = await fetch(
      `${github.url}/api/v3/repos/acme/orders/pages`,
      {
        method: 'POST',
        headers: { authorization: `token ${TOKEN}` },
      },
    );
    expect(response.status).toBe(501);
    expect((await response.json()).message).toContain(
      'POST /api/v3/repos/acme/orders/pages',
    );
  });
});
