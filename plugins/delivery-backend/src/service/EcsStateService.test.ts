import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { mockServices } from '@backstage/backend-test-utils';
import { EcsClientFactory } from './EcsClientFactory';
import { EcsStateService } from './EcsStateService';
import { EcsServiceRef } from './serviceArn';

const td = (revision: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const ref: EcsServiceRef = {
  arn: 'arn:aws:ecs:us-east-1:123456789012:service/c/web',
  region: 'us-east-1',
  accountId: '123456789012',
  cluster: 'c',
  service: 'web',
};

function setup() {
  const send = jest.fn(async (command: unknown) => {
    await new Promise(r => setTimeout(r, 5));
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
    throw new Error(`unexpected ${String(command)}`);
  });
  const factory = {
    forArn: async () => ({ send } as unknown as ECSClient),
  } as unknown as EcsClientFactory;
  const service = new EcsStateService(
    factory,
    mockServices.cache.mock({
      get: jest.fn(async () => undefined),
      set: jest.fn(async () => {}),
      delete: jest.fn(async () => {}),
    }),
    mockServices.logger.mock(),
  );
  return { send, service };
}

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
});
