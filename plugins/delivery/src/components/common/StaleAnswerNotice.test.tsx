import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import {
  humaniseAge,
  pollWhileStale,
  staleAnswerAgeSeconds,
} from './staleAnswer';
import { StaleAnswerNotice } from './StaleAnswerNotice';
import { newIdempotencyKey } from './idempotencyKey';

const minutesAgo = (m: number) =>
  new Date(Date.now() - m * 60_000).toISOString();

describe('StaleAnswerNotice', () => {
  it('says how old the answer is, what could not be reached and why, as a warning, in one sentence', async () => {
    await renderInTestApp(
      <StaleAnswerNotice
        source="aws"
        staleAnswer={{
          fetchedAt: minutesAgo(4),
          ageSeconds: 1,
          reason: 'ThrottlingException: Rate exceeded.',
        }}
      />,
    );
    const notice = screen.getByRole('alert');
    expect(notice).toHaveTextContent(
      'Showing the answer from 4 minutes ago: AWS ECS could not be reached (ThrottlingException: Rate exceeded). It updates by itself when the connection is back.',
    );
    expect(notice.className).toMatch(/Warning/);
  });

  it('names GitHub, or the upstream it is given', async () => {
    await renderInTestApp(
      <>
        <StaleAnswerNotice
          source="github"
          staleAnswer={{
            fetchedAt: minutesAgo(2),
            ageSeconds: 120,
            reason: 'timeout',
          }}
        />
        <StaleAnswerNotice
          source="github"
          upstream="GitHub (the deployment history)"
          staleAnswer={{
            fetchedAt: minutesAgo(180),
            ageSeconds: 10800,
            reason: 'HTTP 502',
          }}
        />
      </>,
    );
    const [runs, history] = screen.getAllByRole('alert');
    expect(runs).toHaveTextContent(
      '2 minutes ago: GitHub could not be reached (timeout)',
    );
    expect(history).toHaveTextContent(
      '3 hours ago: GitHub (the deployment history) could not be reached (HTTP 502)',
    );
  });

  it('renders nothing for a fresh answer', async () => {
    await renderInTestApp(
      <div data-testid="around">
        <StaleAnswerNotice source="aws" />
      </div>,
    );
    expect(screen.getByTestId('around')).toBeEmptyDOMElement();
  });

  it('computes the age from fetchedAt, falling back to ageSeconds when it is unreadable or ahead of the clock', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(
      staleAnswerAgeSeconds(
        { fetchedAt: '2026-01-01T11:59:15Z', ageSeconds: 5, reason: '' },
        now,
      ),
    ).toBe(45);
    expect(
      staleAnswerAgeSeconds(
        { fetchedAt: 'yesterday', ageSeconds: 90, reason: '' },
        now,
      ),
    ).toBe(90);
    expect(
      staleAnswerAgeSeconds(
        { fetchedAt: '2026-01-01T12:00:30Z', ageSeconds: 20, reason: '' },
        now,
      ),
    ).toBe(20);
  });

  it('humanises ages in seconds, minutes, hours and days', () => {
    expect(humaniseAge(0)).toBe('0 seconds');
    expect(humaniseAge(1)).toBe('1 second');
    expect(humaniseAge(59.4)).toBe('59 seconds');
    expect(humaniseAge(60)).toBe('1 minute');
    expect(humaniseAge(4 * 60 + 59)).toBe('4 minutes');
    expect(humaniseAge(3600)).toBe('1 hour');
    expect(humaniseAge(47 * 3600)).toBe('47 hours');
    expect(humaniseAge(3 * 86400)).toBe('3 days');
  });

  it('polls a stale answer at most every retry interval, and a fresh one as before', () => {
    const stale = {
      staleAnswer: { fetchedAt: minutesAgo(1), ageSeconds: 60, reason: 'x' },
    };
    expect(pollWhileStale({}, undefined, 500)).toBeUndefined();
    expect(pollWhileStale({}, 3000, 500)).toBe(3000);
    expect(pollWhileStale(stale, undefined, 500)).toBe(500);
    expect(pollWhileStale(stale, 300, 500)).toBe(300);
  });
});

describe('newIdempotencyKey', () => {
  it('makes a new key each time, also without crypto.randomUUID', () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[\x21-\x7E]{16,255}$/);
    expect(newIdempotencyKey()).not.toBe(a);

    const randomUUID = globalThis.crypto?.randomUUID;
    try {
      if (globalThis.crypto) {
        Object.defineProperty(globalThis.crypto, 'randomUUID', {
          value: undefined,
          configurable: true,
        });
      }
      const b = newIdempotencyKey();
      expect(b).toMatch(/^[0-9a-f]{32}$/);
      expect(newIdempotencyKey()).not.toBe(b);
    } finally {
      if (globalThis.crypto) {
        Object.defineProperty(globalThis.crypto, 'randomUUID', {
          value: randomUUID,
          configurable: true,
        });
      }
    }
  });
});
