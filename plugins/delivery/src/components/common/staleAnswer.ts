import { StaleAnswer } from '@cicd-aws/plugin-delivery-common';

/**
 * How often a card reloads while it shows a stale answer (the backend's last good one, served
 * because AWS or GitHub failed), so it picks up the fresh answer once the upstream is back.
 */
export const STALE_ANSWER_RETRY_MS = 30_000;

/**
 * A card's poll interval for `value`: its own `interval`, but at most
 * {@link STALE_ANSWER_RETRY_MS} while the value is a stale answer.
 */
export function pollWhileStale(
  value: { staleAnswer?: StaleAnswer } | undefined,
  interval: number | undefined,
  staleInterval: number = STALE_ANSWER_RETRY_MS,
): number | undefined {
  if (!value?.staleAnswer) return interval;
  return interval === undefined
    ? staleInterval
    : Math.min(interval, staleInterval);
}

/**
 * The age of a stale answer in seconds, now: from `fetchedAt` when it is a readable time not in
 * the future (the backend's clock may run ahead of the browser's), else the `ageSeconds` the
 * backend computed when it answered.
 */
export function staleAnswerAgeSeconds(
  staleAnswer: StaleAnswer,
  now: number = Date.now(),
): number {
  const fetchedAt = Date.parse(staleAnswer.fetchedAt);
  if (Number.isFinite(fetchedAt) && fetchedAt <= now) {
    return (now - fetchedAt) / 1000;
  }
  return Math.max(0, staleAnswer.ageSeconds);
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "45 seconds", "4 minutes", "3 hours", "2 days" (rounded down past a minute). */
export function humaniseAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return plural(s, 'second');
  if (s < 3600) return plural(Math.floor(s / 60), 'minute');
  if (s < 48 * 3600) return plural(Math.floor(s / 3600), 'hour');
  return plural(Math.floor(s / 86400), 'day');
}
