import { spawn, ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import {
  freeLoopbackPort,
  startTemporaryPostgres,
  TemporaryPostgres,
} from '@internal/test-postgres';

const repoRoot = resolve(__dirname, '../../..');
const backendDir = resolve(__dirname, '..');
const STATIC_TOKEN = 'production-config-test-token-0123456789';

/** Polls `probe` until it returns a value, at most `attempts` times. */
async function poll<T>(
  what: string,
  attempts: number,
  probe: () => Promise<T | undefined>,
  logs: () => string,
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(
    `${what} not reached after ${attempts}s; backend output:\n${logs()}`,
  );
}

// The backend as app-config.production.yaml runs it (PostgreSQL, GitHub sign-in), on a real
// PostgreSQL server. Only what cannot work in a test is overridden: the catalog file location
// (the production one is relative to the image's working directory), the listen address, and a
// static token so the test can call the catalog.
describe('backend with app-config.production.yaml', () => {
  let postgres: TemporaryPostgres;
  let backend: ChildProcess;
  let workDir: string;
  let baseUrl: string;
  let output = '';

  beforeAll(async () => {
    postgres = await startTemporaryPostgres();
    workDir = await mkdtemp(join(tmpdir(), 'backend-prod-config-'));
    const port = await freeLoopbackPort();
    baseUrl = `http://127.0.0.1:${port}`;
    const testConfig = join(workDir, 'app-config.test.yaml');
    await writeFile(
      testConfig,
      JSON.stringify({
        backend: {
          baseUrl,
          listen: `127.0.0.1:${port}`,
          auth: {
            externalAccess: [
              {
                type: 'static',
                options: { token: STATIC_TOKEN, subject: 'production-test' },
              },
            ],
          },
        },
        catalog: {
          locations: [
            {
              type: 'file',
              target: join(repoRoot, 'catalog-info.yaml'),
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'Location',
                    'Template',
                    'User',
                    'Group',
                  ],
                },
              ],
            },
          ],
        },
      }),
    );
    backend = spawn(
      process.execPath,
      [
        require.resolve('@backstage/cli/bin/backstage-cli'),
        'package',
        'start',
        '--config',
        join(repoRoot, 'app-config.yaml'),
        '--config',
        join(repoRoot, 'app-config.production.yaml'),
        '--config',
        testConfig,
      ],
      {
        cwd: backendDir,
        detached: true,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          POSTGRES_HOST: postgres.host,
          POSTGRES_PORT: String(postgres.port),
          POSTGRES_USER: postgres.user,
          POSTGRES_PASSWORD: 'unused-with-trust-auth',
          BACKEND_SECRET: 'production-config-test-secret',
          AUTH_GITHUB_CLIENT_ID: 'test-client-id',
          AUTH_GITHUB_CLIENT_SECRET: 'test-client-secret',
          APP_BASE_URL: baseUrl,
          BACKEND_BASE_URL: baseUrl,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20000);
    };
    backend.stdout?.on('data', collect);
    backend.stderr?.on('data', collect);
  }, 120_000);

  afterAll(async () => {
    if (backend?.pid) {
      try {
        process.kill(-backend.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise(r => setTimeout(r, 1000));
      try {
        process.kill(-backend.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await postgres?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 60_000);

  it('becomes ready, stores its data in PostgreSQL and serves catalog queries', async () => {
    await poll(
      'readiness',
      150,
      async () => {
        const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
        return res.ok ? true : undefined;
      },
      () => output,
    );

    const client = new Client({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      database: 'postgres',
    });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database',
    );
    await client.end();
    expect(rows.map(r => r.datname)).toContain('backstage_plugin_catalog');

    const components = await poll(
      'the catalog listing this repository',
      60,
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-query?filter=kind=component`,
          { headers: { authorization: `Bearer ${STATIC_TOKEN}` } },
        );
        if (!res.ok) return undefined;
        const body = (await res.json()) as {
          items: Array<{ metadata: { name: string } }>;
        };
        return body.items.length > 0 ? body.items : undefined;
      },
      () => output,
    );
    expect(components.map(c => c.metadata.name)).toContain('cicd-aws-portal');

    const unauthenticated = await fetch(
      `${baseUrl}/api/catalog/entities/by-query?filter=kind=component`,
    );
    expect(unauthenticated.status).toBe(401);
  }, 240_000);
});
