import type { Server } from 'node:http';
import type { Logger } from './logger.ts';

export interface GracefulShutdownOptions {
  server: Server;
  logger: Logger;
  drainTimeoutMs: number;
  /** Releases what requests used (the database pool), after they finished. */
  cleanup(): Promise<void>;
  exit(code: number): void;
}

export interface GracefulShutdown {
  /** Stops accepting connections, lets in-flight requests finish, cleans up and exits. */
  shutdown(signal: string): Promise<void>;
  isShuttingDown(): boolean;
}

/**
 * ECS stops a task by deregistering it from the load balancer, then SIGTERM, then SIGKILL after
 * the stop timeout (30 s by default). Exit code 0 means every in-flight request finished within
 * the drain window; 1 means some were cut off when it ended, or the cleanup failed.
 */
export function createGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const { server, logger, drainTimeoutMs } = options;
  let running: Promise<void> | undefined;

  async function drain(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const closed = new Promise<boolean>(resolve => {
      // Stops listening and closes the connections that are idle right now.
      server.close(() => resolve(true));
    });
    // A keep-alive connection whose request finishes after close() would stay open until the
    // client drops it (the ALB keeps them 60 s), so close each one as soon as it is idle.
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const expired = new Promise<boolean>(resolve => {
      timer = setTimeout(() => resolve(false), drainTimeoutMs);
    });
    const drained = await Promise.race([closed, expired]);
    clearTimeout(timer);
    clearInterval(sweeper);
    if (!drained) {
      logger.warn({ drainTimeoutMs }, 'drain window over: closing the remaining connections');
      server.closeAllConnections();
    }
    return drained;
  }

  async function run(signal: string): Promise<void> {
    logger.info({ signal, drainTimeoutMs }, 'shutting down: draining in-flight requests');
    let exitCode = (await drain()) ? 0 : 1;
    try {
      await options.cleanup();
    } catch (error) {
      logger.error({ err: error }, 'cleanup after drain failed');
      exitCode = 1;
    }
    logger.info({ exitCode }, 'stopped');
    options.exit(exitCode);
  }

  return {
    shutdown(signal) {
      if (running) logger.info({ signal }, 'already shutting down');
      running ??= run(signal);
      return running;
    },
    isShuttingDown: () => running !== undefined,
  };
}
