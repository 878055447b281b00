import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, CustomErrorBase } from '@backstage/errors';
import { JsonObject, JsonValue } from '@backstage/types';
import { createHash, randomUUID } from 'node:crypto';
import stableStringify from 'safe-stable-stringify';
import { deliveryTables, IDEMPOTENCY_TABLE } from './deliveryTables';

/** 422: the key was first used with another request. */
export class IdempotencyKeyReusedError extends CustomErrorBase {
  name = 'IdempotencyKeyReusedError' as const;
  statusCode = 422;
}

/** What a change sees of its key's earlier attempts. */
export interface IdempotentAttempt {
  /**
   * What an earlier attempt with the same key recorded before it stopped without an answer (its
   * replica died, or the upstream failed after the change was sent): the retry acts on the same
   * target instead of resolving it again.
   */
  resumed?: JsonObject;
  /** Stores what the change resolved, before it is sent. */
  record(progress: JsonObject): Promise<void>;
}

/** The answer of a change, first-hand or replayed from its key's first attempt. */
export interface IdempotentAnswer {
  status: number;
  body: JsonValue;
  replayed: boolean;
}

/** Who sends the key, what they change, and the request; a key only counts within its scope. */
export interface IdempotencyScope {
  key?: string;
  /** The caller, the operation and the entity: the same key from another user is another key. */
  scope: string[];
  /** The request's body and parameters: the same key with another request is refused. */
  request: unknown;
}

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

interface Row {
  request_hash: string;
  state: 'running' | 'done';
  holder: string;
  lease_until: number | string;
  status: number | null;
  body: string | null;
  progress: string | null;
}

/**
 * Makes a change safe to retry: with an `Idempotency-Key`, its first answer (2xx) is stored in
 * the plugin's database for `retentionMs`, and a retry with the same key gets that answer again
 * without changing anything, on any replica. A retry while the first attempt runs gets 409; the
 * same key with another request gets 422 (as the IETF's Idempotency-Key draft says). A failed
 * attempt stores nothing, unless it had recorded its target: then the next retry resumes it.
 */
export class IdempotencyStore {
  private lastPruned = 0;

  constructor(
    private readonly database: DatabaseService,
    private readonly options: {
      /** How long a running attempt holds its key before a retry may take it over. */
      leaseMs: number;
      /** How long answers are kept. */
      retentionMs: number;
      /** The clock (tests move it). */
      now?: () => number;
    },
  ) {}

  async run(
    scope: IdempotencyScope,
    change: (
      attempt: IdempotentAttempt,
    ) => Promise<{ status: number; body: JsonValue }>,
  ): Promise<IdempotentAnswer> {
    if (scope.key === undefined) {
      const answer = await change({ record: async () => {} });
      return { ...answer, replayed: false };
    }
    const knex = await deliveryTables(this.database);
    const scopeKey = sha256(JSON.stringify([...scope.scope, scope.key]));
    const requestHash = sha256(stableStringify(scope.request) ?? '');
    const holder = randomUUID();
    const now = (this.options.now ?? Date.now)();
    await this.prune(now);
    await knex(IDEMPOTENCY_TABLE)
      .where('scope_key', scopeKey)
      .andWhere('created_at', '<', now - this.options.retentionMs)
      .delete();
    await knex(IDEMPOTENCY_TABLE)
      .insert({
        scope_key: scopeKey,
        request_hash: requestHash,
        state: 'running',
        holder,
        lease_until: now + this.options.leaseMs,
        created_at: now,
      })
      .onConflict('scope_key')
      .ignore();
    const row = (await knex(IDEMPOTENCY_TABLE)
      .where('scope_key', scopeKey)
      .first()) as Row | undefined;
    if (!row) {
      throw new Error(`The Idempotency-Key ${scope.key} could not be stored`);
    }
    if (row.request_hash !== requestHash) {
      throw new IdempotencyKeyReusedError(
        `The Idempotency-Key ${scope.key} was already used with a different request; send a new key for a new request`,
      );
    }
    if (row.state === 'done') {
      return {
        status: Number(row.status),
        body: JSON.parse(row.body ?? 'null'),
        replayed: true,
      };
    }
    let resumed: JsonObject | undefined;
    if (row.holder !== holder) {
      const stillHeld = Number(row.lease_until) > now;
      const takenOver =
        !stillHeld &&
        (await knex(IDEMPOTENCY_TABLE)
          .where({ scope_key: scopeKey, holder: row.holder, state: 'running' })
          .update({ holder, lease_until: now + this.options.leaseMs })) === 1;
      if (!takenOver) {
        throw new ConflictError(
          `A request with the Idempotency-Key ${scope.key} is still being processed; retry it in a few seconds to get its answer`,
        );
      }
      resumed = row.progress ? JSON.parse(row.progress) : undefined;
    }
    let recorded = resumed !== undefined;
    const mine = () =>
      knex(IDEMPOTENCY_TABLE).where({ scope_key: scopeKey, holder });
    try {
      const answer = await change({
        resumed,
        record: async progress => {
          // Fenced: an attempt that ran past its lease and was taken over must not send its
          // change as well.
          const kept = await mine().update({
            progress: JSON.stringify(progress),
          });
          if (kept !== 1) {
            throw new ConflictError(
              `The request with the Idempotency-Key ${scope.key} took longer than its lease and was taken over by a retry; its answer comes from that retry`,
            );
          }
          recorded = true;
        },
      });
      if (answer.status >= 200 && answer.status < 300) {
        await mine().update({
          state: 'done',
          status: answer.status,
          body: JSON.stringify(answer.body),
        });
      } else {
        await mine().delete();
      }
      return { ...answer, replayed: false };
    } catch (error) {
      // Once the change may have been sent, the next retry resumes it (at once: this attempt
      // is over); before that, nothing happened and the key is free again.
      await (recorded ? mine().update({ lease_until: 0 }) : mine().delete());
      throw error;
    }
  }

  /** Deletes expired answers, at most once a minute per process. */
  private async prune(now: number) {
    if (now - this.lastPruned < 60_000) {
      return;
    }
    this.lastPruned = now;
    const knex = await deliveryTables(this.database);
    await knex(IDEMPOTENCY_TABLE)
      .where('created_at', '<', now - this.options.retentionMs)
      .delete();
  }
}
