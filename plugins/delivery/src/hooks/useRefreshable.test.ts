import { act, renderHook, waitFor } from '@testing-library/react';
import {
  REVALIDATE_AFTER_FIRST_LOAD_MS,
  useRefreshable,
} from './useRefreshable';

describe('useRefreshable', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reloads once, quietly, shortly after the first answer, and then only as polled', async () => {
    const answers = ['expired entry', 'refreshed entry', 'never asked'];
    let calls = 0;
    const load = jest.fn(async (): Promise<string> => answers[calls++]);
    const { result } = renderHook(() => useRefreshable('web', load));
    await waitFor(() => expect(result.current.value).toBe('expired entry'));

    const refreshingSeen: boolean[] = [];
    await act(async () => {
      jest.advanceTimersByTime(REVALIDATE_AFTER_FIRST_LOAD_MS);
      refreshingSeen.push(result.current.refreshing);
    });
    await waitFor(() => expect(result.current.value).toBe('refreshed entry'));
    // Quiet: the card shows no refresh indicator for it.
    expect(refreshingSeen).toEqual([false]);

    await act(async () => {
      jest.advanceTimersByTime(10 * REVALIDATE_AFTER_FIRST_LOAD_MS);
    });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps a shorter poll interval, and does not revalidate after an error', async () => {
    const failing = jest.fn(async () => {
      throw new Error('502 from the backend');
    });
    const { result } = renderHook(() => useRefreshable('web', failing));
    await waitFor(() => expect(result.current.error).toBeDefined());
    await act(async () => {
      jest.advanceTimersByTime(10 * REVALIDATE_AFTER_FIRST_LOAD_MS);
    });
    expect(failing).toHaveBeenCalledTimes(1);

    const polled = jest.fn(async () => 'rolling out');
    renderHook(() =>
      useRefreshable('other', polled, { pollIntervalMs: () => 500 }),
    );
    await waitFor(() => expect(polled).toHaveBeenCalledTimes(1));
    // Polled every 500 ms: the 2 s revalidation does not replace a shorter poll.
    for (let n = 2; n <= 4; n++) {
      await act(async () => {
        jest.advanceTimersByTime(500);
      });
      await waitFor(() => expect(polled).toHaveBeenCalledTimes(n));
    }
  });
});
