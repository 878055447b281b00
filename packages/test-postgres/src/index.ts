/*
 * A throwaway PostgreSQL server for tests. See ../README.md.
 */
export {
  startTemporaryPostgres,
  findPostgresBinDir,
  freeLoopbackPort,
} from './temporaryPostgres';
export type { TemporaryPostgres } from './temporaryPostgres';
