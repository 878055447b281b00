import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  Task,
} from '@aws-sdk/client-ecs';
import { loadServiceTasks, MAX_TASK_LIST_PAGES, MAX_TASKS } from './EcsTasks';

const arn = (id: string) =>
  `arn:aws:ecs:us-east-1:123456789012:task/c/${id.padStart(32, '0')}`;
const td = (revision: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;

/**
 * A fake ECS with `tasks` (by desired status), paging ListTasks by 100 like ECS and refusing
 * DescribeTasks of more than 100 tasks like ECS. Records how many DescribeTasks run at once.
 */
function fakeEcs(tasks: Task[], options: { endlessPages?: boolean } = {}) {
  let inFlight = 0;
  const stats = { maxDescribesAtOnce: 0, describeSizes: [] as number[] };
  const send = jest.fn(async (command: unknown) => {
    if (command instanceof ListTasksCommand) {
      const { desiredStatus, nextToken, maxResults = 100 } = command.input;
      const arns = tasks
        .filter(t => t.desiredStatus === desiredStatus)
        .map(t => t.taskArn!);
      const start = Number(nextToken ?? 0);
      const end = start + maxResults;
      return {
        taskArns: arns.slice(start, end),
        nextToken:
          options.endlessPages || end < arns.length ? String(end) : undefined,
      };
    }
    if (command instanceof DescribeTasksCommand) {
      const wanted = command.input.tasks!;
      if (wanted.length > 100) {
        throw new Error('InvalidParameterException: at most 100 tasks');
      }
      stats.describeSizes.push(wanted.length);
      inFlight++;
      stats.maxDescribesAtOnce = Math.max(stats.maxDescribesAtOnce, inFlight);
      await new Promise(r => setTimeout(r, 10));
      inFlight--;
      return {
        tasks: wanted.flatMap(a => tasks.filter(t => t.taskArn === a)),
      };
    }
    throw new Error(`unexpected ${String(command)}`);
  });
  return { ecs: { send } as unknown as ECSClient, send, stats };
}

const running = (i: number, createdAt = new Date(i * 1000)): Task => ({
  taskArn: arn(`r${i}`),
  desiredStatus: 'RUNNING',
  lastStatus: 'RUNNING',
  healthStatus: 'HEALTHY',
  taskDefinitionArn: td(2),
  startedBy: 'ecs-svc/2',
  createdAt,
  startedAt: createdAt,
  containers: [{ name: 'app', image: 'nginx:2', lastStatus: 'RUNNING' }],
});
const stopped = (i: number, stoppedAt?: Date): Task => ({
  taskArn: arn(`s${i}`),
  desiredStatus: 'STOPPED',
  lastStatus: stoppedAt ? 'STOPPED' : 'DEACTIVATING',
  taskDefinitionArn: td(1),
  startedBy: 'ecs-svc/1',
  createdAt: new Date(i),
  stoppedAt,
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 1 }],
});

describe('loadServiceTasks', () => {
  it('describes 120 running tasks in two parallel DescribeTasks batches and keeps 100', async () => {
    const tasks = Array.from({ length: 120 }, (_, i) => running(i));
    const { ecs, send, stats } = fakeEcs([...tasks, stopped(1, new Date())]);
    const result = await loadServiceTasks(ecs, 'c', 'web');

    expect(stats.describeSizes.sort((a, b) => b - a)).toEqual([100, 20]);
    expect(stats.maxDescribesAtOnce).toBe(2);
    const lists = send.mock.calls.filter(
      ([c]) => c instanceof ListTasksCommand,
    );
    expect(lists.map(([c]) => (c as ListTasksCommand).input)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ desiredStatus: 'RUNNING', nextToken: '100' }),
        expect.objectContaining({ desiredStatus: 'STOPPED' }),
      ]),
    );
    expect(result).toHaveLength(MAX_TASKS);
    // newest first; the running ones fill the list, so the stopped one is left out
    expect(result[0].taskArn).toBe(arn('r119'));
    expect(result.every(t => t.lastStatus === 'RUNNING')).toBe(true);
  });

  it('lists running tasks first, then stopped ones by when they stopped, each task once', async () => {
    const tasks = [
      stopped(1, new Date(5000)),
      running(1),
      stopped(2, new Date(9000)),
      running(2),
      stopped(3), // still stopping
    ];
    const { ecs, send } = fakeEcs(tasks);
    // r2 stops between the two ListTasks calls: ECS lists it under both statuses
    send
      .mockImplementationOnce(send.getMockImplementation()!)
      .mockImplementationOnce(async () => ({
        taskArns: [arn('s1'), arn('s2'), arn('s3'), arn('r2')],
        nextToken: undefined,
      }));
    const result = await loadServiceTasks(ecs, 'c', 'web');
    expect(result.map(t => t.taskId)).toEqual(
      ['r2', 'r1', 's3', 's2', 's1'].map(id => id.padStart(32, '0')),
    );
    expect(result[3]).toEqual({
      taskArn: arn('s2'),
      taskId: 's2'.padStart(32, '0'),
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      taskDefinitionArn: td(1),
      revision: 1,
      startedBy: 'ecs-svc/1',
      createdAt: new Date(2).toISOString(),
      stoppedAt: new Date(9000).toISOString(),
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 1 }],
    });
  });

  it('stops paging ListTasks after a bounded number of pages', async () => {
    const { ecs, send } = fakeEcs([running(1)], { endlessPages: true });
    await loadServiceTasks(ecs, 'c', 'web');
    const lists = send.mock.calls.filter(
      ([c]) => c instanceof ListTasksCommand,
    );
    expect(lists).toHaveLength(2 * MAX_TASK_LIST_PAGES);
  });

  it('returns no tasks, and describes none, for a service without tasks', async () => {
    const { ecs, stats } = fakeEcs([]);
    expect(await loadServiceTasks(ecs, 'c', 'web')).toEqual([]);
    expect(stats.describeSizes).toEqual([]);
  });
});
