import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { SwrCache } from '../cache/SwrCache';
import { GithubClientFactory } from './GithubClientFactory';
import { GithubReadCache } from './GithubReadCache';
import { PipelineService } from './PipelineService';

describe('GithubClientFactory', () => {
  let server: http.Server;
  let apiBaseUrl: string;
  const requests: string[] = [];

  beforeAll(async () => {
    // A GitHub that fails every call.
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'boom' }));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    apiBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });
  beforeEach(() => {
    requests.length = 0;
  });

  const client = async () => {
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [{ host: 'ghe.test', apiBaseUrl, token: 't' }],
        },
      }),
    );
    const credentials: GithubCredentialsProvider = {
      getCredentials: async () => ({ type: 'token', token: 't', headers: {} }),
    };
    const factory = new GithubClientFactory(
      integrations,
      credentials,
      mockServices.logger.mock(),
      { defaultHost: 'ghe.test', retries: 1 },
    );
    const ref = {
      host: 'ghe.test',
      apiBaseUrl,
      owner: 'acme',
      repo: 'web',
      htmlUrl: 'https://ghe.test/acme/web',
    };
    const { octokit } = await factory.forRepo(ref);
    return { ref, factory, octokit };
  };

  it('does not carry one call’s retries over to the next', async () => {
    const { octokit } = await client();
    const seen: unknown[] = [];
    // Registered last, so outermost: it sees the options every call starts from.
    octokit.hook.before('request', options => {
      seen.push((options.request as { retryCount?: number }).retryCount);
    });
    for (let i = 0; i < 2; i++) {
      await expect(
        octokit.request('GET /repos/{owner}/{repo}', {
          owner: 'acme',
          repo: 'web',
        }),
      ).rejects.toMatchObject({ status: 500 });
    }
    expect(seen).toEqual([undefined, undefined]);
    // Each call got its own retry: 2 attempts each.
    expect(requests).toHaveLength(4);
  }, 30_000);

  it('sends a re-run once when it fails: a lost answer is not resent blindly', async () => {
    const { ref, factory } = await client();
    const pipelines = new PipelineService(
      factory,
      new GithubReadCache(
        mockServices.cache.mock(),
        mockServices.logger.mock(),
      ),
      new SwrCache(mockServices.cache.mock(), mockServices.logger.mock(), {
        ttlMs: 0,
        staleWhileRevalidateMs: 0,
      }),
    );
    await expect(pipelines.rerunFailedJobs(ref, 7)).rejects.toMatchObject({
      statusCode: 502,
    });
    expect(requests).toEqual([
      'POST /repos/acme/web/actions/runs/7/rerun-failed-jobs',
    ]);
  }, 30_000);
});
