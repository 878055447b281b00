import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { readServiceInfo, type ServiceInfo } from './service.ts';

/**
 * What every entry point (server, migrate) needs first. A configuration error ends the process
 * with exit code 1 and a fatal JSON log line listing each problem, the first thing to find in the
 * stopped task's CloudWatch log stream.
 */
export function startup(): { service: ServiceInfo; config: Config; logger: Logger } {
  const service = readServiceInfo();
  try {
    const config = loadConfig(process.env, service);
    const logger = createLogger({ level: config.logLevel, service: service.name, environment: config.environment });
    process.on('uncaughtException', error => {
      logger.fatal({ err: error }, 'uncaught exception');
      process.exit(1);
    });
    process.on('unhandledRejection', reason => {
      logger.fatal({ err: reason }, 'unhandled promise rejection');
      process.exit(1);
    });
    return { service, config, logger };
  } catch (error) {
    const logger = createLogger({
      level: 'info',
      service: service.name,
      environment: process.env.ENVIRONMENT ?? 'local',
    });
    if (error instanceof ConfigError) logger.fatal({ problems: error.problems }, error.message);
    else logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }
}
