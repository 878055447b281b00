import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';

type Spec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;
type Values = Record<string, string | boolean | undefined>;

/**
 * Parses `--name value` options. Unknown options and missing required ones are usage errors that
 * name the option, so a typo in a workflow fails at once with a readable message.
 */
export function parseOptions(argv: string[], spec: Spec, required: string[] = []): Values {
  let values: Values;
  try {
    values = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false })
      .values as Values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const missing = required.filter(name => values[name] === undefined || values[name] === '');
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map(name => `--${name}`).join(', ')}`);
  }
  return values;
}

export function stringOption(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function requiredString(values: Values, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined) throw new UsageError(`missing --${name}`);
  return value;
}

/** A positive number of seconds (fractions allowed), as milliseconds. */
export function secondsOption(values: Values, name: string, fallbackSeconds: number): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallbackSeconds * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--${name} must be a positive number of seconds, got "${raw}"`);
  }
  return Math.round(seconds * 1000);
}
