import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { GithubRepoClient, GithubRepoRef } from './GithubClientFactory';
import {
  GithubCallContext,
  isNotModified,
  mapGithubError,
} from './githubErrors';

/** A GitHub answer as kept in the cache service. */
interface CachedResponse {
  data: JsonValue;
  etag?: string;
  /** `Link` header (pagination). */
  link?: string;
  /** Epoch ms when GitHub last confirmed the data (200 or 304). */
  fetchedAt: number;
}

/** What a read returns: GitHub's body and its pagination links. */
export interface GithubReadResult<T> {
  data: T;
  link?: string;
}

// Kept well beyond the freshness TTL: an old entry still has its ETag, and GitHub answers a
// conditional request for unchanged data with a 304 that costs no rate limit.
const ENTRY_TTL_MS = 24 * 60 * 60 * 1000;

const repoKey = (ref: GithubRepoRef) =>
  `${ref.apiBaseUrl}/repos/${ref.owner}/${ref.repo}`.toLowerCase();

/**
 * Cached, conditional GitHub reads. Within the TTL an entry is served without calling GitHub;
 * after it, the request carries `If-None-Match` and a 304 renews the entry. Concurrent reads of
 * one URL (N people looking at one entity) share a single call, whether or not it is cached.
 */
export class GithubReadCache {
  private readonly inFlight = new Map<string, Promise<GithubReadResult<any>>>();

  constructor(
    private readonly cache: CacheService,
    private readonly logger: LoggerService,
    private readonly ttlMs: number,
  ) {}

  /**
   * `GET route` (an Octokit route such as `GET /repos/{owner}/{repo}/actions/runs`) for the
   * client's repository, with `owner` and `repo` filled in.
   */
  async get<T>(
    client: GithubRepoClient,
    route: string,
    params: Record<string, string | number | boolean | undefined>,
    context: Omit<GithubCallContext, 'host'>,
  ): Promise<GithubReadResult<T>> {
    const defined: Record<string, string | number | boolean> =
      Object.fromEntries(
        Object.entries(params)
          .filter(
            (e): e is [string, string | number | boolean] => e[1] !== undefined,
          )
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    const key = `github:${repoKey(client.ref)}:${route}:${JSON.stringify(
      defined,
    )}`;
    const pending = this.inFlight.get(key);
    if (pending) {
      return pending;
    }
    const read = this.read<T>(client, key, route, defined, {
      ...context,
      host: client.ref.host,
    }).finally(() => {
      if (this.inFlight.get(key) === read) {
        this.inFlight.delete(key);
      }
    });
    this.inFlight.set(key, read);
    return read;
  }

  /**
   * Marks every cached read of the repository stale (after a re-run or a dispatch changed it),
   * so the next read revalidates with GitHub instead of waiting for the TTL.
   */
  async invalidateRepo(ref: GithubRepoRef): Promise<void> {
    await this.cache
      .set(`github-stamp:${repoKey(ref)}`, Date.now(), { ttl: ENTRY_TTL_MS })
      .catch(e => this.logger.warn(`Failed to invalidate GitHub cache: ${e}`));
  }

  private async read<T>(
    client: GithubRepoClient,
    key: string,
    route: string,
    params: Record<string, string | number | boolean>,
    context: GithubCallContext,
  ): Promise<GithubReadResult<T>> {
    const [cached, stamp] = await Promise.all([
      this.cache.get(key) as Promise<CachedResponse | undefined>,
      this.cache.get(`github-stamp:${repoKey(client.ref)}`) as Promise<
        number | undefined
      >,
    ]);
    const now = Date.now();
    if (
      cached &&
      now - cached.fetchedAt < this.ttlMs &&
      cached.fetchedAt > (stamp ?? 0)
    ) {
      return { data: cached.data as T, link: cached.link };
    }
    let entry: CachedResponse;
    try {
      const response = await client.octokit.request(route, {
        owner: client.ref.owner,
        repo: client.ref.repo,
        ...params,
        headers: cached?.etag ? { 'if-none-match': cached.etag } : {},
      });
      entry = {
        data: response.data as JsonValue,
        etag: response.headers.etag,
        link: response.headers.link,
        fetchedAt: Date.now(),
      };
    } catch (error) {
      if (!cached || !isNotModified(error)) {
        throw mapGithubError(error, context);
      }
      entry = { ...cached, fetchedAt: Date.now() };
    }
    await this.cache
      .set(key, entry as unknown as JsonValue, { ttl: ENTRY_TTL_MS })
      .catch(e => this.logger.warn(`Failed to cache a GitHub answer: ${e}`));
    return { data: entry.data as T, link: entry.link };
  }
}

/** Whether a `Link` header has a `rel="next"` page. */
export function hasNextLink(link?: string): boolean {
  return !!link && /rel="next"/.test(link);
}
