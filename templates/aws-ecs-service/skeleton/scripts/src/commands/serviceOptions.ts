import { parseOptions, requiredString, secondsOption, stringOption } from '../lib/options.ts';
import type { WaitOptions } from '../ecs/rollout.ts';
import type { ServiceRef } from '../ecs/service.ts';
import type { CodeDeployTarget } from '../ecs/codedeploy.ts';
import { UsageError } from '../lib/errors.ts';

/** Options every ECS command shares. */
export const SERVICE_OPTIONS = {
  cluster: { type: 'string' },
  service: { type: 'string' },
  container: { type: 'string' },
  'timeout-seconds': { type: 'string' },
  'poll-seconds': { type: 'string' },
  'codedeploy-app': { type: 'string' },
  'codedeploy-group': { type: 'string' },
} as const;

export type Parsed = ReturnType<typeof parseOptions>;

export function serviceRef(values: Parsed): ServiceRef {
  return { cluster: requiredString(values, 'cluster'), service: requiredString(values, 'service') };
}

export function waitOptions(values: Parsed, defaultTimeoutSeconds: number, defaultPollSeconds: number): WaitOptions {
  return {
    timeoutMs: secondsOption(values, 'timeout-seconds', defaultTimeoutSeconds),
    intervalMs: secondsOption(values, 'poll-seconds', defaultPollSeconds),
  };
}

/** The CodeDeploy application and group, required for services with the CODE_DEPLOY controller. */
export function codeDeployTarget(values: Parsed, service: string): CodeDeployTarget {
  const application = stringOption(values, 'codedeploy-app');
  const deploymentGroup = stringOption(values, 'codedeploy-group');
  if (!application || !deploymentGroup) {
    throw new UsageError(
      `service ${service} deploys blue/green through CodeDeploy; pass --codedeploy-app and --codedeploy-group`,
    );
  }
  return { application, deploymentGroup };
}
