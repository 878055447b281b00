import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { migrationOutcome, migrationTaskInput } from '../src/ecs/migration.ts';
import { PipelineError } from '../src/lib/errors.ts';

const td: TaskDefinition = {
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-api:8',
  family: 'orders-api',
  revision: 8,
  containerDefinitions: [
    {
      name: 'orders-api',
      image: 'repo/orders-api:abc',
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/orders-api-prod', 'awslogs-stream-prefix': 'orders-api' },
      },
    },
  ],
};
const taskArn = 'arn:aws:ecs:eu-west-1:123456789012:task/orders-api-prod/0f1e2d3c';
const stopped = (container: Record<string, unknown>, task: Partial<Task> = {}): Task => ({
  taskArn,
  lastStatus: 'STOPPED',
  containers: [{ name: 'orders-api', ...container }],
  ...task,
});

describe('migrationOutcome', () => {
  it('succeeds on exit code 0', () => {
    assert.deepEqual(migrationOutcome(stopped({ exitCode: 0 }), td, 'orders-api'), {
      taskArn,
      exitCode: 0,
      logStream: '/ecs/orders-api-prod orders-api/orders-api/0f1e2d3c',
    });
  });

  it('fails with the exit code and where the logs are', () => {
    assert.throws(
      () => migrationOutcome(stopped({ exitCode: 3 }), td, 'orders-api'),
      (e: Error) =>
        e instanceof PipelineError &&
        /exited with code 3/.test(e.message) &&
        e.message.includes('/ecs/orders-api-prod orders-api/orders-api/0f1e2d3c'),
    );
  });

  it('fails with ECS\'s reason when the container never ran (image pull, secrets)', () => {
    assert.throws(
      () =>
        migrationOutcome(
          stopped({ reason: 'CannotPullContainerError: not found' }, { stopCode: 'TaskFailedToStart', stoppedReason: 'Task failed to start' }),
          td,
          'orders-api',
        ),
      /stopped without an exit code \(TaskFailedToStart: Task failed to start: CannotPullContainerError: not found\)/,
    );
  });
});

describe('migrationTaskInput', () => {
  const ref = { cluster: 'orders-api-prod', service: 'orders-api' };
  const service: Service = {
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-ecs'], assignPublicIp: 'DISABLED' } },
  };

  it('runs the command in the service\'s own network, so it reaches the database like the service', () => {
    assert.deepEqual(migrationTaskInput(ref, service, td, 'orders-api', ['npm', 'run', 'migrate']), {
      cluster: 'orders-api-prod',
      taskDefinition: td.taskDefinitionArn,
      count: 1,
      startedBy: 'pipeline-migrate',
      networkConfiguration: service.networkConfiguration,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      overrides: { containerOverrides: [{ name: 'orders-api', command: ['npm', 'run', 'migrate'] }] },
    });
  });

  it('uses the service\'s capacity providers instead of a launch type when it has them', () => {
    const input = migrationTaskInput(
      ref,
      { ...service, launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] },
      td,
      'orders-api',
      ['npm', 'run', 'migrate'],
    );
    assert.equal(input.launchType, undefined);
    assert.deepEqual(input.capacityProviderStrategy, [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
  });

  it('refuses a service without awsvpc networking', () => {
    assert.throws(() => migrationTaskInput(ref, {}, td, 'orders-api', ['x']), /no awsvpc network configuration/);
  });
});
