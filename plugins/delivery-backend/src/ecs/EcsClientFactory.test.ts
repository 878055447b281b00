import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { mockServices } from '@backstage/backend-test-utils';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  UpstreamBreakers,
  UpstreamCircuitOpenError,
} from '../service/UpstreamBreakers';
import { awsCall } from './awsErrors';
import { EcsClientFactory, isEcsUpstreamFailure } from './EcsClientFactory';

const credentials = {
  getCredentialProvider: async () => ({
    sdkCredentialProvider: async () => ({
      accessKeyId: 'test',
      secretAccessKey: 'test',
    }),
  }),
} as unknown as AwsCredentialsManager;

describe('EcsClientFactory', () => {
  let server: http.Server;
  let endpoint: string;
  let requests = 0;

  beforeAll(async () => {
    // Takes every request and never answers: an ECS endpoint that hangs.
    server = http.createServer(() => {
      requests++;
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });

  it('gives up on a hanging ECS after the request timeout, then fails fast once the breaker opens', async () => {
    const factory = new EcsClientFactory(credentials, {
      endpoint,
      maxAttempts: 1,
      requestTimeoutMs: 200,
      breakers: new UpstreamBreakers(
        { failures: 2, coolDownMs: 60_000 },
        isEcsUpstreamFailure,
        mockServices.logger.mock(),
      ),
    });
    const ecs = await factory.forArn(
      'arn:aws:ecs:us-east-1:123456789012:service/c/s',
      'us-east-1',
      '123456789012',
    );
    const list = () =>
      awsCall('ecs:ListClusters', () => ecs.send(new ListClustersCommand({})));

    for (let i = 0; i < 2; i++) {
      const error = await list().catch(e => e);
      expect(error.statusCode).toBe(502);
      expect(error.message).toContain(
        'Could not reach AWS for ecs:ListClusters',
      );
    }
    const open = await list().catch(e => e);
    expect(open).toBeInstanceOf(UpstreamCircuitOpenError);
    expect(open.message).toContain(
      'AWS ECS of account 123456789012 in us-east-1',
    );
    expect(requests).toBe(2);
    await factory.destroy();
  });

  it('makes one attempt per change, however many a read gets', async () => {
    const before = requests;
    const factory = new EcsClientFactory(credentials, {
      endpoint,
      maxAttempts: 3,
      requestTimeoutMs: 100,
    });
    const arn = 'arn:aws:ecs:us-east-1:123456789012:service/c/s';
    const changes = await factory.forArn(arn, 'us-east-1', '123456789012', {
      forChanges: true,
    });
    await expect(changes.send(new ListClustersCommand({}))).rejects.toThrow();
    expect(requests - before).toBe(1);
    await factory.destroy();
  });
});
