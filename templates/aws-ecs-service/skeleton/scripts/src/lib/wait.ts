import { setTimeout as sleep } from 'node:timers/promises';
import { TimeoutError } from './errors.ts';

export interface PollOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between checks. */
  intervalMs: number;
  /** What is awaited, for the time-out message, e.g. "rollout ecs-svc/123". */
  what: string;
}

/**
 * Calls `check` until it returns a value, bounded in time and in number of calls (a slow API
 * cannot stretch the wait past the time-out, a fast one cannot spin).
 */
export async function poll<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const { timeoutMs, intervalMs, what } = options;
  const deadline = Date.now() + timeoutMs;
  const maxChecks = Math.ceil(timeoutMs / intervalMs) + 1;
  for (let checks = 0; checks < maxChecks; checks++) {
    const result = await check();
    if (result !== undefined) return result;
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(intervalMs, left));
  }
  throw new TimeoutError(`${what} did not finish within ${formatDuration(timeoutMs)}`);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  return `${Math.round(seconds / 60)} min`;
}
