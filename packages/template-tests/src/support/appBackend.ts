import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { childEnv } from './appNpm';

export interface BackendExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the process ended. */
  at: number;
}

export interface BuiltBackend {
  url: string;
  /** stdout, one entry per line: the service's JSON logs. */
  stdoutLines(): string[];
  /** Everything it printed, for failure messages. */
  output(): string;
  exited: Promise<BackendExit>;
  signal(signal: NodeJS.Signals): void;
  /** Ends it (SIGKILL) unless it has ended already. */
  kill(): Promise<void>;
}

export interface JsonAnswer {
  status: number;
  body: any;
}

/** A request with a bounded wait, answering status and parsed JSON body. */
export async function fetchJson(
  url: string,
  init: RequestInit = {},
  timeoutMs = 10_000,
): Promise<JsonAnswer> {
  const response = await fetch(url, {
    ...init,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the assertions show the text.
  }
  return { status: response.status, body };
}

/** Calls `probe` every 100 ms until it returns a value, at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  details: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${timeoutMs} ms${
          lastError ? ` (last error: ${lastError})` : ''
        }\n${details()}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/**
 * Starts the generated backend's build (`node dist/server.js`, the image's CMD) with exactly `env`
 * (plus PATH) and waits until /health answers, at most 20 s.
 */
export async function startBuiltBackend(
  backendDir: string,
  env: Record<string, string>,
): Promise<BuiltBackend> {
  const child = spawn(process.execPath, [join('dist', 'server.js')], {
    cwd: backendDir,
    env: { PATH: childEnv().PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<BackendExit>(resolve =>
    child.once('exit', (code, signal) =>
      resolve({ code, signal, at: Date.now() }),
    ),
  );
  let ended = false;
  void exited.then(() => {
    ended = true;
  });

  const backend: BuiltBackend = {
    url: `http://${env.HOST}:${env.PORT}`,
    stdoutLines: () => stdout.split('\n').filter(Boolean),
    output: () => output,
    exited,
    signal: signal => child.kill(signal),
    async kill() {
      if (ended) return;
      child.kill('SIGKILL');
      await exited;
    },
  };

  try {
    await waitFor(
      'the backend answering /health',
      20_000,
      async () => {
        if (ended) throw new Error('the backend exited');
        const { status } = await fetchJson(`${backend.url}/health`, {}, 2000);
        return status === 200 ? true : undefined;
      },
      () => output,
    );
  } catch (error) {
    await backend.kill();
    throw error;
  }
  return backend;
}

export interface OneOffResult {
  code: number | null;
  stdoutLines: string[];
  output: string;
}

/**
 * Runs a one-off command in the backend folder with exactly `env` (plus PATH and HOME, which npm
 * needs), as the migration task runs in ECS; killed after `timeoutMs`.
 */
export function runOneOff(
  backendDir: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<OneOffResult> {
  const inherited = childEnv();
  const child = spawn(command, args, {
    cwd: backendDir,
    env: { PATH: inherited.PATH ?? '', HOME: inherited.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', code => {
      clearTimeout(timer);
      resolve({
        code,
        stdoutLines: stdout.split('\n').filter(Boolean),
        output,
      });
    });
  });
}
