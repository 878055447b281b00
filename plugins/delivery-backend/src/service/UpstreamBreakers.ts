import { LoggerService } from '@backstage/backend-plugin-api';
import { CustomErrorBase } from '@backstage/errors';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
} from 'cockatiel';
import { networkFailureOf } from './networkFailure';

/** 503: an upstream failed so often in a row that it is not called for a short cool-down. */
export class UpstreamCircuitOpenError extends CustomErrorBase {
  name = 'UpstreamCircuitOpenError' as const;
  statusCode = 503;
}

/** When the breakers open, and for how long. */
export interface UpstreamBreakerOptions {
  /** Consecutive failed calls that open an upstream's breaker. Zero switches breakers off. */
  failures: number;
  /** How long an open breaker fails calls at once before it lets one through to try. */
  coolDownMs: number;
}

interface Breaker {
  policy: CircuitBreakerPolicy;
  lastFailure: string;
}

/**
 * One circuit breaker (cockatiel's) per upstream: the ECS endpoint of an account and region, a
 * GitHub host. After `failures` upstream failures in a row, calls fail at once with a 503 that
 * names the upstream, its last failure and when it is tried again, instead of each request
 * waiting through timeouts and retries; the reads then answer with their last good answer. After
 * the cool-down one call goes through; its success closes the breaker.
 */
export class UpstreamBreakers {
  private readonly breakers = new Map<string, Breaker>();

  constructor(
    private readonly options: UpstreamBreakerOptions,
    private readonly isFailure: (error: unknown) => boolean,
    private readonly logger: LoggerService,
  ) {}

  /** A failure in words for the open-breaker message: never a raw errno. */
  private static describe(error: unknown): string {
    const network = networkFailureOf(error);
    if (network) {
      return `${network.what}${network.where ? ` at ${network.where}` : ''}`;
    }
    const e = error as { name?: string; message?: string };
    return e?.message ? `${e.name ?? 'Error'}: ${e.message}` : String(error);
  }

  /** Runs one call to `upstream` (a name a person recognises, e.g. `AWS ECS in eu-west-1`). */
  async run<T>(upstream: string, call: () => Promise<T>): Promise<T> {
    if (this.options.failures <= 0) {
      return call();
    }
    const breaker = this.breakerOf(upstream);
    try {
      return await breaker.policy.execute(async () => {
        try {
          return await call();
        } catch (error) {
          if (this.isFailure(error)) {
            breaker.lastFailure = UpstreamBreakers.describe(error);
          }
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new UpstreamCircuitOpenError(
          `${upstream} failed ${
            this.options.failures
          } times in a row, so the portal does not call it for ${Math.round(
            this.options.coolDownMs / 1000,
          )} s after the last failure (${
            breaker.lastFailure
          }). Cached answers are served meanwhile; check the upstream's health and the backend's network.`,
        );
      }
      throw error;
    }
  }

  /** The state of each upstream's breaker that has been used, for logs and tests. */
  states(): Record<string, 'closed' | 'open' | 'half-open'> {
    const names = {
      [CircuitState.Closed]: 'closed',
      [CircuitState.Open]: 'open',
      [CircuitState.HalfOpen]: 'half-open',
      [CircuitState.Isolated]: 'open',
    } as const;
    return Object.fromEntries(
      [...this.breakers].map(([name, b]) => [name, names[b.policy.state]]),
    );
  }

  private breakerOf(upstream: string): Breaker {
    let breaker = this.breakers.get(upstream);
    if (!breaker) {
      const policy = circuitBreaker(handleWhen(this.isFailure), {
        halfOpenAfter: this.options.coolDownMs,
        breaker: new ConsecutiveBreaker(this.options.failures),
      });
      const created: Breaker = { policy, lastFailure: 'unknown' };
      policy.onBreak(() =>
        this.logger.warn(
          `${upstream} failed ${this.options.failures} times in a row; failing its calls at once for ${this.options.coolDownMs} ms (last failure: ${created.lastFailure})`,
        ),
      );
      policy.onReset(() => this.logger.info(`${upstream} answers again`));
      breaker = created;
      this.breakers.set(upstream, breaker);
    }
    return breaker;
  }
}
