import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../render';

/**
 * npm's cache for the generated trees, shared by both renders and kept between runs (it lives with
 * the repository's other caches under node_modules/.cache), so only a cold machine downloads.
 */
export const npmCacheDir = join(
  repoRoot,
  'node_modules',
  '.cache',
  'template-tests-npm',
);

export interface NpmResult {
  output: string;
  durationMs: number;
}

/**
 * The environment of a developer's shell, not Jest's: NODE_ENV=test would make Vite bundle React's
 * development build, and Yarn's npm_* variables describe this repository, not the generated one.
 */
export function childEnv(
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const inherited =
      !/^(npm_package_|npm_lifecycle_|npm_config_user_agent$|npm_execpath$|npm_node_execpath$|npm_config_nodedir$)/.test(
        name,
      ) &&
      !['NODE_ENV', 'NODE_OPTIONS', 'JEST_WORKER_ID', 'INIT_CWD'].includes(
        name,
      );
    if (inherited) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs `npm <args>` in `cwd` with the shared cache, killed after `timeoutMs`. Resolves with the
 * combined output; rejects with its tail when npm fails, so a failing step explains itself.
 */
export function npm(
  cwd: string,
  args: string[],
  timeoutMs: number,
  env: Record<string, string> = {},
): Promise<NpmResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, {
      cwd,
      env: childEnv({
        npm_config_cache: npmCacheDir,
        npm_config_prefer_offline: 'true',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
        CI: 'true',
        NO_COLOR: '1',
        ...env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', error => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', code => {
      clearTimeout(timer);
      const durationMs = Date.now() - started;
      if (code === 0) resolve({ output, durationMs });
      else
        reject(
          new Error(
            `npm ${args.join(
              ' ',
            )} in ${cwd} failed (exit code ${code}):\n${output.slice(-6000)}`,
          ),
        );
    });
  });
}
