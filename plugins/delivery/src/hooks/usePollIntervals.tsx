import { createContext, ReactNode, useContext, useMemo } from 'react';
import { STALE_ANSWER_RETRY_MS } from '../components/common/staleAnswer';

/** How often each card reloads while something it shows is still moving. */
export interface PollIntervals {
  /** ECS service state while a rollout is in progress (the backend caches it for 10 s). */
  ecsMs: number;
  /** Pipeline runs while a run is queued or in progress. */
  pipelineRunsMs: number;
  /** Drift state while a check runs. */
  driftMs: number;
  /** Runs waiting for approval, while one waits (it may be reviewed on GitHub meanwhile). */
  approvalsMs: number;
  /** A run just approved or rejected here, until its waiting job starts or is cancelled. */
  followRunMs: number;
  /**
   * Any card while it shows a stale answer (the backend's last good one, served because AWS or
   * GitHub failed), until a fresh one comes. Not extension config: a card's own interval, when
   * shorter, wins.
   */
  staleRetryMs: number;
}

export const DEFAULT_POLL_INTERVALS: PollIntervals = {
  ecsMs: 3000,
  pipelineRunsMs: 15_000,
  driftMs: 15_000,
  approvalsMs: 15_000,
  followRunMs: 3000,
  staleRetryMs: STALE_ANSWER_RETRY_MS,
};

// A context rather than props, so the public components keep a props-free API: the new
// frontend system sets the intervals from extension config, tests set short ones.
const PollIntervalsContext = createContext<PollIntervals>(
  DEFAULT_POLL_INTERVALS,
);

/** Overrides some intervals for the cards inside; the others stay as set further out. */
export function PollIntervalsProvider(props: {
  intervals: Partial<PollIntervals>;
  children: ReactNode;
}) {
  const outer = useContext(PollIntervalsContext);
  const {
    ecsMs,
    pipelineRunsMs,
    driftMs,
    approvalsMs,
    followRunMs,
    staleRetryMs,
  } = props.intervals;
  const value = useMemo(
    () => ({
      ecsMs: ecsMs ?? outer.ecsMs,
      pipelineRunsMs: pipelineRunsMs ?? outer.pipelineRunsMs,
      driftMs: driftMs ?? outer.driftMs,
      approvalsMs: approvalsMs ?? outer.approvalsMs,
      followRunMs: followRunMs ?? outer.followRunMs,
      staleRetryMs: staleRetryMs ?? outer.staleRetryMs,
    }),
    [
      outer,
      ecsMs,
      pipelineRunsMs,
      driftMs,
      approvalsMs,
      followRunMs,
      staleRetryMs,
    ],
  );
  return (
    <PollIntervalsContext.Provider value={value}>
      {props.children}
    </PollIntervalsContext.Provider>
  );
}

export function usePollIntervals(): PollIntervals {
  return useContext(PollIntervalsContext);
}
