import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TemporaryPostgres {
  host: string;
  port: number;
  /** A superuser; authentication is `trust`, so any password is accepted. */
  user: string;
  /** Stops the server but keeps its data, to test how clients behave while the database is down. */
  pause(): Promise<void>;
  /** Starts a paused server again, on the same port with the same data. */
  resume(): Promise<void>;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Finds initdb and pg_ctl: PG_BIN_DIR, then PATH, then Debian's versioned folders. */
export function findPostgresBinDir(): string {
  const candidates = [
    process.env.PG_BIN_DIR,
    ...(process.env.PATH ?? '').split(':'),
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort()
          .reverse()
          .map(version => join('/usr/lib/postgresql', version, 'bin'))
      : []),
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find(
    dir => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')),
  );
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found; run the tests through scripts/test, which installs them, or set PG_BIN_DIR.',
    );
  }
  return found;
}

/**
 * Starts a throwaway PostgreSQL server in a temporary folder, listening on 127.0.0.1 only, with
 * trust authentication. initdb refuses to run as root, so as root it runs as the `postgres` user.
 */
export async function startTemporaryPostgres(): Promise<TemporaryPostgres> {
  const binDir = findPostgresBinDir();
  const dataRoot = await mkdtemp(join(tmpdir(), 'backstage-pg-'));
  const dataDir = join(dataRoot, 'data');
  const port = await freeLoopbackPort();
  const asRoot = userInfo().uid === 0;
  const osUser = asRoot ? 'postgres' : userInfo().username;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', osUser]).catch(() => {
      throw new Error(
        "running as root needs an OS user named 'postgres' to run PostgreSQL; install Debian's postgresql package.",
      );
    });
    const { stdout: gid } = await run('id', ['-g', osUser]);
    await chown(dataRoot, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dataRoot, 0o700);

  const pg = (binary: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', osUser, '--', join(binDir, binary), ...args])
      : run(join(binDir, binary), args);

  await pg('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  // -w waits until the server accepts connections, -t bounds that wait.
  const start = () =>
    pg('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      join(dataRoot, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dataRoot} -c fsync=off`,
      'start',
    ]);
  await start();

  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    async pause() {
      await pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
    async resume() {
      await start();
    },
    async stop() {
      await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']).catch(
        () => undefined,
      );
      await rm(dataRoot, { recursive: true, force: true });
    },
  };
}
