import { useApi } from '@backstage/core-plugin-api';
import { useCallback, useEffect, useRef, useState } from 'react';
import { deliveryApiRef } from '../../api';
import { EcsStateStore } from '../../hooks/useEcsState';
import { newIdempotencyKey } from '../common/idempotencyKey';
import {
  afterRollback,
  afterStop,
  isSettled,
  outcomeOf,
  RollbackOperation,
  RollbackOutcome,
} from './rollback';

export interface RollbackRequest {
  /** The operation as the card sees it before sending; the answer fills in the rest. */
  operation: RollbackOperation;
  reason: string;
  /** For a rollback: the revision to roll back to. */
  revision?: number;
}

export type SubmitResult = 'accepted' | 'refused' | 'ignored';

export interface Rollback {
  /** The operation started last, while the card shows its outcome. */
  operation?: RollbackOperation;
  outcome?: RollbackOutcome;
  submitting: boolean;
  /** The backend's refusal of the last request. */
  error?: Error;
  clearError(): void;
  /**
   * Sends the request, at most one at a time: `ignored` while another is in flight, else
   * whether the backend accepted or refused it. Each call is a new user action with its own
   * `Idempotency-Key`; the card does not retry a request by itself, and anything that ever does
   * must send the same key, so the backend answers with the first answer instead of rolling back
   * twice.
   */
  submit(request: RollbackRequest): Promise<SubmitResult>;
}

/**
 * Starts a rollback or stop-rollout and follows the service's ECS state until the deployment
 * it made settles (COMPLETED or FAILED).
 */
export function useRollback(entityRef: string, ecs: EcsStateStore): Rollback {
  const api = useApi(deliveryApiRef);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const [operation, setOperation] = useState<RollbackOperation>();
  // A ref, not state: two clicks in one frame both see the state of before the first.
  const inFlight = useRef(false);

  const outcome = operation ? outcomeOf(operation, ecs.value) : undefined;
  const settled = isSettled(outcome);
  const { setFollowing, refresh } = ecs;
  useEffect(() => {
    if (settled) setFollowing(false);
  }, [settled, setFollowing]);

  const submit = useCallback(
    async ({
      operation: op,
      reason,
      revision,
    }: RollbackRequest): Promise<SubmitResult> => {
      if (inFlight.current) return 'ignored';
      inFlight.current = true;
      setSubmitting(true);
      setError(undefined);
      const options = { idempotencyKey: newIdempotencyKey() };
      try {
        if (op.kind === 'stop') {
          const r = await api.stopEcsRollout(entityRef, { reason }, options);
          setOperation(afterStop(op, r));
        } else {
          const r = await api.rollbackEcs(
            entityRef,
            { revision: revision!, reason },
            options,
          );
          setOperation(afterRollback(op, r));
        }
        // Poll even before ECS shows the new deployment as IN_PROGRESS.
        setFollowing(true);
        refresh();
        return 'accepted';
      } catch (e) {
        setError(e as Error);
        return 'refused';
      } finally {
        inFlight.current = false;
        setSubmitting(false);
      }
    },
    [api, entityRef, setFollowing, refresh],
  );

  const clearError = useCallback(() => setError(undefined), []);
  return { operation, outcome, submitting, error, clearError, submit };
}
