/*
 * The benchmark's topology, in one module so a reliability suite can start the same thing and
 * inject faults through `proxy`:
 *
 *   load generator ──► backend (production build, staged) ──► upstream proxy ──► local AWS (moto + ECS layer)
 *                          │                                     └─────────► local GitHub (FakeGithub)
 *                          └──► PostgreSQL (temporary server)
 *
 * Every process and server started here is stopped by `stop()`, also on SIGINT/SIGTERM.
 */
import { execFile, spawn, ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import {
  startTemporaryPostgres,
  freeLoopbackPort,
  TemporaryPostgres,
} from '@internal/test-postgres';
import {
  startLocalAws,
  seedEcsService,
  LocalAws,
  LOCAL_AWS_ACCOUNT_ID,
} from '@internal/local-aws';
import {
  FakeGithub,
  seedDemoRepo,
  DEMO_ACCOUNTS,
  DEMO_GITHUB_HOST,
  DEMO_GITHUB_TOKEN,
} from '@internal/local-github';
import { startUpstreamProxy, UpstreamProxy } from './upstreamProxy';

const run = promisify(execFile);
// eslint-disable-next-line no-restricted-syntax -- the bench runs from its sources, never from a build
export const repoRoot = resolve(__dirname, '../..');

export const REGION = 'us-east-1';
export const CLUSTER = 'bench';
const IMAGES = [1, 2, 3].map(n => `public.ecr.aws/nginx/nginx:1.27.${n}`);

export interface TopologyOptions {
  /** Service (and entity, and repository) names to seed. */
  services: string[];
  /** Use this bundle.tar.gz instead of building the backend. */
  bundle?: string;
  /** Latency the proxy adds to every upstream call; default 50 ms. */
  latencyMs?: number;
  /** Parallel seeding bound; default 4. */
  seedConcurrency?: number;
  log?: (line: string) => void;
}

export interface Topology {
  baseUrl: string;
  /** A guest user token (the guest provider's refresh endpoint). */
  token: string;
  proxy: UpstreamProxy;
  aws: LocalAws;
  github: FakeGithub;
  postgres: TemporaryPostgres;
  backendPid: number;
  /** Where the staged backend's plugin resolves from (proves it is the extracted build). */
  stagedPluginPath: string;
  bundle: string;
  timings: Record<string, number>;
  serviceArn(name: string): string;
  /** Last lines of the backend's output. */
  backendLog(): string;
  stop(): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];
let signalsHooked = false;

async function runCleanups() {
  while (cleanups.length) {
    const cleanup = cleanups.pop()!;
    try {
      await cleanup();
    } catch {
      // keep cleaning up the rest
    }
  }
}

function hookSignals() {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal}, stopping everything\n`);
      runCleanups().finally(() => process.exit(130));
    });
  }
}

async function timed<T>(
  timings: Record<string, number>,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

/** Builds the backend's production bundle (as the Docker image gets it) unless one is given. */
async function bundlePath(
  options: TopologyOptions,
  log: (l: string) => void,
): Promise<string> {
  if (options.bundle) return resolve(options.bundle);
  log('building the backend (yarn workspace backend build)');
  await run('yarn', ['workspace', 'backend', 'build'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  return join(repoRoot, 'packages/backend/dist/bundle.tar.gz');
}

/**
 * Extracts the bundle into a temporary folder whose node_modules is a real folder of symlinks to
 * the repository's node_modules, except `@cicd-aws/*` and `app`, which point at the extracted
 * copies, so the built plugins are what runs.
 */
export async function stageBundle(bundle: string): Promise<string> {
  const stage = await mkdtemp(join(tmpdir(), 'bench-backend-'));
  await run('tar', ['xzf', bundle, '-C', stage], { timeout: 120_000 });
  const own = new Map<string, string>();
  for (const dir of ['packages', 'plugins']) {
    const parent = join(stage, dir);
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent)) {
      const pkg = join(parent, entry, 'package.json');
      if (existsSync(pkg)) {
        own.set(require(pkg).name, join(parent, entry));
      }
    }
  }
  const source = join(repoRoot, 'node_modules');
  const target = join(stage, 'node_modules');
  mkdirSync(target);
  for (const entry of readdirSync(source)) {
    if (entry === '.bin' || entry.startsWith('.')) continue;
    if (entry === '@cicd-aws') {
      mkdirSync(join(target, entry));
      for (const sub of readdirSync(join(source, entry))) {
        const name = `${entry}/${sub}`;
        symlinkSync(
          own.get(name) ?? join(source, entry, sub),
          join(target, name),
        );
      }
      continue;
    }
    symlinkSync(own.get(entry) ?? join(source, entry), join(target, entry));
  }
  return stage;
}

/** The catalog: one Component per service, annotated like demo-web, plus the guest's group. */
function catalogYaml(services: string[]): string {
  const docs: unknown[] = [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'platform-team' },
      spec: { type: 'team', children: [] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'guest', namespace: 'development' },
      spec: { memberOf: ['group:default/platform-team'] },
    },
    ...services.map(name => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        annotations: {
          'aws.amazon.com/amazon-ecs-service-arn': `arn:aws:ecs:${REGION}:${LOCAL_AWS_ACCOUNT_ID}:service/${CLUSTER}/${name}`,
          'github.com/project-slug': `acme/${name}`,
          'cicd-aws.dev/deploy-environment': 'production',
        },
      },
      spec: {
        type: 'service',
        lifecycle: 'experimental',
        owner: 'group:default/platform-team',
      },
    })),
  ];
  return docs.map(d => stringify(d)).join('---\n');
}

async function poll<T>(
  what: string,
  timeoutMs: number,
  intervalMs: number,
  probe: () => Promise<T | undefined>,
  logs: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
  throw new Error(
    `bench: ${what} not reached in ${timeoutMs} ms (${last}); backend output:\n${logs()}`,
  );
}

export async function startTopology(
  options: TopologyOptions,
): Promise<Topology> {
  const log = options.log ?? (() => {});
  const timings: Record<string, number> = {};
  hookSignals();
  try {
    const bundle = await timed(timings, 'buildMs', () =>
      bundlePath(options, log),
    );
    const stage = await timed(timings, 'stageMs', () => stageBundle(bundle));
    cleanups.push(() => rm(stage, { recursive: true, force: true }));

    const [postgres, aws, github] = await timed(
      timings,
      'upstreamsStartMs',
      () =>
        Promise.all([
          startTemporaryPostgres().then(p => {
            cleanups.push(() => p.stop());
            return p;
          }),
          startLocalAws({ rolloutSeconds: 1 }).then(a => {
            cleanups.push(() => a.stop());
            return a;
          }),
          (async () => {
            const gh = new FakeGithub(DEMO_GITHUB_HOST, DEMO_GITHUB_TOKEN, {
              accounts: DEMO_ACCOUNTS,
            });
            await gh.start();
            cleanups.push(() => gh.stop());
            return gh;
          })(),
        ]),
    );

    const proxy = await startUpstreamProxy({
      upstreams: [
        { name: 'aws', target: aws.endpoint, kind: 'aws' },
        { name: 'github', target: github.url, kind: 'github' },
      ],
      latencyMs: options.latencyMs ?? 50,
    });
    cleanups.push(() => proxy.stop());

    log(`seeding ${options.services.length} ECS services and repositories`);
    await timed(timings, 'seedMs', () =>
      mapLimit(
        options.services,
        options.seedConcurrency ?? 4,
        async service => {
          // Three revisions, the service on the newest: rollback has a target. moto's EC2 now
          // and then answers a concurrent CreateSubnet with a 500 on a busy machine; the seed
          // fails before it creates anything of the service, so it is tried again (3 times).
          for (let attempt = 1; ; attempt++) {
            try {
              await seedEcsService({
                endpoint: aws.endpoint,
                region: REGION,
                cluster: CLUSTER,
                service,
                images: IMAGES,
              });
              break;
            } catch (error) {
              if (
                attempt >= 3 ||
                !/500 Internal Server Error/.test(String(error))
              ) {
                throw error;
              }
              log(`seeding ${service} failed (${attempt}/3), again: ${error}`);
            }
          }
          seedDemoRepo(github, `acme/${service}`, {
            cluster: CLUSTER,
            service,
            region: REGION,
            account: LOCAL_AWS_ACCOUNT_ID,
          });
        },
      ),
    );

    const work = join(stage, 'bench');
    mkdirSync(work);
    const catalogFile = join(work, 'catalog.yaml');
    writeFileSync(catalogFile, catalogYaml(options.services));
    const port = await freeLoopbackPort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const benchConfig = join(work, 'app-config.bench.yaml');
    writeFileSync(
      benchConfig,
      stringify({
        app: { baseUrl },
        backend: {
          baseUrl,
          listen: `127.0.0.1:${port}`,
          cors: { origin: baseUrl },
        },
        auth: {
          providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
        },
        catalog: {
          locations: [
            {
              type: 'file',
              target: catalogFile,
              rules: [{ allow: ['Component', 'User', 'Group'] }],
            },
          ],
        },
        integrations: {
          github: [
            {
              host: DEMO_GITHUB_HOST,
              apiBaseUrl: `${proxy.urls.github}/api/v3`,
              token: DEMO_GITHUB_TOKEN,
            },
          ],
        },
        aws: {
          accounts: [
            {
              accountId: LOCAL_AWS_ACCOUNT_ID,
              accessKeyId: 'test',
              secretAccessKey: 'test',
            },
          ],
        },
        delivery: {
          aws: { endpoint: proxy.urls.aws },
          github: { host: DEMO_GITHUB_HOST },
        },
      }),
    );

    const stagedPluginPath = require.resolve(
      '@cicd-aws/plugin-delivery-backend',
      { paths: [join(stage, 'packages/backend')] },
    );
    if (!stagedPluginPath.startsWith(stage)) {
      throw new Error(
        `bench: the staged backend would load ${stagedPluginPath}, not the extracted build`,
      );
    }

    let output = '';
    const backend: ChildProcess = spawn(
      process.execPath,
      [
        'packages/backend',
        '--config',
        join(repoRoot, 'app-config.yaml'),
        '--config',
        join(repoRoot, 'app-config.production.yaml'),
        '--config',
        benchConfig,
      ],
      {
        cwd: stage,
        detached: true,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          NODE_OPTIONS: '',
          POSTGRES_HOST: postgres.host,
          POSTGRES_PORT: String(postgres.port),
          POSTGRES_USER: postgres.user,
          POSTGRES_PASSWORD: 'unused-with-trust-auth',
          BACKEND_SECRET: 'bench-backend-secret-0123456789abcdef',
          AUTH_GITHUB_CLIENT_ID: 'bench-client-id',
          AUTH_GITHUB_CLIENT_SECRET: 'bench-client-secret',
          APP_BASE_URL: baseUrl,
          BACKEND_BASE_URL: baseUrl,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-30000);
    };
    backend.stdout?.on('data', collect);
    backend.stderr?.on('data', collect);
    const exited = new Promise<void>(r => backend.once('exit', () => r()));
    cleanups.push(async () => {
      if (!backend.pid || backend.exitCode !== null) return;
      try {
        process.kill(-backend.pid, 'SIGTERM');
      } catch {
        return;
      }
      await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
      try {
        process.kill(-backend.pid, 'SIGKILL');
      } catch {
        // gone
      }
    });
    const logs = () => output.slice(-5000);

    log(`waiting for the backend on ${baseUrl}`);
    await timed(timings, 'backendReadyMs', () =>
      poll(
        'backend readiness',
        180_000,
        500,
        async () => {
          if (backend.exitCode !== null) {
            throw new Error(`backend exited with ${backend.exitCode}`);
          }
          const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
          return res.ok ? true : undefined;
        },
        logs,
      ),
    );
    const guestToken = () =>
      poll(
        'a guest token',
        30_000,
        500,
        async () => {
          const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
            headers: { 'x-requested-with': 'XMLHttpRequest' },
          });
          if (!res.ok) {
            throw new Error(`guest refresh ${res.status}: ${await res.text()}`);
          }
          const body = await res.json();
          return body?.backstageIdentity?.token as string | undefined;
        },
        logs,
      );
    const firstToken = await guestToken();
    await timed(timings, 'catalogIngestMs', () =>
      poll(
        `catalog ingestion of ${options.services.length} components`,
        300_000,
        500,
        async () => {
          const headers = { authorization: `Bearer ${firstToken}` };
          const res = await fetch(
            `${baseUrl}/api/catalog/entities/by-query?filter=kind=component&limit=1`,
            { headers },
          );
          if (!res.ok) return undefined;
          const body = await res.json();
          if (body.totalItems < options.services.length) return undefined;
          const user = await fetch(
            `${baseUrl}/api/catalog/entities/by-name/user/development/guest`,
            { headers },
          );
          return user.ok ? true : undefined;
        },
        logs,
      ),
    );
    // Signed in again now that the guest's User entity is in the catalog, so the token carries
    // its group (the owner of every entity here), as a GitHub sign-in of a catalog user would.
    const token = await guestToken();

    return {
      baseUrl,
      token,
      proxy,
      aws,
      github,
      postgres,
      backendPid: backend.pid!,
      stagedPluginPath,
      bundle,
      timings,
      serviceArn: name =>
        `arn:aws:ecs:${REGION}:${LOCAL_AWS_ACCOUNT_ID}:service/${CLUSTER}/${name}`,
      backendLog: logs,
      stop: runCleanups,
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}

/** The backend process's resident set size, in MB (VmRSS of /proc/<pid>/status). */
export function rssMb(pid: number): number {
  const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}
