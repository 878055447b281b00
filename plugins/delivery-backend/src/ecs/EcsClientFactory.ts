import { ECSClient } from '@aws-sdk/client-ecs';
import { Config } from '@backstage/config';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';

/**
 * Builds one `ECSClient` per account and region and reuses it (and its
 * keep-alive connections) across requests. Credentials come from
 * `@backstage/integration-aws-node` (`aws.*` config); `delivery.aws.endpoint`
 * overrides the endpoint, for local AWS emulators.
 */
export class EcsClientFactory {
  private readonly clients = new Map<string, Promise<ECSClient>>();

  static fromConfig(config: Config): EcsClientFactory {
    return new EcsClientFactory(
      DefaultAwsCredentialsManager.fromConfig(config),
      config.getOptionalString('delivery.aws.endpoint'),
      config.getOptionalNumber('delivery.aws.maxAttempts'),
    );
  }

  constructor(
    private readonly credentials: AwsCredentialsManager,
    private readonly endpoint?: string,
    private readonly maxAttempts?: number,
  ) {}

  /** The client for the account and region of an ECS ARN. */
  forArn(arn: string, region: string, accountId: string): Promise<ECSClient> {
    const key = `${accountId}/${region}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.credentials.getCredentialProvider({ arn }).then(
        ({ sdkCredentialProvider }) =>
          new ECSClient({
            region,
            endpoint: this.endpoint,
            credentials: sdkCredentialProvider,
            maxAttempts: this.maxAttempts,
          }),
      );
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  /** Closes every client's connections. */
  async destroy(): Promise<void> {
    for (const client of this.clients.values()) {
      (await client.catch(() => undefined))?.destroy();
    }
    this.clients.clear();
  }
}
