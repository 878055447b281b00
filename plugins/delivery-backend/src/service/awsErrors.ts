import {
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';

/**
 * Maps an error thrown by the AWS SDK to a Backstage error that the error
 * middleware turns into a clear HTTP answer. `action` is the IAM action of the
 * failed call, e.g. `ecs:DescribeServices`.
 */
export function mapAwsError(error: unknown, action: string): Error {
  if (!isError(error)) {
    return new Error(`${action} failed: ${String(error)}`);
  }
  switch (error.name) {
    case 'ServiceNotFoundException':
      return new NotFoundError(
        `ECS service not found (${action}): ${error.message}`,
      );
    case 'ClusterNotFoundException':
      return new NotFoundError(
        `ECS cluster not found (${action}): ${error.message}`,
      );
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedOperation':
      return new NotAllowedError(
        `AWS denied ${action}; grant the IAM action ${action} to the portal's role. ${error.message}`,
      );
    case 'ThrottlingException':
    case 'Throttling':
    case 'TooManyRequestsException':
      return new ServiceUnavailableError(
        `AWS throttled ${action} after retries; try again in a few seconds.`,
      );
    default:
      return error;
  }
}

/** Runs an AWS call and maps its errors with {@link mapAwsError}. */
export async function awsCall<T>(
  action: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapAwsError(error, action);
  }
}
