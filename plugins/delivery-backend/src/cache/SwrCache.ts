import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { LRUCache } from 'lru-cache';

/** How long answers stay fresh, and how long after that a stale one is still served. */
export interface SwrCacheOptions {
  /** Age below which an entry is served as is. Zero switches caching off. */
  ttlMs: number;
  /**
   * Age beyond `ttlMs` during which an entry is still served while one refresh runs in the
   * background. Past it, a request waits for the refresh (nobody looked for that long).
   */
  staleWhileRevalidateMs: number;
  /** Entries this process keeps in memory (the shared cache service keeps them too). */
  maxLocalEntries?: number;
}

/** What {@link SwrCache} keeps per key, locally and in Backstage's cache service. */
interface Entry {
  /** A JSON-serialisable answer. */
  value: unknown;
  /** Epoch ms when the load that produced `value` started: the data is at least this fresh. */
  fetchedAt: number;
}

interface Refresh {
  promise: Promise<unknown>;
  startedAt: number;
  /** Set by `invalidate`: what this load returns predates a change and is not stored. */
  superseded: boolean;
}

const DEFAULT_LOCAL_ENTRIES = 2000;

/**
 * A stale-while-revalidate cache in front of Backstage's cache service. A request never waits
 * for the refresh of an entry this backend already has (unless it was invalidated or is past
 * the stale window); at most one load per key is in flight in this process.
 *
 * Entries live in a bounded in-process LRU, so a warm read returns the same object without a
 * round trip to the cache store (and the routes can reuse its serialisation), and in the shared
 * cache service, so other replicas and restarts start warm.
 */
export class SwrCache {
  private readonly local: LRUCache<string, Entry>;
  private readonly refreshes = new Map<string, Refresh>();
  /** Keys whose background refresh failed, and when: retried one TTL later, not per request. */
  private readonly failedAt: LRUCache<string, number>;

  constructor(
    private readonly store: CacheService,
    private readonly logger: LoggerService,
    private readonly options: SwrCacheOptions,
  ) {
    const max = options.maxLocalEntries ?? DEFAULT_LOCAL_ENTRIES;
    this.local = new LRUCache({ max });
    this.failedAt = new LRUCache({ max });
  }

  /**
   * The value of `key`, loaded with `load` when there is none. `fresh` waits for a load that
   * starts now (before a change that must see the current state). `group` names a set of keys
   * that {@link SwrCache.invalidateGroup} marks outdated together (a repository's reads).
   */
  async get<T>(
    key: string,
    load: () => Promise<T>,
    options?: { fresh?: boolean; group?: string },
  ): Promise<T> {
    if (this.options.ttlMs <= 0) {
      return load();
    }
    if (options?.fresh) {
      return this.refresh(key, load, Date.now()) as Promise<T>;
    }
    const validAfter = options?.group
      ? await this.groupStamp(options.group)
      : 0;
    const now = Date.now();
    let entry = this.local.get(key);
    if (!entry || now - entry.fetchedAt >= this.options.ttlMs) {
      // Another replica may have refreshed it meanwhile.
      const shared = await this.readShared(key);
      if (shared && (!entry || shared.fetchedAt > entry.fetchedAt)) {
        entry = shared;
        this.local.set(key, shared);
      }
    }
    if (entry && entry.fetchedAt > validAfter) {
      const age = now - entry.fetchedAt;
      if (age < this.options.ttlMs) {
        return entry.value as T;
      }
      if (age < this.options.ttlMs + this.options.staleWhileRevalidateMs) {
        this.refreshInBackground(key, load, validAfter);
        return entry.value as T;
      }
    }
    return this.refresh(key, load, validAfter) as Promise<T>;
  }

  /** Forgets `key` (after a change made through this backend). */
  async invalidate(key: string): Promise<void> {
    this.local.delete(key);
    const running = this.refreshes.get(key);
    if (running) {
      running.superseded = true;
      this.refreshes.delete(key);
    }
    await this.store
      .delete(key)
      .catch(e => this.logger.warn(`Failed to invalidate ${key}: ${e}`));
  }

  /** Marks every entry of `group` outdated: the next read of each waits for a new load. */
  async invalidateGroup(group: string): Promise<void> {
    await this.store
      .set(this.stampKey(group), Date.now(), { ttl: this.entryTtlMs() })
      .catch(e => this.logger.warn(`Failed to invalidate ${group}: ${e}`));
  }

  private refreshInBackground(
    key: string,
    load: () => Promise<unknown>,
    validAfter: number,
  ) {
    const failed = this.failedAt.get(key);
    if (failed !== undefined && Date.now() - failed < this.options.ttlMs) {
      return;
    }
    this.refresh(key, load, validAfter).catch(error => {
      this.failedAt.set(key, Date.now());
      this.logger.warn(
        `Background refresh of ${key} failed; serving the previous answer: ${error}`,
      );
    });
  }

  /** Joins a load of `key` started after `validAfter`, or starts one. */
  private refresh(
    key: string,
    load: () => Promise<unknown>,
    validAfter: number,
  ): Promise<unknown> {
    const running = this.refreshes.get(key);
    if (running && running.startedAt >= validAfter) {
      return running.promise;
    }
    const startedAt = Date.now();
    const refresh: Refresh = {
      promise: Promise.resolve(),
      startedAt,
      superseded: false,
    };
    refresh.promise = load()
      .then(async value => {
        const current = this.local.get(key);
        // Neither a load from before an invalidation nor one older than what is kept may
        // replace it, here or in the shared cache.
        if (refresh.superseded || (current && current.fetchedAt > startedAt)) {
          return value;
        }
        const entry: Entry = { value, fetchedAt: startedAt };
        this.local.set(key, entry);
        this.failedAt.delete(key);
        await this.store
          .set(key, entry as unknown as JsonValue, { ttl: this.entryTtlMs() })
          .catch(e => this.logger.warn(`Failed to cache ${key}: ${e}`));
        return value;
      })
      .finally(() => {
        if (this.refreshes.get(key) === refresh) {
          this.refreshes.delete(key);
        }
      });
    this.refreshes.set(key, refresh);
    return refresh.promise;
  }

  private async readShared(key: string): Promise<Entry | undefined> {
    try {
      const entry = (await this.store.get(key)) as Entry | undefined;
      return entry && typeof entry.fetchedAt === 'number' ? entry : undefined;
    } catch (e) {
      this.logger.warn(`Failed to read ${key} from the cache: ${e}`);
      return undefined;
    }
  }

  private async groupStamp(group: string): Promise<number> {
    try {
      const stamp = await this.store.get(this.stampKey(group));
      return typeof stamp === 'number' ? stamp : 0;
    } catch {
      return 0;
    }
  }

  private stampKey(group: string) {
    return `swr-stamp:${group}`;
  }

  private entryTtlMs() {
    return this.options.ttlMs + this.options.staleWhileRevalidateMs;
  }
}
