import { DateTime, Duration } from 'luxon';

/** "3 minutes ago", or undefined for a missing or unreadable time. */
export function relativeTime(iso?: string): string | undefined {
  if (!iso) return undefined;
  const time = DateTime.fromISO(iso);
  return time.isValid ? time.toRelative() ?? undefined : undefined;
}

/** The full local time, for a title attribute next to a relative one. */
export function absoluteTime(iso?: string): string | undefined {
  if (!iso) return undefined;
  const time = DateTime.fromISO(iso);
  return time.isValid
    ? time.toLocaleString(DateTime.DATETIME_MED_WITH_SECONDS)
    : undefined;
}

/** "1m 05s", "2h 03m", "42s" between two times (or until now). */
export function durationBetween(
  startIso?: string,
  endIso?: string,
): string | undefined {
  if (!startIso) return undefined;
  const start = DateTime.fromISO(startIso);
  const end = endIso ? DateTime.fromISO(endIso) : DateTime.now();
  if (!start.isValid || !end.isValid) return undefined;
  return formatDuration(end.diff(start).as('seconds'));
}

export function formatDuration(totalSeconds: number): string {
  const d = Duration.fromObject({
    seconds: Math.max(0, Math.round(totalSeconds)),
  }).shiftTo('hours', 'minutes', 'seconds');
  if (d.hours > 0) return `${d.hours}h ${String(d.minutes).padStart(2, '0')}m`;
  if (d.minutes > 0)
    return `${d.minutes}m ${String(d.seconds).padStart(2, '0')}s`;
  return `${d.seconds}s`;
}

/** A time shown relative, with the absolute time on hover. */
export function timeTitle(iso?: string) {
  return { title: absoluteTime(iso) };
}
