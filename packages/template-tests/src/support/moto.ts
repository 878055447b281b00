import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** Wipes every resource moto holds. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });
}

/** True when `moto_server` is on PATH. */
export function hasMotoServer(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts moto_server (the AWS API emulator) on a free loopback port and waits until it answers,
 * at most 60 s. Managed IAM policies are loaded so AWS-managed policy ARNs can be attached, and
 * ACM certificates validate at once instead of after moto's default 60 s.
 */
export async function startMoto(): Promise<MotoServer> {
  if (!hasMotoServer()) {
    throw new Error(
      'moto_server is not on PATH; install moto with its server extra (pip install "moto[server]") and run the tests again.',
    );
  }
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: {
      ...process.env,
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      MOTO_ACM_VALIDATION_WAIT: '0',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-10000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited early:\n${output}`);
    }
    const up = await fetch(`${endpoint}/moto-api/`, {
      signal: AbortSignal.timeout(2000),
    })
      .then(res => res.ok)
      .catch(() => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer within 60 s:\n${output}`);
    }
    await new Promise(r => setTimeout(r, 250));
  }

  return {
    endpoint,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
