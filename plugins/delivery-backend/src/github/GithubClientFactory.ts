import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { ANNOTATION_GITHUB_PROJECT_SLUG } from '@cicd-aws/plugin-delivery-common';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { readOptionalDurationMs } from '../config';
import { UpstreamBreakers } from '../service/UpstreamBreakers';

/** The GitHub repository of an entity and the integration that reaches it. */
export interface GithubRepoRef {
  /** Host of the `integrations.github` entry, e.g. `github.com` or `ghe.example.com`. */
  host: string;
  /** REST API root of that integration (`https://api.github.com`, `https://ghe/api/v3`...). */
  apiBaseUrl: string;
  owner: string;
  repo: string;
  /** `https://<host>/<owner>/<repo>`. */
  htmlUrl: string;
}

/** An Octokit for one repository, with the repository it was made for. */
export interface GithubRepoClient {
  octokit: Octokit;
  ref: GithubRepoRef;
}

const ThrottledOctokit = Octokit.plugin(throttling, retry);

// Octokits are kept per API root and token so the throttling plugin's queues and the HTTP
// keep-alive connections survive between requests; App installation tokens rotate hourly, so the
// map is bounded rather than growing with every rotation.
const MAX_CLIENTS = 50;

const SLUG = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

/** Host named by a `url:` location annotation, e.g. `backstage.io/source-location`. */
function locationHost(entity: Entity): string | undefined {
  const annotations = entity.metadata.annotations ?? {};
  for (const key of [
    'backstage.io/source-location',
    'backstage.io/managed-by-location',
  ]) {
    const value = annotations[key];
    const match = value ? /^url:(https?:\/\/[^\s]+)$/.exec(value) : null;
    if (match) {
      try {
        return new URL(match[1]).host;
      } catch {
        // a malformed location names no host; the next annotation or the default decides
      }
    }
  }
  return undefined;
}

/** Creates Octokits with the credentials of `integrations.github` (token or GitHub App). */
export class GithubClientFactory {
  private readonly clients = new Map<string, Octokit>();

  static fromConfig(
    config: Config,
    logger: LoggerService,
    breakers?: UpstreamBreakers,
  ) {
    const integrations = ScmIntegrations.fromConfig(config);
    return new GithubClientFactory(
      integrations,
      DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      logger,
      {
        defaultHost:
          config.getOptionalString('delivery.github.host') ?? 'github.com',
        retries: config.getOptionalNumber('delivery.github.retries') ?? 2,
        requestTimeoutMs: readOptionalDurationMs(
          config,
          'delivery.github.requestTimeout',
          { seconds: 10 },
        ),
        breakers,
      },
    );
  }

  constructor(
    private readonly integrations: ScmIntegrations,
    private readonly credentials: GithubCredentialsProvider,
    private readonly logger: LoggerService,
    private readonly options: {
      defaultHost: string;
      retries: number;
      /** How long one request (an API call, an artifact download) may take; 0 for no limit. */
      requestTimeoutMs?: number;
      /** One breaker per GitHub host (see {@link UpstreamBreakers}). */
      breakers?: UpstreamBreakers;
    },
  ) {}

  /**
   * The entity's repository: `owner/repo` from `github.com/project-slug`; the host from its
   * `backstage.io/source-location` (or `managed-by-location`) when a GitHub integration exists
   * for that host, else `delivery.github.host`, else `github.com`.
   */
  repoOf(entity: Entity): GithubRepoRef {
    const slug =
      entity.metadata.annotations?.[ANNOTATION_GITHUB_PROJECT_SLUG]?.trim();
    if (!slug) {
      throw new InputError(
        `The entity has no ${ANNOTATION_GITHUB_PROJECT_SLUG} annotation; add "${ANNOTATION_GITHUB_PROJECT_SLUG}: owner/repo" to its catalog-info.yaml`,
      );
    }
    const match = SLUG.exec(slug);
    if (!match) {
      throw new InputError(
        `The ${ANNOTATION_GITHUB_PROJECT_SLUG} annotation must be "owner/repo"; got "${slug}"`,
      );
    }
    const fromLocation = locationHost(entity);
    const host =
      fromLocation && this.integrations.github.byHost(fromLocation)
        ? fromLocation
        : this.options.defaultHost;
    const integration = this.integrations.github.byHost(host);
    if (!integration) {
      throw new ServiceUnavailableError(
        `GitHub is not configured for the delivery plugin: there is no integrations.github entry for ${host}; add one with a token or a GitHub App (see the delivery backend README)`,
      );
    }
    return {
      host,
      apiBaseUrl: (
        integration.config.apiBaseUrl ?? 'https://api.github.com'
      ).replace(/\/+$/, ''),
      owner: match[1],
      repo: match[2],
      htmlUrl: `https://${host}/${match[1]}/${match[2]}`,
    };
  }

  /** An Octokit with the integration's credentials for the repository. */
  async forRepo(ref: GithubRepoRef): Promise<GithubRepoClient> {
    let token: string | undefined;
    try {
      ({ token } = await this.credentials.getCredentials({ url: ref.htmlUrl }));
    } catch (error) {
      // The App credentials provider throws when no installation covers the owner.
      throw new ServiceUnavailableError(
        `GitHub credentials for ${ref.owner}/${
          ref.repo
        } could not be obtained from the integrations.github entry for ${
          ref.host
        }: ${(error as Error).message}`,
      );
    }
    if (!token) {
      throw new ServiceUnavailableError(
        `GitHub is not configured for the delivery plugin: the integrations.github entry for ${ref.host} has neither a token nor a GitHub App installed for ${ref.owner}; add one (see the delivery backend README)`,
      );
    }
    const key = `${ref.apiBaseUrl}\n${token}`;
    let octokit = this.clients.get(key);
    if (!octokit) {
      if (this.clients.size >= MAX_CLIENTS) {
        this.clients.delete(this.clients.keys().next().value!);
      }
      octokit = this.create(ref.apiBaseUrl, token, ref.host);
      this.clients.set(key, octokit);
    }
    return { octokit, ref };
  }

  /**
   * An Octokit acting as a person, with the GitHub token they signed in with (an approval must
   * come from one of the environment's reviewers, never from the portal's own credentials). It is
   * made per call and not kept, so the token lives only as long as the request that brought it;
   * nothing it sends is retried.
   */
  forUserToken(ref: GithubRepoRef, token: string): GithubRepoClient {
    return {
      octokit: this.create(ref.apiBaseUrl, token, ref.host, { retries: 0 }),
      ref,
    };
  }

  private create(
    baseUrl: string,
    token: string,
    host: string,
    overrides: { retries?: number } = {},
  ): Octokit {
    const logger = this.logger;
    const retries = overrides.retries ?? this.options.retries;
    const timeoutMs = this.options.requestTimeoutMs ?? 0;
    const octokit = new ThrottledOctokit({
      baseUrl,
      request:
        timeoutMs > 0
          ? {
              fetch: (url: string, init?: RequestInit) =>
                fetch(url, {
                  ...init,
                  signal: init?.signal
                    ? AbortSignal.any([
                        init.signal,
                        AbortSignal.timeout(timeoutMs),
                      ])
                    : AbortSignal.timeout(timeoutMs),
                }),
            }
          : undefined,
      auth: token,
      userAgent: 'backstage-plugin-delivery-backend',
      log: {
        debug: () => {},
        info: () => {},
        warn: (message: string) => logger.debug(`octokit: ${message}`),
        error: (message: string) => logger.warn(`octokit: ${message}`),
      },
      // A viewer is waiting: never sleep until the primary limit resets (up to an hour). A short
      // secondary-limit pause is retried once; otherwise the route answers 503 with Retry-After.
      throttle: {
        onRateLimit: () => false,
        onSecondaryRateLimit: (retryAfter: number, _options, _o, count) =>
          count < 1 && retryAfter <= 5,
      },
      // 429 is the throttling plugin's business; 304 answers conditional requests.
      retry: {
        retries,
        doNotRetry: [304, 400, 401, 403, 404, 409, 410, 422, 429, 451],
      },
    });
    const breakers = this.options.breakers;
    // Wrapped last, so outside the retry and throttling plugins: one count per call.
    octokit.hook.wrap('request', (request, options) => {
      // Octokit hands every call the same `request` object, in which the retry plugin counts
      // attempts: without a copy per call, each call after a failed one waits longer (1 s, 4 s,
      // 9 s, ...) and retries less. The hook must change `options` itself (it is shared by the
      // hooks), not pass a copy on.
      options.request = { ...options.request };
      return breakers
        ? breakers.run(`GitHub at ${host}`, async () => request(options))
        : request(options);
    });
    return octokit;
  }
}
