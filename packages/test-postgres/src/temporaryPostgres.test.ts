import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { startTemporaryPostgres, TemporaryPostgres } from './temporaryPostgres';

async function query(postgres: TemporaryPostgres, sql: string) {
  const client = new Client({
    host: postgres.host,
    port: postgres.port,
    user: postgres.user,
    database: 'postgres',
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startTemporaryPostgres', () => {
  let postgres: TemporaryPostgres | undefined;

  afterAll(async () => {
    await postgres?.stop();
  }, 60_000);

  it('serves on loopback, survives a pause with its data, and leaves nothing behind', async () => {
    postgres = await startTemporaryPostgres();
    expect(postgres.host).toBe('127.0.0.1');
    await query(
      postgres,
      'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)',
    );

    await postgres.pause();
    await expect(query(postgres, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);

    await postgres.resume();
    expect(await query(postgres, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);

    const [{ data_directory: dataDir }] = await query(
      postgres,
      'SHOW data_directory',
    );
    await postgres.stop();
    postgres = undefined;
    expect(existsSync(dataDir)).toBe(false);
  }, 120_000);
});
