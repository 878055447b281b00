import { deployment, ecsState, makeEntity } from '../../__testUtils__';
import {
  afterRollback,
  afterStop,
  deployOf,
  followedDeployment,
  isStopMode,
  missingInput,
  operationText,
  outcomeOf,
  plannedOperation,
  primaryOf,
  returnRevisionOf,
  rollbackBlocker,
  RollbackOperation,
  rollbackWorkflowOf,
  workflowUrl,
} from './rollback';

const rollbackTo2: RollbackOperation = {
  kind: 'rollback',
  service: 'demo-web',
  fromRevision: 3,
  toRevision: 2,
};

describe('rollback', () => {
  it('follows the deployment the rollback POST named, not another PRIMARY of that revision', () => {
    const op = afterRollback(rollbackTo2, {
      deploymentId: 'ecs-svc/new',
      fromRevision: 3,
      toRevision: 2,
    });
    const state = ecsState({
      deployments: [
        deployment({ revision: 2, id: 'ecs-svc/other' }),
        deployment({
          revision: 2,
          id: 'ecs-svc/new',
          status: 'ACTIVE',
          rolloutState: 'IN_PROGRESS',
        }),
      ],
    });
    expect(followedDeployment(op, state)?.id).toBe('ecs-svc/new');
    expect(outcomeOf(op, state).state).toBe('IN_PROGRESS');
  });

  it('without a deployment id, follows the PRIMARY of the target revision', () => {
    const op = afterRollback(rollbackTo2, {
      deploymentId: '',
      fromRevision: 3,
      toRevision: 2,
    });
    expect(op.deploymentId).toBeUndefined();
    expect(outcomeOf(op, ecsState()).state).toBe('waiting');
    const done = ecsState({ deployments: [deployment({ revision: 2 })] });
    expect(outcomeOf(op, done)).toMatchObject({ state: 'COMPLETED' });
  });

  it('reports FAILED with the deployment, so its reason can be shown', () => {
    const op = { ...rollbackTo2, deploymentId: 'ecs-svc/r' };
    const failed = deployment({
      revision: 2,
      id: 'ecs-svc/r',
      rolloutState: 'FAILED',
      rolloutStateReason: 'circuit breaker',
    });
    expect(outcomeOf(op, ecsState({ deployments: [failed] }))).toEqual({
      state: 'FAILED',
      deployment: failed,
    });
  });

  it("after a stop-rollout, follows ECS's replacement, never the stopped deployment", () => {
    const op = afterStop(
      {
        kind: 'stop',
        service: 'demo-web',
        fromRevision: 4,
        toRevision: 3,
        stoppedDeploymentId: 'ecs-svc/4',
      },
      { serviceDeploymentArn: 'arn:x' },
    );
    expect(op).toMatchObject({ fromRevision: 4, toRevision: 3 });
    const stillStopping = ecsState({
      deployments: [deployment({ revision: 3, id: 'ecs-svc/4' })],
    });
    expect(outcomeOf(op, stillStopping).state).toBe('waiting');
    const replaced = ecsState({
      deployments: [deployment({ revision: 3, id: 'ecs-svc/3b' })],
    });
    expect(outcomeOf(op, replaced).state).toBe('COMPLETED');
  });

  it('plans a stop-rollout from the rolling-out PRIMARY, and a rollback to the chosen target', () => {
    const primary = deployment({ revision: 4, id: 'ecs-svc/4' });
    expect(
      plannedOperation({
        service: 'web',
        primary,
        stopMode: true,
        returnTo: 3,
      }),
    ).toEqual({
      kind: 'stop',
      service: 'web',
      fromRevision: 4,
      toRevision: 3,
      stoppedDeploymentId: 'ecs-svc/4',
    });
    const target = ecsState().rollbackTargets[1];
    expect(
      plannedOperation({ service: 'web', primary, stopMode: false, target }),
    ).toEqual({
      kind: 'rollback',
      service: 'web',
      fromRevision: 4,
      toRevision: 1,
    });
  });

  it('prefers the revisions the stop-rollout answer names', () => {
    const op = afterStop(
      { kind: 'stop', service: 'demo-web', fromRevision: 4 },
      { serviceDeploymentArn: 'arn:x', fromRevision: 5, toRevision: 2 },
    );
    expect(op).toMatchObject({ fromRevision: 5, toRevision: 2 });
    expect(operationText(op)).toBe(
      'Stopping the rollout of demo-web and returning to revision 2',
    );
    expect(operationText(rollbackTo2)).toBe(
      'Rollback of demo-web to revision 2',
    );
  });

  it('switches to stop mode while the PRIMARY rolls out, returning to the ACTIVE revision', () => {
    const state = ecsState({
      deployments: [
        deployment({ revision: 4, id: 'a', rolloutState: 'IN_PROGRESS' }),
        deployment({ revision: 3, id: 'b', status: 'ACTIVE' }),
      ],
    });
    const primary = primaryOf(state);
    expect(isStopMode(primary)).toBe(true);
    expect(returnRevisionOf(state, primary)).toBe(3);
    expect(isStopMode(primaryOf(ecsState()))).toBe(false);
  });

  it('blocks on the permission first, then on the deployment controller', () => {
    const base = { permissionLoading: false, allowed: true };
    expect(rollbackBlocker({ ...base, permissionLoading: true })).toBe(
      'checking-permission',
    );
    expect(
      rollbackBlocker({
        ...base,
        allowed: false,
        deploymentController: 'CODE_DEPLOY',
      }),
    ).toBe('denied');
    expect(
      rollbackBlocker({ ...base, deploymentController: 'CODE_DEPLOY' }),
    ).toBe('code-deploy');
    expect(rollbackBlocker({ ...base, deploymentController: 'EXTERNAL' })).toBe(
      'external',
    );
    expect(
      rollbackBlocker({ ...base, deploymentController: 'ECS' }),
    ).toBeUndefined();
  });

  it('asks for a target, then for a reason of three visible characters', () => {
    const { rollbackTargets: targets } = ecsState();
    const input = { stopMode: false, targets, reason: '', family: 'web' };
    expect(missingInput({ ...input, targets: [] })).toMatch(
      /no earlier ACTIVE revision of web/,
    );
    expect(missingInput(input)).toBe('Choose a target revision.');
    const target = targets[0];
    expect(missingInput({ ...input, target, reason: ' a ' })).toMatch(
      /Type a reason/,
    );
    expect(missingInput({ ...input, target, reason: 'a bc' })).toBeUndefined();
    // Stopping a rollout needs no target.
    expect(
      missingInput({ ...input, stopMode: true, targets: [], reason: 'abc' }),
    ).toBeUndefined();
  });

  it('finds who deployed a revision in the history', () => {
    const history = [
      { revision: 3, sha: 'c' },
      { revision: 2, sha: 'b' },
    ] as any;
    expect(deployOf(history, 2)?.sha).toBe('b');
    expect(deployOf(history, 1)).toBeUndefined();
    expect(deployOf(undefined, 2)).toBeUndefined();
  });

  it("links the rollback workflow on the repository's own host, and nowhere without one", () => {
    expect(workflowUrl('https://github.local/acme/web/', 'undo.yml')).toBe(
      'https://github.local/acme/web/actions/workflows/undo.yml',
    );
    expect(workflowUrl(undefined, 'undo.yml')).toBeUndefined();
    expect(rollbackWorkflowOf(makeEntity())).toBe('rollback.yml');
    expect(
      rollbackWorkflowOf(
        makeEntity({ 'cicd-aws.dev/rollback-workflow': 'undo.yml' }),
      ),
    ).toBe('undo.yml');
  });
});
