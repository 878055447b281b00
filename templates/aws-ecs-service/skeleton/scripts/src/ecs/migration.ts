import {
  DescribeTasksCommand,
  type ECSClient,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { PipelineError } from '../lib/errors.ts';
import { log } from '../lib/output.ts';
import { poll } from '../lib/wait.ts';
import type { WaitOptions } from './rollout.ts';
import type { ServiceRef } from './service.ts';
import { pickContainer } from './taskDefinition.ts';

export interface MigrationResult {
  taskArn: string;
  exitCode: number;
  logStream?: string;
}

/**
 * RunTask input for a one-off task of `td` with `command`, in the service's own subnets and
 * security groups (so it reaches the database exactly as the service does) and capacity.
 */
export function migrationTaskInput(
  ref: ServiceRef,
  service: Service,
  td: TaskDefinition,
  containerName: string,
  command: string[],
): RunTaskCommandInput {
  const network = service.networkConfiguration;
  if (!network?.awsvpcConfiguration?.subnets?.length) {
    throw new PipelineError(
      `service ${ref.service} has no awsvpc network configuration to run the migration task in`,
    );
  }
  const capacity = service.capacityProviderStrategy ?? [];
  return {
    cluster: ref.cluster,
    taskDefinition: td.taskDefinitionArn,
    count: 1,
    startedBy: 'pipeline-migrate',
    networkConfiguration: network,
    ...(capacity.length > 0
      ? { capacityProviderStrategy: capacity }
      : { launchType: service.launchType ?? 'FARGATE' }),
    ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
    overrides: { containerOverrides: [{ name: containerName, command }] },
  };
}

/** Where awslogs writes the container's output, to point a reader at the logs. */
export function logStreamOf(td: TaskDefinition, containerName: string, taskArn: string): string | undefined {
  const options = td.containerDefinitions?.find(c => c.name === containerName)?.logConfiguration?.options;
  const group = options?.['awslogs-group'];
  const prefix = options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return undefined;
  return `${group} ${prefix}/${containerName}/${taskArn.split('/').pop()}`;
}

/** The outcome of a stopped task: exit code 0 of the container, or an error that says why not. */
export function migrationOutcome(task: Task, td: TaskDefinition, containerName: string): MigrationResult {
  const taskArn = task.taskArn ?? '';
  const logStream = logStreamOf(td, containerName, taskArn);
  const container = task.containers?.find(c => c.name === containerName);
  const where = logStream ? ` Logs: CloudWatch ${logStream}.` : '';
  if (container?.exitCode === 0) return { taskArn, exitCode: 0, logStream };
  if (container?.exitCode === undefined || container.exitCode === null) {
    const why = [task.stopCode, task.stoppedReason, container?.reason].filter(Boolean).join(': ');
    throw new PipelineError(`migration task ${taskArn} stopped without an exit code (${why || 'no reason given'}).${where}`);
  }
  throw new PipelineError(
    `migration task ${taskArn} failed: container ${containerName} exited with code ${container.exitCode}${
      container.reason ? ` (${container.reason})` : ''
    }.${where}`,
  );
}

/**
 * Runs the migration as a one-off task and waits for it to stop, bounded. On time-out the task is
 * left running (stopping a migration half-way is worse than waiting) and the error names it.
 */
export async function runMigration(
  ecs: ECSClient,
  ref: ServiceRef,
  service: Service,
  td: TaskDefinition,
  command: string[],
  containerName: string | undefined,
  options: WaitOptions,
): Promise<MigrationResult> {
  const container = pickContainer(td, containerName).name ?? '';
  const started = await ecs.send(new RunTaskCommand(migrationTaskInput(ref, service, td, container, command)));
  const failure = started.failures?.[0];
  const task = started.tasks?.[0];
  if (failure || !task?.taskArn) {
    throw new PipelineError(
      `migration task did not start: ${failure ? `${failure.reason ?? ''} ${failure.detail ?? ''} ${failure.arn ?? ''}`.trim() : 'RunTask returned no task'}`,
    );
  }
  const taskArn = task.taskArn;
  log(`migration task ${taskArn} started: ${command.join(' ')}`);
  const stopped = await poll<Task>(
    async () => {
      const answer = await ecs.send(new DescribeTasksCommand({ cluster: ref.cluster, tasks: [taskArn] }));
      const current = answer.tasks?.[0];
      log(`  ${taskArn.split('/').pop()} ${current?.lastStatus ?? 'unknown'}`);
      return current?.lastStatus === 'STOPPED' ? current : undefined;
    },
    { ...options, what: `migration task ${taskArn} (left running; stop it with aws ecs stop-task if needed)` },
  );
  return migrationOutcome(stopped, td, container);
}
