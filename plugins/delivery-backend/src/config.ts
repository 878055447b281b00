import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/**
 * A duration from config (`10s`, `PT30M`, or `{ minutes: 30 }`, as Backstage's own duration keys
 * take them) in milliseconds, or `fallback` when the key is not set. Zero is allowed (no
 * caching); a negative duration is refused at start-up with the key's name.
 */
export function readOptionalDurationMs(
  config: Config,
  key: string,
  fallback: HumanDuration,
): number {
  const duration = config.has(key)
    ? readDurationFromConfig(config, { key })
    : fallback;
  const ms = durationToMilliseconds(duration);
  if (!(ms >= 0)) {
    throw new Error(`${key} must be a duration of zero or more; got ${ms} ms`);
  }
  return ms;
}

/**
 * `delivery.staleIfError`: how long after its last good fetch an answer is still served, marked
 * stale, while its upstream fails (default 24 hours). One reading for the ECS and GitHub caches.
 */
export function readStaleIfErrorMs(config: Config): number {
  return readOptionalDurationMs(config, 'delivery.staleIfError', { hours: 24 });
}
