/*
 * Running the Terraform CLI offline (providers from the machine's filesystem mirror, no
 * checkpoint calls, no prompts), for the Terraform suites and the local deploy.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The offline provider mirror of the project's machines. Where it does not exist (a CI runner
 * with internet), Terraform installs providers from its registry as usual.
 */
const PROVIDER_MIRROR = process.env.TF_PROVIDER_MIRROR ?? '/opt/tf-plugins';

let cliConfigFile: string | undefined;

/**
 * Environment for running Terraform offline: providers only from the local filesystem mirror,
 * no checkpoint calls, no interactive input.
 */
export function terraformEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  if (!cliConfigFile && !existsSync(PROVIDER_MIRROR)) {
    cliConfigFile = join(
      mkdtempSync(join(tmpdir(), 'tf-cli-')),
      'terraform.rc',
    );
    writeFileSync(cliConfigFile, '');
  }
  if (!cliConfigFile) {
    const dir = mkdtempSync(join(tmpdir(), 'tf-cli-'));
    cliConfigFile = join(dir, 'terraform.rc');
    writeFileSync(
      cliConfigFile,
      `provider_installation {\n  filesystem_mirror {\n    path    = "${PROVIDER_MIRROR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
    );
  }
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfigFile,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunTerraformOptions {
  /** Exit codes that are not failures; default [0]. */
  okCodes?: number[];
  /** Killed after this long; default 10 minutes. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Written to Terraform's stdin (what `terraform console` evaluates); default nothing. */
  input?: string;
  /** Called with each chunk of Terraform's output as it arrives (progress for a person). */
  onOutput?: (chunk: string) => void;
}

/**
 * Runs `terraform <args>` in `dir`. An exit code outside okCodes (or a time-out) throws with the
 * command and the tail of its output, so a failing test says what Terraform said.
 */
export async function runTerraform(
  dir: string,
  args: string[],
  options: RunTerraformOptions = {},
): Promise<TerraformResult> {
  const { okCodes = [0], timeoutMs = 600_000 } = options;
  const child = spawn('terraform', args, {
    cwd: dir,
    env: options.env ?? terraformEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Without input stdin is at its end at once, as with 'ignore'. Terraform may exit before it
  // reads its input (EPIPE); its exit code and output say why.
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    options.onOutput?.(c.toString());
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    options.onOutput?.(c.toString());
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const code: number = await new Promise(resolve =>
    child.on('close', c => resolve(c ?? -1)),
  );
  clearTimeout(timer);
  if (timedOut || !okCodes.includes(code)) {
    throw new Error(
      `terraform ${args.join(' ')} in ${dir} ${
        timedOut ? `timed out after ${timeoutMs} ms` : `exited ${code}`
      }\n--- stdout (tail)\n${stdout.slice(
        -6000,
      )}\n--- stderr (tail)\n${stderr.slice(-6000)}`,
    );
  }
  return { code, stdout, stderr };
}
