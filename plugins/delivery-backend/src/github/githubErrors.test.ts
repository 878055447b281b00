import { isGithubUpstreamFailure, retryAfterSecondsOf } from './githubErrors';

const answer = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), {
    status,
    response: { status, headers, data: {} },
  });

describe('isGithubUpstreamFailure', () => {
  it('counts GitHub failing, not requests it refused or limits of one token', () => {
    expect(isGithubUpstreamFailure(answer(502))).toBe(true);
    expect(
      isGithubUpstreamFailure(
        Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
          status: 500,
        }),
      ),
    ).toBe(true);
    expect(isGithubUpstreamFailure(answer(304))).toBe(false);
    expect(isGithubUpstreamFailure(answer(404))).toBe(false);
    expect(
      isGithubUpstreamFailure(answer(403, { 'x-ratelimit-remaining': '0' })),
    ).toBe(false);
    expect(isGithubUpstreamFailure(answer(429))).toBe(false);
  });
});

describe('retryAfterSecondsOf', () => {
  const now = 1_700_000_000_000;
  const reset = String(now / 1000 + 600);

  it('takes retry-after first, then the reset of a used-up primary limit', () => {
    expect(retryAfterSecondsOf(answer(429, { 'retry-after': '7' }), now)).toBe(
      7,
    );
    expect(
      retryAfterSecondsOf(
        answer(403, {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': reset,
        }),
        now,
      ),
    ).toBe(600);
  });

  it('waits a minute for a secondary limit that names no retry-after, whatever the primary reset says', () => {
    expect(
      retryAfterSecondsOf(
        answer(403, {
          'x-ratelimit-remaining': '4000',
          'x-ratelimit-reset': String(now / 1000 + 3),
        }),
        now,
      ),
    ).toBe(60);
  });
});
