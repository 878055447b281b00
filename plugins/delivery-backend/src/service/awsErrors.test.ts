import {
  AccessDeniedException,
  ClientException,
  ClusterNotFoundException,
  ServiceNotFoundException,
} from '@aws-sdk/client-ecs';
import { ECSServiceException } from '@aws-sdk/client-ecs';
import {
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { mapAwsError } from './awsErrors';

const meta = { $metadata: {} };

describe('mapAwsError', () => {
  it('maps a missing service to NotFoundError', () => {
    const error = mapAwsError(
      new ServiceNotFoundException({ message: 'Service not found.', ...meta }),
      'ecs:DescribeServices',
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain('Service not found.');
  });

  it('maps a missing cluster to NotFoundError', () => {
    const error = mapAwsError(
      new ClusterNotFoundException({ message: 'Cluster not found.', ...meta }),
      'ecs:UpdateService',
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain('cluster');
  });

  it('maps access denied to NotAllowedError naming the IAM action', () => {
    const error = mapAwsError(
      new AccessDeniedException({ message: 'not authorized', ...meta }),
      'ecs:UpdateService',
    );
    expect(error).toBeInstanceOf(NotAllowedError);
    expect(error.message).toContain('ecs:UpdateService');
  });

  it('maps throttling to ServiceUnavailableError', () => {
    // ECS has no modelled ThrottlingException; the SDK throws its base class with that name.
    const error = mapAwsError(
      new ECSServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        ...meta,
      }),
      'ecs:DescribeServices',
    );
    expect(error).toBeInstanceOf(ServiceUnavailableError);
  });

  it('passes other errors through', () => {
    const original = new ClientException({ message: 'bad', ...meta });
    expect(mapAwsError(original, 'ecs:DescribeServices')).toBe(original);
    expect(mapAwsError('boom', 'ecs:X').message).toContain('boom');
  });
});
