import { mockServices } from '@backstage/backend-test-utils';
import { UpstreamBreakers, UpstreamCircuitOpenError } from './UpstreamBreakers';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), {
    code: 'ECONNREFUSED',
    address: '127.0.0.1',
    port: 4566,
  });
const notFound = () =>
  Object.assign(new Error('no such service'), { status: 404 });

describe('UpstreamBreakers', () => {
  let now: number;
  beforeEach(() => {
    now = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  const breakers = () =>
    new UpstreamBreakers(
      { failures: 3, coolDownMs: 30_000 },
      error => (error as { status?: number }).status === undefined,
      mockServices.logger.mock(),
    );

  it('fails at once after repeated failures, naming the upstream and its last failure in words', async () => {
    const b = breakers();
    const call = jest.fn(async () => {
      throw refused();
    });
    for (let i = 0; i < 3; i++) {
      await expect(b.run('AWS ECS in eu-west-1', call)).rejects.toThrow(
        'ECONNREFUSED',
      );
    }
    const open = await b.run('AWS ECS in eu-west-1', call).catch(e => e);
    expect(open).toBeInstanceOf(UpstreamCircuitOpenError);
    expect(open.statusCode).toBe(503);
    expect(open.message).toContain(
      'AWS ECS in eu-west-1 failed 3 times in a row',
    );
    expect(open.message).toContain(
      'the connection was refused at 127.0.0.1:4566',
    );
    expect(open.message).not.toContain('ECONNREFUSED');
    expect(call).toHaveBeenCalledTimes(3);
    expect(b.states()).toEqual({ 'AWS ECS in eu-west-1': 'open' });
  });

  it('keeps other upstreams working while one is open', async () => {
    const b = breakers();
    for (let i = 0; i < 3; i++) {
      await b
        .run('GitHub at a', async () => {
          throw refused();
        })
        .catch(() => {});
    }
    await expect(b.run('GitHub at b', async () => 'ok')).resolves.toBe('ok');
  });

  it('does not count answers that say the request was wrong', async () => {
    const b = breakers();
    for (let i = 0; i < 5; i++) {
      await expect(
        b.run('GitHub', async () => {
          throw notFound();
        }),
      ).rejects.toThrow('no such service');
    }
    await expect(b.run('GitHub', async () => 'ok')).resolves.toBe('ok');
  });

  it('lets one call through after the cool-down and closes when it succeeds', async () => {
    const b = breakers();
    for (let i = 0; i < 3; i++) {
      await b
        .run('ECS', async () => {
          throw refused();
        })
        .catch(() => {});
    }
    now += 29_999;
    await expect(b.run('ECS', async () => 'ok')).rejects.toBeInstanceOf(
      UpstreamCircuitOpenError,
    );
    now += 1;
    await expect(b.run('ECS', async () => 'back')).resolves.toBe('back');
    expect(b.states()).toEqual({ ECS: 'closed' });
  });

  it('can be switched off', async () => {
    const b = new UpstreamBreakers(
      { failures: 0, coolDownMs: 30_000 },
      () => true,
      mockServices.logger.mock(),
    );
    const call = jest.fn(async () => {
      throw refused();
    });
    for (let i = 0; i < 10; i++) {
      await b.run('ECS', call).catch(() => {});
    }
    expect(call).toHaveBeenCalledTimes(10);
  });
});
