import { useApi } from '@backstage/core-plugin-api';
import { PipelineRun } from '@cicd-aws/plugin-delivery-common';
import { useCallback, useRef, useState } from 'react';
import { deliveryApiRef } from '../../api';
import { newIdempotencyKey } from '../common/idempotencyKey';

export type RerunResult =
  | { run: PipelineRun; url: string }
  | { run: PipelineRun; error: Error };

/**
 * Re-running a run's failed jobs: the run awaiting confirmation, the request (one at a time),
 * and what came of it.
 */
export function useRerun(entityRef: string, onRerun: () => void) {
  const api = useApi(deliveryApiRef);
  const [target, setTarget] = useState<PipelineRun>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<RerunResult>();
  // A ref, not state: two clicks in one frame both see the state of before the first.
  const inFlight = useRef(false);

  const confirm = useCallback(
    async (run: PipelineRun) => {
      if (inFlight.current) return;
      inFlight.current = true;
      setBusy(true);
      // One key per confirmation: a retry of this same request would get the first answer
      // instead of starting another attempt of the run.
      const idempotencyKey = newIdempotencyKey();
      try {
        const response = await api.rerunFailedJobs(entityRef, run.id, {
          idempotencyKey,
        });
        setResult({ run, url: response.runUrl });
        onRerun();
      } catch (e) {
        setResult({ run, error: e as Error });
      } finally {
        inFlight.current = false;
        setBusy(false);
        setTarget(undefined);
      }
    },
    [api, entityRef, onRerun],
  );

  return {
    /** The run whose confirmation is open. */
    target,
    ask: setTarget,
    cancel: () => setTarget(undefined),
    confirm,
    busy,
    result,
    dismissResult: () => setResult(undefined),
  };
}
