import { DatabaseService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { deliveryTables, LOCKS_TABLE } from './deliveryTables';

/** A held lock; `release` gives it up (only if this holder still has it). */
export interface LockLease {
  release(): Promise<void>;
}

/**
 * Named locks in the plugin's database, so that every replica sees them: one row per held lock,
 * with an expiry.
 *
 * A row rather than a PostgreSQL advisory lock: advisory locks belong to a database session, so
 * holding one across the AWS calls would pin one pooled connection per change; they do not exist
 * on SQLite, which the dev portal uses; and a row can be read back (who holds it, until when).
 * The price is that a replica killed while holding a lock blocks that service until the row
 * expires, so `ttlMs` must outlast the longest change (a few ECS calls, each with its own
 * timeout) and no more.
 */
export class ServiceLocks {
  constructor(
    private readonly database: DatabaseService,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the lock named `key`, or answers undefined when someone holds it and it has not expired. */
  async tryAcquire(key: string): Promise<LockLease | undefined> {
    const knex = await deliveryTables(this.database);
    const holder = randomUUID();
    const now = this.now();
    // The row exists from the first lock of this key on; taking it is one conditional update,
    // which only one transaction can win on either database.
    await knex(LOCKS_TABLE)
      .insert({ lock_key: key, holder: '', expires_at: 0 })
      .onConflict('lock_key')
      .ignore();
    const taken = await knex(LOCKS_TABLE)
      .where('lock_key', key)
      .andWhere('expires_at', '<=', now)
      .update({ holder, expires_at: now + this.ttlMs });
    if (taken !== 1) {
      return undefined;
    }
    return {
      release: async () => {
        await knex(LOCKS_TABLE)
          .where({ lock_key: key, holder })
          .update({ holder: '', expires_at: 0 });
      },
    };
  }
}
