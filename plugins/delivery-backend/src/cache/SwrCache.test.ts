import { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { JsonValue } from '@backstage/types';
import { SwrCache } from './SwrCache';

/** A cache service backed by a Map, as the memory store behaves within one TTL. */
function mapCache(): CacheService {
  const map = new Map<string, JsonValue>();
  const cache: CacheService = {
    get: async key => map.get(key) as any,
    set: async (key, value) => {
      map.set(key, value);
    },
    delete: async key => {
      map.delete(key);
    },
    withOptions: () => cache,
  };
  return cache;
}

/** A load the test resolves by hand, counting its calls. */
function controlledLoad() {
  const pending: Array<{
    resolve: (value: JsonValue) => void;
    reject: (error: Error) => void;
  }> = [];
  const load = jest.fn(
    () =>
      new Promise<JsonValue>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  );
  return {
    load,
    resolveNext: (value: JsonValue) => pending.shift()!.resolve(value),
    resolveNewest: (value: JsonValue) => pending.pop()!.resolve(value),
    rejectNext: (error: Error) => pending.shift()!.reject(error),
  };
}

const flush = () => new Promise(resolve => setImmediate(resolve));

/** Loads `key` once through `cache`, the load answering `value`. */
async function primeWith(
  cache: SwrCache,
  load: () => Promise<JsonValue>,
  resolveNext: (value: JsonValue) => void,
  value: JsonValue,
) {
  const first = cache.get('k', load);
  await flush();
  resolveNext(value);
  await first;
}

describe('SwrCache', () => {
  const ttlMs = 10_000;
  const staleWhileRevalidateMs = 60_000;
  let now: number;

  beforeEach(() => {
    now = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  const newCache = (store = mapCache(), logger = mockServices.logger.mock()) =>
    new SwrCache(store, logger, { ttlMs, staleWhileRevalidateMs });

  it('shares one load among concurrent first reads and serves the value within the TTL', async () => {
    const cache = newCache();
    const { load, resolveNext } = controlledLoad();
    const reads = [1, 2, 3].map(() => cache.get('k', load));
    await flush();
    resolveNext({ v: 1 });
    expect(await Promise.all(reads)).toEqual([{ v: 1 }, { v: 1 }, { v: 1 }]);
    now += ttlMs - 1;
    expect(await cache.get('k', load)).toEqual({ v: 1 });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('answers a stale read at once with the previous value while one refresh runs', async () => {
    const cache = newCache();
    const { load, resolveNext } = controlledLoad();
    await primeWith(cache, load, resolveNext, { v: 1 });

    now += ttlMs + 1;
    // The refresh is still unresolved, yet every read answers with the previous value.
    const stale = await Promise.all([1, 2, 3].map(() => cache.get('k', load)));
    expect(stale).toEqual([{ v: 1 }, { v: 1 }, { v: 1 }]);
    expect(load).toHaveBeenCalledTimes(2);

    resolveNext({ v: 2 });
    await flush();
    expect(await cache.get('k', load)).toEqual({ v: 2 });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('waits for a load when the entry is older than the stale window', async () => {
    const cache = newCache();
    const { load, resolveNext } = controlledLoad();
    await primeWith(cache, load, resolveNext, { v: 1 });

    now += ttlMs + staleWhileRevalidateMs;
    let answered: JsonValue | undefined;
    const read = cache.get('k', load).then(v => (answered = v));
    await flush();
    expect(answered).toBeUndefined();
    resolveNext({ v: 2 });
    await read;
    expect(answered).toEqual({ v: 2 });
  });

  it('keeps serving the previous value when a background refresh fails, and retries one TTL later', async () => {
    const logger = mockServices.logger.mock();
    const cache = newCache(mapCache(), logger);
    const { load, resolveNext, rejectNext } = controlledLoad();
    await primeWith(cache, load, resolveNext, { v: 1 });

    now += ttlMs + 1;
    expect(await cache.get('k', load)).toEqual({ v: 1 });
    rejectNext(new Error('ECS is down'));
    await flush();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('ECS is down'),
    );

    // Within a TTL of the failure, reads do not start another refresh.
    now += 1000;
    expect(await cache.get('k', load)).toEqual({ v: 1 });
    expect(load).toHaveBeenCalledTimes(2);

    now += ttlMs;
    expect(await cache.get('k', load)).toEqual({ v: 1 });
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('makes the next read of an invalidated group wait for a load that started after the change', async () => {
    const cache = newCache();
    const { load, resolveNext } = controlledLoad();
    const first = cache.get('runs', load, { group: 'repo' });
    await flush();
    resolveNext({ v: 'before re-run' });
    await first;

    now += 1;
    await cache.invalidateGroup('repo');
    now += 1;
    let answered: JsonValue | undefined;
    const read = cache
      .get('runs', load, { group: 'repo' })
      .then(v => (answered = v));
    await flush();
    expect(answered).toBeUndefined();
    resolveNext({ v: 'after re-run' });
    await read;
    expect(answered).toEqual({ v: 'after re-run' });
    // Other groups are untouched.
    const other = controlledLoad();
    const otherFirst = cache.get('x', other.load, { group: 'other' });
    await flush();
    other.resolveNext(1);
    await otherFirst;
    expect(await cache.get('x', other.load, { group: 'other' })).toBe(1);
    expect(other.load).toHaveBeenCalledTimes(1);
  });

  it('does not hand a load that started before an invalidation to a read after it', async () => {
    const cache = newCache();
    const { load, resolveNext } = controlledLoad();
    const before = cache.get('k', load, { group: 'g' });
    await flush();
    now += 1;
    await cache.invalidateGroup('g');
    now += 1;
    const after = cache.get('k', load, { group: 'g' });
    await flush();
    expect(load).toHaveBeenCalledTimes(2);
    resolveNext('old');
    resolveNext('new');
    expect(await before).toBe('old');
    expect(await after).toBe('new');
  });

  it('does not keep what a load that started before an invalidation returns (a rollback must show)', async () => {
    const cache = newCache();
    const { load, resolveNext } = controlledLoad();
    const before = cache.get('k', load);
    await flush();
    await cache.invalidate('k');
    resolveNext('state before the rollback');
    expect(await before).toBe('state before the rollback');
    const after = cache.get('k', load);
    await flush();
    resolveNext('state after the rollback');
    expect(await after).toBe('state after the rollback');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not let an older load that ends last replace a newer answer', async () => {
    const store = mapCache();
    const cache = newCache(store);
    const { load, resolveNext, resolveNewest } = controlledLoad();
    await primeWith(cache, load, resolveNext, 'v1');
    now += ttlMs + 1;
    expect(await cache.get('k', load)).toBe('v1'); // background refresh A starts
    now += 1;
    const fresh = cache.get('k', load, { fresh: true }); // B starts after A
    await flush();
    resolveNewest('B (newer)');
    expect(await fresh).toBe('B (newer)');
    resolveNext('A (older)');
    await flush();
    expect(await cache.get('k', load)).toBe('B (newer)');
    const shared = (await store.get('k')) as { value: unknown };
    expect(shared.value).toBe('B (newer)');
  });

  it('reads an entry another replica stored in the shared cache without loading', async () => {
    const store = mapCache();
    const replicaA = newCache(store);
    const replicaB = newCache(store);
    await replicaA.get('k', async () => ({ from: 'A' }));
    const load = jest.fn(async () => ({ from: 'B' }));
    expect(await replicaB.get('k', load)).toEqual({ from: 'A' });
    expect(load).not.toHaveBeenCalled();
  });

  it('waits for a new load for a fresh read, and forgets an invalidated key', async () => {
    const cache = newCache();
    let n = 0;
    const load = jest.fn(async () => ++n);
    expect(await cache.get('k', load)).toBe(1);
    expect(await cache.get('k', load, { fresh: true })).toBe(2);
    expect(await cache.get('k', load)).toBe(2);
    await cache.invalidate('k');
    expect(await cache.get('k', load)).toBe(3);
  });

  it('loads on every read when the TTL is zero', async () => {
    const cache = new SwrCache(mapCache(), mockServices.logger.mock(), {
      ttlMs: 0,
      staleWhileRevalidateMs: staleWhileRevalidateMs,
    });
    let n = 0;
    const load = async () => ++n;
    await cache.get('k', load);
    expect(await cache.get('k', load)).toBe(2);
  });

  describe('when refreshing fails', () => {
    const upstreamDown = () =>
      Object.assign(new Error('Could not reach AWS ECS: connection refused'), {
        statusCode: 502,
      });

    it('marks the previous answer stale with its age and the reason, in and past the stale window', async () => {
      const cache = newCache();
      const { load, resolveNext, rejectNext } = controlledLoad();
      await primeWith(cache, load, resolveNext, { v: 1 });
      const fetchedAt = now;

      now += ttlMs + 1;
      expect(await cache.getAnswer('k', load as () => Promise<object>)).toEqual(
        { v: 1 },
      );
      rejectNext(upstreamDown());
      await flush();
      expect(await cache.getAnswer('k', load as () => Promise<object>)).toEqual(
        {
          v: 1,
          staleAnswer: {
            fetchedAt: new Date(fetchedAt).toISOString(),
            ageSeconds: 10,
            reason: 'Could not reach AWS ECS: connection refused',
          },
        },
      );

      // Past the stale window a read waits for a new load; when that fails too, it still gets
      // the last good answer, marked.
      now += staleWhileRevalidateMs + 3_600_000;
      const read = cache.getAnswer('k', load as () => Promise<object>);
      await flush();
      rejectNext(upstreamDown());
      expect(await read).toMatchObject({
        v: 1,
        staleAnswer: { ageSeconds: 3_670 },
      });
      // No new attempt per request while the failure is recent.
      const calls = load.mock.calls.length;
      await cache.getAnswer('k', load as () => Promise<object>);
      expect(load).toHaveBeenCalledTimes(calls);

      // Once the upstream is back the mark goes.
      now += ttlMs;
      const recovered = cache.getAnswer('k', load as () => Promise<object>);
      await flush();
      resolveNext({ v: 2 });
      expect(await recovered).toEqual({ v: 2 });
    });

    it('passes on failures that are not the upstream ones (a 404) and answers a failure when nothing was kept', async () => {
      const cache = newCache();
      const { load, resolveNext, rejectNext } = controlledLoad();
      const first = cache.getAnswer('k', load as () => Promise<object>);
      await flush();
      rejectNext(upstreamDown());
      await expect(first).rejects.toThrow('connection refused');

      await primeWith(cache, load, resolveNext, { v: 1 });
      now += ttlMs + staleWhileRevalidateMs;
      const gone = cache.getAnswer('k', load as () => Promise<object>);
      await flush();
      rejectNext(
        Object.assign(new Error('repository not found'), { statusCode: 404 }),
      );
      await expect(gone).rejects.toThrow('repository not found');
    });

    it('does not serve an answer older than staleIfError', async () => {
      const cache = new SwrCache(mapCache(), mockServices.logger.mock(), {
        ttlMs,
        staleWhileRevalidateMs,
        staleIfErrorMs: 60_000,
      });
      const { load, resolveNext, rejectNext } = controlledLoad();
      await primeWith(cache, load, resolveNext, { v: 1 });
      now += ttlMs + staleWhileRevalidateMs + 60_000;
      const read = cache.getAnswer('k', load as () => Promise<object>);
      await flush();
      rejectNext(upstreamDown());
      await expect(read).rejects.toThrow('connection refused');
    });
  });
});
