import { existsSync } from 'node:fs';
import { readdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  freeLoopbackPort,
  startTemporaryPostgres,
  TemporaryPostgres,
} from '@internal/test-postgres';
import { blueGreenWithDomain, rollingWithoutDomain } from './fixtures';
import { renderAwsEcsServiceSkeleton, stopScaffolder } from './render';
import {
  BuiltBackend,
  fetchJson,
  OneOffResult,
  runOneOff,
  startBuiltBackend,
  waitFor,
} from './support/appBackend';
import { lintDockerfile, parseDockerfile } from './support/appDockerfile';
import { npm } from './support/appNpm';

/**
 * Renders the aws-ecs-service template through the real scaffolder and proves the service code it
 * stamps out, as its CI and ECS would run it: install from the committed lockfiles, lint, test and
 * build backend and frontend; migrations against a real PostgreSQL; the built backend's health,
 * readiness with the database up and down, and graceful shutdown; the Dockerfile (there is no
 * Docker engine here, so the image itself is not built).
 */

const INSTALL_TIMEOUT_MS = 240_000;
const STEP_TIMEOUT_MS = 120_000;
const DRAIN_TIMEOUT_SECONDS = 8;

/** Each JSON line of a process's stdout; npm's own banner lines are not JSON and are skipped. */
function jsonLines(lines: string[]): Array<Record<string, any>> {
  return lines.flatMap(line => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}

/** The names ecs.tf puts into the container's environment and secrets. */
function ecsVariableNames(ecsTf: string): string[] {
  // The expression after `<local> =` (a list, or a concat() of lists), up to its matching
  // bracket or parenthesis (it contains `this[0]` indexes).
  const list = (local: string) => {
    const assigned = ecsTf.indexOf(`${local} =`);
    if (assigned === -1) throw new Error(`ecs.tf has no list ${local}`);
    const open = ecsTf.slice(assigned).search(/[[(]/) + assigned;
    let depth = 0;
    for (let i = open; i < ecsTf.length; i++) {
      if (ecsTf[i] === '[' || ecsTf[i] === '(') depth++;
      if ((ecsTf[i] === ']' || ecsTf[i] === ')') && --depth === 0) {
        return ecsTf.slice(open, i);
      }
    }
    throw new Error(`ecs.tf has no list ${local}`);
  };
  return [list('container_environment'), list('container_secrets')]
    .flatMap(text => [...text.matchAll(/name\s*=\s*"([A-Z0-9_]+)"/g)])
    .map(match => match[1])
    .sort();
}

/** Fails with everything the process printed when it ended with another exit code. */
function expectExitCode(result: OneOffResult, code: number) {
  if (result.code !== code) {
    throw new Error(
      `expected exit code ${code}, got ${result.code}; output:\n${result.output}`,
    );
  }
}

function terraformDefault(variablesTf: string, variable: string): string {
  const match = new RegExp(
    `variable "${variable}" \\{[^}]*?default\\s*=\\s*"?([^"\\n]+)"?`,
  ).exec(variablesTf);
  if (!match) throw new Error(`variables.tf has no default for ${variable}`);
  return match[1].trim();
}

const fixtures: Array<[string, Record<string, unknown>]> = [
  ['rolling, without a domain', rollingWithoutDomain],
  ['blue/green, with a domain', blueGreenWithDomain],
];

describe('aws-ecs-service generated service code', () => {
  let postgres: TemporaryPostgres;
  const renderedDirs: string[] = [];
  const running = new Set<BuiltBackend>();
  /** Backend folders whose npm ci succeeded. */
  const installedBackends: string[] = [];
  const timings: Record<string, Record<string, number>> = {};

  beforeAll(async () => {
    postgres = await startTemporaryPostgres();
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...running].map(backend => backend.kill()));
    await postgres?.stop();
    await Promise.all(
      renderedDirs.map(dir => rm(dir, { recursive: true, force: true })),
    );
    await stopScaffolder();
    // eslint-disable-next-line no-console
    console.log(JSON.stringify({ timingsMs: timings }, null, 2));
  }, 90_000);

  describe.each(fixtures)('%s', (_label, values) => {
    const name = String(values.name);
    const databaseName = name.replace(/-/g, '_');
    let root: string;
    let backendDir: string;
    let frontendDir: string;
    let ecsEnvironment: Record<string, string>;
    const steps: Record<string, number> = {};
    timings[name] = steps;

    async function step(
      dir: string,
      label: string,
      args: string[],
      timeoutMs = STEP_TIMEOUT_MS,
      env: Record<string, string> = {},
    ) {
      const result = await npm(dir, args, timeoutMs, env);
      steps[label] = result.durationMs;
      return result;
    }

    /** The variables ecs.tf gives the container, with this machine's values, plus test settings. */
    function backendEnv(port: number): Record<string, string> {
      return {
        ...ecsEnvironment,
        PORT: String(port),
        // Loopback only; in the container it listens on every interface.
        HOST: '127.0.0.1',
        // The test database has no TLS; RDS enforces it.
        DB_SSL: 'disable',
        DB_CONNECT_TIMEOUT_MS: '1000',
        DRAIN_TIMEOUT_SECONDS: String(DRAIN_TIMEOUT_SECONDS),
      };
    }

    async function startBackend(): Promise<BuiltBackend> {
      const backend = await startBuiltBackend(
        backendDir,
        backendEnv(await freeLoopbackPort()),
      );
      running.add(backend);
      void backend.exited.then(() => running.delete(backend));
      return backend;
    }

    async function withDatabase<T>(fn: (client: Client) => Promise<T>) {
      const client = new Client({
        host: postgres.host,
        port: postgres.port,
        user: postgres.user,
        database: databaseName,
        connectionTimeoutMillis: 5000,
      });
      await client.connect();
      try {
        return await fn(client);
      } finally {
        await client.end();
      }
    }

    beforeAll(async () => {
      const started = Date.now();
      root = await renderAwsEcsServiceSkeleton(values);
      steps.render = Date.now() - started;
      renderedDirs.push(root);
      backendDir = join(root, 'backend');
      frontendDir = join(root, 'frontend');

      ecsEnvironment = {
        ENVIRONMENT: String(values.environment),
        DB_HOST: postgres.host,
        DB_PORT: String(postgres.port),
        DB_NAME: databaseName,
        DB_IAM_USER: `${databaseName}_app`,
        DB_USERNAME: postgres.user,
        // The test server trusts loopback connections; RDS checks this password.
        DB_PASSWORD: 'not-checked-by-the-test-server',
      };

      const admin = new Client({
        host: postgres.host,
        port: postgres.port,
        user: postgres.user,
        database: 'postgres',
      });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${databaseName}`);
      await admin.end();
    }, 120_000);

    it('runs with what ecs.tf injects: the same variable names', async () => {
      const names = ecsVariableNames(
        await readFile(
          join(root, 'infrastructure', 'terraform', 'ecs.tf'),
          'utf8',
        ),
      );
      // Fails when ecs.tf renames or adds a variable that this test, and so the app, does not know.
      expect(names).toEqual([...Object.keys(ecsEnvironment), 'PORT'].sort());
    });

    it('bakes the form values into package.json', async () => {
      const pkg = JSON.parse(
        await readFile(join(backendDir, 'package.json'), 'utf8'),
      );
      expect(pkg.service).toEqual({
        name,
        databaseEnabled: values.databaseEnabled,
      });
      expect(pkg.description).toBe(values.description);
      expect(pkg.engines.node).toBe('>=24');
    });

    it(
      'backend: installs from its lockfile, lints and builds',
      async () => {
        const lock = await readFile(
          join(backendDir, 'package-lock.json'),
          'utf8',
        );
        // No registry host in the lockfile: npm ci fetches from whatever registry is configured.
        expect(lock).not.toMatch(/"resolved":/);

        await step(backendDir, 'backendInstall', ['ci'], INSTALL_TIMEOUT_MS);
        await step(backendDir, 'backendLint', ['run', 'lint']);
        await step(backendDir, 'backendBuild', ['run', 'build']);
        installedBackends.push(backendDir);
        expect(existsSync(join(backendDir, 'dist', 'server.js'))).toBe(true);
        expect(existsSync(join(backendDir, 'dist', 'migrate.js'))).toBe(true);
      },
      INSTALL_TIMEOUT_MS + 2 * STEP_TIMEOUT_MS,
    );

    it(
      'frontend: installs from its lockfile, lints, tests and builds hashed assets without inline scripts',
      async () => {
        const lock = await readFile(
          join(frontendDir, 'package-lock.json'),
          'utf8',
        );
        expect(lock).not.toMatch(/"resolved":/);

        await step(frontendDir, 'frontendInstall', ['ci'], INSTALL_TIMEOUT_MS);
        await step(frontendDir, 'frontendLint', ['run', 'lint']);
        const tests = await step(frontendDir, 'frontendTest', ['test']);
        expect(tests.output).toMatch(/Tests\s+\d+ passed/);
        await step(frontendDir, 'frontendBuild', ['run', 'build']);

        const assets = await readdir(join(frontendDir, 'dist', 'assets'));
        expect(assets.some(file => file.endsWith('.js'))).toBe(true);
        // Content hashes in the names are what make a one-year immutable cache safe.
        for (const asset of assets) {
          expect(asset).toMatch(/-[A-Za-z0-9_-]{8,}\.(js|css|svg|png|woff2)$/);
        }
        const html = await readFile(
          join(frontendDir, 'dist', 'index.html'),
          'utf8',
        );
        expect(html).toContain(`<title>${name}</title>`);
        for (const asset of assets.filter(file => /\.(js|css)$/.test(file))) {
          expect(html).toContain(`/assets/${asset}`);
        }
        // CloudFront's Content-Security-Policy (script-src from default-src 'self') blocks inline scripts.
        expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      },
      INSTALL_TIMEOUT_MS + 3 * STEP_TIMEOUT_MS,
    );

    it('migrations: npm run migrate creates the schema once, and fails loudly without a database', async () => {
      const env = backendEnv(8080);
      const first = await runOneOff(backendDir, 'npm', ['run', 'migrate'], env);
      expectExitCode(first, 0);
      expect(jsonLines(first.stdoutLines).at(-1)).toMatchObject({
        level: 'info',
        service: name,
        applied: [expect.stringMatching(/_create-items$/)],
      });

      const again = await runOneOff(backendDir, 'npm', ['run', 'migrate'], env);
      expectExitCode(again, 0);
      expect(jsonLines(again.stdoutLines).at(-1)).toMatchObject({
        applied: [],
      });

      const columns = await withDatabase(async client =>
        (
          await client.query(
            `SELECT column_name FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position`,
          )
        ).rows.map(row => row.column_name),
      );
      expect(columns).toEqual(['id', 'name', 'created_at']);

      const missing = await runOneOff(backendDir, 'npm', ['run', 'migrate'], {
        ...env,
        DB_NAME: 'no_such_database',
      });
      expectExitCode(missing, 1);
      expect(jsonLines(missing.stdoutLines).at(-1)).toMatchObject({
        level: 'fatal',
        msg: 'migration failed',
      });
    }, 120_000);

    it(
      'backend: its tests pass, those against the migrated database included',
      async () => {
        const tests = await step(
          backendDir,
          'backendTest',
          ['test'],
          STEP_TIMEOUT_MS,
          {
            // As CI runs them: after `npm run migrate`, with the database in DATABASE_URL.
            DATABASE_URL: `postgres://${postgres.user}@${postgres.host}:${postgres.port}/${databaseName}`,
            DB_SSL: 'disable',
          },
        );
        expect(tests.output).toMatch(/ℹ fail 0/);
        expect(tests.output).toMatch(/✔ items in PostgreSQL/);
      },
      STEP_TIMEOUT_MS,
    );

    it('refuses to start with a list of what is wrong in its configuration', async () => {
      const env = backendEnv(await freeLoopbackPort());
      const result = await runOneOff(
        backendDir,
        process.execPath,
        ['dist/server.js'],
        { ...env, PORT: 'eighty', DB_HOST: '', DB_PASSWORD: '' },
        20_000,
      );
      expectExitCode(result, 1);
      expect(jsonLines(result.stdoutLines)).toEqual([
        expect.objectContaining({
          level: 'fatal',
          problems: [
            'PORT must be a whole number from 1 to 65535 (got "eighty")',
            'database settings missing: DB_HOST, DB_PASSWORD (set them, or DATABASE_URL instead; DB_PORT defaults to 5432)',
          ],
        }),
      ]);
    }, 30_000);

    it('the built backend is live, ready only while the database is up, and serves its API', async () => {
      const backend = await startBackend();
      try {
        expect(await fetchJson(`${backend.url}/health`)).toEqual({
          status: 200,
          body: { status: 'ok' },
        });
        expect(await fetchJson(`${backend.url}/health/ready`)).toEqual({
          status: 200,
          body: { status: 'ready', checks: { database: 'ok' } },
        });
        const created = await fetchJson(`${backend.url}/api/items`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'first order' }),
        });
        expect(created.status).toBe(201);
        expect((await fetchJson(`${backend.url}/api/items`)).body).toEqual({
          items: [created.body.item],
        });

        await postgres.pause();
        try {
          expect(await fetchJson(`${backend.url}/health/ready`)).toEqual({
            status: 503,
            body: { status: 'unavailable', reason: 'database unreachable' },
          });
          expect((await fetchJson(`${backend.url}/health`)).status).toBe(200);
          expect((await fetchJson(`${backend.url}/api/items`)).status).toBe(
            503,
          );
        } finally {
          await postgres.resume();
        }
        await waitFor(
          'readiness after the database came back',
          15_000,
          async () =>
            (
              await fetchJson(`${backend.url}/health/ready`, {}, 3000)
            ).status === 200
              ? true
              : undefined,
          backend.output,
        );
      } finally {
        await backend.kill();
      }
    }, 90_000);

    it('answers the health check path of the load balancer in the Terraform', async () => {
      const variablesTf = await readFile(
        join(root, 'infrastructure', 'terraform', 'variables.tf'),
        'utf8',
      );
      const albPath = terraformDefault(variablesTf, 'health_check_path');
      const backend = await startBackend();
      try {
        expect({
          path: albPath,
          status: (await fetchJson(`${backend.url}${albPath}`)).status,
        }).toEqual({ path: albPath, status: 200 });
      } finally {
        await backend.kill();
      }
    }, 60_000);

    it(`SIGTERM lets a slow request finish, refuses new connections and exits 0 within ${DRAIN_TIMEOUT_SECONDS} s`, async () => {
      const backend = await startBackend();
      const locker = new Client({
        host: postgres.host,
        port: postgres.port,
        user: postgres.user,
        database: databaseName,
      });
      await locker.connect();
      try {
        // A lock held by another session makes the service's next query on items wait: a slow
        // request, as a long query would be in production.
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
        const slow = fetchJson(`${backend.url}/api/items`, {}, 30_000);
        // Asked from another session: inside the locker's transaction pg_stat_activity is a snapshot.
        await waitFor(
          'the request waiting on the lock',
          10_000,
          () =>
            withDatabase(async observer => {
              const { rows } = await observer.query(
                `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM items%'`,
              );
              return rows.length > 0 ? true : undefined;
            }),
          backend.output,
        );

        const signalledAt = Date.now();
        backend.signal('SIGTERM');
        await waitFor(
          'new connections refused',
          3000,
          async () =>
            fetchJson(`${backend.url}/health`, {}, 1000).then(
              () => undefined,
              error =>
                error.cause?.code === 'ECONNREFUSED' ? true : undefined,
            ),
          backend.output,
        );
        // A second later it is still there, waiting for the request instead of dropping it.
        expect(
          await Promise.race([
            backend.exited.then(() => 'exited'),
            new Promise(r => setTimeout(() => r('draining'), 1000)),
          ]),
        ).toBe('draining');

        await locker.query('COMMIT');
        const answer = await slow;
        expect(answer.status).toBe(200);
        expect(answer.body.items).toEqual(expect.any(Array));

        const exit = await backend.exited;
        expect({ code: exit.code, signal: exit.signal }).toEqual({
          code: 0,
          signal: null,
        });
        expect(exit.at - signalledAt).toBeLessThan(
          DRAIN_TIMEOUT_SECONDS * 1000,
        );

        const logs = jsonLines(backend.stdoutLines());
        // Every line is JSON: CloudWatch Logs Insights can query all of them.
        expect(logs).toHaveLength(backend.stdoutLines().length);
        expect(logs.map(entry => entry.msg)).toEqual(
          expect.arrayContaining([
            'listening',
            'shutting down: draining in-flight requests',
            'stopped',
          ]),
        );
        expect(logs.find(entry => entry.path === '/api/items')).toMatchObject({
          status: 200,
          service: name,
          environment: String(values.environment),
        });
      } finally {
        await locker.end().catch(() => undefined);
        await backend.kill();
      }
    }, 60_000);

    it('Dockerfile: lints clean, multi-stage on a pinned Node 24, non-root, health-checked, production dependencies only', async () => {
      const source = await readFile(join(backendDir, 'Dockerfile'), 'utf8');
      expect(lintDockerfile(source)).toEqual([]);

      const stages = parseDockerfile(source);
      expect(stages.length).toBeGreaterThanOrEqual(2);
      for (const stage of stages) {
        // An exact release (optionally with its digest), never a moving tag like node:24 or latest.
        expect(stage.image).toMatch(
          /^node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/,
        );
      }

      const final = stages[stages.length - 1];
      const instructions = (keyword: string) =>
        final.instructions.filter(i => i.keyword === keyword);
      const user = instructions('USER').at(-1)?.args ?? 'root';
      expect(user).not.toMatch(/^(root|0)(:|$)/);
      // ecs.tf runs the container as 1000:1000; the image says the same.
      expect(user).toBe('1000:1000');
      expect(instructions('HEALTHCHECK')).toHaveLength(1);
      expect(instructions('HEALTHCHECK')[0].args).toMatch(
        /\/health|healthcheck/,
      );
      expect(instructions('CMD').at(-1)?.args).toBe(
        '["node", "dist/server.js"]',
      );

      // The final stage installs nothing; its node_modules come from a stage that omits dev dependencies.
      expect(
        final.instructions.filter(i => /\bnpm (ci|install|i)\b/.test(i.args)),
      ).toEqual([]);
      const modules = final.instructions.find(
        i => i.keyword === 'COPY' && /node_modules/.test(i.args),
      );
      const from = /--from=(\S+)/.exec(modules?.args ?? '')?.[1];
      const dependencyStage = stages.find(stage => stage.name === from);
      expect(dependencyStage?.instructions.map(i => i.args).join('\n')).toMatch(
        /npm ci .*--omit=dev/,
      );

      const variablesTf = await readFile(
        join(root, 'infrastructure', 'terraform', 'variables.tf'),
        'utf8',
      );
      expect(instructions('EXPOSE')[0]?.args).toBe(
        terraformDefault(variablesTf, 'container_port'),
      );

      const dockerignore = (
        await readFile(join(backendDir, '.dockerignore'), 'utf8')
      ).split('\n');
      // Allow-list: nothing (node_modules, .env, dist) enters the build context unless named.
      expect(dockerignore).toContain('*');
      expect(dockerignore).not.toContain('!node_modules/');
    });
  });
  describe('generated without a database', () => {
    let backendDir: string;

    beforeAll(async () => {
      const root = await renderAwsEcsServiceSkeleton({
        ...rollingWithoutDomain,
        databaseEnabled: false,
      });
      renderedDirs.push(root);
      backendDir = join(root, 'backend');
    }, 60_000);

    it('is ready without any database settings and has nothing to migrate', async () => {
      const installed = installedBackends[0];
      if (!installed)
        throw new Error('needs a backend installed by a test above');
      // Same lockfile and code as with a database (only package.json's service block differs),
      // so the modules installed for the first render serve this one.
      expect(
        await readFile(join(backendDir, 'package-lock.json'), 'utf8'),
      ).toBe(await readFile(join(installed, 'package-lock.json'), 'utf8'));
      await symlink(
        join(installed, 'node_modules'),
        join(backendDir, 'node_modules'),
        'dir',
      );
      await npm(backendDir, ['run', 'build'], STEP_TIMEOUT_MS);

      // What ecs.tf gives the container when database_enabled is false: empty DB_* values, no secrets.
      const env = {
        PORT: String(await freeLoopbackPort()),
        HOST: '127.0.0.1',
        ENVIRONMENT: String(rollingWithoutDomain.environment),
        DB_HOST: '',
        DB_PORT: '5432',
        DB_NAME: '',
        DB_IAM_USER: 'orders_api_app',
      };
      const migrate = await runOneOff(
        backendDir,
        'npm',
        ['run', 'migrate'],
        env,
      );
      expectExitCode(migrate, 0);
      expect(jsonLines(migrate.stdoutLines).at(-1)?.msg).toBe(
        'this service has no database: nothing to migrate',
      );

      const backend = await startBuiltBackend(backendDir, env);
      running.add(backend);
      try {
        expect(await fetchJson(`${backend.url}/health/ready`)).toEqual({
          status: 200,
          body: { status: 'ready', checks: { database: 'disabled' } },
        });
        expect((await fetchJson(`${backend.url}/api/info`)).body).toMatchObject(
          {
            database: false,
          },
        );
        expect((await fetchJson(`${backend.url}/api/items`)).status).toBe(404);
      } finally {
        await backend.kill();
        running.delete(backend);
      }
    }, 90_000);
  });
});
