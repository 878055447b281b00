/*
 * Load generators.
 * - closedLoop: autocannon (N connections, each sends its next request when the last answered):
 *   warm throughput.
 * - openLoop: a constant-arrival-rate scheduler on undici. Request i is due at t0 + i/rate,
 *   whatever happened to earlier ones, and its latency is measured from that intended start into
 *   an HDR histogram, so a slow answer cannot hide the requests queued behind it (no coordinated
 *   omission). autocannon's own rate limit is per connection and per second (bursts), so it is
 *   not used for this.
 * Every run is bounded by duration and request count.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import { Agent } from 'undici';

export interface StatusTally {
  ok: number;
  notOk: number;
  errors: number;
  /** A few of the failures, for the report. */
  samples: string[];
}

export const newTally = (): StatusTally => ({
  ok: 0,
  notOk: 0,
  errors: 0,
  samples: [],
});

function tallyStatus(tally: StatusTally, status: number, path: string) {
  if ((status >= 200 && status < 300) || status === 304) tally.ok += 1;
  else {
    tally.notOk += 1;
    if (tally.samples.length < 5) tally.samples.push(`${status} ${path}`);
  }
}

export interface ClosedLoopResult {
  requestsPerSec: number;
  /** For multi-request views: views per second (requests per second / paths per view). */
  viewsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  tally: StatusTally;
}

/** autocannon against `paths` (each connection cycles through them in order). */
export async function closedLoop(options: {
  baseUrl: string;
  token: string;
  paths: string[];
  connections: number;
  durationSec: number;
  maxRequests: number;
}): Promise<ClosedLoopResult> {
  // autocannon ignores `duration` when `amount` is set, so the count bound is enforced here.
  let responses = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: options.durationSec,
        timeout: 10,
        headers: { authorization: `Bearer ${options.token}` },
        requests: options.paths.map(path => ({ method: 'GET' as const, path })),
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    );
    instance.on('response', () => {
      responses += 1;
      if (responses === options.maxRequests) instance.stop();
    });
  });
  const tally = newTally();
  tally.ok = result['2xx'] + (result['3xx'] ?? 0);
  tally.notOk = result['1xx'] + result['4xx'] + result['5xx'];
  tally.errors = result.errors + result.timeouts;
  if (tally.notOk || tally.errors) {
    tally.samples.push(
      `autocannon: ${result['4xx']} 4xx, ${result['5xx']} 5xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  const requestsPerSec =
    result.requests.total / Math.max(result.duration, 0.001);
  return {
    requestsPerSec: Math.round(requestsPerSec * 10) / 10,
    viewsPerSec: Math.round((requestsPerSec / options.paths.length) * 10) / 10,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    tally,
  };
}

export interface OpenLoopResult {
  /** Arrivals per second asked for (for views: requests/s / paths per view). */
  arrivalsPerSec: number;
  sent: number;
  completed: number;
  /** Arrivals not sent because maxInFlight were outstanding (counted as errors). */
  dropped: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  tally: StatusTally;
}

function newHistogram() {
  return hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/**
 * Open loop: `arrivalsPerSec` arrivals for `durationSec`; each arrival GETs every path of
 * `paths` at once (one view) and its latency is the slowest of them, from the intended start.
 */
export async function openLoop(options: {
  baseUrl: string;
  token: string;
  /** Per arrival: the paths of one view. */
  pathsFor: (arrival: number) => string[];
  arrivalsPerSec: number;
  durationSec: number;
  maxInFlight?: number;
  timeoutMs?: number;
}): Promise<OpenLoopResult> {
  const maxInFlight = options.maxInFlight ?? 2_000;
  const agent = new Agent({
    connections: 512,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs ?? 10_000,
    bodyTimeout: options.timeoutMs ?? 10_000,
  });
  const histogram = newHistogram();
  const tally = newTally();
  const total = Math.max(
    1,
    Math.round(options.arrivalsPerSec * options.durationSec),
  );
  const intervalMs = 1000 / options.arrivalsPerSec;
  const origin = options.baseUrl;
  const headers = { authorization: `Bearer ${options.token}` };
  let inFlight = 0;
  let sent = 0;
  let completed = 0;
  let dropped = 0;
  const pending = new Set<Promise<void>>();

  const one = async (path: string) => {
    try {
      const res = await agent.request({ origin, path, method: 'GET', headers });
      await res.body.dump({ limit: 50 * 1024 * 1024 });
      tallyStatus(tally, res.statusCode, path);
    } catch (error) {
      tally.errors += 1;
      if (tally.samples.length < 5) tally.samples.push(`${error} ${path}`);
    }
  };

  /** One arrival: its requests at once; its latency from the intended start to the last answer. */
  const arrive = (paths: string[], intended: number) => {
    const p = Promise.all(paths.map(one)).then(() => {
      histogram.recordValue(
        Math.max(1, Math.round((performance.now() - intended) * 1000)),
      );
      inFlight -= 1;
      completed += 1;
      pending.delete(p);
    });
    pending.add(p);
  };

  const t0 = performance.now() + 10;
  for (let i = 0; i < total; i++) {
    const intended = t0 + i * intervalMs;
    const wait = intended - performance.now();
    if (wait > 1) await new Promise(r => setTimeout(r, wait));
    if (inFlight >= maxInFlight) {
      dropped += 1;
      tally.errors += 1;
      continue;
    }
    inFlight += 1;
    sent += 1;
    arrive(options.pathsFor(i), intended);
  }
  // Every request has its own timeout, so this ends.
  await Promise.all([...pending]);
  await agent.close();
  const ms = (us: number) => Math.round(us / 10) / 100;
  const result = {
    arrivalsPerSec: options.arrivalsPerSec,
    sent,
    completed,
    dropped,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p95Ms: ms(histogram.getValueAtPercentile(95)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    maxMs: ms(histogram.maxValue),
    tally,
  };
  histogram.destroy();
  return result;
}

/** GETs `paths` of one view at once with fetch; returns the statuses and the time taken. */
export async function view(
  baseUrl: string,
  token: string,
  paths: string[],
  tally?: StatusTally,
): Promise<{ ms: number; statuses: number[]; serverTimings: string[] }> {
  const started = performance.now();
  const serverTimings: string[] = [];
  const statuses = await Promise.all(
    paths.map(async path => {
      try {
        const res = await fetch(`${baseUrl}${path}`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        if (tally) tallyStatus(tally, res.status, path);
        serverTimings.push(
          `${path}: ${res.headers.get('server-timing') ?? ''}`,
        );
        return res.status;
      } catch (error) {
        if (tally) {
          tally.errors += 1;
          if (tally.samples.length < 5) tally.samples.push(`${error} ${path}`);
        }
        return 0;
      }
    }),
  );
  return { ms: performance.now() - started, statuses, serverTimings };
}
