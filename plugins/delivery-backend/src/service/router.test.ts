import { ServiceUnavailableError } from '@backstage/errors';
import { retryAfterOnThrottling } from './router';
import { AwsThrottledError } from '../ecs/awsErrors';

describe('retryAfterOnThrottling', () => {
  it('adds Retry-After to throttling errors and passes the error on', () => {
    const res = { headersSent: false, setHeader: jest.fn() } as any;
    const next = jest.fn();
    const error = new AwsThrottledError('throttled');
    retryAfterOnThrottling(error, {} as any, res, next);
    expect(res.setHeader).toHaveBeenCalledWith('Retry-After', '5');
    expect(next).toHaveBeenCalledWith(error);
  });

  it('leaves other errors alone, including 503s that need config rather than patience', () => {
    for (const error of [
      new Error('x'),
      new ServiceUnavailableError('AWS is not configured'),
    ]) {
      const res = { headersSent: false, setHeader: jest.fn() } as any;
      const next = jest.fn();
      retryAfterOnThrottling(error, {} as any, res, next);
      expect(res.setHeader).not.toHaveBeenCalled();
      expect(next).toHaveBeenCalledWith(error);
    }
  });
});
