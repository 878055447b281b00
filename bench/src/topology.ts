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
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
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

/** Secrets of the topology's backends: the reliability suite greps for them in what users see. */
export const BENCH_BACKEND_SECRET = 'bench-backend-secret-0123456789abcdef';
export const BENCH_GITHUB_CLIENT_SECRET = 'bench-github-client-secret-5f1e';

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
  /** Backend replicas sharing the PostgreSQL (and Redis); default 1. */
  replicas?: number;
  /** Start a Redis server and make it every replica's cache store (`backend.cache.store: redis`). */
  redis?: boolean;
  /** Config merged over the bench's own (e.g. `{ delivery: { changes: { lockTtl: '5s' } } }`). */
  extraConfig?: Record<string, unknown>;
  log?: (line: string) => void;
}

/** One backend process of the topology. */
export interface Replica {
  index: number;
  baseUrl: string;
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Sends `signal` to the process group (SIGKILL: a replica dying mid-request). */
  kill(signal: NodeJS.Signals): void;
  /** The process's output so far (last 200 KB). */
  output(): string;
  /** All of the process's output (stdout and stderr), for greps over a whole run. */
  logFile: string;
  /** The exit code, or null while it runs. */
  exitCode(): number | null;
}

export interface Topology {
  /** The first replica's base URL. */
  baseUrl: string;
  /** Every backend replica, in start order. */
  replicas: Replica[];
  /** `redis://...` of the shared cache store, when started with `redis`. */
  redisUrl?: string;
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
    let redisUrl: string | undefined;
    if (options.redis) {
      redisUrl = await timed(timings, 'redisStartMs', () => startRedis(work));
    }
    const sharedConfig = join(work, 'app-config.bench.yaml');
    writeFileSync(
      sharedConfig,
      stringify(
        mergeConfig(
          {
            auth: {
              providers: {
                guest: { dangerouslyAllowOutsideDevelopment: true },
              },
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
            ...(redisUrl
              ? {
                  backend: {
                    cache: {
                      store: 'redis',
                      connection: redisUrl,
                      redis: { client: { namespace: 'portal' } },
                    },
                  },
                }
              : {}),
          },
          options.extraConfig ?? {},
        ),
      ),
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

    // One after the other, as a rolling deployment starts them: replicas that boot together on
    // an empty database race each other's migrations (Backstage's auth key tables among them).
    const replicas: Replica[] = [];
    await timed(timings, 'backendReadyMs', async () => {
      for (let index = 0; index < (options.replicas ?? 1); index++) {
        const replica = await startReplica({
          index,
          stage,
          work,
          sharedConfig,
          postgres,
        });
        replicas.push(replica);
        log(`waiting for replica ${index} on ${replica.baseUrl}`);
        await poll(
          `readiness of replica ${index}`,
          180_000,
          500,
          async () => {
            if (replica.exitCode() !== null) {
              throw new Error(`replica exited with ${replica.exitCode()}`);
            }
            const res = await fetch(
              `${replica.baseUrl}/.backstage/health/v1/readiness`,
            );
            return res.ok ? true : undefined;
          },
          () => replica.output().slice(-5000),
        );
      }
    });
    const baseUrl = replicas[0].baseUrl;
    const logs = () => replicas.map(r => r.output().slice(-5000)).join('\n');

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
      replicas,
      redisUrl,
      token,
      proxy,
      aws,
      github,
      postgres,
      backendPid: replicas[0].pid,
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

/** Deep-merges plain objects; arrays and scalars of `over` replace those of `base`. */
function mergeConfig(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      isPlainObject(current) && isPlainObject(value)
        ? mergeConfig(current, value)
        : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Debian's redis-server (REDIS_SERVER, else PATH) on a free loopback port, nothing persisted. */
async function startRedis(work: string): Promise<string> {
  const port = await freeLoopbackPort();
  const binary = process.env.REDIS_SERVER || 'redis-server';
  let output = '';
  const redis = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      work,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  redis.stdout?.on('data', c => (output = (output + c).slice(-5000)));
  redis.stderr?.on('data', c => (output = (output + c).slice(-5000)));
  const exited = new Promise<void>(r => redis.once('exit', () => r()));
  redis.once('error', error => {
    output += `\n${error.message} (set REDIS_SERVER to a redis-server binary)`;
  });
  cleanups.push(async () => {
    if (redis.exitCode === null) redis.kill('SIGTERM');
    await Promise.race([exited, new Promise(r => setTimeout(r, 3000))]);
  });
  await poll(
    'Redis accepting connections',
    20_000,
    100,
    () =>
      new Promise<true | undefined>(resolveProbe => {
        if (redis.exitCode !== null) {
          resolveProbe(undefined);
          return;
        }
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.end();
          resolveProbe(true);
        });
        socket.once('error', () => resolveProbe(undefined));
      }),
    () => output,
  );
  return `redis://127.0.0.1:${port}`;
}

/** Starts one production backend on a free loopback port with the shared config. */
async function startReplica(options: {
  index: number;
  stage: string;
  work: string;
  sharedConfig: string;
  postgres: TemporaryPostgres;
}): Promise<Replica> {
  const { index, stage, work, sharedConfig, postgres } = options;
  const port = await freeLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const ownConfig = join(work, `app-config.replica-${index}.yaml`);
  writeFileSync(
    ownConfig,
    stringify({
      app: { baseUrl },
      backend: {
        baseUrl,
        listen: `127.0.0.1:${port}`,
        cors: { origin: baseUrl },
      },
    }),
  );
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
      sharedConfig,
      '--config',
      ownConfig,
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
        BACKEND_SECRET: BENCH_BACKEND_SECRET,
        AUTH_GITHUB_CLIENT_ID: 'bench-client-id',
        AUTH_GITHUB_CLIENT_SECRET: BENCH_GITHUB_CLIENT_SECRET,
        APP_BASE_URL: baseUrl,
        BACKEND_BASE_URL: baseUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logFile = join(work, `replica-${index}.log`);
  const logStream = createWriteStream(logFile);
  const collect = (chunk: Buffer) => {
    logStream.write(chunk);
    output = (output + chunk.toString()).slice(-200_000);
  };
  backend.stdout?.on('data', collect);
  backend.stderr?.on('data', collect);
  const exited = new Promise<void>(r => backend.once('exit', () => r()));
  const kill = (signal: NodeJS.Signals) => {
    if (!backend.pid || backend.exitCode !== null) return;
    try {
      process.kill(-backend.pid, signal);
    } catch {
      // gone
    }
  };
  cleanups.push(async () => {
    kill('SIGTERM');
    await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
    kill('SIGKILL');
  });
  return {
    index,
    baseUrl,
    pid: backend.pid!,
    exited,
    kill,
    output: () => output,
    logFile,
    exitCode: () => backend.exitCode,
  };
}

/** The backend process's resident set size, in MB (VmRSS of /proc/<pid>/status). */
export function rssMb(pid: number): number {
  const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}
