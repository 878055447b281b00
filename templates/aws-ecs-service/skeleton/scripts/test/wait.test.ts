import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepOutputs } from '../src/commands/terraformOutputs.ts';
import { TimeoutError } from '../src/lib/errors.ts';
import { poll } from '../src/lib/wait.ts';

describe('poll', () => {
  it('returns the first value the check produces', async () => {
    let calls = 0;
    const value = await poll(async () => (++calls === 3 ? 'done' : undefined), { timeoutMs: 1000, intervalMs: 1, what: 'x' });
    assert.equal(value, 'done');
    assert.equal(calls, 3);
  });

  it('gives up after the time-out with a message naming what it waited for, and stops checking', async () => {
    let calls = 0;
    const started = Date.now();
    await assert.rejects(
      poll(async () => {
        calls++;
        return undefined;
      }, { timeoutMs: 200, intervalMs: 50, what: 'rollout ecs-svc/1' }),
      (e: Error) => e instanceof TimeoutError && e.message === 'rollout ecs-svc/1 did not finish within 200 ms',
    );
    assert.ok(Date.now() - started < 1000);
    assert.ok(calls <= 5, `checked ${calls} times`);
  });
});

describe('stepOutputs', () => {
  it('passes plain outputs on, blanks nulls, and keeps sensitive ones out of the logs', () => {
    assert.deepEqual(
      stepOutputs({
        ecs_cluster_name: { value: 'orders-api-prod' },
        codedeploy_app_name: { value: null },
        desired: { value: 2 },
        database_password: { value: 'secret', sensitive: true },
        subnets: { value: ['a', 'b'] },
      }),
      { ecs_cluster_name: 'orders-api-prod', codedeploy_app_name: '', desired: '2' },
    );
  });
});
