import { parse } from 'yaml';
import { startFakeDeliveryBackend } from '../__testUtils__/fakeDeliveryBackend';
import { mockActionContext } from '../__testUtils__/mockActionContext';
import { createDriftCheckAction } from './driftCheck';
import { driftCheckExamples } from './driftCheck.examples';

const ENTITY = 'component:default/orders-api';
const DRIFT = '/v1/entities/default/component/orders-api/drift';
const RUN_URL = 'https://github.com/acme/orders-api/actions/runs/99';

const driftState = (runId: number, status: string) => ({
  status,
  workflow: 'drift.yml',
  workflowUrl: 'https://github.com/acme/orders-api/actions/workflows/drift.yml',
  checkedAt: '2026-11-25T08:00:00Z',
  commit: 'abc1234',
  stale: false,
  resources:
    status === 'drifted'
      ? [
          {
            address: 'aws_ecs_service.rolling[0]',
            type: 'aws_ecs_service',
            actions: ['update'],
            changedAttributes: ['desired_count'],
          },
        ]
      : [],
  run: {
    id: runId,
    url: `https://github.com/acme/orders-api/actions/runs/${runId}`,
  },
});

async function setUp(check: { status: number; body: unknown }) {
  let reads = 0;
  const fake = await startFakeDeliveryBackend({
    [`GET ${DRIFT}`]: () => {
      reads++;
      // The dispatched run (99) reports on the third read; before, the previous run's report.
      return {
        status: 200,
        body: reads < 3 ? driftState(98, 'in-sync') : driftState(99, 'drifted'),
      };
    },
    [`POST ${DRIFT}/check`]: () => check,
  });
  const action = createDriftCheckAction({ ...fake.deps, pollIntervalMs: 5 });
  const posts = () => fake.received.filter(r => r.method === 'POST');
  return { fake, action, posts };
}

const dispatched = {
  status: 202,
  body: { workflow: 'drift.yml', ref: 'main', runId: 99, runUrl: RUN_URL },
};

describe('delivery:drift:check', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map(stop => stop()));
  });

  it('dispatches the workflow and waits for the report of that run', async () => {
    const { fake, action, posts } = await setUp(dispatched);
    stops.push(fake.stop);
    const { ctx, outputs } = mockActionContext({
      input: { entityRef: ENTITY, waitForReport: true },
    });
    await action.handler(ctx);
    expect(posts()).toHaveLength(1);
    expect(posts()[0].authorization).toContain('user:default/alice');
    expect(outputs).toEqual({
      runUrl: RUN_URL,
      status: 'drifted',
      driftedResources: 1,
    });
  });

  it('returns at once with the run link when not waiting', async () => {
    const { fake, action } = await setUp(dispatched);
    stops.push(fake.stop);
    const { ctx, outputs } = mockActionContext({
      input: { entityRef: ENTITY },
    });
    await action.handler(ctx);
    expect(outputs).toEqual({
      runUrl: RUN_URL,
      status: 'DISPATCHED',
      driftedResources: 0,
    });
    expect(fake.received.filter(r => r.method === 'GET')).toHaveLength(0);
  });

  it('sends an idempotency key that a retry of the task repeats and another task does not', async () => {
    const { fake, action, posts } = await setUp(dispatched);
    stops.push(fake.stop);
    for (const taskId of ['task-1', 'task-1', 'task-2']) {
      const { ctx } = mockActionContext({ input: { entityRef: ENTITY } });
      ctx.task = { id: taskId };
      ctx.step = { id: 'drift' };
      await action.handler(ctx);
    }
    expect(posts().map(p => p.idempotencyKey)).toEqual([
      `scaffolder:task-1:drift-check:drift:${ENTITY}`,
      `scaffolder:task-1:drift-check:drift:${ENTITY}`,
      `scaffolder:task-2:drift-check:drift:${ENTITY}`,
    ]);
  });

  it('dispatches nothing in a dry run', async () => {
    const { fake, action, posts } = await setUp(dispatched);
    stops.push(fake.stop);
    const { ctx, outputs } = mockActionContext({
      input: { entityRef: ENTITY },
      isDryRun: true,
    });
    await action.handler(ctx);
    expect(posts()).toHaveLength(0);
    expect(outputs.status).toBe('DRY_RUN');
  });

  it("fails with the backend's reason when the permission is denied", async () => {
    const { fake, action } = await setUp({
      status: 403,
      body: {
        error: {
          name: 'NotAllowedError',
          message: 'Not allowed: it needs the delivery.drift.check permission',
        },
      },
    });
    stops.push(fake.stop);
    const { ctx } = mockActionContext({ input: { entityRef: ENTITY } });
    await expect(action.handler(ctx)).rejects.toThrow(
      /answered 403: .*delivery\.drift\.check/,
    );
  });

  it.each(driftCheckExamples.map(e => [e.description, e]))(
    'runs the example: %s',
    async (_description, example) => {
      const { fake, action, posts } = await setUp(dispatched);
      stops.push(fake.stop);
      const step = parse(example.example).steps[0];
      expect(step.action).toBe(action.id);
      const { ctx, outputs } = mockActionContext({ input: step.input });
      await action.handler(ctx);
      expect(posts()).toHaveLength(1);
      expect(outputs.runUrl).toBe(RUN_URL);
    },
  );
});
