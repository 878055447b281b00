import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.ts';
import { createPool, pingDatabase } from './database.ts';
import { createPgItemStore } from './items.ts';
import { createGracefulShutdown } from './shutdown.ts';
import { startup } from './startup.ts';

// Below the load balancer's 5 s health check timeout, so a slow database reads as "unready".
const READINESS_TIMEOUT_MS = 2000;
// Longer than the ALB's 60 s idle timeout: otherwise Node may close a connection the ALB is about
// to reuse, and the client gets a 502.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

const { service, config, logger } = startup();
const pool = config.database ? createPool(config.database, logger) : undefined;

const server = createServer();
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;

const graceful = createGracefulShutdown({
  server,
  logger,
  drainTimeoutMs: config.drainTimeoutMs,
  cleanup: async () => {
    await pool?.end();
  },
  exit: code => process.exit(code),
});

const app = createApp({
  logger,
  service,
  environment: config.environment,
  database: pool && {
    ping: () => pingDatabase(pool, READINESS_TIMEOUT_MS),
    items: createPgItemStore(pool),
  },
  isShuttingDown: () => graceful.isShuttingDown(),
});
// The listener answers errors itself (the app's onError): nothing is left to await here.
const listener = getRequestListener(app.fetch);
server.on('request', (req, res) => void listener(req, res));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void graceful.shutdown(signal));
}

server.on('error', error => {
  logger.fatal({ err: error }, 'HTTP server error');
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  logger.info({ host: config.host, port: config.port, version: service.version, database: Boolean(pool) }, 'listening');
});
