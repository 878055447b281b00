import { ECSClient } from '@aws-sdk/client-ecs';
import { Config } from '@backstage/config';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { readOptionalDurationMs } from '../config';
import { networkFailureOf } from '../service/networkFailure';
import { UpstreamBreakers } from '../service/UpstreamBreakers';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
]);

/**
 * Whether an error of the AWS SDK says ECS failed (unreachable, timing out, throttling, 5xx, an
 * answer it could not parse) rather than that the request was wrong. Only these open a breaker.
 */
export function isEcsUpstreamFailure(error: unknown): boolean {
  const e = error as {
    name?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (!e || typeof e !== 'object') {
    return false;
  }
  return (
    networkFailureOf(error) !== undefined ||
    e.name === 'TimeoutError' ||
    e.name === 'SyntaxError' ||
    THROTTLING.has(e.name ?? '') ||
    e.$fault === 'server' ||
    e.$metadata?.httpStatusCode === 429 ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** How the ECS clients time out and retry. */
export interface EcsClientOptions {
  /** `delivery.aws.endpoint`: a local AWS emulator. */
  endpoint?: string;
  /** `delivery.aws.maxAttempts`: the SDK's attempts per call. */
  maxAttempts?: number;
  /** `delivery.aws.requestTimeout`: how long one attempt waits for an answer. */
  requestTimeoutMs?: number;
  /** One breaker per account and region (see {@link UpstreamBreakers}). */
  breakers?: UpstreamBreakers;
}

/**
 * Builds one `ECSClient` per account and region and reuses it (and its
 * keep-alive connections) across requests. Credentials come from
 * `@backstage/integration-aws-node` (`aws.*` config); `delivery.aws.endpoint`
 * overrides the endpoint, for local AWS emulators. Every call is bounded by a
 * request timeout and goes through the region's circuit breaker.
 */
export class EcsClientFactory {
  private readonly clients = new Map<string, Promise<ECSClient>>();

  static fromConfig(
    config: Config,
    breakers?: UpstreamBreakers,
  ): EcsClientFactory {
    return new EcsClientFactory(
      DefaultAwsCredentialsManager.fromConfig(config),
      {
        endpoint: config.getOptionalString('delivery.aws.endpoint'),
        maxAttempts: config.getOptionalNumber('delivery.aws.maxAttempts'),
        requestTimeoutMs: readOptionalDurationMs(
          config,
          'delivery.aws.requestTimeout',
          { seconds: 5 },
        ),
        breakers,
      },
    );
  }

  constructor(
    private readonly credentials: AwsCredentialsManager,
    private readonly options: EcsClientOptions = {},
  ) {}

  /**
   * The client for the account and region of an ECS ARN. `forChanges` gives one that makes a
   * single attempt per call: when a change's answer is lost the SDK cannot know whether ECS
   * applied it, so it is not resent blindly; the `Idempotency-Key` retry resumes it knowingly.
   */
  forArn(
    arn: string,
    region: string,
    accountId: string,
    options?: { forChanges?: boolean },
  ): Promise<ECSClient> {
    const forChanges = options?.forChanges ?? false;
    const key = `${accountId}/${region}/${forChanges ? 'changes' : 'reads'}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.credentials
        .getCredentialProvider({ arn })
        .then(({ sdkCredentialProvider }) =>
          this.create(region, accountId, sdkCredentialProvider, forChanges),
        );
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  private create(
    region: string,
    accountId: string,
    credentials: ECSClient['config']['credentials'],
    forChanges: boolean,
  ): ECSClient {
    const { endpoint, maxAttempts, requestTimeoutMs, breakers } = this.options;
    const ecs = new ECSClient({
      region,
      endpoint,
      credentials,
      maxAttempts: forChanges ? 1 : maxAttempts,
      requestHandler: requestTimeoutMs
        ? {
            requestTimeout: requestTimeoutMs,
            connectionTimeout: Math.min(requestTimeoutMs, 3_000),
            // Without it the SDK only logs a warning and keeps waiting.
            throwOnRequestTimeout: true,
            // requestTimeout ends at the headers; a body that stalls after them is cut by this.
            socketTimeout: requestTimeoutMs,
          }
        : undefined,
    });
    if (breakers) {
      const upstream = `AWS ECS of account ${accountId} in ${region}${
        endpoint ? ` (${endpoint})` : ''
      }`;
      // The initialize step wraps the SDK's retries: the breaker counts calls, not attempts.
      ecs.middlewareStack.add(
        next => args => breakers.run(upstream, () => next(args)),
        { step: 'initialize', name: 'deliveryCircuitBreaker' },
      );
    }
    return ecs;
  }

  /** Closes every client's connections. */
  async destroy(): Promise<void> {
    for (const client of this.clients.values()) {
      (await client.catch(() => undefined))?.destroy();
    }
    this.clients.clear();
  }
}
