import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/**
 * One JSON object per line on stdout, which the awslogs driver ships to CloudWatch Logs as is.
 * Level names instead of pino's numbers and ISO times keep Logs Insights queries readable.
 */
export function createLogger(
  options: { level: LogLevel; service: string; environment: string },
  destination: DestinationStream = pino.destination({ dest: 1, sync: true }),
): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, environment: options.environment },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: label => ({ level: label }) },
      redact: { paths: ['password', '*.password', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
    },
    destination,
  );
}
