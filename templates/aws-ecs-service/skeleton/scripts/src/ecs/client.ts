import { ECSClient } from '@aws-sdk/client-ecs';
import { PipelineError } from '../lib/errors.ts';

/** The AWS region from the environment, or a clear error (the SDK's own is cryptic). */
export function awsRegion(): string {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new PipelineError(
      'AWS_REGION is not set; set it (configure-aws-credentials does in GitHub Actions) and run again.',
    );
  }
  return region;
}

/**
 * An ECS client for the environment's region and credentials. AWS_ENDPOINT_URL (or
 * AWS_ENDPOINT_URL_ECS) points it at another endpoint, as the SDK documents.
 */
export function ecsClient(): ECSClient {
  return new ECSClient({ region: awsRegion(), maxAttempts: 5 });
}
