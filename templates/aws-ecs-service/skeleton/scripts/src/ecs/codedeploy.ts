import { CodeDeployClient, CreateDeploymentCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { PipelineError } from '../lib/errors.ts';
import { log } from '../lib/output.ts';
import { poll } from '../lib/wait.ts';
import { awsRegion } from './client.ts';
import type { RolloutResult, WaitOptions } from './rollout.ts';
import { pickContainer } from './taskDefinition.ts';

export interface CodeDeployTarget {
  application: string;
  deploymentGroup: string;
}

/**
 * AppSpec of an ECS blue/green deployment: the new task definition behind the container and port
 * the load balancer routes to (CodeDeploy swaps the target groups itself).
 */
export function appSpec(td: TaskDefinition, containerName?: string): string {
  const container = pickContainer(td, containerName);
  const port = container.portMappings?.[0]?.containerPort;
  if (!port) {
    throw new PipelineError(`container ${container.name} of ${td.family}:${td.revision} maps no port for the load balancer`);
  }
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: td.taskDefinitionArn,
            LoadBalancerInfo: { ContainerName: container.name, ContainerPort: port },
          },
        },
      },
    ],
  });
}

/**
 * Starts a CodeDeploy blue/green deployment of `td` and waits until it succeeds, fails or is
 * stopped. CodeDeploy rolls back by itself on failure and on the deployment group's alarms.
 */
export async function deployWithCodeDeploy(
  target: CodeDeployTarget,
  td: TaskDefinition,
  containerName: string | undefined,
  options: WaitOptions,
): Promise<RolloutResult> {
  const codedeploy = new CodeDeployClient({ region: awsRegion(), maxAttempts: 5 });
  const created = await codedeploy.send(
    new CreateDeploymentCommand({
      applicationName: target.application,
      deploymentGroupName: target.deploymentGroup,
      description: `${td.family}:${td.revision}`,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(td, containerName) } },
    }),
  );
  const deploymentId = created.deploymentId;
  if (!deploymentId) throw new PipelineError('CodeDeploy CreateDeployment returned no deployment id');
  log(`CodeDeploy deployment ${deploymentId} started for ${td.taskDefinitionArn}`);
  return poll<RolloutResult>(
    async () => {
      const { deploymentInfo: info } = await codedeploy.send(new GetDeploymentCommand({ deploymentId }));
      log(`  ${deploymentId} ${info?.status ?? 'unknown'}`);
      const result = (state: 'COMPLETED' | 'FAILED', reason?: string): RolloutResult => ({
        deploymentId,
        taskDefinitionArn: td.taskDefinitionArn ?? '',
        state,
        reason,
      });
      if (info?.status === 'Succeeded') return result('COMPLETED');
      if (info?.status === 'Failed' || info?.status === 'Stopped') {
        const rolledBack = info.rollbackInfo?.rollbackDeploymentId
          ? ` CodeDeploy rolled back in deployment ${info.rollbackInfo.rollbackDeploymentId}.`
          : '';
        return result('FAILED', `${info.errorInformation?.message ?? info.status}.${rolledBack}`);
      }
      return undefined;
    },
    { ...options, what: `CodeDeploy deployment ${deploymentId}` },
  );
}
