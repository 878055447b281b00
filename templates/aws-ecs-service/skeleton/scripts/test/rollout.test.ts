import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takenOverBy } from '../src/ecs/rollout.ts';

const arn = (revision: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-api-prod:${revision}`;

describe('takenOverBy (a failed rollout decides whether to roll back)', () => {
  it('names the revision a rollback put the service on during the rollout, so the deploy leaves it', () => {
    const deployments = [
      { status: 'PRIMARY', taskDefinition: arn(2) },
      { status: 'ACTIVE', taskDefinition: arn(5) },
    ];
    assert.equal(takenOverBy(deployments, arn(5), arn(4)), arn(2));
  });

  it('says nothing when the service is on our target or back on the revision we replaced', () => {
    assert.equal(takenOverBy([{ status: 'PRIMARY', taskDefinition: arn(5) }], arn(5), arn(4)), undefined);
    // The circuit breaker's own rollback.
    assert.equal(takenOverBy([{ status: 'PRIMARY', taskDefinition: arn(4) }], arn(5), arn(4)), undefined);
    assert.equal(takenOverBy(undefined, arn(5), arn(4)), undefined);
  });
});
