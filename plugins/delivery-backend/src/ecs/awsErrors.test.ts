import {
  AccessDeniedException,
  ClientException,
  ClusterNotFoundException,
  ConflictException,
  InvalidParameterException,
  ServiceDeploymentNotFoundException,
  ServiceNotFoundException,
} from '@aws-sdk/client-ecs';
import { ECSServiceException } from '@aws-sdk/client-ecs';
import {
  ConflictError,
  InputError,
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

  it('maps a deployment that changed meanwhile to 409 and a gone one to 404', () => {
    expect(
      mapAwsError(
        new ConflictException({ message: 'already stopped', ...meta }),
        'ecs:StopServiceDeployment',
      ),
    ).toBeInstanceOf(ConflictError);
    expect(
      mapAwsError(
        new ServiceDeploymentNotFoundException({ message: 'gone', ...meta }),
        'ecs:StopServiceDeployment',
      ),
    ).toBeInstanceOf(NotFoundError);
  });

  it('maps a rejected parameter to InputError naming the call', () => {
    const error = mapAwsError(
      new InvalidParameterException({
        message: 'TaskDefinition is inactive',
        ...meta,
      }),
      'ecs:UpdateService',
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('ecs:UpdateService');
    expect(error.message).toContain('TaskDefinition is inactive');
  });

  it('maps missing credentials to 503 that says which config to add', () => {
    // The SDK's credential chain throws smithy's CredentialsProviderError (not re-exported).
    const missing = Object.assign(
      new Error('Could not load credentials from any providers'),
      { name: 'CredentialsProviderError' },
    );
    const error = mapAwsError(missing, 'ecs:DescribeServices');
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toContain('aws.accounts');
  });

  it('maps ECS refusing a change (ClientException) to 400 with its words, and passes unknown errors through', () => {
    const refused = mapAwsError(
      new ClientException({ message: 'TaskDefinition is inactive', ...meta }),
      'ecs:UpdateService',
    );
    expect(refused).toBeInstanceOf(InputError);
    expect(refused.message).toBe(
      'ECS rejected ecs:UpdateService: TaskDefinition is inactive',
    );
    const original = Object.assign(new Error('odd'), { name: 'OddException' });
    expect(mapAwsError(original, 'ecs:DescribeServices')).toBe(original);
    expect(mapAwsError('boom', 'ecs:X').message).toContain('boom');
  });

  it('maps an ECS failure on its side (5xx) and an answer that is not JSON to 502, without the raw error', () => {
    const unknown = Object.assign(new Error('upstream proxy: 503'), {
      name: 'Unknown',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
    const failed = mapAwsError(unknown, 'ecs:DescribeServices');
    expect((failed as any).statusCode).toBe(502);
    expect(failed.message).toContain(
      'AWS answered ecs:DescribeServices with HTTP 503: ECS failed on its side',
    );
    const cut = Object.assign(new Error('Unexpected end of JSON input'), {
      name: 'SyntaxError',
    });
    const malformed = mapAwsError(cut, 'ecs:ListTasks');
    expect((malformed as any).statusCode).toBe(502);
    expect(malformed.message).toContain('not valid JSON');
  });
});
