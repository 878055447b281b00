import {
  ConflictError,
  CustomErrorBase,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ErrorRequestHandler } from 'express';
import { networkFailureOf } from '../service/networkFailure';
import { UpstreamCircuitOpenError } from '../service/UpstreamBreakers';

/** What a failed GitHub call was for, so its error can say what to fix. */
export interface GithubCallContext {
  /** e.g. `list the workflow runs of acme/web`. */
  operation: string;
  /** GitHub App permission (or token scope) the call needs, e.g. `actions: read`. */
  permission: string;
  /** Host of the `integrations.github` entry whose credentials were used. */
  host: string;
}

/** GitHub's rate limit is used up; clients should retry after `retryAfterSeconds`. */
export class GithubRateLimitedError extends ServiceUnavailableError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** GitHub failed (5xx or unreachable) after the retries: a bad gateway, not our bug. */
export class GithubUpstreamError extends CustomErrorBase {
  readonly statusCode = 502;
}

/** GitHub answered 304 Not Modified to a conditional request. */
export function isNotModified(error: unknown): boolean {
  return (error as { status?: number })?.status === 304;
}

function header(error: any, name: string): string | undefined {
  const value = error?.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** Seconds until GitHub lets the plugin call again, from its rate-limit headers. */
export function retryAfterSecondsOf(error: unknown, now = Date.now()): number {
  const retryAfter = Number(header(error, 'retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) {
    return Math.ceil(retryAfter);
  }
  // The reset time is the primary limit's; GitHub says to wait at least a minute for a
  // secondary limit that names no retry-after.
  const reset = Number(header(error, 'x-ratelimit-reset'));
  if (
    header(error, 'x-ratelimit-remaining') === '0' &&
    Number.isFinite(reset) &&
    reset > 0
  ) {
    return Math.max(1, Math.ceil(reset - now / 1000));
  }
  return 60;
}

function isRateLimited(error: any): boolean {
  const status = error?.status;
  if (status === 429) {
    return true;
  }
  return (
    status === 403 &&
    (header(error, 'x-ratelimit-remaining') === '0' ||
      /rate limit/i.test(String(error?.message ?? '')))
  );
}

function githubMessage(error: any): string {
  const data = error?.response?.data;
  const message =
    (data && typeof data === 'object' && typeof data.message === 'string'
      ? data.message
      : undefined) ?? String(error?.message ?? error);
  return message.slice(0, 500);
}

/**
 * Turns an Octokit `RequestError` into the plugin's HTTP answer. A 401 from GitHub is the
 * backend's credentials failing, not the user's, so it is a 503 about configuration (a 401 would
 * tell the frontend to sign the user in again).
 */
export function mapGithubError(
  error: unknown,
  context: GithubCallContext,
): Error {
  if (error instanceof UpstreamCircuitOpenError) {
    return error;
  }
  const e = error as any;
  const status: number | undefined =
    typeof e?.status === 'number' ? e.status : undefined;
  const network = networkFailureOf(error);
  if (network) {
    const where = network.where ? ` (${network.where})` : '';
    return new GithubUpstreamError(
      `Could not reach GitHub at ${context.host}${where} to ${context.operation}: ${network.what}. Check the apiBaseUrl of that integrations.github entry and that the backend can reach it.`,
    );
  }
  const said = githubMessage(e);
  if (status === undefined) {
    return error as Error;
  }
  if (isRateLimited(e)) {
    const seconds = retryAfterSecondsOf(e);
    const reset = new Date(Date.now() + seconds * 1000).toISOString();
    return new GithubRateLimitedError(
      `GitHub rate limit of the integration for ${context.host} is used up (while trying to ${context.operation}); it resets at ${reset}, retry after ${seconds} s`,
      seconds,
    );
  }
  if (status === 401) {
    return new ServiceUnavailableError(
      `GitHub rejected the credentials of the integrations.github entry for ${context.host} (401 ${said}): renew its token or check the GitHub App's id, private key and installation`,
    );
  }
  if (status === 403) {
    return new NotAllowedError(
      `GitHub refused to ${context.operation} with the credentials of the integrations.github entry for ${context.host} (403 ${said}): the token or GitHub App needs the "${context.permission}" permission on the repository`,
    );
  }
  if (status === 404) {
    return new NotFoundError(
      `GitHub could not ${context.operation} (404 ${said}): the repository or workflow does not exist, or the credentials of the integrations.github entry for ${context.host} cannot see it (they need "${context.permission}")`,
    );
  }
  if (status === 409 || status === 422) {
    return new ConflictError(
      `GitHub refused to ${context.operation} (${status} ${said})`,
    );
  }
  if (status >= 500) {
    return new GithubUpstreamError(
      `GitHub failed to ${context.operation} (${status} ${said}) after retries`,
    );
  }
  return new GithubUpstreamError(
    `GitHub answered ${status} to ${context.operation}: ${said}`,
  );
}

/** Adds `Retry-After` to answers caused by GitHub's rate limit, then defers to the error handler. */
export const retryAfterOnGithubRateLimit: ErrorRequestHandler = (
  error,
  _req,
  res,
  next,
) => {
  if (error instanceof GithubRateLimitedError && !res.headersSent) {
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
  }
  next(error);
};

/**
 * Whether an Octokit error says GitHub failed (unreachable, timing out, 5xx) rather than that
 * the request was wrong or answered 304. Only these open a breaker. Rate limits do not: they
 * belong to one token or installation, not to the host every repository shares, and already
 * fail at once with their own Retry-After.
 */
export function isGithubUpstreamFailure(error: unknown): boolean {
  const e = error as { status?: unknown } | undefined;
  if (!e || typeof e !== 'object') {
    return false;
  }
  if (networkFailureOf(error)) {
    return true;
  }
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === undefined) {
    return false;
  }
  return status >= 500;
}
