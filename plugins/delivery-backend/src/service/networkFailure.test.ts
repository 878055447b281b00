import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { Octokit } from '@octokit/rest';
import { createServer } from 'node:net';
import { AwsUnreachableError, awsCall } from '../ecs/awsErrors';
import { GithubUpstreamError, mapGithubError } from '../github/githubErrors';
import { networkFailureOf } from './networkFailure';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}

describe('connection failures of the upstreams', () => {
  it('answers an unreachable AWS with 502 naming the call, the address and what to check', async () => {
    const port = await closedPort();
    const ecs = new ECSClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const error = await awsCall('ecs:DescribeServices', () =>
      ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] })),
    ).catch(e => e);
    ecs.destroy();
    expect(error).toBeInstanceOf(AwsUnreachableError);
    expect(error.statusCode).toBe(502);
    expect(error.message).toBe(
      `Could not reach AWS for ecs:DescribeServices at 127.0.0.1:${port}: the connection was refused. Check that the backend can reach the ECS endpoint of the service's region (network, proxy, or delivery.aws.endpoint for a local AWS).`,
    );
    expect(error.message).not.toMatch(/ECONN/);
  });

  it('answers an unreachable GitHub with 502 naming the host and the integration to check', () => {
    // What Octokit throws outside Jest for a refused connection (checked with node): the fetch
    // error's cause message, status 500. Inside Jest the cause is lost ("fetch failed").
    const raw = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:443'), {
      name: 'HttpError',
      status: 500,
    });
    const error = mapGithubError(raw, {
      operation: 'read the repository acme/web',
      permission: 'metadata: read',
      host: 'ghe.example.com',
    });
    expect(error).toBeInstanceOf(GithubUpstreamError);
    expect(error.message).toBe(
      'Could not reach GitHub at ghe.example.com (10.0.0.5:443) to read the repository acme/web: the connection was refused. Check the apiBaseUrl of that integrations.github entry and that the backend can reach it.',
    );
  });

  it('still answers 502 when Octokit kept no cause', async () => {
    const port = await closedPort();
    const octokit = new Octokit({
      baseUrl: `http://127.0.0.1:${port}/api/v3`,
      request: { retries: 0 },
    });
    const raw = await octokit
      .request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'web' })
      .catch(e => e);
    const error = mapGithubError(raw, {
      operation: 'read the repository acme/web',
      permission: 'metadata: read',
      host: 'ghe.example.com',
    });
    expect(error).toBeInstanceOf(GithubUpstreamError);
    expect(error.message).not.toMatch(/ECONN/);
  });

  it('reads through wrapped causes, and leaves other errors alone', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), {
      code: 'ECONNRESET',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 4566,
    });
    expect(networkFailureOf(refused)).toEqual({
      what: 'the connection was refused',
      where: '127.0.0.1:4566',
    });
    expect(
      networkFailureOf(new Error('fetch failed', { cause: reset })),
    ).toEqual({ what: 'the connection was reset' });
    expect(networkFailureOf(new Error('Access denied'))).toBeUndefined();
    expect(
      networkFailureOf(new Error('wrapped', { cause: 'a string cause' })),
    ).toBeUndefined();
    expect(networkFailureOf(undefined)).toBeUndefined();
  });

  it('names a dropped connection and a timeout in words', () => {
    expect(networkFailureOf(new Error('other side closed'))).toEqual({
      what: 'the connection was closed before an answer came',
    });
    const timeout = Object.assign(
      new Error('The operation was aborted due to timeout'),
      {
        name: 'TimeoutError',
      },
    );
    expect(
      networkFailureOf(new Error('fetch failed', { cause: timeout })),
    ).toEqual({ what: 'no answer came within the request timeout' });
  });
});
