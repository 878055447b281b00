import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import {
  IdempotencyKeyReusedError,
  IdempotencyStore,
} from './IdempotencyStore';
import { ServiceLocks } from './ServiceLocks';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function database() {
  return mockServices.database({ knex: await databases.init('SQLITE_3') });
}

const scope = (key?: string, request: unknown = { revision: 'previous' }) => ({
  key,
  scope: ['user:default/ada', 'ecs-rollback', 'component:default/web'],
  request,
});

describe('IdempotencyStore', () => {
  it('answers a retry with the first answer and does not run the change again', async () => {
    const store = new IdempotencyStore(await database(), {
      leaseMs: 60_000,
      retentionMs: 60_000,
    });
    let calls = 0;
    const change = async () => ({ status: 202, body: { call: ++calls } });

    const first = await store.run(scope('k1'), change);
    const retry = await store.run(scope('k1'), change);

    expect(first).toEqual({ status: 202, body: { call: 1 }, replayed: false });
    expect(retry).toEqual({ status: 202, body: { call: 1 }, replayed: true });
    expect(calls).toBe(1);
  });

  it('keeps keys apart per caller, and runs every request without a key', async () => {
    const store = new IdempotencyStore(await database(), {
      leaseMs: 60_000,
      retentionMs: 60_000,
    });
    let calls = 0;
    const change = async () => ({ status: 202, body: { call: ++calls } });
    await store.run(scope('k1'), change);
    await store.run({ ...scope('k1'), scope: ['user:default/bob'] }, change);
    await store.run(scope(), change);
    await store.run(scope(), change);
    expect(calls).toBe(4);
  });

  it('refuses the same key with another request (422)', async () => {
    const store = new IdempotencyStore(await database(), {
      leaseMs: 60_000,
      retentionMs: 60_000,
    });
    await store.run(scope('k1'), async () => ({ status: 202, body: {} }));
    await expect(
      store.run(scope('k1', { revision: 1 }), async () => ({
        status: 202,
        body: {},
      })),
    ).rejects.toThrow(IdempotencyKeyReusedError);
  });

  it('lets a retry take over a running attempt whose replica died, once its lease is over', async () => {
    let now = 1_000_000;
    const options = { leaseMs: 30_000, retentionMs: 3_600_000, now: () => now };
    const db = await database();
    const dying = new IdempotencyStore(db, options);
    // The dying replica records its target and never answers.
    let recorded: () => void = () => {};
    const targetStored = new Promise<void>(resolve => {
      recorded = resolve;
    });
    dying.run(scope('k1'), async attempt => {
      await attempt.record({ toRevision: 2 });
      recorded();
      return new Promise(() => {});
    });
    await targetStored;
    const survivor = new IdempotencyStore(db, options);
    const retry = () =>
      survivor.run(scope('k1'), async attempt => ({
        status: 202,
        body: { resumed: attempt.resumed ?? null },
      }));
    const early = await retry().catch(e => e);
    expect(early).toBeInstanceOf(ConflictError);
    now += 30_000;
    await expect(retry()).resolves.toEqual({
      status: 202,
      body: { resumed: { toRevision: 2 } },
      replayed: false,
    });
  });

  it('answers 409 to a retry while the first attempt still runs, on any replica', async () => {
    const db = await database();
    const replicaA = new IdempotencyStore(db, {
      leaseMs: 60_000,
      retentionMs: 60_000,
    });
    const replicaB = new IdempotencyStore(db, {
      leaseMs: 60_000,
      retentionMs: 60_000,
    });
    let finish: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>(resolve => {
      started = resolve;
    });
    const first = replicaA.run(scope('k1'), async () => {
      started();
      await new Promise<void>(resolve => {
        finish = resolve;
      });
      return { status: 202, body: { from: 'A' } };
    });
    await running;
    await expect(
      replicaB.run(scope('k1'), async () => ({ status: 202, body: {} })),
    ).rejects.toThrow(ConflictError);
    finish();
    await first;
    await expect(
      replicaB.run(scope('k1'), async () => ({ status: 202, body: {} })),
    ).resolves.toEqual({ status: 202, body: { from: 'A' }, replayed: true });
  });

  it('frees the key when the change failed before it was sent, and resumes it when it failed after', async () => {
    const store = new IdempotencyStore(await database(), {
      leaseMs: 60_000,
      retentionMs: 60_000,
    });
    await expect(
      store.run(scope('early'), async () => {
        throw new Error('AWS is down');
      }),
    ).rejects.toThrow('AWS is down');
    const afterEarly = await store.run(scope('early'), async attempt => ({
      status: 202,
      body: { resumed: attempt.resumed ?? null },
    }));
    expect(afterEarly.body).toEqual({ resumed: null });

    await expect(
      store.run(scope('late'), async attempt => {
        await attempt.record({ toRevision: 2 });
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    const afterLate = await store.run(scope('late'), async attempt => ({
      status: 202,
      body: { resumed: attempt.resumed ?? null },
    }));
    expect(afterLate.body).toEqual({ resumed: { toRevision: 2 } });
  });

  it('forgets answers after the retention', async () => {
    let now = 1_000_000;
    const store = new IdempotencyStore(await database(), {
      leaseMs: 60_000,
      retentionMs: 3_600_000,
      now: () => now,
    });
    let calls = 0;
    const change = async () => ({ status: 202, body: { call: ++calls } });
    await store.run(scope('k1'), change);
    now += 3_600_000;
    await store.run(scope('k1'), change);
    expect(calls).toBe(1);
    now += 1;
    await store.run(scope('k1'), change);
    expect(calls).toBe(2);
  });
});

describe('ServiceLocks', () => {
  it('gives a lock to one holder across replicas until it is released', async () => {
    const db = await database();
    const a = new ServiceLocks(db, 60_000);
    const b = new ServiceLocks(db, 60_000);
    const leases = await Promise.all([
      a.tryAcquire('svc'),
      b.tryAcquire('svc'),
      a.tryAcquire('svc'),
    ]);
    expect(leases.filter(Boolean)).toHaveLength(1);
    expect(await b.tryAcquire('other')).toBeDefined();
    await leases.find(Boolean)!.release();
    expect(await b.tryAcquire('svc')).toBeDefined();
  });

  it('lets a lock whose holder died go once it expires', async () => {
    const db = await database();
    let now = 1_000_000;
    const clock = () => now;
    const dead = new ServiceLocks(db, 30_000, clock);
    expect(await dead.tryAcquire('svc')).toBeDefined();
    const live = new ServiceLocks(db, 30_000, clock);
    now += 29_999;
    expect(await live.tryAcquire('svc')).toBeUndefined();
    now += 1;
    expect(await live.tryAcquire('svc')).toBeDefined();
  });

  it('does not let an expired holder release the lock of the next one', async () => {
    const db = await database();
    let now = 1_000_000;
    const clock = () => now;
    const first = await new ServiceLocks(db, 30_000, clock).tryAcquire('svc');
    now += 30_000;
    const locks = new ServiceLocks(db, 30_000, clock);
    const second = await locks.tryAcquire('svc');
    await first!.release();
    expect(second).toBeDefined();
    expect(await locks.tryAcquire('svc')).toBeUndefined();
  });
});
