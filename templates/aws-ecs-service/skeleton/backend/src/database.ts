import { Pool, type PoolConfig } from 'pg';
import type { Logger } from './logger.ts';

export function createPool(config: PoolConfig, logger: Logger): Pool {
  const pool = new Pool(config);
  // An idle client whose connection drops (database restart, failover) emits 'error' on the pool;
  // unhandled, that event would crash the process instead of letting readiness report it.
  pool.on('error', error => {
    logger.warn({ err: error }, 'idle database connection lost');
  });
  return pool;
}

/** Resolves when the database answers a trivial query within timeoutMs, rejects otherwise. */
export async function pingDatabase(pool: Pick<Pool, 'query'>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([pool.query('SELECT 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * True for errors that mean "the database is not reachable right now" rather than a bug: network
 * errors, PostgreSQL's connection exceptions (class 08), refused credentials (class 28: after the
 * RDS-managed secret rotates, new connections of a task started with the old password fail until
 * ECS replaces it), shutdowns (57P01-57P03) and pool timeouts.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08') || code.startsWith('28') || /^57P0[123]$/.test(code)) return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated/i.test(error.message);
}
