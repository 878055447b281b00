import { JsonObject, JsonValue } from '@backstage/types';
import { Response } from 'express';
import {
  IdempotencyStore,
  IdempotentAnswer,
} from '../database/IdempotencyStore';
import { ChangeJournal, RollbackAttempt } from '../ecs/RollbackService';
import { EntityRequest, LoadedEntity, principalKey } from './entityRoutes';

/** A change's answer before it is sent: its status and body. */
export interface ChangeAnswer<T> {
  status: number;
  body: T;
}

/**
 * Runs a change under the request's `Idempotency-Key` (when it has one) and sends its answer: a
 * retry of an answered request gets the stored answer with `Idempotent-Replayed: true`. The key
 * counts per caller, operation and entity.
 */
export async function answerIdempotently<T extends JsonValue>(
  req: EntityRequest,
  res: Response,
  store: IdempotencyStore,
  loaded: LoadedEntity,
  operation: string,
  change: (journal: ChangeJournal) => Promise<ChangeAnswer<T>>,
): Promise<IdempotentAnswer> {
  const key = req.header('idempotency-key') ?? undefined;
  const answer = await store.run(
    {
      key,
      scope: [principalKey(loaded.credentials), operation, loaded.entityRef],
      request: { params: req.params, body: req.body ?? null },
    },
    attempt =>
      change({
        resumed: attempt.resumed as RollbackAttempt | undefined,
        beforeChange: progress =>
          attempt.record(JSON.parse(JSON.stringify(progress)) as JsonObject),
      }),
  );
  if (answer.replayed) {
    res.setHeader('Idempotent-Replayed', 'true');
  }
  res.status(answer.status).json(answer.body);
  return answer;
}
