import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import { startup } from './startup.ts';

/**
 * Applies the pending SQL migrations in migrations/ and exits: 0 when the schema is up to date,
 * 1 when a migration failed (all pending ones run in one transaction, so nothing is half applied).
 * The deploy pipeline runs it as a one-off ECS task with the new image before the rollout.
 */
const { config, logger } = startup();

if (!config.database) {
  logger.info('this service has no database: nothing to migrate');
  process.exit(0);
}

try {
  const applied = await runner({
    databaseUrl: config.database,
    dir: fileURLToPath(new URL('../migrations', import.meta.url)),
    migrationsTable: 'pgmigrations',
    direction: 'up',
    count: Infinity,
    checkOrder: true,
    singleTransaction: true,
    logger: {
      debug: message => logger.debug(message),
      info: message => logger.info(message),
      warn: message => logger.warn(message),
      error: message => logger.error(message),
    },
  });
  logger.info({ applied: applied.map(migration => migration.name) }, `migrations done: ${applied.length} applied`);
  process.exit(0);
} catch (error) {
  logger.fatal({ err: error }, 'migration failed');
  process.exit(1);
}
