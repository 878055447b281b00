import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** Options for {@link startLocalAws}. */
export interface StartLocalAwsOptions {
  /** Seconds an ECS rollout stays IN_PROGRESS before it completes or fails. Default 2. */
  rolloutSeconds?: number;
  /** Python interpreter to run the launcher with. Default `LOCAL_AWS_PYTHON` or `python3`. */
  python?: string;
  /** How long to wait for the server to answer, in milliseconds. Default 60 000. */
  startTimeoutMs?: number;
  /** Loopback port to listen on (the local demo needs a known one). Default: a free port. */
  port?: number;
}

/** A running local AWS (moto plus the ECS deployment layer). */
export interface LocalAws {
  /** Base URL to pass as `endpoint` to AWS SDK clients, e.g. `http://127.0.0.1:41234`. */
  endpoint: string;
  /** Make the next ECS rollout fail the way the deployment circuit breaker reports it. */
  failNextRollout(): Promise<void>;
  /** Wipe all emulated AWS state and this layer's state (pending rollouts, failure flags). */
  reset(): Promise<void>;
  /** Stop the server process. Safe to call twice. */
  stop(): Promise<void>;
}

// Resolved through the module system rather than __dirname; this package is
// test-only and never bundled, so the Python file sits next to src/.
const LAUNCHER = require.resolve('../python/local_aws.py');
const MOTO_MISSING_EXIT_CODE = 3;
const POLL_INTERVAL_MS = 100;
const STDERR_TAIL_CHARS = 4000;

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function post(url: string): Promise<void> {
  const response = await fetch(url, { method: 'POST' });
  if (!response.ok) {
    throw new Error(
      `local-aws: POST ${url} answered ${
        response.status
      }: ${await response.text()}`,
    );
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(true);
  }
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Start moto with the ECS deployment layer (`python/local_aws.py`) on a free
 * loopback port and resolve once it answers. Needs `python3` with moto 5
 * (`pip install 'moto[server]'`).
 */
export async function startLocalAws(
  options: StartLocalAwsOptions = {},
): Promise<LocalAws> {
  const python = options.python ?? process.env.LOCAL_AWS_PYTHON ?? 'python3';
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const port = options.port ?? (await freeLoopbackPort());
  const endpoint = `http://127.0.0.1:${port}`;
  const args = [LAUNCHER, '--host', '127.0.0.1', '--port', String(port)];
  if (options.rolloutSeconds !== undefined) {
    args.push('--rollout-seconds', String(options.rolloutSeconds));
  }

  const child = spawn(python, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  });

  let failure: Error | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    failure =
      error.code === 'ENOENT'
        ? new Error(
            `local-aws: '${python}' was not found. Install Python 3.9+ and moto 5 (pip install 'moto[server]'), or set LOCAL_AWS_PYTHON to an interpreter that has moto.`,
          )
        : error;
  });
  child.once('exit', (code, signal) => {
    if (failure) {
      return;
    }
    failure =
      code === MOTO_MISSING_EXIT_CODE
        ? new Error(
            `local-aws: '${python}' cannot import moto. Install it with: ${python} -m pip install 'moto[server]>=5.1'\n${stderrTail}`,
          )
        : new Error(
            `local-aws: the launcher exited early (code ${code}, signal ${signal}).\n${stderrTail}`,
          );
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };

  const maxPolls = Math.ceil(startTimeoutMs / POLL_INTERVAL_MS);
  for (let poll = 0; ; poll++) {
    if (failure) {
      await stop();
      throw failure;
    }
    try {
      const response = await fetch(`${endpoint}/_local-aws/health`);
      if (response.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (poll >= maxPolls) {
      await stop();
      throw new Error(
        `local-aws: no answer on ${endpoint} within ${startTimeoutMs} ms.\n${stderrTail}`,
      );
    }
    await new Promise(r => setTimeout(r, POLL_INTERVAL_MS));
  }

  return {
    endpoint,
    failNextRollout: () => post(`${endpoint}/_local-aws/ecs/fail-next-rollout`),
    reset: () => post(`${endpoint}/_local-aws/reset`),
    stop,
  };
}
