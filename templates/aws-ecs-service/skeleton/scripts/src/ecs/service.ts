import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { PipelineError, isAwsError } from '../lib/errors.ts';

export interface ServiceRef {
  cluster: string;
  service: string;
}

/**
 * The ECS service, or an error that says which of cluster or service is missing (ECS answers a
 * missing cluster with an exception, a missing service with a "MISSING" failure).
 */
export async function describeService(ecs: ECSClient, ref: ServiceRef): Promise<Service> {
  const region = await ecs.config.region();
  let answer;
  try {
    answer = await ecs.send(
      new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }),
    );
  } catch (error) {
    if (isAwsError(error, 'ClusterNotFoundException')) {
      throw new PipelineError(
        `ECS cluster "${ref.cluster}" does not exist in ${region}; check the cluster name and AWS_REGION.`,
      );
    }
    throw error;
  }
  const service = answer.services?.find(s => s.serviceName === ref.service || s.serviceArn === ref.service);
  if (!service || service.status === 'INACTIVE') {
    throw new PipelineError(
      `ECS service "${ref.service}" does not exist in cluster "${ref.cluster}" (${region}); check the service name.`,
    );
  }
  return service;
}

/** The service's deployment controller: ECS (rolling), CODE_DEPLOY (blue/green) or EXTERNAL. */
export function deploymentController(service: Service): string {
  return service.deploymentController?.type ?? 'ECS';
}
