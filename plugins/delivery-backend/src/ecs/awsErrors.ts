import {
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';
import { networkFailureOf } from '../service/networkFailure';
import { UpstreamCircuitOpenError } from '../service/UpstreamBreakers';

/**
 * AWS throttled the plugin after the SDK's retries. A 503 like any other (same error name), but
 * the only one worth a `Retry-After`: the others (no credentials, AWS not configured) need config.
 */
export class AwsThrottledError extends ServiceUnavailableError {}

/** AWS could not be reached (refused, reset, DNS, timeout): a bad gateway, not our bug. */
export class AwsUnreachableError extends CustomErrorBase {
  readonly statusCode = 502;
}

/**
 * Maps an error thrown by the AWS SDK to a Backstage error that the error
 * middleware turns into a clear HTTP answer. `action` is the IAM action of the
 * failed call, e.g. `ecs:DescribeServices`.
 */
export function mapAwsError(error: unknown, action: string): Error {
  if (!isError(error)) {
    return new Error(`${action} failed: ${String(error)}`);
  }
  if (error instanceof UpstreamCircuitOpenError) {
    return error;
  }
  const network = networkFailureOf(error);
  if (network || error.name === 'TimeoutError') {
    const what = network?.what ?? 'no answer came in time';
    const where = network?.where ? ` at ${network.where}` : '';
    return new AwsUnreachableError(
      `Could not reach AWS for ${action}${where}: ${what}. Check that the backend can reach the ECS endpoint of the service's region (network, proxy, or delivery.aws.endpoint for a local AWS).`,
    );
  }
  if (
    error.name === 'SyntaxError' ||
    /Deserialization error|Unexpected end of JSON|is not valid JSON/i.test(
      error.message,
    )
  ) {
    return new AwsUnreachableError(
      `AWS answered ${action} with a response that is not valid JSON. Check what answers at the ECS endpoint of the service's region (a proxy or gateway in between, or delivery.aws.endpoint for a local AWS).`,
    );
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
    case 'ServiceDeploymentNotFoundException':
      return new NotFoundError(
        `ECS service deployment not found (${action}); refresh and try again: ${error.message}`,
      );
    case 'ConflictException':
      return new ConflictError(
        `ECS refused ${action} because the service changed meanwhile; refresh and try again: ${error.message}`,
      );
    case 'InvalidParameterException':
    case 'ClientException':
    case 'UnsupportedFeatureException':
      return new InputError(`ECS rejected ${action}: ${error.message}`);
    case 'ServiceNotActiveException':
      return new ConflictError(
        `ECS refused ${action}: the service is not ACTIVE (it is being deleted or was deleted): ${error.message}`,
      );
    case 'CredentialsProviderError':
      return new ServiceUnavailableError(
        `No AWS credentials for ${action}: configure aws.accounts (or aws.mainAccount) in app-config for the service's account, see the delivery backend README. ${error.message}`,
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
      return new AwsThrottledError(
        `AWS throttled ${action} after retries; try again in a few seconds.`,
      );
    default: {
      const status = (error as { $metadata?: { httpStatusCode?: number } })
        .$metadata?.httpStatusCode;
      if (
        (status ?? 0) >= 500 ||
        (error as { $fault?: string }).$fault === 'server'
      ) {
        return new AwsUnreachableError(
          `AWS answered ${action} with HTTP ${status ?? 'error'}${
            error.name && error.name !== 'Unknown' ? ` (${error.name})` : ''
          }: ECS failed on its side. The page shows the last good answer meanwhile; try again in a minute, and check the AWS Health Dashboard if it lasts.`,
        );
      }
      return error;
    }
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
