import {
  DriftState,
  EcsServiceState,
  PipelineRun,
} from '@cicd-aws/plugin-delivery-common';
import { screen, waitFor, within } from '@testing-library/react';
import {
  deployment,
  ecsState,
  makeEntity,
  mockDeliveryApi,
  renderWithEntity,
  setupUser,
  enterReason,
  responseError,
} from '../../__testUtils__';
import { REVALIDATE_AFTER_FIRST_LOAD_MS } from '../../hooks/useRefreshable';
import { EntityDeliveryContent } from './EntityDeliveryContent';

let user: ReturnType<typeof setupUser>;
beforeEach(() => {
  user = setupUser();
});

const pipelineRun = (id: number): PipelineRun => ({
  id,
  workflowName: 'Deploy',
  workflowFile: 'deploy.yml',
  workflowId: 7,
  runNumber: id,
  runAttempt: 1,
  event: 'push',
  status: 'completed',
  conclusion: 'success',
  branch: 'main',
  commitSha: 'abcdef1234567890abcdef1234567890abcdef12',
  commitMessage: `Release ${id}`,
  actor: { login: 'alice' },
  createdAt: new Date(Date.now() - 3600_000).toISOString(),
  updatedAt: new Date(Date.now() - 3500_000).toISOString(),
  durationSeconds: 125,
  htmlUrl: `https://github.com/acme/demo-web/actions/runs/${id}`,
});

const runsPage = (...runs: PipelineRun[]) => ({
  runs,
  totalCount: runs.length,
  page: 1,
  perPage: 20,
  hasNextPage: false,
});

const inSync: DriftState = {
  status: 'in-sync',
  workflow: 'drift.yml',
  workflowUrl: 'https://github.com/acme/demo-web/actions/workflows/drift.yml',
  repositoryUrl: 'https://github.com/acme/demo-web',
  checkedAt: new Date(Date.now() - 3600_000).toISOString(),
  commit: '1234567890abcdef1234567890abcdef12345678',
  stale: false,
  resources: [],
};

/**
 * Long enough for every card's quiet reload ({@link REVALIDATE_AFTER_FIRST_LOAD_MS} after its
 * first answer) on a busy machine, short of the 15 s per-test limit.
 */
const QUIET_RELOAD_TIMEOUT_MS = REVALIDATE_AFTER_FIRST_LOAD_MS + 5000;

/** A promise and the function that resolves it, for an answer the test releases itself. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Presses a card's refresh button once it is enabled again (it is disabled while loading). */
async function refresh(card: string) {
  const button = screen.getByLabelText(`Refresh ${card}`);
  await waitFor(() => expect(button).toBeEnabled());
  await user.click(button);
}

describe('EntityDeliveryContent', () => {
  it('keeps showing the ECS service and rollback when GitHub fails', async () => {
    const githubDown = await responseError(
      502,
      'ResponseError',
      'GitHub answered 502 after 3 attempts',
    );
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
      listPipelineRuns: jest.fn().mockRejectedValue(githubDown),
      getDrift: jest.fn().mockRejectedValue(githubDown),
      listDeployments: jest.fn().mockRejectedValue(githubDown),
    });
    await renderWithEntity(<EntityDeliveryContent />, { api });
    expect(
      await screen.findByText('2 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();
    expect(await screen.findAllByRole('radio')).toHaveLength(2);
    expect(
      await screen.findByText('Could not load the pipeline runs'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Could not load the drift state'),
    ).toBeInTheDocument();
  });

  it('reads the ECS service once for both ECS cards, and the ECS card shows the deployment a rollback started', async () => {
    // The service as it is before and after the rollback, whenever it is read: the cards also
    // reload once, quietly, 2 s after the first answer, and on a busy machine that reload may
    // come before or after the rollback.
    let rolledBack = false;
    const firstAnswer = deferred<EcsServiceState>();
    const getEcsState = jest
      .fn()
      .mockImplementationOnce(() => firstAnswer.promise)
      .mockImplementation(async () =>
        rolledBack
          ? ecsState({
              deployments: [deployment({ revision: 2, id: 'ecs-svc/new' })],
              rollbackTargets: [],
            })
          : ecsState(),
      );
    const api = mockDeliveryApi({
      getEcsState,
      rollbackEcs: jest.fn(async () => {
        rolledBack = true;
        return {
          deploymentId: 'ecs-svc/new',
          fromRevision: 3,
          toRevision: 2,
        };
      }),
    });
    await renderWithEntity(<EntityDeliveryContent />, {
      api,
      pollIntervals: { ecsMs: 20 },
    });
    // Both ECS cards are on screen and loading, and the service was read once for the two.
    // The first answer is still held back, so no quiet reload can have been scheduled yet.
    expect(screen.getByLabelText('Refresh ECS service')).toBeInTheDocument();
    expect(screen.getByLabelText('Refresh Rollback')).toBeInTheDocument();
    expect(getEcsState).toHaveBeenCalledTimes(1);
    firstAnswer.resolve(ecsState());
    await user.click(await screen.findByRole('radio', { name: /^Revision 2/ }));
    await enterReason(user, 'bad release');
    await user.click(screen.getByRole('button', { name: 'Roll back…' }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Roll back to revision 2',
      }),
    );
    expect(
      await screen.findByText(/Rollback of demo-web to revision 2: COMPLETED/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    const rows = within(screen.getByRole('table', { name: 'Deployments' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('ecs-svc/new');
    expect(rows[0]).toHaveTextContent('revision 2');
  });

  it("refreshes only the card whose refresh button is pressed, and a failing refresh keeps every card's data", async () => {
    // Each card's first answer comes twice: the first load and the quiet reload 2 s later.
    const getEcsState = jest
      .fn()
      .mockResolvedValueOnce(ecsState())
      .mockResolvedValueOnce(ecsState())
      .mockResolvedValueOnce(ecsState({ runningCount: 1 }))
      .mockRejectedValue(new Error('AWS throttled the request'));
    const listPipelineRuns = jest
      .fn()
      .mockResolvedValueOnce(runsPage(pipelineRun(1)))
      .mockResolvedValueOnce(runsPage(pipelineRun(1)))
      .mockResolvedValue(runsPage(pipelineRun(2), pipelineRun(1)));
    const getDrift = jest
      .fn()
      .mockResolvedValueOnce(inSync)
      .mockResolvedValueOnce(inSync)
      .mockRejectedValue(new Error('GitHub answered 502'));
    const listDeployments = jest.fn().mockResolvedValue({
      environment: 'production',
      page: 1,
      perPage: 100,
      hasNextPage: false,
      deployments: [],
    });
    const api = mockDeliveryApi({
      getEcsState,
      listPipelineRuns,
      getDrift,
      listDeployments,
    });
    await renderWithEntity(<EntityDeliveryContent />, { api });
    expect(
      await screen.findByText('2 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();
    expect(await screen.findByText('Deploy #1')).toBeInTheDocument();
    expect(await screen.findByText('In sync')).toBeInTheDocument();
    expect(await screen.findAllByRole('radio')).toHaveLength(2);
    const calls = () => ({
      ecs: getEcsState.mock.calls.length,
      runs: listPipelineRuns.mock.calls.length,
      drift: getDrift.mock.calls.length,
      history: listDeployments.mock.calls.length,
    });
    /** Calls per API method since `before`. */
    const since = (before: ReturnType<typeof calls>) => {
      const now = calls();
      return {
        ecs: now.ecs - before.ecs,
        runs: now.runs - before.runs,
        drift: now.drift - before.drift,
        history: now.history - before.history,
      };
    };
    const nothing = { ecs: 0, runs: 0, drift: 0, history: 0 };
    // Let every card's quiet reload happen first (one read each, 2 s after its first answer),
    // so the counts below change only through the refresh buttons.
    await waitFor(
      () => expect(calls()).toEqual({ ecs: 2, runs: 2, drift: 2, history: 2 }),
      { timeout: QUIET_RELOAD_TIMEOUT_MS },
    );
    let before = calls();

    // Pipeline runs: only the runs are read again.
    await refresh('Pipeline runs');
    expect(await screen.findByText('Deploy #2')).toBeInTheDocument();
    expect(since(before)).toEqual({ ...nothing, runs: 1 });

    // Terraform drift fails to refresh: it says so and keeps its state; nothing else is read
    // or touched.
    before = calls();
    await refresh('Terraform drift');
    expect(
      await screen.findByText(/Could not refresh the drift state/),
    ).toHaveTextContent('GitHub answered 502');
    expect(screen.getByText('In sync')).toBeInTheDocument();
    expect(since(before)).toEqual({ ...nothing, drift: 1 });
    expect(screen.getAllByText(/Could not refresh/)).toHaveLength(1);
    expect(screen.getByText('Deploy #2')).toBeInTheDocument();
    expect(
      screen.getByText('2 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();

    // ECS service: one read of the service (shared with the Rollback card), no GitHub calls.
    before = calls();
    await refresh('ECS service');
    expect(
      await screen.findByText('1 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();
    expect(since(before)).toEqual({ ...nothing, ecs: 1 });

    // ECS fails to refresh: the two ECS cards warn and keep their data; the GitHub cards keep
    // theirs, without a warning of their own.
    before = calls();
    await refresh('Rollback');
    expect(
      await screen.findByText(/Could not refresh the rollback targets/),
    ).toHaveTextContent('AWS throttled the request');
    expect(
      screen.getByText(/Could not refresh the ECS service/),
    ).toBeInTheDocument();
    expect(since(before)).toEqual({ ...nothing, ecs: 1 });
    expect(
      screen.getByText('1 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('radio')).toHaveLength(2);
    expect(screen.getByText('Deploy #2')).toBeInTheDocument();
    expect(screen.getByText('In sync')).toBeInTheDocument();
    expect(
      screen.queryByText(/Could not refresh the pipeline runs/),
    ).not.toBeInTheDocument();
  });

  it("links commits and workflows to the repository's own GitHub host, never to github.com", async () => {
    const repo = 'https://github.local/acme/demo-web';
    const sha = (c: string) => c.repeat(40);
    const api = mockDeliveryApi({
      // Blue/green, so the card offers the rollback workflow's link.
      getEcsState: jest
        .fn()
        .mockResolvedValue(ecsState({ deploymentController: 'CODE_DEPLOY' })),
      listDeployments: jest.fn().mockResolvedValue({
        environment: 'production',
        repositoryUrl: repo,
        page: 1,
        perPage: 100,
        hasNextPage: false,
        deployments: [3, 2].map(revision => ({
          id: revision,
          environment: 'production',
          ref: 'main',
          sha: sha(String(revision)),
          commitUrl: `${repo}/commit/${sha(String(revision))}`,
          task: 'deploy:ecs-service',
          creator: { login: 'carol' },
          createdAt: new Date().toISOString(),
          state: 'success',
          revision,
        })),
      }),
      listPipelineRuns: jest.fn().mockResolvedValue(
        runsPage({
          ...pipelineRun(1),
          htmlUrl: `${repo}/actions/runs/1`,
        }),
      ),
      getDrift: jest.fn().mockResolvedValue({
        ...inSync,
        workflowUrl: `${repo}/actions/workflows/drift.yml`,
        repositoryUrl: repo,
        commitUrl: `${repo}/commit/${inSync.commit}`,
      }),
    });
    await renderWithEntity(<EntityDeliveryContent />, { api });
    await user.click(await screen.findByRole('radio', { name: /^Revision 2/ }));

    expect(
      await screen.findByRole('link', { name: /^rollback\.yml workflow/ }),
    ).toHaveAttribute('href', `${repo}/actions/workflows/rollback.yml`);
    expect(screen.getByRole('link', { name: /^3333333/ })).toHaveAttribute(
      'href',
      `${repo}/commit/${sha('3')}`,
    );
    expect(screen.getByRole('link', { name: /^2222222/ })).toHaveAttribute(
      'href',
      `${repo}/commit/${sha('2')}`,
    );
    expect(
      await screen.findByRole('link', { name: /^1234567/ }),
    ).toHaveAttribute('href', `${repo}/commit/${inSync.commit}`);
    expect(
      screen.getByRole('link', { name: /^drift\.yml runs/ }),
    ).toHaveAttribute('href', `${repo}/actions/workflows/drift.yml`);
    expect(
      screen.getByRole('link', { name: /^Deploy #1 on GitHub/ }),
    ).toHaveAttribute('href', `${repo}/actions/runs/1`);
    for (const link of screen.getAllByRole('link')) {
      expect(link.getAttribute('href')).not.toMatch(/github\.com/);
    }
  });

  it('names both annotations, once, for an entity with neither', async () => {
    const api = mockDeliveryApi();
    await renderWithEntity(<EntityDeliveryContent />, {
      api,
      entity: makeEntity({
        'aws.amazon.com/amazon-ecs-service-arn': undefined,
        'github.com/project-slug': undefined,
      }),
    });
    expect(screen.getByText(/are missing/)).toHaveTextContent(
      'The annotations aws.amazon.com/amazon-ecs-service-arn, github.com/project-slug are missing',
    );
    expect(screen.queryByText('ECS service')).not.toBeInTheDocument();
    expect(api.getEcsState).not.toHaveBeenCalled();
    expect(api.listPipelineRuns).not.toHaveBeenCalled();
  });
});
