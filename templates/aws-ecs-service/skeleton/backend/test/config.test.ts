import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

const withDatabase = { name: 'orders-api', version: '1.0.0', databaseEnabled: true };
const withoutDatabase = { ...withDatabase, databaseEnabled: false };

/** What ecs.tf puts in the task definition (environment plus the two secrets). */
const ecsEnv = {
  PORT: '8080',
  ENVIRONMENT: 'prod',
  DB_HOST: 'orders-api-prod.abc.eu-west-1.rds.amazonaws.com',
  DB_PORT: '5432',
  DB_NAME: 'orders_api',
  DB_IAM_USER: 'orders_api_app',
  DB_USERNAME: 'app_admin',
  DB_PASSWORD: 's3cret',
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('connects to RDS with the variables ECS injects, verifying TLS', () => {
    const config = loadConfig(ecsEnv, withDatabase);
    assert.equal(config.port, 8080);
    assert.equal(config.environment, 'prod');
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.drainTimeoutMs, 25_000);
    assert.deepEqual(
      {
        host: config.database?.host,
        port: config.database?.port,
        database: config.database?.database,
        user: config.database?.user,
        password: config.database?.password,
        ssl: config.database?.ssl,
      },
      {
        host: ecsEnv.DB_HOST,
        port: 5432,
        database: 'orders_api',
        user: 'app_admin',
        password: 's3cret',
        ssl: { rejectUnauthorized: true },
      },
    );
  });

  it('trusts the CA bundle named by DB_SSL_CA_FILE', () => {
    const caFile = join(mkdtempSync(join(tmpdir(), 'config-test-')), 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = loadConfig({ ...ecsEnv, DB_SSL_CA_FILE: caFile }, withDatabase);
    assert.deepEqual(config.database?.ssl, {
      rejectUnauthorized: true,
      ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    });
  });

  it('turns TLS off or verification off only when asked', () => {
    assert.equal(loadConfig({ ...ecsEnv, DB_SSL: 'disable' }, withDatabase).database?.ssl, false);
    assert.deepEqual(loadConfig({ ...ecsEnv, DB_SSL: 'require' }, withDatabase).database?.ssl, {
      rejectUnauthorized: false,
    });
  });

  it('prefers DATABASE_URL over the separate variables', () => {
    const config = loadConfig(
      { DATABASE_URL: 'postgres://me:pw@db.internal:6543/shop', DB_SSL: 'disable' },
      withDatabase,
    );
    assert.equal(config.database?.connectionString, 'postgres://me:pw@db.internal:6543/shop');
    assert.equal(config.database?.host, undefined);
  });

  it('lists every problem at once, with what to set', () => {
    const problems = problemsOf(() =>
      loadConfig({ PORT: '80a', LOG_LEVEL: 'loud', DB_HOST: '', DRAIN_TIMEOUT_SECONDS: '0' }, withDatabase),
    );
    assert.deepEqual(problems, [
      'PORT must be a whole number from 1 to 65535 (got "80a")',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'DRAIN_TIMEOUT_SECONDS must be a whole number from 1 to 600 (got "0")',
      'database settings missing: DB_HOST, DB_NAME, DB_USERNAME, DB_PASSWORD (set them, or DATABASE_URL instead; DB_PORT defaults to 5432)',
    ]);
  });

  it('says so when the whole JSON secret was injected as the password', () => {
    const secret = JSON.stringify({ username: 'app_admin', password: 's3cret' });
    assert.deepEqual(
      problemsOf(() => loadConfig({ ...ecsEnv, DB_PASSWORD: secret }, withDatabase)),
      [
        'DB_PASSWORD holds the whole JSON of the Secrets Manager secret; inject only its password key (valueFrom "<secret-arn>:password::")',
      ],
    );
  });

  it('rejects a DATABASE_URL of another kind and an unreadable CA file', () => {
    assert.deepEqual(
      problemsOf(() =>
        loadConfig({ DATABASE_URL: 'mysql://db/shop', DB_SSL_CA_FILE: '/nonexistent/ca.pem' }, withDatabase),
      ).map(problem => problem.split(':')[0]),
      ['DB_SSL_CA_FILE cannot be read', 'DATABASE_URL must start with postgres'],
    );
  });

  it('needs no database settings when the service was generated without a database', () => {
    const config = loadConfig({ PORT: '8080', DB_HOST: '', DB_NAME: '' }, withoutDatabase);
    assert.equal(config.database, null);
  });
});
