import { mockServices } from '@backstage/backend-test-utils';
import { GithubRepoClient } from './GithubClientFactory';
import { GithubReadCache } from './GithubReadCache';

const ref = {
  host: 'ghe.example.com',
  apiBaseUrl: 'https://ghe.example.com/api/v3',
  owner: 'acme',
  repo: 'web',
} as GithubRepoClient['ref'];

describe('GithubReadCache', () => {
  it('makes a new call after forgetInFlight instead of joining one from before a change', async () => {
    const answers: Array<(value: unknown) => void> = [];
    const request = jest.fn(
      () => new Promise(resolve => answers.push(resolve)),
    );
    const client = { ref, octokit: { request } } as unknown as GithubRepoClient;
    const reads = new GithubReadCache(
      mockServices.cache.mock({
        get: jest.fn(async () => undefined),
        set: jest.fn(async () => {}),
      }),
      mockServices.logger.mock(),
    );
    const context = { operation: 'list runs', permission: 'actions: read' };
    const route = 'GET /repos/{owner}/{repo}/actions/runs';

    const before = reads.get(client, route, { per_page: 20 }, context);
    const joined = reads.get(client, route, { per_page: 20 }, context);
    await new Promise(r => setImmediate(r));
    expect(request).toHaveBeenCalledTimes(1);

    reads.forgetInFlight(ref);
    const after = reads.get(client, route, { per_page: 20 }, context);
    await new Promise(r => setImmediate(r));
    expect(request).toHaveBeenCalledTimes(2);

    answers[0]({ data: { runs: 'before the re-run' }, headers: {} });
    answers[1]({ data: { runs: 'after the re-run' }, headers: {} });
    expect((await before).data).toEqual({ runs: 'before the re-run' });
    expect((await joined).data).toEqual({ runs: 'before the re-run' });
    expect((await after).data).toEqual({ runs: 'after the re-run' });
  });
});
