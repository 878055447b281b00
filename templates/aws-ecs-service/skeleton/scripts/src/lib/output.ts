import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

/** Progress for people; stdout stays free for the machine-readable result. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Prints the command's result as one JSON line on stdout. */
export function printResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Step outputs for later workflow steps (`steps.<id>.outputs.<name>`), when running in GitHub
 * Actions. A random delimiter per value keeps a value from ending the block early.
 */
export function setOutputs(outputs: Record<string, string | number | boolean | undefined>): void {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) return;
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    const delimiter = `ghadelimiter_${randomUUID()}`;
    appendFileSync(file, `${name}<<${delimiter}\n${String(value)}\n${delimiter}\n`);
  }
}

/** Markdown for the run's summary page, when running in GitHub Actions. */
export function appendSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  appendFileSync(file, `${markdown.trimEnd()}\n\n`);
}
