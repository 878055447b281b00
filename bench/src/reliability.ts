/*
 * The reliability suite (issue 16; see ../README.md): two production-build backend replicas on one
 * PostgreSQL and one Redis cache, the local AWS and GitHub behind the fault-injecting proxy.
 *
 *   yarn reliability                         the suite as the test command runs it (a few minutes)
 *   yarn reliability --soak-seconds 600 --entities 100 --save-as reliability-<commit>
 *                                            the 10-minute soak of the README, over 100 entities
 *   yarn reliability --bundle <tar.gz>       use an existing backend bundle instead of building one
 *
 * It prints one line per check and `reliability checks: N passed, M failed`, and writes every
 * figure to bench/results/reliability-latest.json.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { LOCAL_AWS_ACCOUNT_ID } from '@internal/local-aws';
import { DEMO_GITHUB_TOKEN } from '@internal/local-github';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build as buildHistogram } from 'hdr-histogram-js';
import { routePath, TabRoute } from './scenarios';
import {
  BENCH_BACKEND_SECRET,
  BENCH_GITHUB_CLIENT_SECRET,
  CLUSTER,
  REGION,
  repoRoot,
  Replica,
  rssMb,
  startTopology,
  Topology,
} from './topology';
import { Fault } from './upstreamProxy';
import { option, prettier } from './cliArgs';

const SOAK_SECONDS = Number(option('--soak-seconds') ?? 30);
const SOAK_VIEWERS = Number(option('--viewers') ?? 50);
const ENTITIES = Number(option('--entities') ?? 0);
const saveAs = option('--save-as');

/** The AWS keys of this run: distinctive, so the secret grep can find any leak. */
const AWS_ACCESS_KEY_ID = 'AKIARELIABILITY00001';
const AWS_SECRET_ACCESS_KEY = 'reliability-secret-access-key-7c1d0e';

/** Short windows, so a fault is felt at once and a recovery takes seconds. */
const LOCK_TTL_S = 6;
const COOL_DOWN_S = 3;
const SUITE_CONFIG = {
  aws: {
    accounts: [
      {
        accountId: LOCAL_AWS_ACCOUNT_ID,
        accessKeyId: AWS_ACCESS_KEY_ID,
        secretAccessKey: AWS_SECRET_ACCESS_KEY,
      },
    ],
  },
  delivery: {
    aws: { maxAttempts: 2, requestTimeout: '2s' },
    ecs: { cacheTtl: '1s', staleWhileRevalidate: '0s' },
    github: {
      cacheTtl: '1s',
      staleWhileRevalidate: '0s',
      retries: 0,
      requestTimeout: '2s',
    },
    circuitBreaker: { failures: 3, coolDown: `${COOL_DOWN_S}s` },
    changes: { lockTtl: `${LOCK_TTL_S}s` },
    drift: { notify: { enabled: false } },
  },
};

type Upstream = 'ecs' | 'github-api' | 'artifact';
const ARTIFACT_DOWNLOAD =
  'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/zip';
const UPSTREAMS: Record<
  Upstream,
  { proxy: 'aws' | 'github'; route: TabRoute; operation?: string }
> = {
  ecs: { proxy: 'aws', route: 'ecs' },
  'github-api': { proxy: 'github', route: 'pipeline-runs' },
  artifact: { proxy: 'github', route: 'drift', operation: ARTIFACT_DOWNLOAD },
};
const FAULTS: Record<string, Fault> = {
  refused: { kind: 'refuse' },
  reset: { kind: 'reset' },
  'hang 30 s': { kind: 'hang', ms: 30_000 },
  '503': { kind: 'status', status: 503 },
  throttled: { kind: 'throttle', status: 403, retryAfterSeconds: 2 },
  'throttled 429': { kind: 'throttle', status: 429, retryAfterSeconds: 2 },
  malformed: { kind: 'malformed' },
  'slow 5 s': { kind: 'slow', ms: 5_000 },
};
/** ECS has one throttling answer (ThrottlingException); `refuse` closes the whole listener. */
const cells: Array<{ upstream: Upstream; fault: string }> = (
  Object.keys(UPSTREAMS) as Upstream[]
).flatMap(upstream =>
  Object.keys(FAULTS)
    .filter(f => !(upstream === 'ecs' && f === 'throttled 429'))
    .filter(f => !(upstream === 'artifact' && f === 'refused'))
    .map(fault => ({ upstream, fault })),
);
const slug = (text: string) => text.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
const coldName = (c: { upstream: Upstream; fault: string }) =>
  `cold-${slug(c.upstream)}-${slug(c.fault)}`;

const WARM = ['rel-a', 'rel-b', 'rel-c'];
const ROLLBACK = 'rel-rollback';
const KILL = 'rel-kill';
const BREAKER = 'rel-breaker';
const soakNames = Array.from(
  { length: Math.max(0, ENTITIES - WARM.length) },
  (_, i) => `soak-${String(i).padStart(3, '0')}`,
);
const services = [
  ...WARM,
  ROLLBACK,
  KILL,
  BREAKER,
  ...cells.map(coldName),
  ...soakNames,
];

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
const checks: Check[] = [];
const figures: Record<string, unknown> = {};
/** Every error body a user got in this run, for the secret grep. */
const errorBodies: string[] = [];

async function check(name: string, fn: () => Promise<string | void>) {
  const started = performance.now();
  try {
    const detail = (await fn()) ?? '';
    checks.push({ name, ok: true, detail });
    console.log(
      `  ok    ${name} (${Math.round(
        performance.now() - started,
      )} ms) ${detail}`,
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    checks.push({ name, ok: false, detail });
    console.log(`  FAIL  ${name}: ${detail}`);
  }
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

let topology: Topology;
let ecs: ECSClient;

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
  ms: number;
}

async function call(
  replica: Replica,
  path: string,
  init: {
    body?: unknown;
    key?: string;
    token?: string | null;
    timeoutMs?: number;
  } = {},
): Promise<Answer> {
  const started = performance.now();
  const headers: Record<string, string> = {};
  if (init.token !== null) {
    headers.authorization = `Bearer ${init.token ?? topology.token}`;
  }
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.key) headers['idempotency-key'] = init.key;
  const res = await fetch(`${replica.baseUrl}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 60_000),
  });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.status >= 400) errorBodies.push(text);
  return {
    status: res.status,
    body,
    text,
    headers: res.headers,
    ms: Math.round(performance.now() - started),
  };
}

const r = (i: number) => topology.replicas[i];
const path = (entity: string, route: string) =>
  `/api/delivery/v1/entities/default/component/${entity}/${route}`;
const calls = (upstream: 'aws' | 'github', operation: string) =>
  (topology.proxy.snapshot().counts as any)[upstream]?.[operation] ?? 0;
const messageOf = (a: Answer) => a.body?.error?.message ?? a.text.slice(0, 200);
const RAW_ERRNO =
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR_\w+)\b|socket hang up|fetch failed/;

async function revisionOf(service: string): Promise<number> {
  const { services: found } = await ecs.send(
    new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }),
  );
  return Number(found?.[0]?.taskDefinition?.split(':').pop());
}

async function steady(service: string) {
  for (let i = 0; i < 100; i++) {
    const { services: found } = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }),
    );
    const deployments = found?.[0]?.deployments ?? [];
    if (
      deployments.length === 1 &&
      deployments[0].rolloutState === 'COMPLETED'
    ) {
      return;
    }
    await sleep(200);
  }
  throw new Error(`${service} did not reach a steady state in 20 s`);
}

/** Audit events of `eventId` in both replicas' logs, by status. */
async function auditEvents(eventId: string, since: number[]) {
  const counts: Record<string, number> = {};
  for (const replica of topology.replicas) {
    const log = (await readFile(replica.logFile, 'utf8')).slice(
      since[replica.index] ?? 0,
    );
    for (const line of log.split('\n')) {
      if (!line.includes(`"eventId":"${eventId}"`)) continue;
      const status = /"status":"(\w+)"/.exec(line)?.[1] ?? 'unknown';
      counts[status] = (counts[status] ?? 0) + 1;
    }
  }
  return counts;
}
const logOffsets = async () =>
  Promise.all(
    topology.replicas.map(
      async x => (await readFile(x.logFile, 'utf8')).length,
    ),
  );

/** Redis's DBSIZE over a raw RESP call (no client library needed for one command). */
function redisKeys(url: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.setTimeout(5_000, () => socket.destroy(new Error('Redis timeout')));
    socket.once('error', reject);
    socket.once('data', data => {
      socket.end();
      resolve(Number(/^:(\d+)/.exec(data.toString())?.[1] ?? NaN));
    });
    socket.write('*1\r\n$6\r\nDBSIZE\r\n');
  });
}

async function main() {
  const started = performance.now();
  console.log(
    `reliability: 2 replicas, PostgreSQL, Redis; ${services.length} entities; soak ${SOAK_SECONDS} s with ${SOAK_VIEWERS} viewers`,
  );
  topology = await startTopology({
    services,
    // The bench step builds it; without one (bench failed early) the suite builds its own.
    bundle: [option('--bundle')].find(b => b && existsSync(b)),
    latencyMs: 5,
    replicas: 2,
    redis: true,
    extraConfig: SUITE_CONFIG,
    log: line => console.log(`  setup: ${line}`),
  });
  figures.setup = topology.timings;
  ecs = new ECSClient({
    endpoint: topology.aws.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  await check('every route refuses unauthenticated requests', async () => {
    const routes = [
      ['ecs', undefined],
      ['ecs/rollback', { revision: 'previous', reason: 'test' }],
      ['ecs/stop-rollout', { reason: 'test' }],
      ['pipeline-runs', undefined],
      ['pipeline-runs/1/jobs', undefined],
      ['pipeline-runs/1/rerun-failed', {}],
      ['deployments', undefined],
      ['drift', undefined],
      ['drift/check', {}],
    ] as const;
    for (const replica of topology.replicas) {
      for (const [route, body] of routes) {
        for (const token of [null, 'not-a-token']) {
          const a = await call(replica, path(ROLLBACK, route), { body, token });
          expect(
            a.status === 401,
            `${route} on replica ${replica.index} answered ${a.status} to ${
              token ? 'a malformed token' : 'no token'
            }`,
          );
        }
      }
    }
    return `${routes.length} routes x 2 replicas x 2 kinds of bad token: 401`;
  });

  await check('the replicas share answers through Redis', async () => {
    await sleep(1_100);
    topology.proxy.reset();
    const a = await call(r(0), path(WARM[0], 'ecs'));
    const b = await call(r(1), path(WARM[0], 'ecs'));
    expect(a.status === 200 && b.status === 200, `${a.status}, ${b.status}`);
    const describes = calls('aws', 'ecs:DescribeServices');
    const keys = await redisKeys(topology.redisUrl!);
    expect(keys > 0, 'Redis holds no keys');
    expect(
      describes === 1,
      `ECS was asked ${describes} times for one state read by two replicas`,
    );
    return `1 DescribeServices for reads on both replicas; Redis holds ${keys} keys`;
  });

  await check(
    'two concurrent rollbacks through both replicas: one 202, one 409, one UpdateService, each audited once',
    async () => {
      await steady(ROLLBACK);
      topology.proxy.reset();
      const since = await logOffsets();
      const answers = await Promise.all(
        [0, 1].map(i =>
          call(r(i), path(ROLLBACK, 'ecs/rollback'), {
            body: { revision: 'previous', reason: `replica ${i}` },
          }),
        ),
      );
      const statuses = answers.map(a => a.status).sort();
      expect(
        statuses.join() === '202,409',
        `statuses ${statuses} (${answers.map(messageOf).join(' | ')})`,
      );
      const updates = calls('aws', 'ecs:UpdateService');
      expect(updates === 1, `ECS saw ${updates} UpdateService calls`);
      await sleep(300);
      const audit = await auditEvents('ecs-rollback', since);
      expect(
        audit.succeeded === 1 && audit.failed === 1,
        `audit events ${JSON.stringify(audit)}`,
      );
      expect((await revisionOf(ROLLBACK)) === 2, 'the service is not on 2');
      return `audit ${JSON.stringify(audit)}`;
    },
  );

  await check(
    'a rollback whose answer was lost: the retry with its Idempotency-Key gets one 202 body, ECS sees one UpdateService',
    async () => {
      await steady(ROLLBACK);
      const from = await revisionOf(ROLLBACK);
      topology.proxy.reset();
      await topology.proxy.setFault('aws', {
        kind: 'drop-answer',
        operation: 'ecs:UpdateService',
        times: 1,
      });
      const key = `retry-${Date.now()}`;
      const body = { revision: 'previous', reason: 'answer lost' };
      const first = await call(r(0), path(ROLLBACK, 'ecs/rollback'), {
        body,
        key,
      });
      await topology.proxy.setFault('aws', undefined);
      expect(
        first.status === 502 && !RAW_ERRNO.test(first.text),
        `first attempt ${first.status}: ${messageOf(first)}`,
      );
      const retry = await call(r(1), path(ROLLBACK, 'ecs/rollback'), {
        body,
        key,
      });
      const again = await call(r(0), path(ROLLBACK, 'ecs/rollback'), {
        body,
        key,
      });
      expect(
        retry.status === 202,
        `retry ${retry.status}: ${messageOf(retry)}`,
      );
      expect(
        again.status === 202 &&
          again.text === retry.text &&
          again.headers.get('idempotent-replayed') === 'true',
        `second retry ${again.status} ${again.text} vs ${retry.text}`,
      );
      const updates = calls('aws', 'ecs:UpdateService');
      expect(updates === 1, `ECS saw ${updates} UpdateService calls`);
      const now = await revisionOf(ROLLBACK);
      expect(now === from - 1, `went from ${from} to ${now}, not one back`);
      return `first: 502 "${messageOf(first).slice(0, 80)}…"; retries: ${
        retry.text
      }`;
    },
  );

  await check(
    `after 3 failures in a row an upstream fails fast for ${COOL_DOWN_S} s`,
    async () => {
      await topology.proxy.setFault('aws', { kind: 'reset' });
      const answers: Answer[] = [];
      try {
        for (let i = 0; i < 4; i++) {
          answers.push(await call(r(0), path(BREAKER, 'ecs')));
        }
      } finally {
        await topology.proxy.setFault('aws', undefined);
      }
      const last = answers[3];
      expect(
        last.status === 503 && /failed 3 times in a row/.test(messageOf(last)),
        `4th answer ${last.status}: ${messageOf(last)}`,
      );
      expect(!RAW_ERRNO.test(last.text), `raw errno: ${last.text}`);
      figures.breaker = answers.map(a => ({ status: a.status, ms: a.ms }));
      await sleep(COOL_DOWN_S * 1000);
      return `answers ${answers
        .map(a => `${a.status} in ${a.ms} ms`)
        .join(', ')}; "${messageOf(last).slice(0, 120)}…"`;
    },
  );

  const matrix: Array<Record<string, unknown>> = [];
  for (const cell of cells) {
    const spec = UPSTREAMS[cell.upstream];
    const warm = WARM[Object.keys(UPSTREAMS).indexOf(cell.upstream)];
    const others = (['ecs', 'pipeline-runs', 'drift'] as TabRoute[]).filter(
      x => x !== spec.route,
    );
    // Each cell is awaited before the next; `topology` is assigned once, before the loop.
    // eslint-disable-next-line no-loop-func
    await check(`fault ${cell.upstream} / ${cell.fault}`, async () => {
      // Both replicas have read every card of the entity before the fault.
      for (const route of [spec.route, ...others]) {
        for (const replica of topology.replicas) {
          const primed = await call(replica, path(warm, route));
          expect(
            primed.status === 200,
            `priming ${route} answered ${primed.status}`,
          );
        }
      }
      await topology.proxy.setFault(spec.proxy, {
        ...FAULTS[cell.fault],
        ...(spec.operation ? { operation: spec.operation } : {}),
      });
      let cold: Answer;
      let stale: Answer;
      let otherCards: Answer[];
      try {
        await sleep(1_100);
        // The never-read entity first: its own calls may open the breaker for what follows.
        cold = await call(r(0), path(coldName(cell), spec.route));
        [stale, ...otherCards] = await Promise.all([
          call(r(0), path(warm, spec.route)),
          ...others.map(o => call(r(1), path(warm, o))),
        ]);
      } finally {
        await topology.proxy.setFault(spec.proxy, undefined);
      }
      const cleared = performance.now();
      let recoveryMs = -1;
      for (let i = 0; i < 80; i++) {
        const probe = await call(r(0), path(warm, spec.route));
        if (probe.status === 200 && !probe.body?.staleAnswer) {
          recoveryMs = Math.round(performance.now() - cleared);
          break;
        }
        await sleep(250);
      }
      const up = topology.replicas.every(x => x.exitCode() === null);
      const row = {
        upstream: cell.upstream,
        fault: cell.fault,
        coldStatus: cold.status,
        coldMs: cold.ms,
        coldMessage: cold.status === 200 ? '' : messageOf(cold),
        warmStatus: stale.status,
        warmStale: Boolean(stale.body?.staleAnswer),
        warmReason: stale.body?.staleAnswer?.reason ?? '',
        otherCards: otherCards.map(o => o.status),
        recoveryMs,
        replicasUp: up,
      };
      matrix.push(row);
      expect(up, 'a replica exited');
      expect(
        otherCards.every(o => o.status === 200),
        `other cards answered ${row.otherCards}`,
      );
      expect(
        recoveryMs >= 0,
        'did not recover within 20 s of the fault ending',
      );
      expect(
        !RAW_ERRNO.test(cold.text) && !RAW_ERRNO.test(stale.text),
        `a raw errno reached the user: ${cold.text} ${stale.text}`,
      );
      expect(cold.status !== 500, `cold read answered 500: ${cold.text}`);
      if (cold.status !== 200) {
        expect(
          [502, 503].includes(cold.status) &&
            /AWS|ECS|GitHub/.test(messageOf(cold)),
          `cold read ${cold.status} does not name the upstream: ${messageOf(
            cold,
          )}`,
        );
        // A drift report already read is not downloaded again (an artifact never changes), so
        // an artifact fault leaves that entity's card fresh.
        expect(
          stale.status === 200 &&
            (row.warmStale || cell.upstream === 'artifact'),
          `a read with a last good answer got ${stale.status} ${
            stale.body?.staleAnswer ? '' : '(not marked stale)'
          }: ${messageOf(stale)}`,
        );
      }
      return `cold ${cold.status} in ${cold.ms} ms; warm ${stale.status}${
        row.warmStale ? ' stale' : ''
      }; others ${row.otherCards}; recovered in ${recoveryMs} ms`;
    });
  }
  figures.matrix = matrix;

  await check(
    `soak: ${SOAK_SECONDS} s, ${SOAK_VIEWERS} viewers over ${services.length} entities on both replicas, faults toggled`,
    () => soak(),
  );

  await check(
    'no AWS key, GitHub token or backend secret in logs, error bodies or audit events',
    async () => {
      const secrets = {
        'AWS secret access key': AWS_SECRET_ACCESS_KEY,
        'AWS access key id': AWS_ACCESS_KEY_ID,
        'GitHub token': DEMO_GITHUB_TOKEN,
        'backend secret': BENCH_BACKEND_SECRET,
        'GitHub client secret': BENCH_GITHUB_CLIENT_SECRET,
        "the user's Backstage token": topology.token,
      };
      const texts = [
        ...(await Promise.all(
          topology.replicas.map(x => readFile(x.logFile, 'utf8')),
        )),
        ...errorBodies,
      ];
      const leaks = Object.entries(secrets).filter(([, value]) =>
        texts.some(t => t.includes(value)),
      );
      expect(
        leaks.length === 0,
        `found ${leaks.map(([name]) => name).join(', ')}`,
      );
      const bytes = texts.reduce((n, t) => n + t.length, 0);
      return `${Object.keys(secrets).length} secrets, ${
        errorBodies.length
      } error bodies and ${Math.round(bytes / 1024)} KB of logs searched`;
    },
  );

  await check(
    `a replica killed mid-rollback holds the lock no longer than its ${LOCK_TTL_S} s expiry`,
    async () => {
      await steady(KILL);
      const from = await revisionOf(KILL);
      topology.proxy.reset();
      await topology.proxy.setFault('aws', {
        kind: 'hang',
        ms: 30_000,
        operation: 'ecs:UpdateService',
      });
      const key = `kill-${Date.now()}`;
      const body = { revision: 'previous', reason: 'replica dies' };
      const doomed = call(r(1), path(KILL, 'ecs/rollback'), {
        body,
        key,
      }).catch(() => undefined);
      for (let i = 0; i < 100 && !calls('aws', 'ecs:UpdateService'); i++) {
        await sleep(100);
      }
      expect(
        calls('aws', 'ecs:UpdateService') === 1,
        'UpdateService never came',
      );
      r(1).kill('SIGKILL');
      await r(1).exited;
      const killedAt = performance.now();
      await doomed;
      await topology.proxy.setFault('aws', undefined);
      const blocked = await call(r(0), path(KILL, 'ecs/rollback'), {
        body: { revision: 'previous', reason: 'while locked' },
      });
      expect(
        blocked.status === 409,
        `a rollback right after the kill answered ${
          blocked.status
        }: ${messageOf(blocked)}`,
      );
      let retry: Answer | undefined;
      for (let i = 0; i < 40; i++) {
        retry = await call(r(0), path(KILL, 'ecs/rollback'), { body, key });
        if (retry.status !== 409) break;
        await sleep(500);
      }
      const freedMs = Math.round(performance.now() - killedAt);
      expect(
        retry?.status === 202,
        `the retry answered ${retry?.status}: ${retry && messageOf(retry)}`,
      );
      expect(
        freedMs < (LOCK_TTL_S + 10) * 1000,
        `the lock held ${freedMs} ms after the kill`,
      );
      const now = await revisionOf(KILL);
      expect(now === from - 1, `went from ${from} to ${now}, not one back`);
      figures.killedLockFreedMs = freedMs;
      return `409 right after the kill; the retry with the same key rolled back ${freedMs} ms after it: ${retry.text}`;
    },
  );

  const passed = checks.filter(c => c.ok).length;
  const failed = checks.length - passed;
  figures.totalSeconds = Math.round((performance.now() - started) / 1000);
  const out = {
    date: new Date().toISOString(),
    soakSeconds: SOAK_SECONDS,
    viewers: SOAK_VIEWERS,
    entities: services.length,
    checks,
    figures,
  };
  const dir = join(repoRoot, 'bench/results');
  await mkdir(dir, { recursive: true });
  // Formatted as the repository's prettier check wants a kept result.
  const json = prettier.format(JSON.stringify(out), { parser: 'json' });
  await writeFile(join(dir, 'reliability-latest.json'), json);
  if (saveAs) {
    await writeFile(join(dir, `${saveAs}.json`), json);
  }
  printMatrix(matrix);
  console.log(`reliability checks: ${passed} passed, ${failed} failed`);
  return failed;
}

function printMatrix(matrix: Array<Record<string, any>>) {
  console.log(
    '\n| Upstream | Fault | Never-read entity | Entity read before | Other cards | Recovery |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const row of matrix) {
    const cold =
      row.coldStatus === 200
        ? `200 in ${row.coldMs} ms`
        : `${row.coldStatus} in ${row.coldMs} ms: ${String(
            row.coldMessage,
          ).slice(0, 90)}`;
    console.log(
      `| ${row.upstream} | ${row.fault} | ${cold} | ${row.warmStatus}${
        row.warmStale ? ' stale' : ''
      } | ${row.otherCards.join(', ')} | ${(row.recoveryMs / 1000).toFixed(
        1,
      )} s |`,
    );
  }
}

async function soak(): Promise<string> {
  const names = services.filter(n => !n.startsWith('cold-') && n !== KILL);
  const routes: TabRoute[] = ['ecs', 'pipeline-runs', 'deployments', 'drift'];
  const histogram = buildHistogram({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000,
  });
  const statuses: Record<number, number> = {};
  const rss: Array<Record<string, number>> = [];
  const sample = (at: string) =>
    rss.push({
      ...Object.fromEntries(
        topology.replicas.map(x => [`replica${x.index}`, rssMb(x.pid)]),
      ),
      atSeconds: Number(at),
    });
  const toggles: Array<['aws' | 'github', Fault | undefined]> = [
    ['aws', { kind: 'reset' }],
    ['aws', undefined],
    ['github', { kind: 'status', status: 502 }],
    ['github', undefined],
    ['aws', { kind: 'hang', ms: 30_000 }],
    ['aws', undefined],
    ['github', { kind: 'throttle', status: 429, retryAfterSeconds: 2 }],
    ['github', undefined],
  ];
  const since = await logOffsets();
  const started = performance.now();
  const deadline = started + SOAK_SECONDS * 1000;
  const toggleEveryMs = Math.min(30_000, (SOAK_SECONDS * 1000) / 6);
  sample('0');
  let toggled = 0;
  const toggler = (async () => {
    for (let i = 0; performance.now() + toggleEveryMs < deadline; i++) {
      await sleep(toggleEveryMs);
      const [upstream, fault] = toggles[i % toggles.length];
      await topology.proxy.setFault(upstream, fault);
      toggled++;
      if (i === Math.floor((SOAK_SECONDS * 1000) / toggleEveryMs / 2)) {
        sample(((performance.now() - started) / 1000).toFixed(0));
      }
    }
  })();
  let requests = 0;
  await Promise.all(
    Array.from({ length: SOAK_VIEWERS }, async (_, viewer) => {
      // Bounded by the deadline; each request by its own timeout.
      for (let i = 0; performance.now() < deadline; i++) {
        const entity = names[(viewer * 7 + i) % names.length];
        const route = routes[(viewer + i) % routes.length];
        const t0 = performance.now();
        try {
          const a = await call(r((viewer + i) % 2), routePath(entity, route), {
            timeoutMs: 30_000,
          });
          statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        } catch {
          statuses[0] = (statuses[0] ?? 0) + 1;
        }
        histogram.recordValue(Math.max(1, Math.round(performance.now() - t0)));
        requests++;
        await sleep(200);
      }
    }),
  );
  await toggler;
  await topology.proxy.setFault('aws', undefined);
  await topology.proxy.setFault('github', undefined);
  sample(((performance.now() - started) / 1000).toFixed(0));
  const crashed = topology.replicas.filter(x => x.exitCode() !== null);
  let unhandled = 0;
  for (const replica of topology.replicas) {
    const log = (await readFile(replica.logFile, 'utf8')).slice(
      since[replica.index],
    );
    unhandled += (log.match(/unhandled ?rejection|uncaught ?exception/gi) ?? [])
      .length;
  }
  const p95 = histogram.getValueAtPercentile(95);
  figures.soak = {
    requests,
    statuses,
    p95Ms: p95,
    p50Ms: histogram.getValueAtPercentile(50),
    rssMb: rss,
    toggled,
    unhandled,
  };
  expect(
    crashed.length === 0,
    `replica(s) ${crashed.map(x => x.index)} exited`,
  );
  expect(
    unhandled === 0,
    `${unhandled} unhandled rejections/exceptions in the logs`,
  );
  expect(!statuses[500], `${statuses[500]} answers were 500`);
  expect(!statuses[0], `${statuses[0]} requests got no answer within 30 s`);
  return `${requests} requests, statuses ${JSON.stringify(
    statuses,
  )}, p95 ${p95} ms, ${toggled} fault toggles, RSS ${rss
    .map(x => `${x.replica0}/${x.replica1} MB`)
    .join(' → ')}`;
}

main()
  .then(async failed => {
    await topology?.stop();
    ecs?.destroy();
    process.exit(failed ? 1 : 0);
  })
  .catch(async error => {
    console.error(error);
    console.log('reliability checks: 0 passed, 1 failed');
    await topology?.stop();
    process.exit(1);
  });
