import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import {
  deployment,
  ecsState,
  makeEntity,
  mockDeliveryApi,
  mockPermissionApi,
  renderWithEntity,
  setupUser,
  enterReason,
  responseError,
} from '../../__testUtils__';
import { RollbackCard } from './RollbackCard';

let user: ReturnType<typeof setupUser>;
beforeEach(() => {
  user = setupUser();
});

const history = {
  environment: 'production',
  page: 1,
  perPage: 100,
  hasNextPage: false,
  repositoryUrl: 'https://github.com/acme/demo-web',
  deployments: [
    {
      id: 30,
      environment: 'production',
      ref: 'main',
      sha: 'cccccccccccccccccccccccccccccccccccccccc',
      commitUrl: `https://github.com/acme/demo-web/commit/${'c'.repeat(40)}`,
      task: 'deploy:ecs-service',
      creator: { login: 'carol' },
      createdAt: new Date(Date.now() - 3600_000).toISOString(),
      state: 'success' as const,
      revision: 3,
    },
    {
      id: 20,
      environment: 'production',
      ref: 'main',
      sha: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      commitUrl: `https://github.com/acme/demo-web/commit/${'b'.repeat(40)}`,
      task: 'deploy:ecs-service',
      creator: { login: 'bob' },
      createdAt: new Date(Date.now() - 86400_000).toISOString(),
      state: 'inactive' as const,
      revision: 2,
    },
  ],
};

const rollbackButton = () =>
  screen.getByRole('button', { name: /^Roll back…$/ });

/** The modal around a dialog: MUI focuses its container, which holds the dialog. */
const modalOf = (dialog: HTMLElement) =>
  dialog.closest<HTMLElement>('[role="presentation"]');

/** Presses Tab until `element` has the focus, as a keyboard user would (at most 20 times). */
async function tabTo(element: HTMLElement) {
  for (let i = 0; i < 20 && document.activeElement !== element; i++) {
    await user.tab();
  }
  expect(element).toHaveFocus();
}

async function chooseAndConfirm(revision: string, reason: string) {
  await user.click(
    await screen.findByRole('radio', {
      name: new RegExp(`^Revision ${revision}`),
    }),
  );
  await enterReason(user, reason);
  await user.click(rollbackButton());
  return screen.findByRole('dialog');
}

describe('RollbackCard', () => {
  it('preselects nothing, marks the last completed revision, and explains the disabled button', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    await renderWithEntity(<RollbackCard />, { api });

    const radios = await screen.findAllByRole('radio');
    expect(radios).toHaveLength(2);
    radios.forEach(r => expect(r).not.toBeChecked());
    expect(
      screen.getByRole('radio', { name: /Revision 2 \(last completed\)/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('radio', { name: /^Revision 1 ·/ }),
    ).toBeInTheDocument();
    await waitFor(() => expect(rollbackButton()).toBeDisabled());
    expect(screen.getByText('Choose a target revision.')).toBeInTheDocument();
  });

  it("links commits to the repository's own GitHub host (GitHub Enterprise too)", async () => {
    const onEnterprise = {
      ...history,
      repositoryUrl: 'https://github.example.com/acme/demo-web',
      deployments: history.deployments.map(d => ({
        ...d,
        commitUrl: `https://github.example.com/acme/demo-web/commit/${d.sha}`,
      })),
    };
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
      listDeployments: jest.fn().mockResolvedValue(onEnterprise),
    });
    await renderWithEntity(<RollbackCard />, { api });
    await user.click(await screen.findByRole('radio', { name: /^Revision 2/ }));
    const link = await screen.findByRole('link', { name: /bbbbbbb/ });
    expect(link).toHaveAttribute(
      'href',
      `https://github.example.com/acme/demo-web/commit/${'b'.repeat(40)}`,
    );
  });

  it('compares current and target, requires a reason, and confirms naming the service and both revisions', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    await renderWithEntity(<RollbackCard />, { api });

    await user.click(await screen.findByRole('radio', { name: /^Revision 2/ }));
    const comparison = screen.getByRole('table', {
      name: 'Current and target revision',
    });
    // The row whose header cell names it (cheaper than matching every row's accessible name).
    const row = (label: string) =>
      within(comparison).getByText(label, { selector: 'th' }).closest('tr')!;
    expect(row('Revision')).toHaveTextContent('revision 3revision 2');
    expect(row('Images')).toHaveTextContent('web:v3');
    expect(row('Images')).toHaveTextContent('web:v2');
    await waitFor(() => expect(row('Deployed by')).toHaveTextContent('carol'));
    expect(row('Deployed by')).toHaveTextContent('bob');
    expect(row('Commit')).toHaveTextContent(/ccccccc.*bbbbbbb/);

    // A reason of fewer than three visible characters keeps the button disabled.
    await enterReason(user, ' a ');
    expect(rollbackButton()).toBeDisabled();
    expect(screen.getByText(/Type a reason/)).toBeInTheDocument();
    await enterReason(user, 'bc');
    expect(rollbackButton()).toBeEnabled();

    await user.click(rollbackButton());
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Roll back demo-web?');
    expect(dialog).toHaveTextContent(
      'The ECS service demo-web goes from revision 3 back to revision 2.',
    );
    expect(dialog).toHaveTextContent('Reason: a bc');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.rollbackEcs).not.toHaveBeenCalled();
  });

  it('sends one rollback on a double click and follows the new deployment to COMPLETED', async () => {
    let answer: (v: unknown) => void = () => {};
    const rollbackEcs = jest.fn(
      () =>
        new Promise<any>(resolve => {
          answer = resolve;
        }),
    );
    // Unchanged until the rollback is sent (however often the card reloads before, e.g. its
    // revalidation 2 s after the first answer on a busy machine); then the new deployment runs
    // until the test has seen it in progress, and completes. A count of reads would let a fast
    // poll skip past "in progress" before the test looks.
    let completed = false;
    const getEcsState = jest.fn(async () => {
      if (rollbackEcs.mock.calls.length === 0) return ecsState();
      return !completed
        ? ecsState({
            deployments: [
              deployment({
                revision: 2,
                id: 'ecs-svc/new',
                rolloutState: 'IN_PROGRESS',
                runningCount: 0,
              }),
              deployment({ revision: 3, status: 'ACTIVE' }),
            ],
          })
        : ecsState({
            deployments: [deployment({ revision: 2, id: 'ecs-svc/new' })],
            rollbackTargets: [],
          });
    });
    const api = mockDeliveryApi({
      getEcsState,
      rollbackEcs,
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    await renderWithEntity(<RollbackCard />, {
      api,
      pollIntervals: { ecsMs: 20 },
    });

    const dialog = await chooseAndConfirm('2', 'bad release');
    const confirm = within(dialog).getByRole('button', {
      name: 'Roll back to revision 2',
    });
    await user.dblClick(confirm);
    await user.click(confirm).catch(() => {});
    answer({ deploymentId: 'ecs-svc/new', fromRevision: 3, toRevision: 2 });

    expect(
      await screen.findByText(
        /Rollback of demo-web to revision 2: in progress/,
      ),
    ).toBeInTheDocument();
    completed = true;
    expect(
      await screen.findByText(/Rollback of demo-web to revision 2: COMPLETED/),
    ).toBeInTheDocument();
    expect(rollbackEcs).toHaveBeenCalledTimes(1);
    expect(rollbackEcs).toHaveBeenCalledWith(
      expect.stringMatching(/^component:default\/demo-web-/),
      {
        revision: 2,
        reason: 'bad release',
      },
      { idempotencyKey: expect.any(String) },
    );
  });

  it('says FAILED, with ECS reason, when the rollback deployment fails', async () => {
    const getEcsState = jest
      .fn()
      .mockResolvedValueOnce(ecsState())
      .mockResolvedValue(
        ecsState({
          deployments: [
            deployment({
              revision: 1,
              id: 'ecs-svc/r1',
              rolloutState: 'FAILED',
              rolloutStateReason:
                'ECS deployment circuit breaker: tasks failed to start.',
            }),
          ],
        }),
      );
    const api = mockDeliveryApi({
      getEcsState,
      rollbackEcs: jest.fn().mockResolvedValue({
        deploymentId: 'ecs-svc/r1',
        fromRevision: 3,
        toRevision: 1,
      }),
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    await renderWithEntity(<RollbackCard />, {
      api,
      pollIntervals: { ecsMs: 20 },
    });
    const dialog = await chooseAndConfirm('1', 'try one');
    await user.click(
      within(dialog).getByRole('button', { name: 'Roll back to revision 1' }),
    );
    expect(
      await screen.findByText(
        /Rollback of demo-web to revision 1: FAILED. ECS deployment circuit breaker: tasks failed to start./,
      ),
    ).toBeInTheDocument();
  });

  it('shows the backend refusal', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
      rollbackEcs: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            409,
            'ConflictError',
            'Another rollback of demo-web is being started',
          ),
        ),
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    await renderWithEntity(<RollbackCard />, { api });
    const dialog = await chooseAndConfirm('2', 'bad release');
    await user.click(
      within(dialog).getByRole('button', { name: 'Roll back to revision 2' }),
    );
    expect(
      await screen.findByText(
        /The rollback was refused: Another rollback of demo-web is being started/,
      ),
    ).toBeInTheDocument();
  });

  it('sends an Idempotency-Key with each submit, and a new one with a separate submit', async () => {
    const rollbackEcs = jest
      .fn()
      .mockRejectedValueOnce(
        await responseError(502, 'BadGatewayError', 'AWS ECS timed out'),
      )
      .mockResolvedValue({
        deploymentId: 'ecs-svc/new',
        fromRevision: 3,
        toRevision: 2,
      });
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
      rollbackEcs,
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    await renderWithEntity(<RollbackCard />, { api });

    // The first submit: a double click is still one submit, one request, one key.
    let dialog = await chooseAndConfirm('2', 'bad release');
    await user.dblClick(
      within(dialog).getByRole('button', { name: 'Roll back to revision 2' }),
    );
    expect(
      await screen.findByText(/The rollback was refused: AWS ECS timed out/),
    ).toBeInTheDocument();
    expect(rollbackEcs).toHaveBeenCalledTimes(1);

    // The user tries again: a separate submit, with a key of its own.
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    await user.click(
      await screen.findByRole('button', { name: /^Roll back…$/ }),
    );
    dialog = await screen.findByRole('dialog');
    await user.click(
      within(dialog).getByRole('button', { name: 'Roll back to revision 2' }),
    );
    expect(
      await screen.findByText(/Rollback of demo-web to revision 2/),
    ).toBeInTheDocument();
    expect(rollbackEcs).toHaveBeenCalledTimes(2);
    const [first, second] = rollbackEcs.mock.calls.map(call => call[2]);
    expect(first.idempotencyKey).toMatch(/^[\x21-\x7E]{16,255}$/);
    expect(second.idempotencyKey).toMatch(/^[\x21-\x7E]{16,255}$/);
    expect(second.idempotencyKey).not.toBe(first.idempotencyKey);
    expect(rollbackEcs.mock.calls[1][1]).toEqual({
      revision: 2,
      reason: 'bad release',
    });
  });

  it('says when the service state and the deployment history are stale answers, and still offers the rollback', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(
        ecsState({
          staleAnswer: {
            fetchedAt: new Date(Date.now() - 4 * 60_000).toISOString(),
            ageSeconds: 240,
            reason: 'connect ETIMEDOUT',
          },
        }),
      ),
      listDeployments: jest.fn().mockResolvedValue({
        ...history,
        staleAnswer: {
          fetchedAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
          ageSeconds: 7200,
          reason: 'GitHub answered 502',
        },
      }),
    });
    await renderWithEntity(<RollbackCard />, { api });
    expect(
      await screen.findByText(
        /Showing the answer from 4 minutes ago: AWS ECS could not be reached \(connect ETIMEDOUT\)/,
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        /Showing the answer from 2 hours ago: GitHub \(the deployment history\) could not be reached \(GitHub answered 502\)/,
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('radio')).toHaveLength(2);
  });

  it('is disabled with the permission named when the user may not roll back', async () => {
    const permissionApi = mockPermissionApi(() => AuthorizeResult.DENY);
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    const { entity } = await renderWithEntity(<RollbackCard />, {
      api,
      permissionApi,
    });
    await user.click(await screen.findByRole('radio', { name: /^Revision 2/ }));
    await enterReason(user, 'abc');
    expect(
      await screen.findByText(/You cannot roll back this service/),
    ).toHaveTextContent(
      `needs the delivery.ecs.rollback permission on component:default/${entity.metadata.name}`,
    );
    expect(rollbackButton()).toBeDisabled();
    expect(permissionApi.authorize).toHaveBeenCalledWith(
      expect.objectContaining({
        permission: expect.objectContaining({ name: 'delivery.ecs.rollback' }),
        resourceRef: `component:default/${entity.metadata.name}`,
      }),
    );
  });

  it('links blue/green (CodeDeploy) services to their rollback workflow instead', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(
        ecsState({
          deploymentController: 'CODE_DEPLOY',
          deploymentStrategy: 'BLUE_GREEN',
        }),
      ),
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    await renderWithEntity(<RollbackCard />, {
      api,
      entity: makeEntity({ 'cicd-aws.dev/rollback-workflow': 'undo.yml' }),
    });
    const link = await screen.findByRole('link', { name: /undo.yml workflow/ });
    expect(link).toHaveAttribute(
      'href',
      'https://github.com/acme/demo-web/actions/workflows/undo.yml',
    );
    expect(rollbackButton()).toBeDisabled();
    expect(
      screen.getByText(/blue\/green service deployed by CodeDeploy/),
    ).toBeInTheDocument();
  });

  it('offers "Stop rollout and roll back" while a rollout is in progress, with its own confirmation', async () => {
    const inProgress = ecsState({
      deployments: [
        deployment({
          revision: 4,
          id: 'ecs-svc/4',
          rolloutState: 'IN_PROGRESS',
        }),
        deployment({ revision: 3, id: 'ecs-svc/3', status: 'ACTIVE' }),
      ],
    });
    const stopEcsRollout = jest.fn().mockResolvedValue({
      serviceDeploymentArn:
        'arn:aws:ecs:us-east-1:123456789012:service-deployment/demo/demo-web/x',
      fromRevision: 4,
      toRevision: 3,
    });
    // The rollout stays in progress until it is stopped; then ECS's replacement completes.
    const getEcsState = jest.fn(async () =>
      stopEcsRollout.mock.calls.length === 0
        ? inProgress
        : ecsState({
            deployments: [deployment({ revision: 3, id: 'ecs-svc/3b' })],
          }),
    );
    const api = mockDeliveryApi({
      getEcsState,
      stopEcsRollout,
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    await renderWithEntity(<RollbackCard />, {
      api,
      pollIntervals: { ecsMs: 20 },
    });

    expect(
      await screen.findByText(/A rollout of revision 4 is in progress/),
    ).toHaveTextContent('Stopping it makes ECS return demo-web to revision 3.');
    expect(screen.queryByRole('radio')).not.toBeInTheDocument();
    await enterReason(user, 'errors spike');
    await user.click(
      screen.getByRole('button', { name: 'Stop rollout and roll back…' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Stop the rollout of demo-web?');
    expect(dialog).toHaveTextContent(
      'ECS stops the rollout of revision 4 on the ECS service demo-web and returns it to revision 3.',
    );
    await user.dblClick(
      within(dialog).getByRole('button', {
        name: 'Stop rollout and roll back',
      }),
    );
    expect(
      await screen.findByText(
        /Stopping the rollout of demo-web and returning to revision 3: COMPLETED/,
      ),
    ).toBeInTheDocument();
    expect(stopEcsRollout).toHaveBeenCalledTimes(1);
    expect(stopEcsRollout).toHaveBeenCalledWith(
      expect.any(String),
      { reason: 'errors spike' },
      { idempotencyKey: expect.any(String) },
    );
    expect(api.rollbackEcs).not.toHaveBeenCalled();
  });

  it('can be operated with the keyboard alone: Enter or Space opens the dialog, Escape cancels, Tab reaches the confirm button, Enter confirms once', async () => {
    let answer: (v: unknown) => void = () => {};
    const rollbackEcs = jest.fn(
      () =>
        new Promise<any>(resolve => {
          answer = resolve;
        }),
    );
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
      rollbackEcs,
      listDeployments: jest.fn().mockResolvedValue(history),
    });
    await renderWithEntity(<RollbackCard />, { api });

    // Choose the target with the keyboard: Tab into the radio group, Space, then the arrows.
    const revision2 = await screen.findByRole('radio', { name: /^Revision 2/ });
    const revision1 = screen.getByRole('radio', { name: /^Revision 1/ });
    await tabTo(revision2);
    await user.keyboard(' ');
    expect(revision2).toBeChecked();
    await user.keyboard('{ArrowDown}');
    expect(revision1).toBeChecked();
    await user.keyboard('{ArrowUp}');
    expect(revision2).toBeChecked();
    expect(revision1).not.toBeChecked();

    // Tab (past the comparison's commit links) to the reason and type it; the next Tab lands
    // on the button.
    await tabTo(screen.getByRole('textbox', { name: /Reason/ }));
    await user.keyboard('oops');
    await user.tab();
    expect(rollbackButton()).toHaveFocus();
    expect(rollbackButton()).toBeEnabled();

    // Enter opens the confirmation; focus moves into it, and the page behind is hidden from
    // assistive technology while it is open.
    await user.keyboard('{Enter}');
    let dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Roll back demo-web?');
    expect(
      screen.queryByRole('button', { name: /^Roll back…$/ }),
    ).not.toBeInTheDocument();
    await waitFor(() =>
      expect(modalOf(dialog)).toContainElement(
        document.activeElement as HTMLElement,
      ),
    );

    // Escape cancels: no request, the dialog is gone and focus is back on the button.
    await user.keyboard('{Escape}');
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(rollbackEcs).not.toHaveBeenCalled();
    expect(rollbackButton()).toHaveFocus();

    // Space opens it again; Tab goes Cancel, then the confirm button.
    await user.keyboard(' ');
    dialog = await screen.findByRole('dialog');
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' });
    const confirm = within(dialog).getByRole('button', {
      name: 'Roll back to revision 2',
    });
    await waitFor(() =>
      expect(modalOf(dialog)).toContainElement(
        document.activeElement as HTMLElement,
      ),
    );
    await user.tab();
    expect(cancel).toHaveFocus();
    await user.tab();
    expect(confirm).toHaveFocus();

    // Enter confirms; pressing it again while the request runs sends nothing more.
    await user.keyboard('{Enter}');
    await user.keyboard('{Enter}');
    expect(rollbackEcs).toHaveBeenCalledTimes(1);
    expect(rollbackEcs).toHaveBeenCalledWith(
      expect.any(String),
      { revision: 2, reason: 'oops' },
      { idempotencyKey: expect.any(String) },
    );
    answer({ deploymentId: 'ecs-svc/new', fromRevision: 3, toRevision: 2 });
    expect(
      await screen.findByText(/Rollback of demo-web to revision 2/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(rollbackEcs).toHaveBeenCalledTimes(1);
  });

  it('still rolls back when the GitHub deployment history fails, and says the history is unknown', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
      listDeployments: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            503,
            'ServiceUnavailableError',
            'GitHub is not configured',
          ),
        ),
    });
    await renderWithEntity(<RollbackCard />, { api });
    await user.click(await screen.findByRole('radio', { name: /^Revision 2/ }));
    expect(
      (
        await screen.findAllByText(
          /unknown \(deployment history: GitHub is not configured\)/,
        )
      ).length,
    ).toBeGreaterThan(0);
    await enterReason(user, 'abc');
    expect(rollbackButton()).toBeEnabled();
  });
});
