import { ResponseError } from '@backstage/errors';
import { DeliveryClient, entityPath } from './client';

function setup(status = 200, body: unknown = {}) {
  const fetch = jest.fn(
    async (_url: string, _init?: RequestInit) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      }),
  );
  const client = new DeliveryClient({
    discoveryApi: {
      getBaseUrl: async (id: string) => `http://backstage:7007/api/${id}`,
    },
    fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
  });
  return { client, fetch };
}

describe('DeliveryClient', () => {
  it('builds entity paths from refs and parts, encoding each part', () => {
    expect(entityPath('component:default/web')).toBe(
      '/v1/entities/default/component/web',
    );
    expect(entityPath('component:web')).toBe(
      '/v1/entities/default/component/web',
    );
    expect(
      entityPath({ kind: 'Component', namespace: 'a b', name: 'x/y' }),
    ).toBe('/v1/entities/a%20b/Component/x%2Fy');
  });

  it('GETs the ECS state from the discovered base URL', async () => {
    const { client, fetch } = setup(200, { serviceName: 'web' });
    await expect(client.getEcsState('component:default/web')).resolves.toEqual({
      serviceName: 'web',
    });
    expect(fetch).toHaveBeenCalledWith(
      'http://backstage:7007/api/delivery/v1/entities/default/component/web/ecs',
      expect.objectContaining({ method: 'GET', body: undefined }),
    );
  });

  it('POSTs rollback and stop-rollout bodies as JSON', async () => {
    const { client, fetch } = setup(202, {
      deploymentId: 'd',
      fromRevision: 3,
      toRevision: 2,
    });
    await client.rollbackEcs('component:default/web', {
      revision: 2,
      reason: 'bad',
    });
    await client.stopEcsRollout('component:default/web', { reason: 'bad' });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backstage:7007/api/delivery/v1/entities/default/component/web/ecs/rollback',
    );
    expect(fetch.mock.calls[0][1]).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"revision":2,"reason":"bad"}',
    });
    expect(fetch.mock.calls[1][0]).toMatch(/\/ecs\/stop-rollout$/);
    expect(fetch.mock.calls[1][1]?.body).toBe('{"reason":"bad"}');
    for (const [, init] of fetch.mock.calls) {
      expect(init?.headers).not.toHaveProperty('Idempotency-Key');
    }
  });

  it('sends the idempotency key of each change as the Idempotency-Key header', async () => {
    const { client, fetch } = setup(202, {});
    const entity = 'component:default/web';
    await client.rollbackEcs(
      entity,
      { revision: 2, reason: 'bad' },
      { idempotencyKey: 'k-rollback' },
    );
    await client.stopEcsRollout(
      entity,
      { reason: 'bad' },
      { idempotencyKey: 'k-stop' },
    );
    await client.rerunFailedJobs(entity, 42, { idempotencyKey: 'k-rerun' });
    await client.checkDrift(entity, { idempotencyKey: 'k-drift' });
    expect(fetch.mock.calls.map(([url, init]) => [url, init?.headers])).toEqual(
      [
        [
          expect.stringMatching(/\/ecs\/rollback$/),
          {
            'Content-Type': 'application/json',
            'Idempotency-Key': 'k-rollback',
          },
        ],
        [
          expect.stringMatching(/\/ecs\/stop-rollout$/),
          { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-stop' },
        ],
        [
          expect.stringMatching(/\/pipeline-runs\/42\/rerun-failed$/),
          { 'Idempotency-Key': 'k-rerun' },
        ],
        [
          expect.stringMatching(/\/drift\/check$/),
          { 'Idempotency-Key': 'k-drift' },
        ],
      ],
    );
    expect(fetch.mock.calls[2][1]?.method).toBe('POST');
    expect(fetch.mock.calls[3][1]?.method).toBe('POST');

    await client.checkDrift(entity, { idempotencyKey: '' });
    await client.getEcsState(entity);
    expect(fetch.mock.calls[4][1]?.headers).toBeUndefined();
    expect(fetch.mock.calls[5][1]?.headers).toBeUndefined();
  });

  it('puts only the given pipeline filters in the query', async () => {
    const { client, fetch } = setup(200, { runs: [] });
    await client.listPipelineRuns('component:default/web', {
      workflow: 'deploy.yml',
      branch: '',
      page: 2,
      perPage: 20,
    });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backstage:7007/api/delivery/v1/entities/default/component/web/pipeline-runs?workflow=deploy.yml&page=2&perPage=20',
    );
    await client.rerunFailedJobs('component:default/web', 42);
    expect(fetch.mock.calls[1][0]).toMatch(
      /\/pipeline-runs\/42\/rerun-failed$/,
    );
    expect(fetch.mock.calls[1][1]?.method).toBe('POST');
    await client.checkDrift('component:default/web');
    expect(fetch.mock.calls[2][0]).toMatch(/\/drift\/check$/);
    expect(fetch.mock.calls[2][1]?.method).toBe('POST');
    await expect(
      client.getPipelineJobs('component:default/web', Number('1/../x')),
    ).rejects.toThrow('Invalid run id');
  });

  it('throws a ResponseError carrying the status and the backend message', async () => {
    const { client } = setup(403, {
      error: {
        name: 'NotAllowedError',
        message: 'it needs the delivery.ecs.rollback permission',
      },
      response: { statusCode: 403 },
    });
    const error = await client
      .rollbackEcs('component:default/web', { revision: 2, reason: 'bad' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe(
      'it needs the delivery.ecs.rollback permission',
    );
  });
});
