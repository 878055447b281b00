import { runTerraform, terraformEnv } from '@internal/local-aws';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { recordRun, RecordedJob } from './githubRun';
import { PIPELINE, PipelineState } from './pipeline';
import { lastLines, runProgram } from './run';
import { prepareTerraformWorkdir } from './terraformWorkdir';

/** A deploy that stopped: the message says what to change, and what already exists. */
export class LocalDeployError extends Error {}

export interface LocalDeployOptions {
  /** `owner/repo` on the local GitHub. */
  repository: string;
  /** A public image (there is no Docker here to build the repository's own). */
  image: string;
  /** The login shown as the run's actor. */
  actor: string;
  localAwsEndpoint: string;
  /** The local GitHub's origin, e.g. http://127.0.0.1:4567 (API under /api/v3, git at /<slug>.git). */
  localGithubUrl: string;
  /** The local GitHub's web host name (github.local). */
  githubWebHost: string;
  /** Token of the portal user (clones) and of the workflow (records deployments). */
  githubToken: string;
  workflowToken: string;
  /** Folder for clones and Terraform state (`$LOCAL_DEMO_DATA/deploys`). */
  dataDir: string;
  /** The local AWS's account, which the repository's Terraform must target. */
  accountId: string;
  /** This repository's root (for the Node 24 of `.toolchain/`). */
  repoRoot: string;
  log: (line: string) => void;
  /** Output of the programs the deploy runs, as it arrives. */
  progress?: (chunk: string) => void;
}

export interface LocalDeployResult {
  sha: string;
  taskDefinitionArn: string;
  deploymentId: string;
  runId: number;
}

/** `key = "value"` / `key = value` lines of a tfvars file (enough for the template's own). */
export function readTfvars(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z_][a-z0-9_]*)\s*=\s*"?([^"#]*?)"?\s*$/.exec(line);
    if (m) values[m[1]] = m[2];
  }
  return values;
}

/** A Node that runs TypeScript by itself (type stripping), as the workflows' Node 24 does. */
function scriptsNode(repoRoot: string): string {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (
    major >= 24 ||
    (major === 22 && minor >= 18) ||
    (major === 23 && minor >= 6)
  ) {
    return process.execPath;
  }
  const toolchain = join(repoRoot, '.toolchain');
  const found = existsSync(toolchain)
    ? readdirSync(toolchain).find(d => d.startsWith('node-24'))
    : undefined;
  if (found)
    return join(toolchain, found, 'node_modules', 'node', 'bin', 'node');
  throw new LocalDeployError(
    `the repository's scripts need Node 24 (this is ${process.version}); run ./scripts/start once (it installs Node 24 into .toolchain/), then run this again.`,
  );
}

async function checkReachable(url: string, what: string) {
  const ok = await fetch(url, { signal: AbortSignal.timeout(5000) })
    .then(r => r.status < 500)
    .catch(() => false);
  if (!ok) {
    throw new LocalDeployError(
      `the ${what} does not answer at ${url}; start the portal with ./scripts/start (with moto installed for the local AWS) and run this again with the same LOCAL_AWS_PORT and LOCAL_GITHUB_PORT.`,
    );
  }
}

/**
 * Deploys a repository of the local GitHub to the local AWS the way its own
 * `.github/workflows/deploy.yml` does: the plan job (fmt, init, validate, plan saved to a file),
 * the frontend build, and the production job (apply the saved plan, then the repository's own
 * scripts CLI step by step, `PIPELINE`), recorded as a workflow run and a GitHub Deployment.
 */
export async function localDeploy(
  options: LocalDeployOptions,
): Promise<LocalDeployResult> {
  const { log, repository } = options;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    throw new LocalDeployError(
      `"${repository}" is not owner/repo; give the repository the Create wizard made, e.g. yarn demo:deploy acme/orders-api.`,
    );
  }
  const node = scriptsNode(options.repoRoot);
  const api = `${options.localGithubUrl}/api/v3`;
  await checkReachable(
    `${options.localAwsEndpoint}/_local-aws/health`,
    'local AWS',
  );
  await checkReachable(`${api}/users/x`, 'local GitHub');
  const repoResponse = await fetch(`${api}/repos/${repository}`, {
    headers: { authorization: `token ${options.githubToken}` },
  });
  if (repoResponse.status === 404) {
    throw new LocalDeployError(
      `${repository} is not on the local GitHub (${options.localGithubUrl}); create it with Create → "AWS ECS service" in the portal, or check the owner and name.`,
    );
  }

  const base = join(options.dataDir, repository);
  const checkout = join(base, 'checkout');
  await rm(checkout, { recursive: true, force: true });
  await mkdir(base, { recursive: true });
  const remote = new URL(`${options.localGithubUrl}/${repository}.git`);
  remote.username = 'x-access-token';
  remote.password = options.githubToken;
  const git = (args: string[], cwd = base) =>
    runProgram('git', args, {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      timeoutMs: 120_000,
    });
  const cloned = await git(['clone', '--quiet', remote.toString(), checkout]);
  if (cloned.code !== 0) {
    throw new LocalDeployError(
      `git clone of ${repository} failed: ${lastLines(cloned.stderrTail, 3)}`,
    );
  }
  const sha = (await git(['rev-parse', 'HEAD'], checkout)).stdout.trim();
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    throw new LocalDeployError(
      `${repository} has no commit on its default branch yet; the Create wizard pushes the first one.`,
    );
  }
  const subject = (
    await git(['log', '-1', '--format=%s'], checkout)
  ).stdout.trim();
  log(`cloned ${repository} at ${sha.slice(0, 7)} (${subject})`);

  const terraformDir = join(checkout, 'infrastructure', 'terraform');
  const tfvarsFile = join(terraformDir, 'production.tfvars');
  if (!existsSync(tfvarsFile)) {
    throw new LocalDeployError(
      `${repository} has no infrastructure/terraform/production.tfvars: it was not made by the AWS ECS service template, which this command deploys.`,
    );
  }
  const tfvars = readTfvars(readFileSync(tfvarsFile, 'utf8'));
  if (tfvars.deployment_strategy === 'blue-green') {
    throw new LocalDeployError(
      `${repository} deploys blue/green through CodeDeploy, which the local AWS (moto) does not have; nothing was changed. Create the service with the rolling strategy to deploy it locally.`,
    );
  }
  if (tfvars.aws_account_id !== options.accountId) {
    throw new LocalDeployError(
      `${repository} targets AWS account ${tfvars.aws_account_id}, the local AWS is account ${options.accountId}; nothing was changed. Create the service with AWS account id ${options.accountId} to deploy it locally.`,
    );
  }

  const run = await recordRun(options, sha, subject);
  const jobs: RecordedJob[] = [];
  const job = (name: string) => {
    const j: RecordedJob = { name, status: 'in_progress', steps: [] };
    jobs.push(j);
    return j;
  };
  const progress = options.progress ?? (() => {});
  const state: PipelineState = {
    sha,
    image: options.image,
    steps: {},
    failed: false,
  };
  let failure: LocalDeployError | undefined;

  const workdir = join(base, 'terraform');
  const awsEnv = {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: tfvars.aws_region,
    AWS_ENDPOINT_URL: options.localAwsEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const tfEnv = terraformEnv(awsEnv);
  const step = async (
    target: RecordedJob,
    name: string,
    fn: () => Promise<void>,
  ) => {
    log(`▶ ${target.name} › ${name}`);
    try {
      await fn();
      target.steps.push([name, 'success']);
    } catch (error) {
      target.steps.push([name, 'failure']);
      throw error;
    }
  };
  const stateSummary = async () => {
    const list = await runTerraform(workdir, ['state', 'list'], {
      env: tfEnv,
      okCodes: [0, 1],
    }).catch(() => undefined);
    const count = list?.stdout.split('\n').filter(Boolean).length ?? 0;
    return count
      ? `${count} resources of ${repository} exist in the local AWS (state: ${workdir}/terraform.tfstate); fix the repository's infrastructure/terraform, push, and run this again: it continues from there.`
      : 'nothing was created in the local AWS.';
  };

  try {
    const plan = job('Terraform plan');
    let changes = false;
    const terraform = (args: string[], okCodes = [0]) =>
      runTerraform(workdir, args, { env: tfEnv, okCodes, onOutput: progress });
    try {
      await step(plan, 'terraform fmt -check -recursive', async () => {
        await runTerraform(terraformDir, ['fmt', '-check', '-recursive'], {
          env: tfEnv,
        });
      });
      await step(plan, 'terraform init', async () => {
        await prepareTerraformWorkdir(
          terraformDir,
          workdir,
          options.localAwsEndpoint,
        );
        await terraform(['init', '-input=false', '-no-color']);
      });
      await step(plan, 'terraform validate', async () => {
        await terraform(['validate', '-no-color']);
      });
      await step(plan, 'Plan (saved for the apply)', async () => {
        const result = await terraform(
          [
            'plan',
            '-input=false',
            '-no-color',
            '-var-file=production.tfvars',
            '-detailed-exitcode',
            '-out=tfplan',
          ],
          [0, 2],
        );
        changes = result.code === 2;
      });
      plan.status = 'completed';
    } catch (error) {
      plan.status = 'completed';
      throw new LocalDeployError(
        `Terraform refused ${repository}'s infrastructure/terraform before changing anything:\n${lastLines(
          String(error instanceof Error ? error.message : error),
          12,
        )}\nFix it in the repository, push, and run this again.`,
      );
    }

    const frontend = job('Frontend build');
    const npm = async (dir: string, args: string[]) => {
      const result = await runProgram('npm', args, {
        cwd: join(checkout, dir),
        env: {
          ...process.env,
          npm_config_audit: 'false',
          npm_config_fund: 'false',
        },
        onOutput: progress,
      });
      if (result.code !== 0) {
        throw new LocalDeployError(
          `npm ${args.join(' ')} in ${dir}/ failed:\n${lastLines(
            result.stderrTail,
          )}`,
        );
      }
    };
    await step(frontend, 'npm ci', () => npm('frontend', ['ci']));
    await step(frontend, 'npm run build', () =>
      npm('frontend', ['run', 'build']),
    );
    frontend.status = 'completed';

    const production = job('Apply and deploy to production');
    await step(production, 'npm ci (scripts)', () => npm('scripts', ['ci']));
    if (changes) {
      await step(production, 'Apply exactly the reviewed plan', async () => {
        try {
          await terraform(['apply', '-input=false', '-no-color', 'tfplan']);
        } catch (error) {
          throw new LocalDeployError(
            `terraform apply of ${repository} failed:\n${lastLines(
              String(error instanceof Error ? error.message : error),
              12,
            )}\n${await stateSummary()}`,
          );
        }
      });
    } else {
      log(
        'no infrastructure changes: the apply is skipped, as in the workflow',
      );
    }
    const outputs = await terraform(['output', '-json']);
    for (const pipelineStep of PIPELINE) {
      const runs = pipelineStep.when ? pipelineStep.when(state) : !state.failed;
      if (!runs) {
        production.steps.push([pipelineStep.name, 'skipped']);
        continue;
      }
      try {
        await step(production, pipelineStep.name, async () => {
          const stepOutputs = await runScript(
            pipelineStep.command,
            pipelineStep.args(state),
            {
              node,
              cwd: checkout,
              input: pipelineStep.stdinTerraformOutputs
                ? outputs.stdout
                : undefined,
              env: {
                ...awsEnv,
                GITHUB_TOKEN: options.workflowToken,
                GITHUB_REPOSITORY: repository,
                GITHUB_API_URL: api,
                GITHUB_SERVER_URL: `https://${options.githubWebHost}`,
                GITHUB_RUN_ID: String(run.id),
              },
              progress,
            },
          );
          state.steps[pipelineStep.id] = stepOutputs;
        });
      } catch (error) {
        state.failed = true;
        failure ??= new LocalDeployError(
          `the step "${pipelineStep.name}" failed: ${
            error instanceof Error ? error.message : error
          }`,
        );
      }
    }
    production.status = 'completed';
    if (failure) throw failure;
    return {
      sha,
      taskDefinitionArn: state.steps.register?.task_definition_arn ?? '',
      deploymentId: state.steps.record?.deployment_id ?? '',
      runId: run.id,
    };
  } catch (error) {
    failure =
      error instanceof LocalDeployError
        ? error
        : new LocalDeployError(String(error));
    throw failure;
  } finally {
    await run.complete(failure ? 'failure' : 'success', jobs).catch(() => {});
  }
}

/**
 * One command of the repository's scripts CLI, as the workflow step runs it; answers the step
 * outputs it wrote to `$GITHUB_OUTPUT`.
 */
async function runScript(
  command: string,
  args: string[],
  options: {
    node: string;
    cwd: string;
    env: NodeJS.ProcessEnv;
    input?: string;
    progress: (chunk: string) => void;
  },
): Promise<Record<string, string>> {
  const scratch = await mkdtemp(join(options.cwd, '..', 'step-'));
  const outputFile = join(scratch, 'output');
  try {
    const result = await runProgram(
      options.node,
      ['scripts/src/cli.ts', ...command.split(' '), ...args],
      {
        cwd: options.cwd,
        input: options.input,
        env: {
          ...process.env,
          ...options.env,
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: join(scratch, 'summary'),
        },
        onOutput: options.progress,
        timeoutMs: 15 * 60_000,
      },
    );
    if (result.code !== 0) {
      throw new Error(lastLines(result.stderrTail, 4));
    }
    return parseStepOutputs(
      existsSync(outputFile) ? await readFile(outputFile, 'utf8') : '',
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `name<<delimiter` blocks of a `$GITHUB_OUTPUT` file, as GitHub Actions reads them. */
export function parseStepOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      if (end < 0) break;
      outputs[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = lines[i].indexOf('=');
    if (eq > 0) outputs[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
  }
  return outputs;
}
