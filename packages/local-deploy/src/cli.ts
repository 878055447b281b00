/*
 * yarn demo:deploy <owner>/<repo> [--image IMAGE] [--actor LOGIN]
 *
 * Deploys a repository the Create wizard made on the local GitHub of ./scripts/start to its local
 * AWS, with the repository's own Terraform and scripts, as its deploy workflow would. Run it from
 * the repository root while ./scripts/start runs; it reads the same LOCAL_AWS_PORT,
 * LOCAL_GITHUB_PORT and LOCAL_DEMO_DATA.
 */
import {
  DEMO_GITHUB_HOST,
  DEMO_GITHUB_TOKEN,
  DEMO_WORKFLOW_TOKEN,
} from '@internal/local-github';
import { LOCAL_AWS_ACCOUNT_ID } from '@internal/local-aws';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localDeploy, LocalDeployError } from './localDeploy';

const DEFAULT_IMAGE = 'public.ecr.aws/nginx/nginx:1.27';

const USAGE = `usage: yarn demo:deploy <owner>/<repo> [--image IMAGE] [--actor LOGIN]
  Deploys a repository of the local GitHub to the local AWS with its own Terraform and scripts,
  as .github/workflows/deploy.yml does. There is no Docker here, so the service runs a public
  image (default ${DEFAULT_IMAGE}) instead of one built from the repository.`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      image: { type: 'string', default: DEFAULT_IMAGE },
      actor: { type: 'string', default: 'guest' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const port = (name: string, fallback: string) => {
    const value = process.env[name] ?? fallback;
    if (!/^\d+$/.test(value)) {
      throw new LocalDeployError(`${name}='${value}' is not a port number.`);
    }
    return value;
  };
  // yarn runs the root's scripts in the root folder.
  const repoRoot = process.cwd();
  if (!existsSync(join(repoRoot, 'packages', 'local-deploy'))) {
    throw new LocalDeployError(
      'run this from the root of the portal repository: yarn demo:deploy <owner>/<repo>',
    );
  }
  const log = (line: string) => process.stderr.write(`demo:deploy: ${line}\n`);
  log(
    `no Docker here: the service runs the public image ${values.image}, not one built from the repository`,
  );
  const started = Date.now();
  const result = await localDeploy({
    repository: positionals[0],
    image: values.image!,
    actor: values.actor!,
    localAwsEndpoint: `http://127.0.0.1:${port('LOCAL_AWS_PORT', '4566')}`,
    localGithubUrl: `http://127.0.0.1:${port('LOCAL_GITHUB_PORT', '4567')}`,
    githubWebHost: DEMO_GITHUB_HOST,
    githubToken: DEMO_GITHUB_TOKEN,
    workflowToken: DEMO_WORKFLOW_TOKEN,
    dataDir: join(
      process.env.LOCAL_DEMO_DATA ?? join(repoRoot, '.local-demo'),
      'deploys',
    ),
    accountId: LOCAL_AWS_ACCOUNT_ID,
    repoRoot,
    log,
    progress: process.env.DEMO_DEPLOY_QUIET
      ? undefined
      : chunk => process.stderr.write(chunk),
  });
  log(
    `deployed ${positionals[0]} at ${result.sha.slice(0, 7)} as ${
      result.taskDefinitionArn
    } (GitHub deployment ${result.deploymentId}, run ${
      result.runId
    }) in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch(error => {
  process.stderr.write(
    `demo:deploy: error: ${
      error instanceof LocalDeployError ? error.message : error?.stack ?? error
    }\n`,
  );
  process.exit(1);
});
