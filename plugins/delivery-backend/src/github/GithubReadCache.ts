import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { GithubRepoClient, GithubRepoRef } from './GithubClientFactory';
import {
  GithubCallContext,
  GithubUpstreamError,
  isNotModified,
  mapGithubError,
} from './githubErrors';

/** A GitHub answer as kept in the cache service. */
interface CachedResponse {
  data: JsonValue;
  etag?: string;
  /** `Link` header (pagination). */
  link?: string;
}

/** What a read returns: GitHub's body and its pagination links. */
export interface GithubReadResult<T> {
  data: T;
  link?: string;
}

// An entry is kept for its ETag: GitHub answers a conditional request for unchanged data with a
// 304 that costs no rate limit.
const ENTRY_TTL_MS = 24 * 60 * 60 * 1000;

/** The key naming every cached answer about one repository (see `SwrCache`'s groups). */
export const repoKey = (ref: GithubRepoRef) =>
  `github:${ref.apiBaseUrl}/repos/${ref.owner}/${ref.repo}`.toLowerCase();

/**
 * Conditional GitHub reads. Every read calls GitHub, with `If-None-Match` when an earlier
 * answer is kept, and a 304 returns that answer. How often reads happen is decided by the
 * services' stale-while-revalidate caches in front of this one. Concurrent reads of one URL
 * share a single call.
 */
export class GithubReadCache {
  private readonly inFlight = new Map<string, Promise<GithubReadResult<any>>>();

  constructor(
    private readonly cache: CacheService,
    private readonly logger: LoggerService,
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
    const key = `${repoKey(client.ref)}:${route}:${JSON.stringify(defined)}`;
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
   * Forgets the calls in flight for the repository (after a change made through the portal), so
   * a read that starts now makes its own call instead of joining one from before the change.
   */
  forgetInFlight(ref: GithubRepoRef): void {
    const prefix = `${repoKey(ref)}:`;
    for (const key of [...this.inFlight.keys()]) {
      if (key.startsWith(prefix)) {
        this.inFlight.delete(key);
      }
    }
  }

  private async read<T>(
    client: GithubRepoClient,
    key: string,
    route: string,
    params: Record<string, string | number | boolean>,
    context: GithubCallContext,
  ): Promise<GithubReadResult<T>> {
    const cached = (await this.cache.get(key).catch(() => undefined)) as
      | CachedResponse
      | undefined;
    let entry: CachedResponse;
    try {
      const response = await client.octokit.request(route, {
        owner: client.ref.owner,
        repo: client.ref.repo,
        ...params,
        headers: cached?.etag ? { 'if-none-match': cached.etag } : {},
      });
      // Octokit hands over the text of an answer that is not JSON (a proxy's error page, a cut
      // answer); the services would fail on it with a TypeError.
      if (typeof response.data !== 'object' || response.data === null) {
        throw new GithubUpstreamError(
          `GitHub at ${context.host} answered with something that is not JSON when asked to ${context.operation}. Check the apiBaseUrl of that integrations.github entry and any proxy between the backend and GitHub.`,
        );
      }
      entry = {
        data: response.data as JsonValue,
        etag: response.headers.etag,
        link: response.headers.link,
      };
    } catch (error) {
      if (!cached || !isNotModified(error)) {
        throw mapGithubError(error, context);
      }
      return { data: cached.data as T, link: cached.link };
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
