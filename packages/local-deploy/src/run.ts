import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Killed after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Progress lines for the person running the deploy. */
  onOutput?: (chunk: string) => void;
}

export interface RunResult {
  code: number;
  stdout: string;
  /** The last few thousand characters of stderr, for error messages. */
  stderrTail: string;
}

/** Runs a program to its end (bounded in time), keeping stdout and the tail of stderr. */
export function runProgram(
  command: string,
  args: string[],
  options: RunOptions,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      options.onOutput?.(c.toString());
    });
    child.stderr.on('data', (c: Buffer) => {
      stderrTail = (stderrTail + c.toString()).slice(-4000);
      options.onOutput?.(c.toString());
    });
    const timer = setTimeout(
      () => child.kill('SIGKILL'),
      options.timeoutMs ?? 600_000,
    );
    child.on('error', error => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderrTail });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** The last lines of a program's error output that say something (for a one-screen message). */
export function lastLines(text: string, count = 8): string {
  return (
    text
      .split('\n')
      // eslint-disable-next-line no-control-regex -- npm and the scripts colour their errors
      .map(l => l.replace(/\x1b\[[0-9;]*m/g, '').trimEnd())
      // Stack frames and Terraform's box drawing say nothing a person can act on.
      .filter(l => l.trim() && !/^[│╵╷ ]*$/.test(l) && !/^\s+at /.test(l))
      .slice(-count)
      .join('\n')
  );
}
