import {
  DescribeTasksCommand,
  DesiredStatus,
  ECSClient,
  ListTasksCommand,
  Task,
} from '@aws-sdk/client-ecs';
import { EcsTask } from '@cicd-aws/plugin-delivery-common';
import { awsCall } from './awsErrors';
import { parseTaskDefinition } from './serviceArn';

/** How many tasks the state carries: running and pending ones first, then the newest stopped. */
export const MAX_TASKS = 100;
/** ListTasks pages read per desired status (100 ARNs each), so a crash-looping service cannot make a view unbounded. */
export const MAX_TASK_LIST_PAGES = 3;
/** DescribeTasks accepts at most 100 tasks per call. */
export const DESCRIBE_TASKS_BATCH = 100;

const iso = (date?: Date) => date?.toISOString();

async function listTaskArns(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  desiredStatus: DesiredStatus,
): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_TASK_LIST_PAGES; page++) {
    const command = new ListTasksCommand({
      cluster,
      serviceName,
      desiredStatus,
      maxResults: 100,
      nextToken,
    });
    const result = await awsCall('ecs:ListTasks', () => ecs.send(command));
    arns.push(...(result.taskArns ?? []));
    nextToken = result.nextToken;
    if (!nextToken) {
      break;
    }
  }
  return arns;
}

async function describeTasks(
  ecs: ECSClient,
  cluster: string,
  arns: string[],
): Promise<Task[]> {
  const batches: string[][] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_TASKS_BATCH) {
    batches.push(arns.slice(i, i + DESCRIBE_TASKS_BATCH));
  }
  const results = await Promise.all(
    batches.map(tasks =>
      awsCall('ecs:DescribeTasks', () =>
        ecs.send(new DescribeTasksCommand({ cluster, tasks })),
      ),
    ),
  );
  // A task listed a moment ago may be gone (MISSING in `failures`): it is simply not shown.
  return results.flatMap(r => r.tasks ?? []);
}

/** Stopped, or on its way there (ECS set its desired status to STOPPED). */
const isStopping = (t: Task) =>
  t.desiredStatus === 'STOPPED' || t.lastStatus === 'STOPPED';

const time = (date?: Date) => date?.getTime() ?? 0;

/**
 * Running and pending tasks first (newest first, so a rollout's new tasks lead), then stopped ones
 * by when they stopped, newest first; a task still stopping counts as the newest.
 */
export function orderTasks(tasks: Task[]): Task[] {
  const active = tasks
    .filter(t => !isStopping(t))
    .sort((a, b) => time(b.createdAt) - time(a.createdAt));
  const stopped = tasks
    .filter(isStopping)
    .sort(
      (a, b) =>
        (time(b.stoppedAt) || Number.MAX_SAFE_INTEGER) -
          (time(a.stoppedAt) || Number.MAX_SAFE_INTEGER) ||
        time(b.createdAt) - time(a.createdAt),
    );
  return [...active, ...stopped];
}

export function toEcsTask(task: Task): EcsTask {
  const taskArn = task.taskArn ?? '';
  return {
    taskArn,
    taskId: taskArn.split('/').pop() ?? taskArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: task.healthStatus,
    taskDefinitionArn: task.taskDefinitionArn,
    revision: task.taskDefinitionArn
      ? parseTaskDefinition(task.taskDefinitionArn)?.revision
      : undefined,
    startedBy: task.startedBy,
    availabilityZone: task.availabilityZone,
    createdAt: iso(task.createdAt),
    startedAt: iso(task.startedAt),
    stoppedAt: iso(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    containers: (task.containers ?? []).map(c => ({
      name: c.name ?? '',
      image: c.image,
      lastStatus: c.lastStatus,
      healthStatus: c.healthStatus,
      exitCode: c.exitCode,
      reason: c.reason,
    })),
  };
}

/**
 * The service's tasks: ListTasks for RUNNING and STOPPED (paged, bounded) in parallel, then
 * DescribeTasks in parallel batches of 100. Stopped tasks are only described when running ones
 * leave room for them. A service without tasks has an empty list.
 */
export async function loadServiceTasks(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
): Promise<EcsTask[]> {
  const [running, stopped] = await Promise.all([
    listTaskArns(ecs, cluster, serviceName, 'RUNNING'),
    listTaskArns(ecs, cluster, serviceName, 'STOPPED'),
  ]);
  // A task can stop between the two lists and appear in both.
  const arns = [
    ...new Set(
      running.length >= MAX_TASKS ? running : [...running, ...stopped],
    ),
  ];
  if (arns.length === 0) {
    return [];
  }
  const tasks = await describeTasks(ecs, cluster, arns);
  return orderTasks(tasks).slice(0, MAX_TASKS).map(toEcsTask);
}
