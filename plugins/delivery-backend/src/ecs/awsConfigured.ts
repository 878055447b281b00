import { Config } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';

/** Environment variables by which the AWS SDK's default chain finds credentials. */
const CREDENTIAL_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/**
 * Whether the portal has any way to reach AWS. Without it the ECS routes answer 503 at once with
 * what to configure, instead of every view waiting for the SDK's credential chain to give up.
 * `delivery.aws.enabled` decides when set (e.g. `true` for an EC2 instance profile).
 */
export function isAwsConfigured(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const explicit = config.getOptionalBoolean('delivery.aws.enabled');
  if (explicit !== undefined) {
    return explicit;
  }
  return (
    config.has('aws') ||
    config.has('delivery.aws.endpoint') ||
    CREDENTIAL_ENV.some(name => !!env[name])
  );
}

/** The 503 of every ECS route and action while AWS is not configured, naming what to add. */
export function requireAwsConfigured(awsConfigured: boolean): void {
  if (!awsConfigured) {
    throw new ServiceUnavailableError(
      'AWS is not configured for the delivery plugin: add aws.accounts (or aws.mainAccount) to app-config, see the delivery backend README',
    );
  }
}
