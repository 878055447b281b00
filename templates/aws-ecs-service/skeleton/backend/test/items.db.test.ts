import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { pingDatabase } from '../src/database.ts';
import { createPgItemStore } from '../src/items.ts';

// Needs a database the migrations were applied to, as CI provides (npm run migrate, then npm test).
const url = process.env.DATABASE_URL;

describe('items in PostgreSQL', { skip: url ? false : 'DATABASE_URL is not set' }, () => {
  let pool: pg.Pool;
  let client: pg.PoolClient;

  before(async () => {
    pool = new pg.Pool({ connectionString: url, ssl: process.env.DB_SSL === 'disable' ? false : undefined });
    client = await pool.connect();
    // Everything below is rolled back: the database is left as the migrations made it.
    await client.query('BEGIN');
  });

  after(async () => {
    await client?.query('ROLLBACK');
    client?.release();
    await pool?.end();
  });

  it('answers a ping', async () => {
    await pingDatabase(pool, 2000);
  });

  it('stores items and lists the newest first', async () => {
    const store = createPgItemStore(client);
    const first = await store.create('first');
    const second = await store.create('second');
    assert.match(first.id, /^\d+$/);
    assert.ok(!Number.isNaN(Date.parse(first.createdAt)));
    const listed = await store.list(100);
    assert.deepEqual(listed.slice(0, 2), [second, first]);
    assert.deepEqual(
      (await store.list(1)).map(item => item.name),
      ['second'],
    );
  });

  it('has the schema enforce the name rules too', async () => {
    await client.query('SAVEPOINT too_long');
    await assert.rejects(createPgItemStore(client).create('x'.repeat(201)), { code: '23514' });
    await client.query('ROLLBACK TO SAVEPOINT too_long');
  });
});

describe('pingDatabase', () => {
  it('rejects within its timeout when nothing answers', async () => {
    const started = Date.now();
    const neverAnswers = { query: () => new Promise<never>(() => undefined) };
    await assert.rejects(pingDatabase(neverAnswers, 200), /no answer within 200 ms/);
    assert.ok(Date.now() - started < 1000);
  });
});
