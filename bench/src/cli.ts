/*
 * The benchmark of the Deployment tab's backend. See ../README.md.
 *
 *   yarn bench                   full run: 100 entities, ~10 minutes
 *   yarn bench:smoke             2 entities, a few seconds per scenario, asserts correctness only
 *   yarn bench --bundle <tar.gz> use an existing backend bundle instead of building one
 *   yarn bench --save-as <name>  also write bench/results/<name>.json
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  MOTO_TOGGLES,
  motoOverrideTf,
  runTerraform,
} from '@internal/local-aws';
import { templateDryRunRequest } from '@internal/template-tests/src/dryRunRequest';
import { rollingWithoutDomain } from '@internal/template-tests/src/fixtures';
import { closedLoop, newTally, openLoop, StatusTally, view } from './load';
import {
  CACHE_TTL_MS,
  catalogPath,
  DECLARED_ROUNDS,
  routePath,
  tabFloorRounds,
  tabPaths,
} from './scenarios';
import {
  CLUSTER,
  mapLimit,
  repoRoot,
  rssMb,
  startTopology,
  Topology,
} from './topology';
import { criticalPath, ProxySnapshot, sequentialRounds } from './upstreamProxy';
import { flag, option, prettier } from './cliArgs';

const smoke = flag('--smoke');
const bundle = option('--bundle');
const saveAs = option('--save-as');
/** `--only cold,rollback`: run just these scenarios (names as logged, spaces as dashes). */
const only = option('--only')?.split(',');

const N = Number(option('--entities') ?? (smoke ? 2 : 100));
const COLD_SAMPLES = smoke ? 1 : 3;
const LATENCY_MS = 50;
const P = {
  throughputSec: smoke ? 2 : 10,
  connections: smoke ? 10 : 50,
  rates: smoke ? [20] : [20, 60, 200],
  openSec: smoke ? 2 : 30,
  viewers: smoke ? 20 : 200,
  viewersSec: smoke ? 4 : 60,
  repollMs: smoke ? 1_000 : 5_000,
  views: 100,
};

const viewerNames = Array.from(
  { length: N },
  (_, i) => `svc-${String(i).padStart(3, '0')}`,
);
const HOT = 'hot';
const ONE = 'one';
const ROLLBACK = 'rollback';
const coldEcs = Array.from({ length: COLD_SAMPLES }, (_, i) => `cold-ecs-${i}`);
const coldTab = Array.from({ length: COLD_SAMPLES }, (_, i) => `cold-tab-${i}`);
/** Viewed once before the cold samples: they measure an entity nothing read, not a process nothing ran. */
const WARMUP = 'warmup';
const allNames = [
  ...viewerNames,
  HOT,
  ONE,
  ROLLBACK,
  WARMUP,
  ...coldEcs,
  ...coldTab,
];

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}
const checks: Check[] = [];
const check = (name: string, ok: boolean, detail?: string) => {
  checks.push({ name, ok, ...(detail ? { detail } : {}) });
  if (!ok) log(`CHECK FAILED: ${name}${detail ? ` (${detail})` : ''}`);
};
const checkTally = (name: string, t: StatusTally) =>
  check(
    `${name}: every request answered 2xx/304`,
    t.notOk === 0 && t.errors === 0 && t.ok > 0,
    `${t.ok} ok, ${t.notOk} not ok, ${t.errors} errors${
      t.samples.length ? `; ${t.samples.join('; ')}` : ''
    }`,
  );

interface Target {
  target: string;
  value: string;
  met: boolean;
}
const targets: Target[] = [];
const target = (name: string, value: string, met: boolean) =>
  targets.push({ target: name, value, met });

const results: Record<string, unknown> = {};
const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function callsByOperation(snap: ProxySnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [upstream, ops] of Object.entries(snap.counts)) {
    for (const [op, n] of Object.entries(ops)) out[`${upstream} ${op}`] = n;
  }
  return out;
}

async function scenario(name: string, fn: () => Promise<void>) {
  if (only && !only.includes(name.replace(/ /g, '-'))) {
    return;
  }
  const started = performance.now();
  log(`scenario: ${name}`);
  try {
    await fn();
  } catch (error) {
    check(
      `${name}: ran to completion`,
      false,
      String(error instanceof Error ? error.stack : error),
    );
  }
  log(`scenario ${name} took ${Math.round(performance.now() - started)} ms`);
}

async function coldScenario(t: Topology) {
  const out: Record<string, unknown> = {};
  const warmup = newTally();
  await view(t.baseUrl, t.token, tabPaths(WARMUP), warmup);
  checkTally('warm-up view', warmup);
  for (const [kind, names, floorRounds] of [
    ['ecs', coldEcs, DECLARED_ROUNDS.ecs],
    ['tab', coldTab, tabFloorRounds()],
  ] as const) {
    const samples: Array<{
      ms: number;
      rounds: number;
      calls: number;
      upstreamOnPathMs: number;
      oursMs: number;
      serverTimings: string[];
    }> = [];
    let timeline: string[] = [];
    for (const name of names) {
      t.proxy.reset();
      const tally = newTally();
      const paths = kind === 'ecs' ? [routePath(name, 'ecs')] : tabPaths(name);
      const viewStarted = performance.now();
      const { ms, serverTimings } = await view(
        t.baseUrl,
        t.token,
        paths,
        tally,
      );
      checkTally(`cold ${kind} view of ${name}`, tally);
      const snap = t.proxy.snapshot();
      const path = criticalPath(snap.calls);
      samples.push({
        ms: round1(ms),
        rounds: sequentialRounds(snap.calls),
        calls: snap.total,
        upstreamOnPathMs: round1(path.upstreamMs),
        oursMs: round1(ms - path.upstreamMs),
        serverTimings,
      });
      // When each upstream call started and ended, from the view's start: where the time went.
      timeline = snap.calls
        .map(
          c =>
            `${Math.round(c.start - viewStarted)}-${Math.round(
              c.end - viewStarted,
            )} ms ${c.operation}`,
        )
        .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    }
    const floorMs = floorRounds * LATENCY_MS;
    const ms = median(samples.map(s => s.ms));
    const ratio = Math.round((ms / floorMs) * 100) / 100;
    out[kind] = {
      samples,
      medianMs: ms,
      declaredRounds: floorRounds,
      observedRounds: median(samples.map(s => s.rounds)),
      medianUpstreamOnPathMs: median(samples.map(s => s.upstreamOnPathMs)),
      medianOursMs: median(samples.map(s => s.oursMs)),
      floorMs,
      ratio,
      lastSampleTimeline: timeline,
    };
    target(
      `cold ${kind} view ≤ 1.2x floor`,
      `${ms} ms / ${floorMs} ms = ${ratio}x`,
      ratio <= 1.2,
    );
  }
  results.cold = out;
}

async function callsScenario(t: Topology) {
  // 100 views of one entity nothing has read: the first is a cold load, the rest are cached.
  t.proxy.reset();
  const tally = newTally();
  const started = performance.now();
  await view(t.baseUrl, t.token, tabPaths(ONE), tally);
  const perLoad = callsByOperation(t.proxy.snapshot());
  await mapLimit(Array.from({ length: P.views - 1 }), 10, () =>
    view(t.baseUrl, t.token, tabPaths(ONE), tally),
  );
  const elapsed = performance.now() - started;
  const oneEntity = callsByOperation(t.proxy.snapshot());
  const windows = Math.floor(elapsed / CACHE_TTL_MS) + 1;
  checkTally('100 views of one entity', tally);
  check('the proxy counted upstream calls', Object.keys(oneEntity).length > 0);
  const worstOne = Math.max(
    ...Object.entries(oneEntity).map(
      ([op, n]) => n / (perLoad[op] ?? 1) / windows,
    ),
  );

  // 1 view each of N distinct entities nothing has read.
  t.proxy.reset();
  const tally2 = newTally();
  await mapLimit(viewerNames, 10, name =>
    view(t.baseUrl, t.token, tabPaths(name), tally2),
  );
  const distinct = callsByOperation(t.proxy.snapshot());
  checkTally(`1 view each of ${N} entities`, tally2);
  const worstDistinct = Math.max(
    ...Object.entries(distinct).map(([op, n]) => n / N / (perLoad[op] ?? 1)),
  );
  results.calls = {
    cacheWindows: windows,
    elapsedMs: Math.round(elapsed),
    perColdLoad: perLoad,
    oneEntity100Views: oneEntity,
    distinctEntities: N,
    distinctEntities1ViewEach: distinct,
    worstPerOperationPerWindowOneEntity: round1(worstOne),
    worstPerOperationPerEntityDistinct: round1(worstDistinct),
  };
  target(
    '≤1 upstream call per operation per cache window',
    `one entity: ${round1(
      worstOne,
    )}x a load per window; ${N} entities: ${round1(worstDistinct)}x per entity`,
    worstOne <= 1 && worstDistinct <= 1,
  );
}

async function throughputScenario(t: Topology) {
  const tally = newTally();
  await view(t.baseUrl, t.token, tabPaths(HOT), tally);
  const run = (paths: string[]) =>
    closedLoop({
      baseUrl: t.baseUrl,
      token: t.token,
      paths,
      connections: P.connections,
      durationSec: P.throughputSec,
      maxRequests: 500_000,
    });
  const catalog = await run([catalogPath(HOT)]);
  const ecs = await run([routePath(HOT, 'ecs')]);
  const tab = await run(tabPaths(HOT));
  for (const [name, r] of [
    ['catalog', catalog],
    ['ecs', ecs],
    ['tab', tab],
  ] as const) {
    checkTally(`warm throughput ${name}`, r.tally);
  }
  const ratio =
    Math.round((ecs.requestsPerSec / catalog.requestsPerSec) * 100) / 100;
  const tabRatio =
    Math.round((tab.requestsPerSec / catalog.requestsPerSec) * 100) / 100;
  results.throughput = {
    connections: P.connections,
    durationSec: P.throughputSec,
    catalog,
    ecs,
    tab,
    ecsOverCatalog: ratio,
    tabOverCatalog: tabRatio,
  };
  target(
    'warm ECS ≥ 0.8x catalog by-name',
    `${ecs.requestsPerSec} / ${catalog.requestsPerSec} req/s = ${ratio}x`,
    ratio >= 0.8,
  );
}

async function openLoopScenario(t: Topology) {
  const out: Record<string, unknown> = {};
  for (const kind of ['ecs', 'tab'] as const) {
    for (const rate of P.rates) {
      const paths = kind === 'ecs' ? [routePath(HOT, 'ecs')] : tabPaths(HOT);
      // Rates are requests per second; a tab arrival is one view of 4 requests.
      const r = await openLoop({
        baseUrl: t.baseUrl,
        token: t.token,
        pathsFor: () => paths,
        arrivalsPerSec: rate / paths.length,
        durationSec: P.openSec,
      });
      checkTally(`open loop ${kind} ${rate} req/s`, r.tally);
      out[`${kind}@${rate}`] = {
        requestsPerSec: rate,
        durationSec: P.openSec,
        ...r,
      };
      if (kind === 'ecs' && rate === 60) {
        target(
          'open loop ECS 60 req/s p95 ≤ 20 ms',
          `${r.p95Ms} ms`,
          r.p95Ms <= 20,
        );
        target(
          'open loop ECS 60 req/s p99 ≤ 2x p95',
          `${r.p99Ms} ms / ${r.p95Ms} ms = ${round1(r.p99Ms / r.p95Ms)}x`,
          r.p99Ms <= 2 * r.p95Ms,
        );
      }
    }
  }
  results.openLoop = out;
}

/**
 * Where a warm request's time goes, from the backend's own `Server-Timing` header, and whether a
 * poll that sends back the answer's ETag gets a 304 (what a polling card's browser does).
 */
async function warmRequestScenario(t: Topology) {
  const out: Record<string, unknown> = {};
  const samples = smoke ? 20 : 200;
  for (const [kind, paths] of [
    ['ecs', [routePath(HOT, 'ecs')]],
    ['tab', tabPaths(HOT)],
  ] as const) {
    const phases: Record<string, number[]> = {};
    const totals: number[] = [];
    const etags = new Map<string, string>();
    let notModified = 0;
    let polls = 0;
    const tally = newTally();
    for (let i = 0; i < samples; i++) {
      for (const path of paths) {
        const started = performance.now();
        const etag = etags.get(path);
        const res = await fetch(`${t.baseUrl}${path}`, {
          headers: {
            authorization: `Bearer ${t.token}`,
            // Every other request revalidates, as a polling card does.
            ...(etag && i % 2 === 1 ? { 'if-none-match': etag } : {}),
          },
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        totals.push(performance.now() - started);
        if ((res.status >= 200 && res.status < 300) || res.status === 304) {
          tally.ok += 1;
        } else {
          tally.notOk += 1;
        }
        if (etag && i % 2 === 1) {
          polls += 1;
          if (res.status === 304) notModified += 1;
        }
        const answered = res.headers.get('etag');
        if (answered) etags.set(path, answered);
        for (const entry of (res.headers.get('server-timing') ?? '').split(
          ',',
        )) {
          const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(entry);
          if (match) (phases[match[1]] ??= []).push(Number(match[2]));
        }
      }
    }
    checkTally(`warm requests ${kind}`, tally);
    out[kind] = {
      requests: totals.length,
      medianMs: round2(median(totals)),
      serverTimingMedianMs: Object.fromEntries(
        Object.entries(phases).map(([name, xs]) => [name, round2(median(xs))]),
      ),
      revalidations: polls,
      notModified,
    };
  }
  check(
    'a poll with the ETag of an unchanged answer gets 304',
    (out.ecs as { notModified: number }).notModified > 0,
  );
  results.warm = out;
}

/** The median of 5 RSS readings a second apart: one reading mostly tells where the GC was. */
async function settledRssMb(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(rssMb(pid));
    await new Promise(r => setTimeout(r, smoke ? 100 : 1000));
  }
  return median(readings);
}

async function rssScenario(t: Topology) {
  const before = await settledRssMb(t.backendPid);
  let peak = before;
  const tally = newTally();
  const deadline = Date.now() + P.viewersSec * 1000;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(t.backendPid));
    } catch {
      // backend gone; the checks say so
    }
  }, 1000);
  let views = 0;
  try {
    await Promise.all(
      Array.from({ length: P.viewers }, async (_, i) => {
        const name = viewerNames[i % viewerNames.length];
        // Spread the viewers' first loads over one re-poll interval.
        await new Promise(r => setTimeout(r, (i * P.repollMs) / P.viewers));
        for (let poll = 0; poll < 1_000 && Date.now() < deadline; poll++) {
          await view(t.baseUrl, t.token, tabPaths(name), tally);
          views += 1;
          await new Promise(r => setTimeout(r, P.repollMs));
        }
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  const after = await settledRssMb(t.backendPid);
  checkTally(`${P.viewers} viewers across ${N} entities`, tally);
  results.rss = {
    viewers: P.viewers,
    entities: N,
    durationSec: P.viewersSec,
    repollMs: P.repollMs,
    views,
    beforeMb: before,
    afterMb: after,
    peakMb: peak,
    growthMb: round1(after - before),
  };
  target(
    'RSS growth < 100 MB',
    `${before} → ${after} MB (peak ${peak})`,
    after - before < 100,
  );
}

async function rollbackScenario(t: Topology) {
  const tally = newTally();
  await view(t.baseUrl, t.token, [routePath(ROLLBACK, 'ecs')], tally);
  checkTally('rollback entity view', tally);
  t.proxy.reset();
  const started = performance.now();
  const res = await fetch(
    `${t.baseUrl}${routePath(ROLLBACK, 'ecs')}/rollback`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ revision: 'previous', reason: 'bench rollback' }),
    },
  );
  const body = await res.json();
  const postMs = performance.now() - started;
  const calls = callsByOperation(t.proxy.snapshot());
  check(
    'rollback POST answered 202',
    res.status === 202,
    `${res.status} ${JSON.stringify(body)}`,
  );
  // Asked of the local AWS directly, not through the proxy.
  const ecs = new ECSClient({
    endpoint: t.aws.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  let primaryMs: number | undefined;
  try {
    for (let poll = 0; poll < 300 && res.status === 202; poll++) {
      const { services } = await ecs.send(
        new DescribeServicesCommand({ cluster: CLUSTER, services: [ROLLBACK] }),
      );
      const primary = services?.[0]?.deployments?.find(
        d => d.status === 'PRIMARY',
      );
      if (primary?.taskDefinition?.endsWith(`:${body.toRevision}`)) {
        primaryMs = performance.now() - started;
        break;
      }
      await new Promise(r => setTimeout(r, 100));
    }
  } finally {
    ecs.destroy();
  }
  check(
    'the local AWS reports the rollback as the PRIMARY deployment',
    primaryMs !== undefined,
  );
  results.rollback = {
    status: res.status,
    fromRevision: body.fromRevision,
    toRevision: body.toRevision,
    postMs: round1(postMs),
    primaryMs: primaryMs === undefined ? null : round1(primaryMs),
    calls,
  };
}

async function templateScenario(t: Topology) {
  const { template, directoryContents } = await templateDryRunRequest(
    'aws-ecs-service',
  );
  const values = {
    ...rollingWithoutDomain,
    repoUrl: 'github.local?owner=acme&repo=orders-api',
  };
  const started = performance.now();
  const res = await fetch(`${t.baseUrl}/api/scaffolder/v2/dry-run`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.token}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ template, values, secrets: {}, directoryContents }),
  });
  const body = await res.json();
  const dryRunMs = performance.now() - started;
  check(
    'template dry-run answered 200',
    res.status === 200,
    res.status === 200 ? undefined : JSON.stringify(body).slice(0, 500),
  );
  const out: Record<string, unknown> = {
    dryRunMs: round1(dryRunMs),
    files: body.directoryContents?.length,
  };
  results.template = out;
  if (res.status !== 200) return;
  const dir = await mkdtemp(join(tmpdir(), 'bench-template-'));
  for (const file of body.directoryContents as Array<{
    path: string;
    base64Content: string;
  }>) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(
      join(dir, file.path),
      Buffer.from(file.base64Content, 'base64'),
    );
  }
  const tf = join(dir, 'infrastructure', 'terraform');
  await writeFile(join(tf, 'moto_override.tf'), motoOverrideTf(t.aws.endpoint));
  await writeFile(join(tf, 'moto_toggles.auto.tfvars'), MOTO_TOGGLES);
  // The provider mirror is warm (a filesystem mirror); init copies it into .terraform.
  const initStarted = performance.now();
  await runTerraform(tf, ['init', '-input=false', '-no-color'], {
    timeoutMs: 120_000,
  });
  out.initMs = Math.round(performance.now() - initStarted);
  const planStarted = performance.now();
  const plan = await runTerraform(
    tf,
    [
      'plan',
      '-input=false',
      '-no-color',
      '-detailed-exitcode',
      '-var-file=production.tfvars',
    ],
    { okCodes: [0, 2], timeoutMs: 300_000 },
  );
  out.planMs = Math.round(performance.now() - planStarted);
  out.planSummary = /Plan: .*/.exec(plan.stdout)?.[0];
  check(
    'terraform plan of the rendered stack succeeded',
    plan.code === 0 || plan.code === 2,
  );
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) =>
    Math.max(...rows.map(r => (r[i] ?? '').length)),
  );
  return rows
    .map(r =>
      r
        .map((c, i) => (c ?? '').padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function report(meta: Record<string, unknown>) {
  const r = results as any;
  const lines: string[][] = [
    ['scenario', 'ECS route', 'whole tab (4 routes)', 'reference'],
  ];
  if (r.throughput) {
    lines.push([
      `warm throughput (${r.throughput.connections} conns, ${r.throughput.durationSec}s)`,
      `${r.throughput.ecs.requestsPerSec} req/s (${r.throughput.ecsOverCatalog}x)`,
      `${r.throughput.tab.requestsPerSec} req/s = ${r.throughput.tab.viewsPerSec} views/s (${r.throughput.tabOverCatalog}x)`,
      `catalog by-name ${r.throughput.catalog.requestsPerSec} req/s`,
    ]);
  }
  for (const rate of P.rates) {
    const e = r.openLoop?.[`ecs@${rate}`];
    const tb = r.openLoop?.[`tab@${rate}`];
    if (!e) continue;
    const fmt = (x: any) =>
      x ? `p50 ${x.p50Ms} / p95 ${x.p95Ms} / p99 ${x.p99Ms} ms` : '-';
    lines.push([
      `open loop ${rate} req/s, ${P.openSec}s`,
      fmt(e),
      fmt(tb),
      'latency from intended start',
    ]);
  }
  if (r.warm) {
    const fmt = (w: any) =>
      `${w.medianMs} ms: ${Object.entries(w.serverTimingMedianMs)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ${w.notModified}/${w.revalidations} polls 304`;
    lines.push([
      'warm request, median (Server-Timing, ms)',
      fmt(r.warm.ecs),
      fmt(r.warm.tab),
      'sequential; every other one revalidates',
    ]);
  }
  if (r.cold) {
    const fmt = (c: any) =>
      `${c.medianMs} ms, floor ${c.floorMs} ms (${c.ratio}x); rounds ${c.observedRounds} seen / ${c.declaredRounds} declared; on the critical path ${c.medianUpstreamOnPathMs} ms upstream, ${c.medianOursMs} ms ours`;
    lines.push([
      'cold view (50 ms per upstream call)',
      fmt(r.cold.ecs),
      fmt(r.cold.tab),
      '',
    ]);
  }
  if (r.calls) {
    lines.push([
      'upstream calls',
      `100 views of 1 entity: ${Object.values(
        r.calls.oneEntity100Views as Record<string, number>,
      ).reduce((a, b) => a + b, 0)}`,
      `1 view each of ${r.calls.distinctEntities}: ${Object.values(
        r.calls.distinctEntities1ViewEach as Record<string, number>,
      ).reduce((a, b) => a + b, 0)}`,
      `one cold tab load: ${Object.values(
        r.calls.perColdLoad as Record<string, number>,
      ).reduce((a, b) => a + b, 0)}`,
    ]);
  }
  if (r.rss) {
    lines.push([
      `backend RSS, ${r.rss.viewers} viewers / ${r.rss.entities} entities, ${r.rss.durationSec}s`,
      '',
      `${r.rss.beforeMb} → ${r.rss.afterMb} MB (peak ${r.rss.peakMb}, +${r.rss.growthMb})`,
      `${r.rss.views} views`,
    ]);
  }
  if (r.rollback) {
    lines.push([
      'rollback (POST → PRIMARY in local AWS)',
      `${r.rollback.status}: POST ${r.rollback.postMs} ms, PRIMARY after ${r.rollback.primaryMs} ms`,
      `${Object.values(r.rollback.calls as Record<string, number>).reduce(
        (a, b) => a + b,
        0,
      )} upstream calls`,
      `rev ${r.rollback.fromRevision} → ${r.rollback.toRevision}`,
    ]);
  }
  if (r.template) {
    lines.push([
      'template (aws-ecs-service)',
      `dry-run ${r.template.dryRunMs} ms`,
      r.template.planMs !== undefined
        ? `terraform plan ${r.template.planMs} ms (init ${r.template.initMs} ms)`
        : '-',
      r.template.planSummary ?? '',
    ]);
  }
  const out: string[] = [];
  out.push(
    `bench (${smoke ? 'smoke' : 'full'}) ${meta.commit} bundle ${meta.bundle}`,
  );
  out.push(
    `machine: ${meta.cpus}, ${meta.memoryGb} GB, node ${process.version}`,
  );
  out.push('');
  out.push(table(lines));
  out.push('');
  out.push(
    table([
      ['target', 'value', 'met'],
      ...targets.map(t => [
        t.target,
        t.value,
        t.met ? 'yes' : 'MISSED (finding)',
      ]),
    ]),
  );
  if (r.calls) {
    out.push('');
    out.push('upstream calls per operation:');
    const ops = [
      ...new Set([
        ...Object.keys(r.calls.perColdLoad),
        ...Object.keys(r.calls.oneEntity100Views),
        ...Object.keys(r.calls.distinctEntities1ViewEach),
      ]),
    ].sort();
    out.push(
      table([
        [
          'operation',
          'one cold load',
          '100 views of 1',
          `1 view of each of ${N}`,
        ],
        ...ops.map(op => [
          op,
          String(r.calls.perColdLoad[op] ?? 0),
          String(r.calls.oneEntity100Views[op] ?? 0),
          String(r.calls.distinctEntities1ViewEach[op] ?? 0),
        ]),
      ]),
    );
  }
  if (r.rollback) {
    out.push('');
    out.push(
      `rollback POST upstream calls: ${JSON.stringify(r.rollback.calls)}`,
    );
  }
  return out.join('\n');
}

async function main() {
  const startedAt = new Date();
  const started = performance.now();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repoRoot,
    })
      .toString()
      .trim();
  } catch {
    // not a git checkout
  }
  const topology = await startTopology({
    services: allNames,
    bundle,
    latencyMs: LATENCY_MS,
    log,
  });
  let exitCode = 1;
  try {
    log(
      `backend up; plugin loaded from ${
        topology.stagedPluginPath
      }; ${JSON.stringify(topology.timings)}`,
    );
    check(
      'the staged backend loads the extracted plugin build',
      topology.stagedPluginPath.includes('bench-backend-'),
    );
    await scenario('cold view', () => coldScenario(topology));
    await scenario('upstream calls', () => callsScenario(topology));
    await scenario('warm throughput', () => throughputScenario(topology));
    await scenario('warm request', () => warmRequestScenario(topology));
    await scenario('open loop', () => openLoopScenario(topology));
    // --rss-rounds 2 repeats the viewers: memory that grows again in the second round is kept.
    const rssRounds: unknown[] = [];
    for (let i = 0; i < Number(option('--rss-rounds') ?? 1); i++) {
      await scenario('rss', () => rssScenario(topology));
      rssRounds.push(results.rss);
    }
    if (rssRounds.length > 1) results.rssRounds = rssRounds;
    await scenario('rollback', () => rollbackScenario(topology));
    await scenario('template', () => templateScenario(topology));
    const meta = {
      mode: smoke ? 'smoke' : 'full',
      commit,
      bundle: topology.bundle,
      startedAt: startedAt.toISOString(),
      durationSec: Math.round((performance.now() - started) / 1000),
      cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      entities: N,
      upstreamLatencyMs: LATENCY_MS,
      cacheTtlMs: CACHE_TTL_MS,
      setupMs: topology.timings,
      params: P,
    };
    const text = report(meta);
    process.stdout.write(`${text}\n`);
    // Formatted as the repository's prettier check wants committed files.
    const json = prettier.format(
      JSON.stringify({ meta, results, targets, checks }),
      { parser: 'json' },
    );
    const dir = join(repoRoot, 'bench', 'results');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'latest.json'), json);
    if (!smoke) {
      const stamp = startedAt.toISOString().slice(0, 16).replace(/:/g, '-');
      await writeFile(join(dir, `${stamp}-${commit}.json`), json);
    }
    if (saveAs) await writeFile(join(dir, `${saveAs}.json`), json);
    const failed = checks.filter(c => !c.ok);
    for (const c of failed)
      process.stdout.write(
        `FAILED: ${c.name}${c.detail ? ` (${c.detail})` : ''}\n`,
      );
    process.stdout.write(
      `bench checks: ${checks.length - failed.length} passed, ${
        failed.length
      } failed\n`,
    );
    exitCode = failed.length ? 1 : 0;
  } catch (error) {
    process.stderr.write(
      `bench: ${
        error instanceof Error ? error.stack : error
      }\n${topology.backendLog()}\n`,
    );
    process.stdout.write(
      `bench checks: ${checks.filter(c => c.ok).length} passed, ${
        checks.filter(c => !c.ok).length + 1
      } failed\n`,
    );
  } finally {
    await topology.stop();
  }
  process.exit(exitCode);
}

main().catch(error => {
  process.stderr.write(
    `bench: ${error instanceof Error ? error.stack : error}\n`,
  );
  process.stdout.write('bench checks: 0 passed, 1 failed\n');
  process.exit(1);
});
