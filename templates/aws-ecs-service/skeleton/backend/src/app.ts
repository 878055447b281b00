import { Hono } from 'hono';
import { isDatabaseUnavailable } from './database.ts';
import { parseNewItem, type ItemStore } from './items.ts';
import type { Logger } from './logger.ts';
import type { ServiceInfo } from './service.ts';

export interface AppDependencies {
  logger: Logger;
  service: ServiceInfo;
  environment: string;
  /** Absent when the service was generated without a database. */
  database?: {
    /** Resolves when the database answers, rejects otherwise (bounded in time). */
    ping(): Promise<void>;
    items: ItemStore;
  };
  /** True once SIGTERM arrived: readiness fails so nothing new is routed here. */
  isShuttingDown(): boolean;
}

const LIST_LIMIT = 100;

export function createApp(deps: AppDependencies): Hono {
  const { logger, database } = deps;
  const app = new Hono();

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const entry = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
    };
    // Load balancer probes arrive every few seconds per target: keep them out of info logs.
    if (c.req.path.startsWith('/health') && c.res.status < 500) logger.debug(entry, 'request');
    else logger.info(entry, 'request');
  });

  // Liveness: the process serves HTTP. Deliberately independent of the database, so an outage of
  // the database makes tasks unready (no traffic) rather than restarted in a loop.
  app.get('/health', c => c.json({ status: 'ok' }));

  app.get('/health/ready', async c => {
    if (deps.isShuttingDown()) return c.json({ status: 'unavailable', reason: 'shutting down' }, 503);
    if (!database) return c.json({ status: 'ready', checks: { database: 'disabled' } });
    try {
      await database.ping();
      return c.json({ status: 'ready', checks: { database: 'ok' } });
    } catch (error) {
      // The details (host names, addresses) go to the log, not to whoever can reach the probe.
      logger.warn({ err: error }, 'readiness: database check failed');
      return c.json({ status: 'unavailable', reason: 'database unreachable' }, 503);
    }
  });

  app.get('/api/info', c =>
    c.json({
      name: deps.service.name,
      version: deps.service.version,
      environment: deps.environment,
      database: Boolean(database),
    }),
  );

  if (database) {
    app.get('/api/items', async c => c.json({ items: await database.items.list(LIST_LIMIT) }));

    app.post('/api/items', async c => {
      const body: unknown = await c.req.json().catch(() => undefined);
      const parsed = parseNewItem(body);
      if ('error' in parsed) return c.json({ error: parsed.error }, 400);
      return c.json({ item: await database.items.create(parsed.name) }, 201);
    });
  }

  app.notFound(c => c.json({ error: 'not found' }, 404));

  app.onError((error, c) => {
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: error, method: c.req.method, path: c.req.path }, 'database unavailable');
      return c.json({ error: 'database unavailable' }, 503);
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal server error' }, 500);
  });

  return app;
}
