import { DatabaseService } from '@backstage/backend-plugin-api';

/** The plugin database's client (knex). */
export type DeliveryKnex = Awaited<ReturnType<DatabaseService['getClient']>>;

/** Per-service locks of the changes (rollback, stop-rollout), shared by every replica. */
export const LOCKS_TABLE = 'delivery_locks';
/** Stored answers of changes sent with an `Idempotency-Key`. */
export const IDEMPOTENCY_TABLE = 'delivery_idempotency';

async function createTable(
  knex: DeliveryKnex,
  name: string,
  build: Parameters<DeliveryKnex['schema']['createTable']>[1],
) {
  if (await knex.schema.hasTable(name)) {
    return;
  }
  try {
    await knex.schema.createTable(name, build);
  } catch (error) {
    // Another replica may have created it in between.
    if (!(await knex.schema.hasTable(name))) {
      throw error;
    }
  }
}

const ready = new WeakMap<DatabaseService, Promise<DeliveryKnex>>();

/**
 * The plugin's database with the lock and idempotency tables, created on first use (as the drift
 * notifier's table is). Times are epoch milliseconds in integer columns, so comparisons mean the
 * same on SQLite (the dev portal) and PostgreSQL whatever the server's time zone.
 */
export function deliveryTables(
  database: DatabaseService,
): Promise<DeliveryKnex> {
  let knex = ready.get(database);
  if (!knex) {
    knex = (async () => {
      const client = await database.getClient();
      await createTable(client, LOCKS_TABLE, table => {
        table.string('lock_key', 512).primary();
        table.string('holder', 64).notNullable();
        table.bigInteger('expires_at').notNullable();
      });
      await createTable(client, IDEMPOTENCY_TABLE, table => {
        table.string('scope_key', 64).primary();
        table.string('request_hash', 64).notNullable();
        table.string('state', 16).notNullable();
        table.string('holder', 64).notNullable();
        table.bigInteger('lease_until').notNullable();
        table.integer('status');
        table.text('body');
        table.text('progress');
        table.bigInteger('created_at').notNullable().index();
      });
      return client;
    })();
    ready.set(database, knex);
    // A failure (database down) is retried on the next use.
    knex.catch(() => ready.delete(database));
  }
  return knex;
}
