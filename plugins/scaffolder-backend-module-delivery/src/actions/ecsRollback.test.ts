import { EcsServiceState } from '@cicd-aws/plugin-delivery-common';
import { parse } from 'yaml';
import { startFakeDeliveryBackend } from '../__testUtils__/fakeDeliveryBackend';
import { mockActionContext } from '../__testUtils__/mockActionContext';
import { createEcsRollbackAction } from './ecsRollback';
import { ecsRollbackExamples } from './ecsRollback.examples';

const ENTITY = 'component:default/orders-api';
const ECS = '/v1/entities/default/component/orders-api/ecs';

const deployment = (
  id: string,
  revision: number,
  status: string,
  rolloutState: string,
) => ({
  id,
  status,
  rolloutState,
  taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-api:${revision}`,
  revision,
  images: [],
  desiredCount: 2,
  runningCount: rolloutState === 'COMPLETED' ? 2 : 0,
  pendingCount: rolloutState === 'COMPLETED' ? 0 : 2,
  failedTasks: 0,
});

const state = (deployments: any[]): EcsServiceState => ({
  serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/orders-api',
  serviceName: 'orders-api',
  region: 'eu-west-1',
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  deploymentController: 'ECS',
  deploymentStrategy: 'ROLLING',
  family: 'orders-api',
  deployments,
  events: [],
  tasks: [],
  rollbackTargets: [7, 6, 5].map(revision => ({
    revision,
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-api:${revision}`,
    images: [],
  })),
});

/** A backend where the service runs 8 and a rollback's rollout goes IN_PROGRESS, then `finalState`. */
async function backend(
  options: {
    finalState?: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS';
    rollback?: { status: number; body: unknown };
  } = {},
) {
  let rolledBackTo: number | undefined;
  let reads = 0;
  const fake = await startFakeDeliveryBackend({
    [`GET ${ECS}`]: () => {
      if (rolledBackTo === undefined) {
        return {
          status: 200,
          body: state([deployment('ecs-svc/1', 8, 'PRIMARY', 'COMPLETED')]),
        };
      }
      reads++;
      const rollout =
        reads < 2 ? 'IN_PROGRESS' : options.finalState ?? 'COMPLETED';
      return {
        status: 200,
        body: state([
          {
            ...deployment('ecs-svc/2', rolledBackTo, 'PRIMARY', rollout),
            rolloutStateReason:
              rollout === 'FAILED'
                ? 'ECS deployment circuit breaker: tasks failed to start.'
                : undefined,
          },
          deployment('ecs-svc/1', 8, 'ACTIVE', 'COMPLETED'),
        ]),
      };
    },
    [`POST ${ECS}/rollback`]: request => {
      if (options.rollback) return options.rollback;
      rolledBackTo = request.body.revision;
      return {
        status: 202,
        body: {
          deploymentId: 'ecs-svc/2',
          fromRevision: 8,
          toRevision: request.body.revision,
        },
      };
    },
  });
  const posts = () => fake.received.filter(r => r.method === 'POST');
  return { ...fake, posts };
}

describe('delivery:ecs:rollback', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map(stop => stop()));
  });
  const setUp = async (options?: Parameters<typeof backend>[0]) => {
    const fake = await backend(options);
    stops.push(fake.stop);
    const action = createEcsRollbackAction({ ...fake.deps, pollIntervalMs: 5 });
    return { fake, action };
  };

  it('rolls back to the given revision as the initiating user and waits for COMPLETED', async () => {
    const { fake, action } = await setUp();
    const { ctx, outputs, logLines } = mockActionContext({
      input: { entityRef: ENTITY, revision: 6, reason: 'bad release' },
    });
    await action.handler(ctx);
    expect(fake.posts()).toHaveLength(1);
    expect(fake.posts()[0].body).toEqual({
      revision: 6,
      reason: 'bad release (scaffolder task task-1)',
    });
    // The delivery backend sees the user's identity, not the scaffolder's.
    expect(fake.posts()[0].authorization).toContain('user:default/alice');
    expect(outputs).toEqual({
      deploymentId: 'ecs-svc/2',
      fromRevision: 8,
      toRevision: 6,
      rolloutState: 'COMPLETED',
    });
    expect(logLines.join('\n')).toContain(
      'rollout to revision 6: IN_PROGRESS (running 0/2, pending 2',
    );
    expect(logLines.join('\n')).toContain('rollout to revision 6: COMPLETED');
  });

  it('resolves "previous" to the newest earlier revision', async () => {
    const { fake, action } = await setUp();
    const { ctx, outputs } = mockActionContext({
      input: {
        entityRef: ENTITY,
        revision: 'previous' as const,
        reason: 'bad release',
        waitForCompletion: false,
      },
    });
    await action.handler(ctx);
    expect(fake.posts()[0].body.revision).toBe(7);
    expect(outputs.rolloutState).toBe('IN_PROGRESS');
  });

  it('refuses a revision that is not an earlier ACTIVE one, naming the choices', async () => {
    const { fake, action } = await setUp();
    const { ctx } = mockActionContext({
      input: { entityRef: ENTITY, revision: 3, reason: 'bad release' },
    });
    await expect(action.handler(ctx)).rejects.toThrow('choose one of 7, 6, 5');
    expect(fake.posts()).toHaveLength(0);
  });

  it('reports a dry run and changes nothing', async () => {
    const { fake, action } = await setUp();
    const { ctx, outputs, logLines } = mockActionContext({
      input: {
        entityRef: ENTITY,
        revision: 'previous' as const,
        reason: 'drill',
      },
      isDryRun: true,
    });
    await action.handler(ctx);
    expect(fake.posts()).toHaveLength(0);
    expect(outputs).toMatchObject({
      fromRevision: 8,
      toRevision: 7,
      rolloutState: 'DRY_RUN',
    });
    expect(logLines.join('\n')).toContain(
      'would roll orders-api (component:default/orders-api) back from revision 8 to 7',
    );
  });

  it("fails the step with the backend's reason when the permission is denied", async () => {
    const { action } = await setUp({
      rollback: {
        status: 403,
        body: {
          error: {
            name: 'NotAllowedError',
            message:
              'Not allowed to roll back component:default/orders-api: it needs the delivery.ecs.rollback permission',
          },
        },
      },
    });
    const { ctx, outputs } = mockActionContext({
      input: { entityRef: ENTITY, revision: 7, reason: 'bad release' },
      user: 'user:default/mallory',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /answered 403: Not allowed .*delivery\.ecs\.rollback/,
    );
    expect(outputs).toEqual({});
  });

  it("fails when the rollout FAILED, with ECS's reason", async () => {
    const { action } = await setUp({ finalState: 'FAILED' });
    const { ctx } = mockActionContext({
      input: { entityRef: ENTITY, revision: 7, reason: 'bad release' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'FAILED: ECS deployment circuit breaker: tasks failed to start.',
    );
  });

  it('fails after timeoutMinutes while the rollout is still in progress', async () => {
    const fake = await backend({ finalState: 'IN_PROGRESS' });
    stops.push(fake.stop);
    // Polls every 40 s of a 1 minute budget: two reads, then the deadline.
    const action = createEcsRollbackAction({
      ...fake.deps,
      pollIntervalMs: 40_000,
    });
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    });
    try {
      const { ctx } = mockActionContext({
        input: {
          entityRef: ENTITY,
          revision: 7,
          reason: 'x y z',
          timeoutMinutes: 1,
        },
      });
      // Settle the promise into a value now, so fake timers can run before it is inspected.
      const outcome = action.handler(ctx).then(
        () => undefined,
        (error: Error) => error,
      );
      for (let i = 0; i < 20; i++) {
        await jest.advanceTimersByTimeAsync(10_000);
      }
      expect((await outcome)?.message).toContain(
        'still IN_PROGRESS after 1 minutes',
      );
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not roll back twice when a retried task replays its checkpoint', async () => {
    const { fake, action } = await setUp();
    const checkpoints = new Map();
    const first = mockActionContext({
      input: { entityRef: ENTITY, revision: 7, reason: 'bad release' },
      checkpoints,
    });
    await action.handler(first.ctx);
    const retry = mockActionContext({
      input: { entityRef: ENTITY, revision: 7, reason: 'bad release' },
      checkpoints,
    });
    await action.handler(retry.ctx);
    expect(fake.posts()).toHaveLength(1);
    expect(retry.outputs).toMatchObject({
      deploymentId: 'ecs-svc/2',
      toRevision: 7,
    });
  });

  it('sends an idempotency key that a retry of the task repeats and another task does not', async () => {
    const { fake, action } = await setUp();
    const run = async (taskId: string) => {
      // A fresh checkpoint store each time: the backend answered, but the task was retried
      // before its checkpoint was stored, so the retry calls the backend again.
      const { ctx } = mockActionContext({
        input: { entityRef: ENTITY, revision: 7, reason: 'bad release' },
      });
      ctx.task = { id: taskId };
      ctx.step = { id: 'rollback' };
      await action.handler(ctx);
    };
    await run('task-1');
    await run('task-1');
    await run('task-2');
    const keys = fake.posts().map(p => p.idempotencyKey);
    expect(keys).toEqual([
      `scaffolder:task-1:ecs-rollback:rollback:${ENTITY}`,
      `scaffolder:task-1:ecs-rollback:rollback:${ENTITY}`,
      `scaffolder:task-2:ecs-rollback:rollback:${ENTITY}`,
    ]);
  });

  it('hashes an idempotency key the header could not carry, keeping it stable', async () => {
    const { fake, action } = await setUp();
    for (let i = 0; i < 2; i++) {
      const { ctx } = mockActionContext({
        input: { entityRef: ENTITY, revision: 7, reason: 'bad release' },
      });
      ctx.step = { id: 'roll back (prod) – ünïcode' };
      await action.handler(ctx);
    }
    const [first, second] = fake.posts().map(p => p.idempotencyKey);
    expect(first).toMatch(/^scaffolder:ecs-rollback:sha256:[0-9a-f]{64}$/);
    expect(second).toBe(first);
  });

  it.each(ecsRollbackExamples.map(e => [e.description, e]))(
    'runs the example: %s',
    async (_description, example) => {
      const { fake, action } = await setUp();
      const step = parse(example.example).steps[0];
      expect(step.action).toBe(action.id);
      const { ctx, outputs } = mockActionContext({ input: step.input });
      await action.handler(ctx);
      expect(fake.posts()).toHaveLength(1);
      expect(outputs.toRevision).toBe(
        step.input.revision === 'previous' ? 7 : step.input.revision,
      );
    },
  );
});
