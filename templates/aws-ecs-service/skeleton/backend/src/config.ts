import { readFileSync } from 'node:fs';
import type { PoolConfig } from 'pg';
import type { ServiceInfo } from './service.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** libpq's sslmode names, so they mean what they mean to anyone who knows PostgreSQL. */
export const DB_SSL_MODES = ['verify-full', 'require', 'disable'] as const;

export interface Config {
  host: string;
  port: number;
  environment: string;
  logLevel: LogLevel;
  /** How long in-flight requests may take to finish after SIGTERM. */
  drainTimeoutMs: number;
  /** node-postgres settings; null when the service was generated without a database. */
  database: PoolConfig | null;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map(p => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the configuration from environment variables. Every problem is reported at
 * once, so a misconfigured task fails its first start with the whole list instead of one at a time.
 */
export function loadConfig(env: Env, service: ServiceInfo): Config {
  const vars = new EnvReader(env);
  const config: Config = {
    host: vars.string('HOST') ?? '0.0.0.0',
    port: vars.integer('PORT', 8080, 1, 65535),
    environment: vars.string('ENVIRONMENT') ?? 'local',
    logLevel: vars.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    // ECS sends SIGKILL 30 s after SIGTERM unless the task definition sets another stopTimeout.
    drainTimeoutMs: vars.integer('DRAIN_TIMEOUT_SECONDS', 25, 1, 600) * 1000,
    database: service.databaseEnabled ? readDatabase(vars) : null,
  };
  if (vars.problems.length > 0) throw new ConfigError(vars.problems);
  return config;
}

function readDatabase(vars: EnvReader): PoolConfig {
  const common: PoolConfig = {
    max: vars.integer('DB_POOL_MAX', 10, 1, 100),
    // Fail fast rather than hold requests and readiness probes while the database is unreachable.
    connectionTimeoutMillis: vars.integer('DB_CONNECT_TIMEOUT_MS', 5000, 100, 60000),
    idleTimeoutMillis: 30000,
    ssl: readSsl(vars),
  };

  const url = vars.string('DATABASE_URL');
  if (url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      vars.problems.push('DATABASE_URL must start with postgres:// or postgresql://');
    }
    // An sslmode in the URL wins over DB_SSL: node-postgres applies the URL's settings last.
    return { ...common, connectionString: url };
  }

  const settings = {
    DB_HOST: vars.string('DB_HOST'),
    DB_NAME: vars.string('DB_NAME'),
    DB_USERNAME: vars.string('DB_USERNAME'),
    DB_PASSWORD: vars.string('DB_PASSWORD'),
  };
  const missing = Object.entries(settings).filter(([, value]) => value === undefined);
  if (missing.length > 0) {
    vars.problems.push(
      `database settings missing: ${missing
        .map(([name]) => name)
        .join(', ')} (set them, or DATABASE_URL instead; DB_PORT defaults to 5432)`,
    );
  }
  if (settings.DB_PASSWORD !== undefined && looksLikeWholeSecret(settings.DB_PASSWORD)) {
    vars.problems.push(
      'DB_PASSWORD holds the whole JSON of the Secrets Manager secret; inject only its password key (valueFrom "<secret-arn>:password::")',
    );
  }
  return {
    ...common,
    host: settings.DB_HOST,
    port: vars.integer('DB_PORT', 5432, 1, 65535),
    database: settings.DB_NAME,
    user: settings.DB_USERNAME,
    password: settings.DB_PASSWORD,
  };
}

function readSsl(vars: EnvReader): PoolConfig['ssl'] {
  // RDS enforces TLS (rds.force_ssl), so verifying is the default and local databases opt out.
  const mode = vars.oneOf('DB_SSL', DB_SSL_MODES, 'verify-full');
  if (mode === 'disable') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  const caFile = vars.string('DB_SSL_CA_FILE');
  if (caFile === undefined) return { rejectUnauthorized: true };
  try {
    return { rejectUnauthorized: true, ca: readFileSync(caFile, 'utf8') };
  } catch (error) {
    vars.problems.push(`DB_SSL_CA_FILE cannot be read: ${(error as Error).message}`);
    return { rejectUnauthorized: true };
  }
}

/** The RDS-managed secret is JSON; injecting all of it instead of one key is an easy mistake. */
function looksLikeWholeSecret(value: string): boolean {
  if (!value.startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && 'password' in parsed;
  } catch {
    return false;
  }
}

/** Reads environment variables and collects what is wrong with them. */
class EnvReader {
  readonly problems: string[] = [];
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
  }

  /** An empty value is unset (a .env file, or a task definition from before the service had its database). */
  string(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value ? value : undefined;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const match = allowed.find(candidate => candidate === raw);
    if (match === undefined) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return match;
  }
}
