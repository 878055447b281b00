import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  DesiredStatus,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  Service,
  StopServiceDeploymentCommand,
  Task,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { createTestNetwork, TestNetwork } from './network';
import { LocalAws, startLocalAws } from './startLocalAws';

jest.setTimeout(60_000);

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CLUSTER = 'tasks';
const DESIRED = 2;
const tdArn = (family: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
const image = (revision: number) => `nginx:1.27.${revision}`;
/** Long task ARN format (with the cluster), the default of every account since 2021. */
const TASK_ARN = new RegExp(
  `^arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/[0-9a-f]{32}$`,
);
const taskIdOf = (arn: string) => arn.split('/').pop()!;

describe('local AWS: service tasks', () => {
  let aws: LocalAws;
  let ecs: ECSClient;
  let network: TestNetwork;

  const describeService = async (name: string): Promise<Service> => {
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }),
    );
    return services![0];
  };
  const settled = async (name: string, maxPolls = 40): Promise<Service> => {
    for (let poll = 0; poll < maxPolls; poll++) {
      const service = await describeService(name);
      if (service.deployments![0].rolloutState !== 'IN_PROGRESS') {
        return service;
      }
      await new Promise(r => setTimeout(r, 200));
    }
    throw new Error(`${name} did not settle after ${maxPolls} polls`);
  };
  /** Every page of ListTasks (bounded). */
  const listAll = async (
    serviceName: string,
    desiredStatus?: DesiredStatus,
  ): Promise<string[]> => {
    const arns: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await ecs.send(
        new ListTasksCommand({
          cluster: CLUSTER,
          serviceName,
          desiredStatus,
          nextToken,
        }),
      );
      arns.push(...result.taskArns!);
      nextToken = result.nextToken;
      if (!nextToken) {
        return arns;
      }
    }
    throw new Error('ListTasks kept paging');
  };
  /** DescribeTasks in batches of 100, its limit. */
  const describeTasks = async (arns: string[]): Promise<Task[]> => {
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      const result = await ecs.send(
        new DescribeTasksCommand({
          cluster: CLUSTER,
          tasks: arns.slice(i, i + 100),
        }),
      );
      expect(result.failures).toEqual([]);
      tasks.push(...result.tasks!);
    }
    return tasks;
  };
  const tasksOf = async (name: string, desiredStatus?: DesiredStatus) => {
    const arns = await listAll(name, desiredStatus);
    return arns.length ? describeTasks(arns) : [];
  };
  const register = (family: string, revision: number, healthCheck: boolean) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'app',
            image: image(revision),
            essential: true,
            ...(healthCheck
              ? {
                  healthCheck: {
                    command: ['CMD-SHELL', 'curl -f http://localhost/'],
                  },
                }
              : {}),
          },
          // A sidecar without a health check does not decide the task's health.
          { name: 'log-router', image: 'fluent-bit:3', essential: false },
        ],
      }),
    );
  const createService = (
    name: string,
    taskDefinition: string,
    desiredCount: number,
  ) =>
    ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: name,
        taskDefinition,
        desiredCount,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: network.subnets,
            securityGroups: [network.securityGroup],
          },
        },
      }),
    );

  beforeAll(async () => {
    aws = await startLocalAws({ rolloutSeconds: 1 });
    ecs = new ECSClient({
      endpoint: aws.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    network = await createTestNetwork(aws.endpoint, { region: REGION });
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    for (let revision = 1; revision <= 4; revision++) {
      await register('web', revision, true);
    }
    await register('plain', 1, false);
  });

  afterAll(async () => {
    ecs?.destroy();
    await aws?.stop();
  });

  it('runs the first deployment as RUNNING tasks that ListTasks(serviceName) and DescribeTasks return', async () => {
    const { service } = await createService('web', 'web:1', DESIRED);
    const deploymentId = service!.deployments![0].id!;

    const arns = await listAll('web');
    expect(arns).toHaveLength(DESIRED);
    // desiredStatus defaults to RUNNING
    expect(await listAll('web', 'RUNNING')).toEqual(arns);
    expect(await listAll('web', 'STOPPED')).toEqual([]);

    const tasks = await describeTasks(arns);
    for (const task of tasks) {
      expect(task.taskArn).toMatch(TASK_ARN);
      expect(task).toMatchObject({
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
        taskDefinitionArn: tdArn('web', 1),
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
        startedBy: deploymentId,
        group: 'service:web',
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        cpu: '256',
        memory: '512',
        connectivity: 'CONNECTED',
      });
      expect(task.createdAt).toBeInstanceOf(Date);
      expect(task.startedAt).toBeInstanceOf(Date);
      expect(task.stoppedAt).toBeUndefined();
      expect(task.stoppedReason).toBeUndefined();
      expect(task.stopCode).toBeUndefined();
      const [app, sidecar] = task.containers!;
      expect(app).toMatchObject({
        name: 'app',
        image: image(1),
        lastStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
        taskArn: task.taskArn,
      });
      expect(app.containerArn).toMatch(
        new RegExp(
          `^arn:aws:ecs:${REGION}:${ACCOUNT}:container/${CLUSTER}/${taskIdOf(
            task.taskArn!,
          )}/[0-9a-f-]{36}$`,
        ),
      );
      expect(app.exitCode).toBeUndefined();
      // no health check: UNKNOWN, as ECS reports it
      expect(sidecar).toMatchObject({
        name: 'log-router',
        lastStatus: 'RUNNING',
        healthStatus: 'UNKNOWN',
      });
    }
    // ECS spreads a service's tasks over its subnets' Availability Zones.
    expect(new Set(tasks.map(t => t.availabilityZone))).toEqual(
      new Set(network.availabilityZones),
    );

    const created = await describeService('web');
    expect(created.runningCount).toBe(DESIRED);
    expect(created.events!.map(e => e.message)).toContain(
      `(service web) has started ${DESIRED} tasks: ${arns
        .map(a => `(task ${taskIdOf(a)})`)
        .join(' ')}.`,
    );
  });

  it('starts PENDING tasks for a new deployment and stops the replaced ones once it completes', async () => {
    const before = await describeService('web');
    const oldId = before.deployments![0].id!;
    const oldArns = await listAll('web');
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'web',
        taskDefinition: 'web:2',
      }),
    );

    const during = await describeService('web');
    const newId = during.deployments![0].id!;
    const active = await tasksOf('web');
    expect(active).toHaveLength(2 * DESIRED);
    const pending = active.filter(t => t.startedBy === newId);
    expect(pending).toHaveLength(DESIRED);
    for (const task of pending) {
      expect(task).toMatchObject({
        lastStatus: 'PENDING',
        desiredStatus: 'RUNNING',
        healthStatus: 'UNKNOWN',
        taskDefinitionArn: tdArn('web', 2),
      });
      expect(task.startedAt).toBeUndefined();
      expect(task.containers!.map(c => c.lastStatus)).toEqual([
        'PENDING',
        'PENDING',
      ]);
    }
    // counts as DescribeServices reports them match the tasks
    expect(
      during.deployments!.map(d => [d.runningCount, d.pendingCount]),
    ).toEqual([
      [0, DESIRED],
      [DESIRED, 0],
    ]);
    expect([during.runningCount, during.pendingCount]).toEqual([
      DESIRED,
      DESIRED,
    ]);

    const after = await settled('web');
    expect(after.deployments![0].rolloutState).toBe('COMPLETED');
    const running = await tasksOf('web');
    expect(running.map(t => t.taskArn).sort()).toEqual(
      pending.map(t => t.taskArn).sort(),
    );
    for (const task of running) {
      expect(task).toMatchObject({
        lastStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
        startedBy: newId,
        taskDefinitionArn: tdArn('web', 2),
      });
      expect(task.startedAt).toBeInstanceOf(Date);
    }

    const stopped = await tasksOf('web', 'STOPPED');
    expect(stopped.map(t => t.taskArn).sort()).toEqual([...oldArns].sort());
    for (const task of stopped) {
      expect(task).toMatchObject({
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        healthStatus: 'UNKNOWN',
        startedBy: oldId,
        taskDefinitionArn: tdArn('web', 1),
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Scaling activity initiated by (deployment ${oldId})`,
      });
      for (const key of ['stoppingAt', 'executionStoppedAt', 'stoppedAt']) {
        expect(task[key as keyof Task]).toBeInstanceOf(Date);
      }
      expect(task.containers!.map(c => [c.lastStatus, c.exitCode])).toEqual([
        ['STOPPED', 0],
        ['STOPPED', 0],
      ]);
    }
    expect(after.events!.map(e => e.message)).toContain(
      `(service web) has stopped ${DESIRED} running tasks: ${oldArns
        .map(a => `(task ${taskIdOf(a)})`)
        .join(' ')}.`,
    );
  });

  it('leaves STOPPED tasks with exit code 1 when a rollout fails', async () => {
    await aws.failNextRollout();
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'web',
        taskDefinition: 'web:3',
      }),
    );
    const after = await settled('web');
    const [failed, previous] = after.deployments!;
    expect(failed.rolloutState).toBe('FAILED');

    const failedTasks = (await tasksOf('web', 'STOPPED')).filter(
      t => t.startedBy === failed.id,
    );
    // one stopped task per failure the circuit breaker counted
    expect(failedTasks).toHaveLength(failed.failedTasks!);
    for (const task of failedTasks) {
      expect(task).toMatchObject({
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        taskDefinitionArn: tdArn('web', 3),
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
      });
      expect(task.startedAt).toBeInstanceOf(Date);
      expect(task.containers!.map(c => [c.name, c.exitCode])).toEqual([
        ['app', 1],
        ['log-router', 0],
      ]);
    }
    // the previous deployment keeps serving
    const running = await tasksOf('web');
    expect(running).toHaveLength(DESIRED);
    expect(running.every(t => t.startedBy === previous.id)).toBe(true);
    expect([after.runningCount, after.pendingCount]).toEqual([DESIRED, 0]);
  });

  it('stops the PENDING tasks of a deployment that StopServiceDeployment rolls back', async () => {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'web',
        taskDefinition: 'web:4',
      }),
    );
    const rolling = await describeService('web');
    const { serviceDeployments } = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: CLUSTER,
        service: 'web',
        status: ['IN_PROGRESS'],
      }),
    );
    await ecs.send(
      new StopServiceDeploymentCommand({
        serviceDeploymentArn: serviceDeployments![0].serviceDeploymentArn!,
        stopType: 'ROLLBACK',
      }),
    );
    const stopped = (await tasksOf('web', 'STOPPED')).filter(
      t => t.startedBy === rolling.deployments![0].id,
    );
    expect(stopped).toHaveLength(DESIRED);
    for (const task of stopped) {
      // never started, so no exit code
      expect(task).toMatchObject({
        taskDefinitionArn: tdArn('web', 4),
        stopCode: 'ServiceSchedulerInitiated',
      });
      expect(task.startedAt).toBeUndefined();
      expect(task.containers!.map(c => c.exitCode)).toEqual([
        undefined,
        undefined,
      ]);
    }
    const after = await settled('web');
    const running = await tasksOf('web');
    expect(running).toHaveLength(DESIRED);
    expect(running.every(t => t.taskDefinitionArn === tdArn('web', 2))).toBe(
      true,
    );
    expect(running.every(t => t.startedBy === after.deployments![0].id)).toBe(
      true,
    );
  });

  it('maps each successful service deployment to its task definition with DescribeServiceRevisions', async () => {
    const listed = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: CLUSTER,
        service: 'web',
        status: ['SUCCESSFUL'],
      }),
    );
    const revisionArns = listed.serviceDeployments!.map(
      d => d.targetServiceRevisionArn!,
    );
    const missing = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/${CLUSTER}/web/1`;
    const { serviceRevisions, failures } = await ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [...revisionArns, missing],
      }),
    );
    // newest first: web:2 completed after web:1; web:3 failed and web:4 was rolled back
    expect(serviceRevisions!.map(r => r.taskDefinition)).toEqual([
      tdArn('web', 2),
      tdArn('web', 1),
    ]);
    expect(serviceRevisions![0]).toMatchObject({
      serviceRevisionArn: revisionArns[0],
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/web`,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
      launchType: 'FARGATE',
      containerImages: [
        { containerName: 'app', image: image(2) },
        { containerName: 'log-router', image: 'fluent-bit:3' },
      ],
    });
    expect(serviceRevisions![0].createdAt).toBeInstanceOf(Date);
    expect(failures).toEqual([{ arn: missing, reason: 'MISSING' }]);

    const firstPage = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: CLUSTER,
        service: 'web',
        maxResults: 1,
      }),
    );
    expect(firstPage.serviceDeployments).toHaveLength(1);
    const secondPage = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: CLUSTER,
        service: 'web',
        maxResults: 1,
        nextToken: firstPage.nextToken,
      }),
    );
    expect(secondPage.serviceDeployments![0].serviceDeploymentArn).not.toBe(
      firstPage.serviceDeployments![0].serviceDeploymentArn,
    );
  });

  it('pages ListTasks by 100, takes at most 100 tasks in DescribeTasks and reports unknown ones', async () => {
    await createService('big', 'plain:1', 3);
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'big',
        desiredCount: 120,
      }),
    );
    const first = await ecs.send(
      new ListTasksCommand({ cluster: CLUSTER, serviceName: 'big' }),
    );
    expect(first.taskArns).toHaveLength(100);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await ecs.send(
      new ListTasksCommand({
        cluster: CLUSTER,
        serviceName: 'big',
        nextToken: first.nextToken,
      }),
    );
    expect(second.taskArns).toHaveLength(20);
    expect(second.nextToken).toBeUndefined();
    const all = [...first.taskArns!, ...second.taskArns!];
    expect(new Set(all).size).toBe(120);
    const small = await ecs.send(
      new ListTasksCommand({
        cluster: CLUSTER,
        serviceName: 'big',
        maxResults: 7,
      }),
    );
    expect(small.taskArns).toHaveLength(7);

    await expect(
      ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: all })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const described = await describeTasks(first.taskArns!);
    expect(described).toHaveLength(100);
    // no health check in the task definition: the task's health is UNKNOWN
    expect(new Set(described.map(t => t.healthStatus))).toEqual(
      new Set(['UNKNOWN']),
    );
    const gone = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${'0'.repeat(
      32,
    )}`;
    const partial = await ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: [all[0], gone] }),
    );
    expect(partial.tasks!.map(t => t.taskArn)).toEqual([all[0]]);
    expect(partial.failures).toEqual([{ arn: gone, reason: 'MISSING' }]);

    const service = await describeService('big');
    expect([
      service.runningCount,
      service.deployments![0].runningCount,
    ]).toEqual([120, 120]);
  });

  it('stops tasks on scale-in and on DeleteService; a service with no tasks lists none', async () => {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'big',
        desiredCount: 5,
      }),
    );
    expect(await listAll('big')).toHaveLength(5);
    const scaledIn = await tasksOf('big', 'STOPPED');
    expect(scaledIn).toHaveLength(115);
    expect(new Set(scaledIn.map(t => t.stopCode))).toEqual(
      new Set(['ServiceSchedulerInitiated']),
    );
    expect((await describeService('big')).runningCount).toBe(5);

    await ecs.send(
      new DeleteServiceCommand({
        cluster: CLUSTER,
        service: 'big',
        force: true,
      }),
    );
    expect(await listAll('big')).toEqual([]);
    expect(await listAll('big', 'STOPPED')).toHaveLength(120);

    await createService('idle', 'plain:1', 0);
    expect(await listAll('idle')).toEqual([]);
    expect(await listAll('idle', 'STOPPED')).toEqual([]);
    await expect(
      ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'nope' })),
    ).rejects.toMatchObject({ name: 'ServiceNotFoundException' });
  });
});
