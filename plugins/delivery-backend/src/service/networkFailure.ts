/** Words for the system errors a refused, dropped or unresolvable connection ends with. */
const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  ECONNABORTED: 'the connection was aborted',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS failure)',
  UND_ERR_SOCKET: 'the connection was closed',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer came in time',
};

/** A connection-level failure, in words a user can act on (never the raw errno). */
export interface NetworkFailure {
  /** e.g. `the connection was refused`. */
  what: string;
  /** `host:port` the connection went to, when the error says. */
  where?: string;
}

const CODE_IN_MESSAGE = new RegExp(
  `\\b(${Object.keys(NETWORK_FAILURES).join(
    '|',
  )})\\b(?:\\s+([\\w.:\\[\\]-]+))?`,
);

/**
 * The connection failure behind `error`, or undefined when it is not one. It looks through the
 * `cause` chain (fetch and the SDKs wrap the socket's error) for a system error code, and in the
 * messages: Octokit keeps only the cause's message (`connect ECONNREFUSED 10.0.0.5:443`), and the
 * AWS SDK wraps an error from another realm into "AWS SDK error wrapper for Error: ...".
 */
export function networkFailureOf(error: unknown): NetworkFailure | undefined {
  let current = error as
    | {
        code?: unknown;
        address?: unknown;
        port?: unknown;
        message?: unknown;
        cause?: unknown;
      }
    | undefined;
  for (
    let depth = 0;
    current && typeof current === 'object' && depth < 5;
    depth++
  ) {
    // Octokit's RequestError (an HTTP answer, with `status`) has a deprecated `code` getter
    // that logs a warning when read; only system errors carry an errno code.
    const raw = 'status' in current ? undefined : current.code;
    const code =
      typeof raw === 'string' && NETWORK_FAILURES[raw] ? raw : undefined;
    if (code) {
      const address =
        typeof current.address === 'string' ? current.address : undefined;
      const port =
        typeof current.port === 'number' || typeof current.port === 'string'
          ? `:${current.port}`
          : '';
      return {
        what: NETWORK_FAILURES[code],
        ...(address ? { where: `${address}${port}` } : {}),
      };
    }
    // fetch's AbortSignal.timeout, and the SDKs' own request timeouts.
    if (
      (current as { name?: unknown }).name === 'TimeoutError' ||
      (typeof current.message === 'string' &&
        /aborted due to timeout|timed out after \d+/i.test(current.message))
    ) {
      return { what: 'no answer came within the request timeout' };
    }
    // undici's and Node's words for a connection the other end dropped, kept by Octokit without
    // their code.
    if (
      typeof current.message === 'string' &&
      /other side closed|socket hang up/i.test(current.message)
    ) {
      return { what: 'the connection was closed before an answer came' };
    }
    const inMessage =
      typeof current.message === 'string'
        ? CODE_IN_MESSAGE.exec(current.message)
        : null;
    if (inMessage) {
      return {
        what: NETWORK_FAILURES[inMessage[1]],
        ...(inMessage[2] ? { where: inMessage[2] } : {}),
      };
    }
    current = current.cause as typeof current;
  }
  return undefined;
}
