import { useApi } from '@backstage/core-plugin-api';
import { PipelineJob } from '@cicd-aws/plugin-delivery-common';
import { useEffect, useState } from 'react';
import { deliveryApiRef } from '../../api';
import { ReviewState } from './ReviewDialog';

/** A run just reviewed from the card. */
export interface FollowedRun {
  runId: number;
  runUrl: string;
  state: ReviewState;
  environments: string[];
  /** "Deploy #17" */
  runText: string;
  /** When the review was recorded (epoch ms): jobs that finished before it are not followed. */
  decidedAt: number;
}

export interface FollowState {
  /** The jobs that were waiting, as they are now. */
  jobs: PipelineJob[];
  /** The waiting jobs started, finished or were cancelled: nothing more to follow. */
  settled: boolean;
  /** Followed for the maximum number of polls without settling. */
  gaveUp: boolean;
  error?: Error;
}

/** Polls followed this often at most: about three minutes at the default 3 s. */
export const MAX_FOLLOW_POLLS = 60;

const started = (job: PipelineJob) =>
  job.status === 'in_progress' || job.status === 'completed';

/**
 * After a review, reads the run's jobs until the ones that waited start (approved) or end
 * (rejected, cancelled), bounded by {@link MAX_FOLLOW_POLLS}.
 */
export function useFollowRun(
  entityRef: string,
  followed: FollowedRun | undefined,
  intervalMs: number,
): FollowState | undefined {
  const api = useApi(deliveryApiRef);
  const [state, setState] = useState<FollowState>();

  useEffect(() => {
    setState(undefined);
    if (!followed) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waitingNames: string[] | undefined;
    const poll = async (count: number) => {
      try {
        const { jobs } = await api.getPipelineJobs(entityRef, followed.runId);
        if (stopped) return;
        // The jobs GitHub held at the environment; a later read names them even once they moved.
        waitingNames ??= jobs
          .filter(j => j.status === 'waiting')
          .map(j => j.name);
        // When the first read comes after GitHub moved the job on, the jobs still running or
        // finished since the review are the ones it released.
        const watched = jobs.filter(j =>
          waitingNames!.length > 0
            ? waitingNames!.includes(j.name)
            : j.status !== 'completed' ||
              Date.parse(j.completedAt ?? '') >= followed.decidedAt - 5000,
        );
        const settled =
          watched.length === 0 ||
          watched.every(j => started(j) && j.status !== 'waiting');
        const gaveUp = !settled && count + 1 >= MAX_FOLLOW_POLLS;
        setState({ jobs: watched, settled, gaveUp });
        if (!settled && !gaveUp) {
          timer = setTimeout(() => poll(count + 1), intervalMs);
        }
      } catch (error) {
        if (stopped) return;
        setState(s => ({
          jobs: s?.jobs ?? [],
          settled: false,
          gaveUp: count + 1 >= MAX_FOLLOW_POLLS,
          error: error as Error,
        }));
        if (count + 1 < MAX_FOLLOW_POLLS) {
          timer = setTimeout(() => poll(count + 1), intervalMs);
        }
      }
    };
    poll(0);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, entityRef, followed, intervalMs]);

  return state;
}
