import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createApp, type AppDependencies } from '../src/app.ts';
import type { Item, ItemStore } from '../src/items.ts';

const service = { name: 'orders-api', version: '1.2.3', databaseEnabled: true };

function memoryItems(): ItemStore & { saved: Item[] } {
  const saved: Item[] = [];
  return {
    saved,
    list: limit => Promise.resolve(saved.slice(-limit).reverse()),
    create: name => {
      const item = { id: String(saved.length + 1), name, createdAt: new Date(0).toISOString() };
      saved.push(item);
      return Promise.resolve(item);
    },
  };
}

function appWith(overrides: Partial<AppDependencies> = {}) {
  return createApp({
    logger: pino({ level: 'silent' }),
    service,
    environment: 'test',
    database: { ping: () => Promise.resolve(), items: memoryItems() },
    isShuttingDown: () => false,
    ...overrides,
  });
}

async function call(app: ReturnType<typeof createApp>, path: string, init?: RequestInit) {
  const response = await app.request(path, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const postItem = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('health', () => {
  it('is live whatever the database does', async () => {
    const app = appWith({ database: { ping: () => Promise.reject(new Error('down')), items: memoryItems() } });
    assert.deepEqual(await call(app, '/health'), { status: 200, body: { status: 'ok' } });
  });

  it('is ready when the database answers', async () => {
    assert.deepEqual(await call(appWith(), '/health/ready'), {
      status: 200,
      body: { status: 'ready', checks: { database: 'ok' } },
    });
  });

  it('is unready, with a reason but no connection details, when the database does not answer', async () => {
    const ping = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.3.4:5432'));
    const app = appWith({ database: { ping, items: memoryItems() } });
    assert.deepEqual(await call(app, '/health/ready'), {
      status: 503,
      body: { status: 'unavailable', reason: 'database unreachable' },
    });
  });

  it('is unready once shutting down', async () => {
    assert.deepEqual(await call(appWith({ isShuttingDown: () => true }), '/health/ready'), {
      status: 503,
      body: { status: 'unavailable', reason: 'shutting down' },
    });
  });

  it('is ready without a database when the service has none', async () => {
    const app = appWith({ database: undefined, service: { ...service, databaseEnabled: false } });
    assert.deepEqual(await call(app, '/health/ready'), {
      status: 200,
      body: { status: 'ready', checks: { database: 'disabled' } },
    });
  });
});

describe('API', () => {
  it('describes the service', async () => {
    assert.deepEqual(await call(appWith(), '/api/info'), {
      status: 200,
      body: { name: 'orders-api', version: '1.2.3', environment: 'test', database: true },
    });
  });

  it('stores an item and lists it, newest first', async () => {
    const app = appWith();
    assert.equal((await call(app, '/api/items', postItem('{"name":"  first  "}'))).status, 201);
    const created = await call(app, '/api/items', postItem('{"name":"second"}'));
    assert.deepEqual(created, {
      status: 201,
      body: { item: { id: '2', name: 'second', createdAt: '1970-01-01T00:00:00.000Z' } },
    });
    const listed = await call(app, '/api/items');
    assert.deepEqual(
      (listed.body.items as Item[]).map(item => item.name),
      ['second', 'first'],
    );
  });

  it('rejects items without a usable name', async () => {
    const app = appWith();
    for (const [body, error] of [
      ['not json', 'name must be a string'],
      ['{"name": 42}', 'name must be a string'],
      ['{"name": "   "}', 'name must not be empty'],
      [JSON.stringify({ name: 'x'.repeat(201) }), 'name must be at most 200 characters'],
    ]) {
      assert.deepEqual(await call(app, '/api/items', postItem(body!)), { status: 400, body: { error } });
    }
  });

  it('answers 503 when the database is unreachable and 500 on other failures, without details', async () => {
    const failingWith = (error: Error) =>
      appWith({
        database: {
          ping: () => Promise.resolve(),
          items: { list: () => Promise.reject(error), create: () => Promise.reject(error) },
        },
      });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    assert.deepEqual(await call(failingWith(refused), '/api/items'), {
      status: 503,
      body: { error: 'database unavailable' },
    });
    // After the database secret rotates, a task that still has the old password cannot connect.
    const rotated = Object.assign(new Error('password authentication failed for user "app_admin"'), {
      code: '28P01',
    });
    assert.deepEqual(await call(failingWith(rotated), '/api/items'), {
      status: 503,
      body: { error: 'database unavailable' },
    });
    const bug = Object.assign(new Error('column "nme" does not exist'), { code: '42703' });
    assert.deepEqual(await call(failingWith(bug), '/api/items'), {
      status: 500,
      body: { error: 'internal server error' },
    });
  });

  it('has no item routes when the service has no database', async () => {
    const app = appWith({ database: undefined });
    assert.deepEqual(await call(app, '/api/items'), { status: 404, body: { error: 'not found' } });
    assert.equal((await call(app, '/api/info')).body.database, false);
  });
});
