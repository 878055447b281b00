import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  awsOperation,
  criticalPath,
  sequentialRounds,
  startUpstreamProxy,
  templatedPath,
  UpstreamProxy,
} from './upstreamProxy';

/** A tiny upstream: answers every request with JSON naming its method and path. */
function startUpstream(): Promise<{
  url: string;
  close: () => Promise<void>;
  answered: () => number;
}> {
  let answered = 0;
  const server = http.createServer((req, res) => {
    answered++;
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        method: req.method,
        path: req.url,
        target: req.headers['x-amz-target'] ?? null,
        echo: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        answered: () => answered,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>(r => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

const ecsCall = (url: string, action: string) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'x-amz-target': `AmazonEC2ContainerServiceV20141113.${action}`,
      'content-type': 'application/x-amz-json-1.1',
    },
    body: '{}',
  });

describe('upstream proxy', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let proxy: UpstreamProxy;

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });
  beforeEach(async () => {
    proxy = await startUpstreamProxy({
      upstreams: [
        { name: 'aws', target: upstream.url, kind: 'aws' },
        { name: 'github', target: upstream.url, kind: 'github' },
      ],
      latencyMs: 0,
      maxHangMs: 2_000,
    });
  });
  afterEach(async () => {
    await proxy.stop();
  });

  it('names operations by X-Amz-Target and by templated GitHub paths', () => {
    expect(awsOperation('AmazonEC2ContainerServiceV20141113.ListTasks')).toBe(
      'ecs:ListTasks',
    );
    expect(
      templatedPath('GET', '/api/v3/repos/acme/web/actions/runs?per_page=5'),
    ).toBe('GET /repos/{owner}/{repo}/actions/runs');
    expect(
      templatedPath('GET', '/api/v3/repos/acme/web/deployments/17/statuses'),
    ).toBe('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses');
    expect(
      templatedPath(
        'GET',
        '/api/v3/repos/acme/web/actions/workflows/drift.yml/runs',
      ),
    ).toBe('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs');
    expect(
      templatedPath('GET', '/api/v3/repos/acme/web/actions/artifacts/9/zip'),
    ).toBe('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/zip');
  });

  it('forwards and counts calls per upstream operation, with start and end', async () => {
    await (await ecsCall(proxy.urls.aws, 'DescribeServices')).json();
    await (await ecsCall(proxy.urls.aws, 'DescribeServices')).json();
    await (await ecsCall(proxy.urls.aws, 'ListTasks')).json();
    const gh = await fetch(
      `${proxy.urls.github}/api/v3/repos/acme/a/actions/runs`,
    );
    expect(await gh.json()).toMatchObject({
      path: '/api/v3/repos/acme/a/actions/runs',
    });
    const snap = proxy.snapshot();
    expect(snap.counts).toEqual({
      aws: { 'ecs:DescribeServices': 2, 'ecs:ListTasks': 1 },
      github: { 'GET /repos/{owner}/{repo}/actions/runs': 1 },
    });
    expect(snap.total).toBe(4);
    for (const call of snap.calls) {
      expect(call.end).toBeGreaterThanOrEqual(call.start);
      expect(call.status).toBe(200);
    }
    proxy.reset();
    expect(proxy.snapshot()).toEqual({ counts: {}, calls: [], total: 0 });
  });

  it('adds the configured latency to every call', async () => {
    proxy.setLatency(120);
    const started = performance.now();
    const res = await ecsCall(proxy.urls.aws, 'DescribeServices');
    await res.text();
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(119);
  });

  it('slow: adds extra delay on top of the latency', async () => {
    proxy.setLatency(20);
    await proxy.setFault('github', { kind: 'slow', ms: 150 });
    const started = performance.now();
    const res = await fetch(`${proxy.urls.github}/api/v3/repos/acme/a`);
    await res.text();
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(169);
  });

  it('refuse: stops listening, and listens again on the same port when cleared', async () => {
    await proxy.setFault('aws', { kind: 'refuse' });
    await expect(ecsCall(proxy.urls.aws, 'DescribeServices')).rejects.toThrow();
    // The other upstream is untouched.
    expect((await fetch(`${proxy.urls.github}/api/v3/x`)).status).toBe(200);
    await proxy.setFault('aws', undefined);
    expect((await ecsCall(proxy.urls.aws, 'DescribeServices')).status).toBe(
      200,
    );
  });

  it('reset: destroys the socket', async () => {
    await proxy.setFault('aws', { kind: 'reset' });
    await expect(ecsCall(proxy.urls.aws, 'ListTasks')).rejects.toThrow();
    expect(proxy.snapshot().calls[0]).toMatchObject({
      operation: 'ecs:ListTasks',
      fault: 'reset',
      status: 0,
    });
  });

  it('hang: holds the request for the given time (bounded), then drops it', async () => {
    await proxy.setFault('github', { kind: 'hang', ms: 300 });
    const started = performance.now();
    await expect(fetch(`${proxy.urls.github}/api/v3/x`)).rejects.toThrow();
    expect(performance.now() - started).toBeGreaterThanOrEqual(299);
  });

  it('drop-answer: the upstream gets the call and answers, the client sees a reset', async () => {
    const before = upstream.answered();
    await proxy.setFault('aws', { kind: 'drop-answer', times: 1 });
    await expect(ecsCall(proxy.urls.aws, 'UpdateService')).rejects.toThrow();
    expect(upstream.answered()).toBe(before + 1);
    expect(proxy.snapshot().calls[0]).toMatchObject({
      operation: 'ecs:UpdateService',
      fault: 'drop-answer',
    });
    expect((await ecsCall(proxy.urls.aws, 'UpdateService')).status).toBe(200);
  });

  it('status: answers the given status without forwarding', async () => {
    await proxy.setFault('github', { kind: 'status', status: 503 });
    const res = await fetch(`${proxy.urls.github}/api/v3/x`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ message: 'upstream proxy: 503' });
  });

  it('throttle: ECS answers a 400 ThrottlingException', async () => {
    await proxy.setFault('aws', { kind: 'throttle' });
    const res = await ecsCall(proxy.urls.aws, 'DescribeServices');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: 'ThrottlingException',
      message: 'Rate exceeded',
    });
  });

  it.each([403, 429] as const)(
    'throttle: GitHub answers %d with rate-limit headers',
    async status => {
      await proxy.setFault('github', {
        kind: 'throttle',
        status,
        retryAfterSeconds: 7,
      });
      const res = await fetch(`${proxy.urls.github}/api/v3/x`);
      expect(res.status).toBe(status);
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(res.headers.get('retry-after')).toBe('7');
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(
        Date.now() / 1000,
      );
    },
  );

  it('malformed: answers 200 with truncated JSON', async () => {
    await proxy.setFault('aws', { kind: 'malformed' });
    const res = await ecsCall(proxy.urls.aws, 'DescribeServices');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('applies a fault only to the named operation and only `times` times', async () => {
    await proxy.setFault('aws', {
      kind: 'status',
      status: 500,
      operation: 'ecs:ListTasks',
      times: 1,
    });
    expect((await ecsCall(proxy.urls.aws, 'DescribeServices')).status).toBe(
      200,
    );
    expect((await ecsCall(proxy.urls.aws, 'ListTasks')).status).toBe(500);
    expect((await ecsCall(proxy.urls.aws, 'ListTasks')).status).toBe(200);
  });

  it('counts sequential rounds from call intervals', () => {
    const call = (start: number, end: number) => ({
      upstream: 'aws',
      operation: 'x',
      start,
      end,
      status: 200,
    });
    expect(sequentialRounds([])).toBe(0);
    expect(sequentialRounds([call(0, 50), call(1, 51), call(52, 102)])).toBe(2);
    // A call overlapping the first round does not hide the chain behind it.
    expect(
      sequentialRounds([
        call(0, 50),
        call(30, 80),
        call(51, 101),
        call(102, 150),
      ]),
    ).toBe(3);
  });
});

describe('criticalPath', () => {
  const call = (operation: string, start: number, end: number) =>
    ({ upstream: 'aws', operation, start, end, status: 200 } as any);
  it('follows the calls each next one waited for, and sums their time', () => {
    const path = criticalPath([
      call('DescribeServices', 0, 60),
      call('ListTasks', 0, 90),
      call('ListTaskDefinitions', 70, 130),
      call('DescribeTasks', 95, 120),
      call('DescribeTaskDefinition', 140, 200),
    ]);
    expect(path.operations).toEqual([
      'DescribeServices',
      'ListTaskDefinitions',
      'DescribeTaskDefinition',
    ]);
    expect(path.upstreamMs).toBe(180);
  });

  it('is empty without calls', () => {
    expect(criticalPath([])).toEqual({ operations: [], upstreamMs: 0 });
  });
});
