import assert from 'node:assert/strict';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { DriftReport } from '../src/drift/report.ts';
import { type GitHubContext, gitHubContext } from '../src/github/client.ts';
import { DEPLOYMENT_TASK, createDeployment, lastEnvironmentUrl, setDeploymentStatus } from '../src/github/deployments.ts';
import { syncDriftIssue } from '../src/github/driftIssue.ts';

interface Call {
  method: string;
  path: string;
  body?: Record<string, unknown>;
  authorization?: string;
}

/** A stand-in for the GitHub REST API on a loopback port: records calls, answers from `routes`. */
let calls: Call[] = [];
let routes: Record<string, (call: Call) => [number, unknown]> = {};
const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  const call: Call = {
    method: req.method ?? '',
    path: req.url ?? '',
    body: text ? JSON.parse(text) : undefined,
    authorization: req.headers.authorization,
  };
  calls.push(call);
  const route = routes[`${call.method} ${call.path}`];
  const [status, body] = route ? route(call) : [404, { message: 'Not Found' }];
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
});
let context: GitHubContext;

before(async () => {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  context = gitHubContext({
    GITHUB_API_URL: `http://127.0.0.1:${port}`,
    GITHUB_REPOSITORY: 'acme/orders-api',
    GITHUB_TOKEN: 'ghs_test',
  });
});
after(() => server.close());
beforeEach(() => {
  calls = [];
  routes = {};
});

const report = (status: DriftReport['status']): DriftReport => ({
  schemaVersion: 1,
  checkedAt: '2026-11-25T06:00:00.000Z',
  commit: '0123456789abcdef0123456789abcdef01234567',
  status,
  ...(status === 'error' ? { error: { message: 'plan failed' } } : {}),
  resources:
    status === 'drifted'
      ? [{ address: 'aws_ecs_service.rolling[0]', type: 'aws_ecs_service', actions: ['update'], changedAttributes: ['desired_count'] }]
      : [],
});

describe('GitHub deployments', () => {
  it('records a deployment with the task definition in its payload, then its status', async () => {
    routes['POST /repos/acme/orders-api/deployments'] = () => [201, { id: 77 }];
    routes['POST /repos/acme/orders-api/deployments/77/statuses'] = () => [201, {}];
    const payload = {
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-api:8',
      family: 'orders-api',
      revision: 8,
      image: 'repo/orders-api:abc',
      cluster: 'orders-api-prod',
      service: 'orders-api',
    };
    const id = await createDeployment(context, { ref: 'abc', environment: 'production', description: 'Deploy orders-api:8', payload });
    await setDeploymentStatus(context, id, { state: 'success', environmentUrl: 'https://orders.example.com' });
    assert.equal(id, 77);
    assert.deepEqual(calls[0].body, {
      ref: 'abc',
      environment: 'production',
      task: DEPLOYMENT_TASK,
      description: 'Deploy orders-api:8',
      payload,
      auto_merge: false,
      required_contexts: [],
      production_environment: true,
    });
    assert.equal(calls[0].authorization, 'Bearer ghs_test');
    assert.deepEqual(calls[1].body, { state: 'success', environment_url: 'https://orders.example.com', auto_inactive: true });
  });

  it('finds the URL of the newest deployment that has one', async () => {
    routes[`GET /repos/acme/orders-api/deployments?environment=production&task=${encodeURIComponent(DEPLOYMENT_TASK)}&per_page=20`] = () => [
      200,
      [{ id: 3 }, { id: 2 }],
    ];
    routes['GET /repos/acme/orders-api/deployments/3/statuses?per_page=10'] = () => [200, [{ state: 'failure' }]];
    routes['GET /repos/acme/orders-api/deployments/2/statuses?per_page=10'] = () => [
      200,
      [{ state: 'success', environment_url: 'http://orders-alb.example.com' }],
    ];
    assert.equal(await lastEnvironmentUrl(context, 'production'), 'http://orders-alb.example.com');
  });

  it('fails with GitHub\'s status and message, never the token', async () => {
    routes['POST /repos/acme/orders-api/deployments'] = () => [403, { message: 'Resource not accessible by integration' }];
    await assert.rejects(
      createDeployment(context, { ref: 'abc', environment: 'production', description: 'x', payload: {} as never }),
      (e: Error) => /answered 403: Resource not accessible by integration/.test(e.message) && !e.message.includes('ghs_test'),
    );
  });
});

describe('syncDriftIssue', () => {
  const list = 'GET /repos/acme/orders-api/issues?state=open&labels=drift&per_page=20';

  it('opens one labelled issue when drift first appears', async () => {
    routes[list] = () => [200, []];
    routes['GET /repos/acme/orders-api/labels/drift'] = () => [404, { message: 'Not Found' }];
    routes['POST /repos/acme/orders-api/labels'] = () => [201, {}];
    routes['POST /repos/acme/orders-api/issues'] = () => [201, { number: 12, title: 'Terraform drift detected' }];
    assert.deepEqual(await syncDriftIssue(context, report('drifted')), { action: 'opened', number: 12 });
    const created = calls.find(c => c.path === '/repos/acme/orders-api/issues')?.body;
    assert.deepEqual(created?.labels, ['drift']);
    assert.match(String(created?.body), /aws_ecs_service\.rolling\[0\].*desired_count/);
  });

  it('updates the open issue while drift persists instead of opening another', async () => {
    routes[list] = () => [200, [{ number: 12, title: 'Terraform drift detected' }]];
    routes['PATCH /repos/acme/orders-api/issues/12'] = () => [200, {}];
    assert.deepEqual(await syncDriftIssue(context, report('drifted')), { action: 'updated', number: 12 });
    assert.ok(!calls.some(c => c.method === 'POST'));
  });

  it('comments and closes the issue once back in sync', async () => {
    routes[list] = () => [200, [{ number: 12, title: 'Terraform drift detected' }]];
    routes['POST /repos/acme/orders-api/issues/12/comments'] = () => [201, {}];
    routes['PATCH /repos/acme/orders-api/issues/12'] = () => [200, {}];
    assert.deepEqual(await syncDriftIssue(context, report('in-sync')), { action: 'closed', number: 12 });
    assert.deepEqual(calls.at(-1)?.body, { state: 'closed', state_reason: 'completed' });
  });

  it('leaves the issue alone when the check failed (it says nothing about drift)', async () => {
    routes[list] = () => [200, [{ number: 12, title: 'Terraform drift detected' }]];
    assert.deepEqual(await syncDriftIssue(context, report('error')), { action: 'none', number: 12 });
    assert.equal(calls.length, 1);
  });
});
