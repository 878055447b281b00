import { useCallback, useEffect, useRef, useState } from 'react';

/** Data a card loads, refreshes by hand and, while something is moving, polls. */
export interface Refreshable<T> {
  value?: T;
  /** The last load's error; a value from an earlier load stays alongside it. */
  error?: Error;
  /** True while the first load runs (nothing to show yet). */
  loading: boolean;
  /** True while a later load runs over data (or an error) already shown. */
  refreshing: boolean;
  /** When the value was loaded. */
  loadedAt?: Date;
  refresh: () => void;
}

interface State<T> {
  value?: T;
  error?: Error;
  loading: boolean;
  refreshing: boolean;
  loadedAt?: Date;
  /** Counts finished loads, so the poll timer re-arms after each one. */
  loads: number;
}

/**
 * After the first answer for a key, one quiet reload this much later. The backend answers an
 * expired entry at once and refreshes it behind the answer (stale-while-revalidate); this second
 * answer is the refreshed one, so a card that does not poll is not left on an old state. An
 * unchanged answer costs a 304.
 */
export const REVALIDATE_AFTER_FIRST_LOAD_MS = 2000;

export interface RefreshableOptions<T> {
  /** False: load nothing (someone else provides the data). */
  enabled?: boolean;
  /** Milliseconds until the next automatic load after this value, or undefined for none. */
  pollIntervalMs?: (value: T | undefined) => number | undefined;
}

/**
 * Loads `load` whenever `key` changes, on `refresh()`, and on the poll schedule. A newer load
 * abandons an older one, so a slow answer never overwrites a fresher one.
 */
export function useRefreshable<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  options: RefreshableOptions<T> = {},
): Refreshable<T> {
  const enabled = options.enabled ?? true;
  const loadRef = useRef(load);
  loadRef.current = load;
  const controller = useRef<AbortController>();
  const [state, setState] = useState<State<T>>({
    loading: enabled,
    refreshing: false,
    loads: 0,
  });

  const run = useCallback((quiet: boolean = false) => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    if (!quiet) {
      setState(s => {
        const shown = s.value !== undefined || s.error !== undefined;
        return { ...s, loading: !shown, refreshing: shown };
      });
    }
    loadRef.current(current.signal).then(
      value => {
        if (current.signal.aborted) return;
        setState(s => ({
          value,
          loading: false,
          refreshing: false,
          loadedAt: new Date(),
          loads: s.loads + 1,
        }));
      },
      error => {
        if (current.signal.aborted) return;
        setState(s => ({
          ...s,
          error,
          loading: false,
          refreshing: false,
          loads: s.loads + 1,
        }));
      },
    );
  }, []);

  useEffect(() => {
    if (!enabled) return undefined;
    setState({ loading: true, refreshing: false, loads: 0 });
    run();
    return () => controller.current?.abort();
  }, [key, enabled, run]);

  const busy = state.loading || state.refreshing;
  const poll = busy ? undefined : options.pollIntervalMs?.(state.value);
  const revalidate =
    !busy && state.loads === 1 && state.error === undefined
      ? REVALIDATE_AFTER_FIRST_LOAD_MS
      : undefined;
  const interval =
    revalidate !== undefined && (poll === undefined || revalidate < poll)
      ? revalidate
      : poll;
  useEffect(() => {
    if (!enabled || interval === undefined) return undefined;
    const timer = setTimeout(() => run(interval === revalidate), interval);
    return () => clearTimeout(timer);
  }, [enabled, interval, revalidate, run, state.loads]);

  return {
    value: state.value,
    error: state.error,
    loading: state.loading,
    refreshing: state.refreshing,
    loadedAt: state.loadedAt,
    refresh: () => run(),
  };
}
