/**
 * A failure the person running the pipeline can act on. The CLI prints its message as one line
 * (a GitHub Actions error annotation in a workflow) instead of a stack trace.
 */
export class PipelineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineError';
  }
}

/** Wrong or missing command-line options. */
export class UsageError extends PipelineError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A bounded wait ran out of time. */
export class TimeoutError extends PipelineError {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** True when `error` is an AWS SDK service exception with this name. */
export function isAwsError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
