import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { resolveTarget } from '../src/commands/rollback.ts';
import { appSpec } from '../src/ecs/codedeploy.ts';
import { copyWithImage, parseRevision, pickContainer } from '../src/ecs/taskDefinition.ts';
import { PipelineError, UsageError } from '../src/lib/errors.ts';

const described: TaskDefinition = {
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-api:7',
  family: 'orders-api',
  revision: 7,
  status: 'ACTIVE',
  compatibilities: ['EC2', 'FARGATE'],
  requiresCompatibilities: ['FARGATE'],
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
  registeredAt: new Date('2026-11-01T00:00:00Z'),
  registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/gha',
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  executionRoleArn: 'arn:aws:iam::123456789012:role/orders-api-prod-execution',
  containerDefinitions: [
    { name: 'orders-api', image: 'repo/orders-api:old', essential: true, portMappings: [{ containerPort: 8080 }] },
    { name: 'log-router', image: 'fluent-bit:3', essential: false },
  ],
};

describe('copyWithImage', () => {
  it('copies the task definition with the new image, without the fields ECS refuses on registration', () => {
    const input = copyWithImage(described, [{ key: 'Team', value: 'orders' }], 'repo/orders-api:abc123');
    for (const field of ['taskDefinitionArn', 'revision', 'status', 'compatibilities', 'requiresAttributes', 'registeredAt', 'registeredBy']) {
      assert.ok(!(field in input), `${field} still in the input`);
    }
    assert.equal(input.family, 'orders-api');
    assert.equal(input.executionRoleArn, described.executionRoleArn);
    assert.deepEqual(
      input.containerDefinitions?.map(c => c.image),
      ['repo/orders-api:abc123', 'fluent-bit:3'],
    );
    assert.deepEqual(input.tags, [{ key: 'Team', value: 'orders' }]);
    assert.equal(described.containerDefinitions?.[0].image, 'repo/orders-api:old', 'the described one is untouched');
  });

  it('leaves tags out when the family has none (ECS rejects an empty list)', () => {
    assert.ok(!('tags' in copyWithImage(described, [], 'x')));
  });
});

describe('pickContainer', () => {
  it('picks the container named like the family when there are several', () => {
    assert.equal(pickContainer(described).name, 'orders-api');
  });

  it('refuses an unknown container name and lists the real ones', () => {
    assert.throws(() => pickContainer(described, 'web'), (e: Error) => e instanceof UsageError && /orders-api, log-router/.test(e.message));
  });
});

describe('parseRevision', () => {
  it('reads ARNs and family:revision, and nothing else', () => {
    assert.deepEqual(parseRevision(described.taskDefinitionArn ?? ''), { family: 'orders-api', revision: 7 });
    assert.deepEqual(parseRevision('orders-api:3'), { family: 'orders-api', revision: 3 });
    assert.equal(parseRevision('orders-api'), undefined);
    assert.equal(parseRevision('arn:aws:ecs:eu-west-1:123456789012:service/c/orders-api'), undefined);
  });
});

describe('resolveTarget', () => {
  const current = { family: 'orders-api', revision: 7 };

  it('takes the newest ACTIVE revision below the running one for "previous"', () => {
    assert.deepEqual(resolveTarget('previous', current, [2, 5, 7, 9]), { family: 'orders-api', revision: 5 });
  });

  it('accepts a number, family:revision or ARN of the same family', () => {
    assert.deepEqual(resolveTarget('3', current, []), { family: 'orders-api', revision: 3 });
    assert.deepEqual(resolveTarget('orders-api:4', current, []), { family: 'orders-api', revision: 4 });
    assert.deepEqual(resolveTarget('arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-api:2', current, []), {
      family: 'orders-api',
      revision: 2,
    });
  });

  it('refuses a revision of another family, naming both families', () => {
    assert.throws(
      () => resolveTarget('payments-api:3', current, []),
      (e: Error) => e instanceof PipelineError && /family "payments-api", but the service runs family "orders-api"/.test(e.message),
    );
  });

  it('says so when there is nothing older to roll back to', () => {
    assert.throws(() => resolveTarget('previous', current, [7, 8]), /no ACTIVE revision of orders-api older than the running orders-api:7/);
  });

  it('rejects input that is no revision at all', () => {
    assert.throws(() => resolveTarget('latest', current, []), UsageError);
  });
});

describe('appSpec', () => {
  it('points CodeDeploy at the new task definition and the container port behind the load balancer', () => {
    assert.deepEqual(JSON.parse(appSpec(described)).Resources[0].TargetService.Properties, {
      TaskDefinition: described.taskDefinitionArn,
      LoadBalancerInfo: { ContainerName: 'orders-api', ContainerPort: 8080 },
    });
  });
});
