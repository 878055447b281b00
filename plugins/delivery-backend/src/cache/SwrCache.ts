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
  /**
   * Age beyond the stale window during which an entry is still served, marked stale, when
   * getting a new one fails with an upstream failure (5xx, 429, connection failures, an open
   * circuit). Default one day.
   */
  staleIfErrorMs?: number;
  /** Entries this process keeps in memory (the shared cache service keeps them too). */
  maxLocalEntries?: number;
}

/** Why an answer is older than it should be: it is the last good one, and refreshing it failed. */
export interface StaleMark {
  /** Epoch ms when the served answer was loaded. */
  fetchedAt: number;
  /** The failure of the refresh. */
  reason: string;
}

/** What a read answers: the value, and when it is the last good one, why. */
export interface SwrRead<T> {
  value: T;
  stale?: StaleMark;
}

/** The `staleAnswer` field of the delivery API's read answers. */
export interface StaleAnswerField {
  staleAnswer?: { fetchedAt: string; ageSeconds: number; reason: string };
}

/**
 * Whether an error says the upstream failed (so the last good answer is better than none),
 * rather than that the request itself is wrong (404, 400, 403: those are passed on).
 */
export function isUpstreamFailure(error: unknown): boolean {
  const e = error as { statusCode?: unknown; status?: unknown };
  let status: number | undefined;
  if (typeof e?.statusCode === 'number') {
    status = e.statusCode;
  } else if (typeof e?.status === 'number') {
    status = e.status;
  }
  return status === undefined || status >= 500 || status === 429;
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
const DEFAULT_STALE_IF_ERROR_MS = 24 * 60 * 60 * 1000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

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
  /** Keys whose last refresh failed, when and why: retried one TTL later, not per request. */
  private readonly failedAt: LRUCache<string, { at: number; reason: string }>;

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
    return (await this.read(key, load, options)).value;
  }

  /**
   * As {@link SwrCache.get}, for answers of the delivery API: when the answer is the last good
   * one because refreshing it failed, it is a copy with `staleAnswer` saying since when and why.
   */
  async getAnswer<T extends object>(
    key: string,
    load: () => Promise<T>,
    options?: { group?: string },
  ): Promise<T & StaleAnswerField> {
    const { value, stale } = await this.read(key, load, options);
    if (!stale) {
      return value;
    }
    return {
      ...value,
      staleAnswer: {
        fetchedAt: new Date(stale.fetchedAt).toISOString(),
        ageSeconds: Math.max(
          0,
          Math.round((Date.now() - stale.fetchedAt) / 1000),
        ),
        reason: stale.reason,
      },
    };
  }

  /** The value of `key` and, when it is the last good one served after a failed refresh, why. */
  async read<T>(
    key: string,
    load: () => Promise<T>,
    options?: { fresh?: boolean; group?: string },
  ): Promise<SwrRead<T>> {
    if (this.options.ttlMs <= 0) {
      return { value: await load() };
    }
    if (options?.fresh) {
      return { value: (await this.refresh(key, load, Date.now())) as T };
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
        return { value: entry.value as T };
      }
      if (age < this.options.ttlMs + this.options.staleWhileRevalidateMs) {
        this.refreshInBackground(key, load, validAfter);
        const failed = this.failedAt.get(key);
        return {
          value: entry.value as T,
          stale:
            failed && failed.at >= entry.fetchedAt
              ? { fetchedAt: entry.fetchedAt, reason: failed.reason }
              : undefined,
        };
      }
    }
    const keptForFailures = entry && now - entry.fetchedAt < this.entryTtlMs();
    const failed = this.failedAt.get(key);
    if (keptForFailures && failed && now - failed.at < this.options.ttlMs) {
      // The upstream failed a moment ago: no new attempt per request.
      return {
        value: entry!.value as T,
        stale: { fetchedAt: entry!.fetchedAt, reason: failed.reason },
      };
    }
    try {
      return { value: (await this.refresh(key, load, validAfter)) as T };
    } catch (error) {
      if (!keptForFailures || !isUpstreamFailure(error)) {
        throw error;
      }
      const reason = messageOf(error);
      this.failedAt.set(key, { at: Date.now(), reason });
      return {
        value: entry!.value as T,
        stale: { fetchedAt: entry!.fetchedAt, reason },
      };
    }
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
    if (failed !== undefined && Date.now() - failed.at < this.options.ttlMs) {
      return;
    }
    this.refresh(key, load, validAfter).catch(error => {
      this.failedAt.set(key, { at: Date.now(), reason: messageOf(error) });
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

  /** How long an entry is kept: fresh, then served while refreshing, then only on failures. */
  private entryTtlMs() {
    return (
      this.options.ttlMs +
      this.options.staleWhileRevalidateMs +
      (this.options.staleIfErrorMs ?? DEFAULT_STALE_IF_ERROR_MS)
    );
  }
}
