/*
 * One small loopback proxy in front of the local AWS and the local GitHub: one listener port per
 * upstream. It forwards with `http-proxy`, adds a configurable latency to every call, counts calls
 * per upstream operation, records each call's start and end, and injects faults, so the same
 * module serves the benchmark (latency + counting) and a reliability suite (faults).
 *
 * Operations: for AWS JSON protocols the `X-Amz-Target` header (`AmazonEC2ContainerServiceV20141113.
 * DescribeServices` → `ecs:DescribeServices`); for anything else (GitHub, AWS query protocols) the
 * method and the path with owner/repo/ids templated (`GET /repos/{owner}/{repo}/actions/runs`).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import httpProxy from 'http-proxy';

/** What the proxy does instead of (or before) forwarding a call. */
export type Fault = (
  | /** Stop listening on the upstream's port (and drop its open connections): ECONNREFUSED. */
  { kind: 'refuse' }
  /** Destroy the socket without an answer: ECONNRESET / "socket hang up". */
  | { kind: 'reset' }
  /** Hold the request without answering for `ms` (bounded by the proxy's maxHangMs), then reset. */
  | { kind: 'hang'; ms?: number }
  /** Answer `status` (e.g. 503) with a small JSON body, without forwarding. */
  | { kind: 'status'; status: number; body?: string }
  /**
   * The upstream's rate limit: ECS answers HTTP 400 `ThrottlingException`; GitHub answers
   * `status` (403 by default, or 429) with `x-ratelimit-remaining: 0`, `x-ratelimit-reset`
   * and `retry-after`.
   */
  | { kind: 'throttle'; status?: 403 | 429; retryAfterSeconds?: number }
  /** Forward, then answer 200 with the upstream's JSON cut in half. */
  | { kind: 'malformed' }
  /** Forward after `ms` more than the configured latency. */
  | { kind: 'slow'; ms: number }
  /**
   * Forward, let the upstream act and answer, then reset the client's connection instead of
   * passing the answer on: a change that happened although its caller saw it fail.
   */
  | { kind: 'drop-answer' }
) & {
  /** Only calls of this operation (as counted, e.g. `ecs:DescribeServices`); default all. */
  operation?: string;
  /** Only the next N matching calls, then the fault clears itself; default every call. */
  times?: number;
};

export type UpstreamKind = 'aws' | 'github';

export interface UpstreamSpec {
  /** The name used in counts and setFault, e.g. `aws` or `github`. */
  name: string;
  /** Where calls are forwarded, e.g. `http://127.0.0.1:4566`. */
  target: string;
  /** How operations are named and throttling is answered; default from the name. */
  kind?: UpstreamKind;
  /** Fixed port to listen on; default a free one. */
  port?: number;
}

export interface UpstreamProxyOptions {
  upstreams: UpstreamSpec[];
  /** Added before every forwarded call; default 50 ms. */
  latencyMs?: number;
  /** Upper bound of a `hang` fault; default 30 s. */
  maxHangMs?: number;
  /** Calls kept in the record (oldest dropped after); default 200,000. */
  maxRecordedCalls?: number;
}

export interface CallRecord {
  upstream: string;
  operation: string;
  /** performance.now() when the request arrived and when its answer ended, in ms. */
  start: number;
  end: number;
  /** The status sent, or 0 when the connection was refused, reset or hung up. */
  status: number;
  fault?: Fault['kind'];
}

export interface ProxySnapshot {
  /** Calls per upstream, per operation. */
  counts: Record<string, Record<string, number>>;
  /** Every call since the last reset (bounded by maxRecordedCalls), in order of arrival. */
  calls: CallRecord[];
  total: number;
}

export interface UpstreamProxy {
  /** Base URL of each upstream's listener, e.g. `{ aws: 'http://127.0.0.1:40123' }`. */
  urls: Record<string, string>;
  ports: Record<string, number>;
  latencyMs: number;
  setLatency(ms: number): void;
  setFault(upstream: string, fault: Fault | undefined): Promise<void>;
  snapshot(): ProxySnapshot;
  reset(): void;
  stop(): Promise<void>;
}

const GITHUB_IDS: Record<string, string> = {
  runs: '{run_id}',
  jobs: '{job_id}',
  artifacts: '{artifact_id}',
  deployments: '{deployment_id}',
  statuses: '{status_id}',
  workflows: '{workflow_id}',
  environments: '{environment_name}',
  orgs: '{org}',
  users: '{username}',
  teams: '{team_slug}',
  branches: '{branch}',
  commits: '{ref}',
  zip: '{archive}',
};

/** `GET /api/v3/repos/acme/web/actions/runs/42?x=1` → `GET /repos/{owner}/{repo}/actions/runs/{run_id}`. */
export function templatedPath(method: string, url: string): string {
  const path = (url.split('?')[0] || '/').replace(/^\/api\/v3(?=\/|$)/, '');
  const segments = path.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const previous = segments[i - 1];
    if (previous === 'repos' && i === 1) out.push('{owner}');
    else if (segments[0] === 'repos' && i === 2) out.push('{repo}');
    else if (previous && GITHUB_IDS[previous] && i > 2) {
      out.push(GITHUB_IDS[previous]);
    } else if (previous && GITHUB_IDS[previous] && segments[0] !== 'repos') {
      out.push(GITHUB_IDS[previous]);
    } else if (/^\d+$/.test(segment)) out.push('{id}');
    else out.push(segment);
  }
  return `${method} /${out.join('/')}`;
}

/** `AmazonEC2ContainerServiceV20141113.DescribeServices` → `ecs:DescribeServices`. */
export function awsOperation(target: string): string {
  const [service, action] = target.split('.');
  const prefix = service.startsWith('AmazonEC2ContainerService')
    ? 'ecs'
    : service.replace(/_?V?\d{8}$/, '').toLowerCase();
  return `${prefix}:${action ?? service}`;
}

function operationOf(req: http.IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target) return awsOperation(target);
  return templatedPath(req.method ?? 'GET', req.url ?? '/');
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

interface Listener {
  spec: Required<Omit<UpstreamSpec, 'port'>> & { port: number };
  server: http.Server;
  sockets: Set<Socket>;
  listening: boolean;
  fault?: Fault;
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startUpstreamProxy(
  options: UpstreamProxyOptions,
): Promise<UpstreamProxy> {
  const maxHangMs = options.maxHangMs ?? 30_000;
  const maxRecorded = options.maxRecordedCalls ?? 200_000;
  let latencyMs = options.latencyMs ?? 50;
  let counts: Record<string, Record<string, number>> = {};
  let calls: CallRecord[] = [];
  let total = 0;
  let stopped = false;
  const hangs = new Set<() => void>();
  const malformed = new WeakSet<http.IncomingMessage>();
  const dropped = new WeakSet<http.IncomingMessage>();

  const proxy = httpProxy.createProxyServer({ xfwd: false, ws: false });
  proxy.on('proxyRes', (proxyRes, req, res) => {
    if (dropped.has(req)) {
      proxyRes.resume();
      proxyRes.on('end', () => req.socket.destroy());
      return;
    }
    if (!malformed.has(req)) return;
    const chunks: Buffer[] = [];
    proxyRes.on('data', (c: Buffer) => chunks.push(c));
    proxyRes.on('end', () => {
      const body = Buffer.concat(chunks);
      const cut = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
      res.writeHead(200, {
        'content-type':
          proxyRes.headers['content-type'] ?? 'application/json; charset=utf-8',
        'content-length': String(cut.length),
      });
      res.end(cut);
    });
  });
  proxy.on('error', (_error, _req, res) => {
    // The upstream is down or reset the call: answer 502 like a gateway would.
    if (res instanceof http.ServerResponse && !res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'upstream proxy: upstream failed' }));
    } else {
      (res as Socket).destroy?.();
    }
  });

  const listeners = new Map<string, Listener>();

  function activeFault(l: Listener, operation: string): Fault | undefined {
    const fault = l.fault;
    if (!fault || fault.kind === 'refuse') return undefined;
    if (fault.operation && fault.operation !== operation) return undefined;
    if (fault.times !== undefined) {
      if (fault.times <= 0) return undefined;
      fault.times -= 1;
      if (fault.times === 0) l.fault = undefined;
    }
    return fault;
  }

  function throttle(
    l: Listener,
    res: http.ServerResponse,
    fault: Extract<Fault, { kind: 'throttle' }>,
  ) {
    const retryAfter = fault.retryAfterSeconds ?? 1;
    if (l.spec.kind === 'aws') {
      const body = JSON.stringify({
        __type: 'ThrottlingException',
        message: 'Rate exceeded',
      });
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'ThrottlingException',
        'content-length': String(Buffer.byteLength(body)),
      });
      res.end(body);
      return;
    }
    const body = JSON.stringify({
      message: 'API rate limit exceeded',
      documentation_url:
        'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
    });
    res.writeHead(fault.status ?? 403, {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfter),
      'retry-after': String(retryAfter),
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  }

  function handler(l: Listener) {
    return async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const start = performance.now();
      const operation = operationOf(req);
      const fault = activeFault(l, operation);
      const record: CallRecord = {
        upstream: l.spec.name,
        operation,
        start,
        end: start,
        status: 0,
        ...(fault ? { fault: fault.kind } : {}),
      };
      const perUpstream = (counts[l.spec.name] ??= {});
      perUpstream[operation] = (perUpstream[operation] ?? 0) + 1;
      total += 1;
      calls.push(record);
      if (calls.length > maxRecorded) calls.shift();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        record.end = performance.now();
        record.status = res.headersSent ? res.statusCode : 0;
      };
      res.once('finish', finish);
      res.once('close', finish);

      if (fault?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'hang') {
        const ms = Math.min(fault.ms ?? maxHangMs, maxHangMs);
        await new Promise<void>(resolve => {
          let timer: NodeJS.Timeout | undefined = undefined;
          const release = () => {
            clearTimeout(timer);
            hangs.delete(release);
            resolve();
          };
          timer = setTimeout(release, ms);
          hangs.add(release);
        });
        req.socket.destroy();
        return;
      }
      const delay = latencyMs + (fault?.kind === 'slow' ? fault.ms : 0);
      if (delay > 0) await sleep(delay);
      if (stopped) {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        const body =
          fault.body ??
          JSON.stringify({ message: `upstream proxy: ${fault.status}` });
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        });
        res.end(body);
        return;
      }
      if (fault?.kind === 'throttle') {
        throttle(l, res, fault);
        return;
      }
      if (fault?.kind === 'drop-answer') {
        dropped.add(req);
        proxy.web(req, res, {
          target: l.spec.target,
          selfHandleResponse: true,
        });
        return;
      }
      if (fault?.kind === 'malformed') {
        malformed.add(req);
        proxy.web(req, res, {
          target: l.spec.target,
          selfHandleResponse: true,
        });
        return;
      }
      proxy.web(req, res, { target: l.spec.target });
    };
  }

  for (const spec of options.upstreams) {
    const kind: UpstreamKind =
      spec.kind ?? (spec.name.includes('github') ? 'github' : 'aws');
    const server = http.createServer({ keepAliveTimeout: 5_000 });
    const sockets = new Set<Socket>();
    const l: Listener = {
      spec: { name: spec.name, target: spec.target, kind, port: 0 },
      server,
      sockets,
      listening: false,
    };
    server.on('request', handler(l));
    server.on('connection', socket => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    l.spec.port = await listen(server, spec.port ?? 0);
    l.listening = true;
    listeners.set(spec.name, l);
  }

  async function close(l: Listener) {
    if (!l.listening) return;
    l.listening = false;
    const closed = new Promise<void>(resolve =>
      l.server.close(() => resolve()),
    );
    for (const socket of l.sockets) socket.destroy();
    await closed;
  }

  const ports = Object.fromEntries(
    [...listeners.values()].map(l => [l.spec.name, l.spec.port]),
  );
  const urls = Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [
      name,
      `http://127.0.0.1:${port}`,
    ]),
  );

  return {
    urls,
    ports,
    get latencyMs() {
      return latencyMs;
    },
    set latencyMs(ms: number) {
      latencyMs = ms;
    },
    setLatency(ms: number) {
      latencyMs = ms;
    },
    async setFault(upstream: string, fault: Fault | undefined) {
      const l = listeners.get(upstream);
      if (!l) throw new Error(`upstream proxy: no upstream ${upstream}`);
      l.fault = fault ? { ...fault } : undefined;
      if (fault?.kind === 'refuse') {
        await close(l);
      } else if (!l.listening && !stopped) {
        // Listen again on the same port, so clients configured with it reconnect.
        await listen(l.server, l.spec.port);
        l.listening = true;
      }
      if (!fault || fault.kind !== 'hang') {
        for (const release of [...hangs]) release();
      }
    },
    snapshot() {
      return {
        counts: JSON.parse(JSON.stringify(counts)),
        calls: calls.map(c => ({ ...c })),
        total,
      };
    },
    reset() {
      counts = {};
      calls = [];
      total = 0;
    },
    async stop() {
      stopped = true;
      for (const release of [...hangs]) release();
      await Promise.all([...listeners.values()].map(close));
      proxy.close();
    },
  };
}

/** Calls per operation of one upstream in a snapshot, as a sorted list. */
export function countsOf(
  snapshot: ProxySnapshot,
  upstream: string,
): Array<[string, number]> {
  return Object.entries(snapshot.counts[upstream] ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  );
}

/**
 * Sequential rounds in a set of calls: the longest chain of calls each of which started after the
 * previous one had ended (a call's depth is 1 + the deepest call that ended before it started).
 * For the calls of one cold load this is the number of upstream round trips it waited for.
 */
export function sequentialRounds(calls: CallRecord[]): number {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  let deepest = 0;
  for (let j = 0; j < sorted.length; j++) {
    let d = 1;
    for (let i = 0; i < j; i++) {
      if (sorted[i].end <= sorted[j].start) d = Math.max(d, depth[i] + 1);
    }
    depth.push(d);
    deepest = Math.max(deepest, d);
  }
  return deepest;
}

/**
 * The chain of calls that decided when the last answer came: from the call that ended last,
 * back through, each time, the call that ended last before it started. `upstreamMs` is the time
 * spent inside those calls (latency and the upstream's own work); the rest of a view's time on
 * that chain is the caller's.
 */
export function criticalPath(calls: CallRecord[]): {
  operations: string[];
  upstreamMs: number;
} {
  const path: CallRecord[] = [];
  let current = [...calls].sort((a, b) => b.end - a.end)[0];
  for (let step = 0; current && step < calls.length; step++) {
    path.unshift(current);
    const start = current.start;
    current = calls
      .filter(c => c.end <= start)
      .sort((a, b) => b.end - a.end)[0];
  }
  return {
    operations: path.map(c => c.operation),
    upstreamMs: path.reduce((sum, c) => sum + (c.end - c.start), 0),
  };
}
