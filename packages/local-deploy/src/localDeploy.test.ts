import { FakeGithub } from '@internal/local-github';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { localDeploy, LocalDeployOptions } from './localDeploy';

jest.setTimeout(60_000);

// Asynchronous: a synchronous git call would block the local GitHub it talks to (same process).
const exec = promisify(execFile);
const TOKEN = 'deploy-test-token';
const root = mkdtempSync(join(tmpdir(), 'local-deploy-'));
const github = new FakeGithub('github.local', TOKEN, {
  accounts: { orgs: { acme: ['platform-team'] }, users: ['guest'] },
  gitRoot: join(root, 'git'),
  tokens: { 'workflow-token': 'github-actions[bot]' },
});
/** Stands in for the local AWS: answers its health check and records every other request. */
const awsRequests: string[] = [];
const aws: Server = createServer((req, res) => {
  if (req.url !== '/_local-aws/health')
    awsRequests.push(`${req.method} ${req.url}`);
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});

/** Creates `acme/<name>` on the local GitHub holding the given files, as the wizard would. */
async function repository(name: string, files: Record<string, string>) {
  await fetch(`${github.url}/api/v3/orgs/acme/repos`, {
    method: 'POST',
    headers: { authorization: `token ${TOKEN}` },
    body: JSON.stringify({ name, private: true }),
  });
  const dir = mkdtempSync(join(root, 'work-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const git = (...args: string[]) =>
    exec('git', [
      '-C',
      dir,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.test',
      ...args,
    ]);
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '.');
  await git('commit', '--quiet', '-m', `Create ${name}`);
  await git(
    'push',
    '--quiet',
    `http://x-access-token:${TOKEN}@${github.url.slice(7)}/acme/${name}.git`,
    'main',
  );
}

const tfvars = (overrides: Record<string, string>) =>
  Object.entries({
    service_name: '"orders"',
    aws_account_id: '"123456789012"',
    aws_region: '"us-east-1"',
    deployment_strategy: '"rolling"',
    ...overrides,
  })
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');

const options = (repo: string): LocalDeployOptions => ({
  repository: repo,
  image: 'public.ecr.aws/nginx/nginx:1.27',
  actor: 'guest',
  localAwsEndpoint: `http://127.0.0.1:${(aws.address() as AddressInfo).port}`,
  localGithubUrl: github.url,
  githubWebHost: 'github.local',
  githubToken: TOKEN,
  workflowToken: 'workflow-token',
  dataDir: join(root, 'deploys'),
  accountId: '123456789012',
  repoRoot: resolve(__dirname, '../../..'),
  log: () => {},
});

beforeAll(async () => {
  await github.start();
  await new Promise<void>(r => aws.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  await github.stop();
  aws.close();
  rmSync(root, { recursive: true, force: true });
});

describe('yarn demo:deploy stops with one message saying what to change', () => {
  it('for a blue/green repository, before changing anything', async () => {
    await repository('blue', {
      'infrastructure/terraform/production.tfvars': tfvars({
        deployment_strategy: '"blue-green"',
      }),
    });
    await expect(localDeploy(options('acme/blue'))).rejects.toThrow(
      'acme/blue deploys blue/green through CodeDeploy, which the local AWS (moto) does not have; nothing was changed.',
    );
    expect(awsRequests).toEqual([]);
    expect(github.repos.get('acme/blue')!.runs).toEqual([]);
  });

  it('for a stack of another AWS account, before changing anything', async () => {
    await repository('elsewhere', {
      'infrastructure/terraform/production.tfvars': tfvars({
        aws_account_id: '"210987654321"',
      }),
    });
    await expect(localDeploy(options('acme/elsewhere'))).rejects.toThrow(
      'acme/elsewhere targets AWS account 210987654321, the local AWS is account 123456789012; nothing was changed.',
    );
    expect(awsRequests).toEqual([]);
  });

  it('for a repository that is not on the local GitHub, or not owner/repo', async () => {
    await expect(localDeploy(options('acme/missing'))).rejects.toThrow(
      'acme/missing is not on the local GitHub',
    );
    await expect(localDeploy(options('orders'))).rejects.toThrow(
      '"orders" is not owner/repo',
    );
  });

  it('for Terraform the repository cannot plan, recorded as a failed deploy run', async () => {
    await repository('broken', {
      'infrastructure/terraform/production.tfvars': tfvars({}),
      'infrastructure/terraform/main.tf':
        'resource "aws_s3_bucket" "x" {\n  bucket =\n}\n',
    });
    await expect(localDeploy(options('acme/broken'))).rejects.toThrow(
      /Terraform refused acme\/broken's infrastructure\/terraform before changing anything:[\s\S]*Fix it in the repository, push, and run this again\./,
    );
    expect(awsRequests).toEqual([]);
    const [run] = github.repos.get('acme/broken')!.runs;
    expect(run).toMatchObject({
      path: '.github/workflows/deploy.yml',
      status: 'completed',
      conclusion: 'failure',
      display_title: 'Create broken',
    });
    expect(
      github.repos.get('acme/broken')!.jobs[run.id][0].steps?.[0],
    ).toMatchObject({
      name: 'terraform fmt -check -recursive',
      conclusion: 'failure',
    });
  });
});
