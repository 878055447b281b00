import { ServiceUnavailableError } from '@backstage/errors';
import { retryAfterOnThrottling } from './router';

describe('retryAfterOnThrottling', () => {
  it('adds Retry-After to throttling errors and passes the error on', () => {
    const res = { headersSent: false, setHeader: jest.fn() } as any;
    const next = jest.fn();
    const error = new ServiceUnavailableError('throttled');
    retryAfterOnThrottling(error, {} as any, res, next);
    expect(res.setHeader).toHaveBeenCalledWith('Retry-After', '5');
    expect(next).toHaveBeenCalledWith(error);
  });

  it('leaves other errors alone', () => {
    const res = { headersSent: false, setHeader: jest.fn() } as any;
    const next = jest.fn();
    retryAfterOnThrottling(new Error('x'), {} as any, res, next);
    expect(res.setHeader).not.toHaveBeenCalled();
    expect(next).toHaveBeenCalled();
  });
});
