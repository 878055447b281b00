import {
  AccessDeniedException,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  ServerException,
} from '@aws-sdk/client-ecs';
import { mockServices } from '@backstage/backend-test-utils';
import { EcsClientFactory } from './EcsClientFactory';
import { EcsStateService } from './EcsStateService';
import { EcsServiceRef } from './serviceArn';

const td = (revision: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const serviceRevision = (n: number) =>
  `arn:aws:ecs:us-east-1:123456789012:service-revision/c/web/${n}`;
const ref: EcsServiceRef = {
  arn: 'arn:aws:ecs:us-east-1:123456789012:service/c/web',
  region: 'us-east-1',
  accountId: '123456789012',
  cluster: 'c',
  service: 'web',
};

/** Answers like ECS's; `override` may answer a command first (or throw). */
function setup(override?: (command: unknown) => unknown) {
  const send = jest.fn(async (command: unknown) => {
    await new Promise(r => setTimeout(r, 5));
    const overridden = override?.(command);
    if (overridden !== undefined) {
      return overridden;
    }
    if (command instanceof DescribeServicesCommand) {
      return {
        services: [
          {
            serviceName: 'web',
            status: 'ACTIVE',
            taskDefinition: td(3),
            deployments: [
              { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: td(3) },
            ],
          },
        ],
      };
    }
    if (command instanceof ListTaskDefinitionsCommand) {
      // unsorted, paged, with another family sharing the prefix
      return command.input.nextToken
        ? { taskDefinitionArns: [td(2), td(3)] }
        : {
            taskDefinitionArns: [td(1), td(4).replace('web:', 'web-api:')],
            nextToken: 'page2',
          };
    }
    if (command instanceof DescribeTaskDefinitionCommand) {
      return {
        taskDefinition: {
          taskDefinitionArn: command.input.taskDefinition,
          containerDefinitions: [{ name: 'app', image: 'nginx' }],
          registeredAt: new Date(0),
        },
      };
    }
    if (command instanceof ListTasksCommand) {
      return { taskArns: [] };
    }
    if (command instanceof ListServiceDeploymentsCommand) {
      // revision 3 (current), then 1 rolled out again after 2: 1 completed last
      return {
        serviceDeployments: [
          {
            targetServiceRevisionArn: serviceRevision(3),
            finishedAt: new Date(3000),
          },
          {
            targetServiceRevisionArn: serviceRevision(2),
            finishedAt: new Date(1000),
          },
          {
            targetServiceRevisionArn: serviceRevision(1),
            finishedAt: new Date(2000),
          },
        ],
      };
    }
    if (command instanceof DescribeServiceRevisionsCommand) {
      return {
        serviceRevisions: command.input.serviceRevisionArns!.map(arn => ({
          serviceRevisionArn: arn,
          taskDefinition: td(Number(arn.split('/').pop())),
        })),
      };
    }
    throw new Error(`unexpected ${String(command)}`);
  });
  const factory = {
    forArn: async () => ({ send } as unknown as ECSClient),
  } as unknown as EcsClientFactory;
  const logger = mockServices.logger.mock();
  const service = new EcsStateService(
    factory,
    mockServices.cache.mock({
      get: jest.fn(async () => undefined),
      set: jest.fn(async () => {}),
      delete: jest.fn(async () => {}),
    }),
    logger,
  );
  return { send, service, logger };
}

const historyFails = (error: Error) => (command: unknown) => {
  if (command instanceof ListServiceDeploymentsCommand) {
    throw error;
  }
  return undefined;
};

const unknownOperation = () =>
  new ECSServiceException({
    name: 'UnknownOperationException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Unknown operation ListServiceDeployments',
  });

describe('EcsStateService', () => {
  it('pages ListTaskDefinitions, keeps the exact family and sorts newest first', async () => {
    const { service } = setup();
    const state = await service.getState(ref);
    expect(state.rollbackTargets.map(t => t.revision)).toEqual([2, 1]);
    expect(state.deployments[0].revision).toBe(3);
  });

  it('coalesces concurrent reads into one set of AWS calls', async () => {
    const { send, service } = setup();
    const states = await Promise.all(
      Array.from({ length: 5 }, () => service.getState(ref)),
    );
    expect(new Set(states).size).toBe(1);
    const describes = send.mock.calls.filter(
      ([c]) => c instanceof DescribeServicesCommand,
    );
    expect(describes).toHaveLength(1);
  });

  it('starts every call that needs only the service name before DescribeServices answers', async () => {
    let answerDescribe: () => void = () => {};
    const describeAnswered = new Promise<void>(resolve => {
      answerDescribe = resolve;
    });
    const started: string[] = [];
    const { send, service } = setup(command => {
      started.push((command as object).constructor.name);
      return undefined;
    });
    const inner = send.getMockImplementation()!;
    send.mockImplementation(async (command: unknown) => {
      if (command instanceof DescribeServicesCommand) {
        await describeAnswered;
      }
      return inner(command);
    });
    const state = service.getState(ref);
    await new Promise(r => setTimeout(r, 50));
    expect(started).toEqual(
      expect.arrayContaining([
        'ListTasksCommand',
        'ListServiceDeploymentsCommand',
      ]),
    );
    expect(started).not.toContain('DescribeServicesCommand');
    answerDescribe();
    expect((await state).rollbackTargets.map(t => t.revision)).toEqual([2, 1]);
  });

  it('describes the likely rollback targets while ListTaskDefinitions is still listing', async () => {
    let answerList: () => void = () => {};
    const listAnswered = new Promise<void>(resolve => {
      answerList = resolve;
    });
    const { send, service } = setup();
    const inner = send.getMockImplementation()!;
    send.mockImplementation(async (command: unknown) => {
      if (command instanceof ListTaskDefinitionsCommand) {
        await listAnswered;
      }
      return inner(command);
    });
    const state = service.getState(ref);
    await new Promise(r => setTimeout(r, 50));
    const described = () =>
      send.mock.calls
        .filter(([c]) => c instanceof DescribeTaskDefinitionCommand)
        .map(
          ([c]) => (c as DescribeTaskDefinitionCommand).input.taskDefinition,
        );
    expect(described().sort()).toEqual([td(1), td(2), td(3)]);
    answerList();
    expect((await state).rollbackTargets.map(t => t.images)).toEqual([
      [{ name: 'app', image: 'nginx' }],
      [{ name: 'app', image: 'nginx' }],
    ]);
    // The targets found by the listing were the ones already described.
    expect(described()).toHaveLength(3);
  });

  it('describes a task definition once for the life of the process (revisions never change)', async () => {
    const { send, service } = setup();
    await service.getState(ref);
    await service.getState(ref, { fresh: true });
    const described = send.mock.calls
      .filter(([c]) => c instanceof DescribeTaskDefinitionCommand)
      .map(([c]) => (c as DescribeTaskDefinitionCommand).input.taskDefinition);
    expect(described.sort()).toEqual([td(1), td(2), td(3)]);
    expect(
      send.mock.calls.filter(([c]) => c instanceof DescribeServicesCommand),
    ).toHaveLength(2);
  });

  it('leaves no rejection unhandled when the service is gone', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { service } = setup(command => {
        if (command instanceof DescribeServicesCommand) {
          return { services: [], failures: [{ reason: 'MISSING' }] };
        }
        if (command instanceof ListTasksCommand) {
          throw new Error('ServiceNotFoundException');
        }
        return undefined;
      });
      await expect(service.getState(ref)).rejects.toThrow(
        'ECS service web not found in cluster c (MISSING)',
      );
      await new Promise(r => setTimeout(r, 50));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('marks the rollback target that completed a rollout most recently, not the newest revision', async () => {
    const { service } = setup();
    const state = await service.getState(ref);
    expect(
      state.rollbackTargets.map(t => [t.revision, t.lastCompleted]),
    ).toEqual([
      [2, undefined],
      [1, true],
    ]);
  });

  it('reads the service-deployment history while the revisions are listed', async () => {
    const { send, service } = setup();
    await service.getState(ref);
    const calls = send.mock.calls.map(([c]) => c);
    const history = calls.findIndex(
      c => c instanceof ListServiceDeploymentsCommand,
    );
    // ListTaskDefinitions' second page is only asked for after the first one answered
    const secondPage = calls.findIndex(
      c => c instanceof ListTaskDefinitionsCommand && !!c.input.nextToken,
    );
    expect(history).toBeGreaterThan(-1);
    expect(history).toBeLessThan(secondPage);
  });

  it.each([
    ['UnknownOperationException', unknownOperation],
    [
      'AccessDeniedException',
      () =>
        new AccessDeniedException({
          $metadata: { httpStatusCode: 400 },
          message:
            'User is not authorized to perform: ecs:ListServiceDeployments',
        }),
    ],
  ])(
    'returns the state without lastCompleted when ListServiceDeployments answers %s, logging it once at debug',
    async (_name, error) => {
      const { service, logger } = setup(historyFails(error()));
      for (let read = 0; read < 2; read++) {
        const state = await service.getState(ref, { fresh: true });
        expect(state.rollbackTargets).toEqual([
          expect.objectContaining({ revision: 2 }),
          expect.objectContaining({ revision: 1 }),
        ]);
        expect(state.rollbackTargets.some(t => 'lastCompleted' in t)).toBe(
          false,
        );
        expect(state.tasks).toEqual([]);
      }
      expect(logger.debug).toHaveBeenCalledTimes(1);
      expect(logger.debug).toHaveBeenCalledWith(
        expect.stringContaining('ecs:ListServiceDeployments'),
      );
      expect(logger.warn).not.toHaveBeenCalled();
    },
  );

  it('warns, but still answers, when the history fails for another reason', async () => {
    const { service, logger } = setup(
      historyFails(
        new ServerException({
          $metadata: { httpStatusCode: 500 },
          message: 'Service unavailable',
        }),
      ),
    );
    const state = await service.getState(ref);
    expect(state.rollbackTargets.map(t => t.revision)).toEqual([2, 1]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('fails the state with 403 naming ecs:ListTasks when tasks may not be listed', async () => {
    const { service } = setup(command => {
      if (command instanceof ListTasksCommand) {
        throw new AccessDeniedException({
          $metadata: { httpStatusCode: 400 },
          message: 'User is not authorized to perform: ecs:ListTasks',
        });
      }
      return undefined;
    });
    await expect(service.getState(ref)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('ecs:ListTasks'),
    });
  });

  it('reports the deployment strategy and the rolling-update bounds', async () => {
    const cases: Array<[object, string]> = [
      [{ deploymentConfiguration: {} }, 'ROLLING'],
      [{ deploymentConfiguration: { strategy: 'BLUE_GREEN' } }, 'BLUE_GREEN'],
      [{ deploymentConfiguration: { strategy: 'LINEAR' } }, 'BLUE_GREEN'],
      [{ deploymentController: { type: 'CODE_DEPLOY' } }, 'BLUE_GREEN'],
    ];
    for (const [fields, strategy] of cases) {
      const { service } = setup(command =>
        command instanceof DescribeServicesCommand
          ? {
              services: [
                {
                  serviceName: 'web',
                  status: 'ACTIVE',
                  taskDefinition: td(3),
                  deployments: [],
                  ...fields,
                },
              ],
            }
          : undefined,
      );
      expect((await service.getState(ref)).deploymentStrategy).toBe(strategy);
    }
    const { service } = setup(command =>
      command instanceof DescribeServicesCommand
        ? {
            services: [
              {
                serviceName: 'web',
                status: 'ACTIVE',
                taskDefinition: td(3),
                deploymentConfiguration: {
                  minimumHealthyPercent: 50,
                  maximumPercent: 150,
                },
              },
            ],
          }
        : undefined,
    );
    expect(await service.getState(ref)).toMatchObject({
      deploymentStrategy: 'ROLLING',
      minimumHealthyPercent: 50,
      maximumPercent: 150,
    });
  });

  it('does not describe tasks of a service that has none', async () => {
    const { send, service } = setup();
    expect((await service.getState(ref)).tasks).toEqual([]);
    expect(
      send.mock.calls.some(([c]) => c instanceof DescribeTasksCommand),
    ).toBe(false);
  });
});
