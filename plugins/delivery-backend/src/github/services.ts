import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ArtifactReader } from './artifacts';
import { DriftService } from './DriftService';
import { PendingDeploymentService } from './PendingDeploymentService';
import { UpstreamBreakers } from '../service/UpstreamBreakers';
import { GithubClientFactory } from './GithubClientFactory';
import { GithubReadCache } from './GithubReadCache';
import { PipelineService } from './PipelineService';
import { SwrCache } from '../cache/SwrCache';
import { readOptionalDurationMs, readStaleIfErrorMs } from '../config';

/** Default seconds a GitHub answer is served from the cache before it is revalidated. */
export const DEFAULT_GITHUB_CACHE_TTL_SECONDS = 30;
/** Default minutes past the TTL during which a GitHub answer is served while it is refreshed. */
export const DEFAULT_GITHUB_STALE_WHILE_REVALIDATE_MINUTES = 5;
/** Default age after which a drift report is flagged stale (the workflow runs daily). */
export const DEFAULT_DRIFT_STALE_AFTER_HOURS = 48;

/** The GitHub side of the plugin, configured from `integrations.github` and `delivery.*`. */
export function createGithubServices(
  config: Config,
  cache: CacheService,
  logger: LoggerService,
  breakers?: UpstreamBreakers,
) {
  const clients = GithubClientFactory.fromConfig(config, logger, breakers);
  const reads = new GithubReadCache(cache, logger);
  const artifacts = new ArtifactReader(clients, cache, logger);
  const answers = new SwrCache(cache, logger, {
    ttlMs: readOptionalDurationMs(config, 'delivery.github.cacheTtl', {
      seconds: DEFAULT_GITHUB_CACHE_TTL_SECONDS,
    }),
    staleWhileRevalidateMs: readOptionalDurationMs(
      config,
      'delivery.github.staleWhileRevalidate',
      { minutes: DEFAULT_GITHUB_STALE_WHILE_REVALIDATE_MINUTES },
    ),
    staleIfErrorMs: readStaleIfErrorMs(config),
  });
  return {
    clients,
    pipelines: new PipelineService(clients, reads, answers),
    drift: new DriftService(
      clients,
      reads,
      answers,
      artifacts,
      readOptionalDurationMs(config, 'delivery.drift.staleAfter', {
        hours: DEFAULT_DRIFT_STALE_AFTER_HOURS,
      }),
    ),
    pendingDeployments: new PendingDeploymentService(
      clients,
      reads,
      answers,
      artifacts,
    ),
  };
}
