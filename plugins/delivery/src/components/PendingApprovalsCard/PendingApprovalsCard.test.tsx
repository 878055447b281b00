import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  PendingDeploymentsResponse,
  WaitingRun,
} from '@cicd-aws/plugin-delivery-common';
import { screen, waitFor, within } from '@testing-library/react';
import {
  mockDeliveryApi,
  mockPermissionApi,
  mockScmAuthApi,
  renderWithEntity,
  responseError,
  setupUser,
} from '../../__testUtils__';
import { PendingApprovalsCard } from './PendingApprovalsCard';

let user: ReturnType<typeof setupUser>;
beforeEach(() => {
  user = setupUser();
});

const REPO = 'https://github.local/acme/demo-web';

const run = (overrides: Partial<WaitingRun> = {}): WaitingRun => ({
  id: 4242,
  attempt: 1,
  runNumber: 17,
  url: `${REPO}/actions/runs/4242`,
  workflow: 'Deploy',
  event: 'push',
  branch: 'main',
  commit: {
    sha: 'abcdef0123456789abcdef0123456789abcdef01',
    url: `${REPO}/commit/abcdef0123456789abcdef0123456789abcdef01`,
    message: 'Raise the CPU alarm threshold',
  },
  actor: { login: 'riley' },
  waitingSince: new Date(Date.now() - 12 * 60_000).toISOString(),
  environments: [
    {
      id: 11,
      name: 'production',
      reviewers: [{ type: 'Team', name: 'acme/platform-team' }],
      waitTimerMinutes: 0,
    },
  ],
  plan: {
    status: 'ok',
    commit: 'abcdef0123456789abcdef0123456789abcdef01',
    createdAt: new Date().toISOString(),
    totals: { add: 1, change: 1, replace: 1, destroy: 1 },
    resources: [
      {
        address: 'aws_security_group_rule.legacy_ingress',
        type: 'aws_security_group_rule',
        action: 'delete',
        changedAttributes: [],
      },
      {
        address: 'aws_ecs_task_definition.app',
        type: 'aws_ecs_task_definition',
        action: 'replace',
        actionReason: 'replace_because_cannot_update',
        changedAttributes: ['container_definitions'],
      },
      {
        address: 'aws_cloudwatch_metric_alarm.cpu_high',
        type: 'aws_cloudwatch_metric_alarm',
        action: 'update',
        changedAttributes: ['threshold'],
      },
      {
        address: 'aws_cloudwatch_dashboard.service',
        type: 'aws_cloudwatch_dashboard',
        action: 'create',
        changedAttributes: ['dashboard_body'],
      },
    ],
  },
  ...overrides,
});

const answer = (
  overrides: Partial<PendingDeploymentsResponse> = {},
): PendingDeploymentsResponse => ({
  repositoryUrl: REPO,
  environment: {
    name: 'production',
    url: `${REPO}/settings/environments`,
    exists: true,
    reviewers: [{ type: 'Team', name: 'acme/platform-team' }],
    waitTimerMinutes: 0,
  },
  runs: [run()],
  viewer: { githubSignedIn: false },
  ...overrides,
});

/** What the backend answers a reviewer who sent their token. */
const asReviewer = (
  overrides: Partial<WaitingRun['environments'][number]> = {},
) =>
  answer({
    viewer: { githubSignedIn: true, login: 'riley' },
    runs: [
      run({
        environments: [
          {
            id: 11,
            name: 'production',
            reviewers: [{ type: 'Team', name: 'acme/platform-team' }],
            waitTimerMinutes: 0,
            canApprove: true,
            ...overrides,
          },
        ],
      }),
    ],
  });

describe('PendingApprovalsCard', () => {
  it('shows nothing while nothing waits on a gated environment', async () => {
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(answer({ runs: [] })),
    });
    await renderWithEntity(<PendingApprovalsCard />, { api });
    await waitFor(() => expect(api.listPendingDeployments).toHaveBeenCalled());
    expect(screen.queryByText('Waiting for approval')).not.toBeInTheDocument();
    expect(screen.queryByText(/no required reviewers/)).not.toBeInTheDocument();
  });

  it('says plainly when the deploy environment has no required reviewers', async () => {
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(
        answer({
          runs: [],
          environment: {
            name: 'production',
            exists: true,
            reviewers: [],
            waitTimerMinutes: 0,
          },
        }),
      ),
    });
    await renderWithEntity(<PendingApprovalsCard />, { api });
    expect(
      await screen.findByText(
        /The production environment has no required reviewers: deploys are applied without approval/,
      ),
    ).toBeInTheDocument();
  });

  it('shows the waiting run, its commit and its plan with destroys and replaces marked first', async () => {
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(answer()),
    });
    await renderWithEntity(<PendingApprovalsCard />, { api });
    expect(await screen.findByText('Waiting for approval')).toBeInTheDocument();
    expect(screen.getByText(/Commit/)).toHaveTextContent(
      /Commit abcdef0.* “Raise the CPU alarm threshold” pushed by riley on main, waiting since 12 minutes ago/,
    );
    expect(
      screen.getByText(
        'Terraform plan: 1 to add, 1 to change, 1 to replace, 1 to destroy',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/destroys or replaces 2 resources/),
    ).toBeInTheDocument();
    const rows = within(
      screen.getByRole('table', { name: 'Planned resource changes' }),
    ).getAllByRole('row');
    expect(rows.slice(1).map(r => r.textContent)).toEqual([
      expect.stringMatching(/^destroy.*legacy_ingress/),
      expect.stringMatching(/^replace.*task_definition.*container_definitions/),
      expect.stringMatching(/^update.*cpu_high.*threshold/),
      expect.stringMatching(/^create.*dashboard/),
    ]);
  });

  it('gives a user without a GitHub sign-in the run on GitHub instead of the buttons', async () => {
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(answer()),
    });
    await renderWithEntity(<PendingApprovalsCard />, { api });
    expect(
      await screen.findByRole('link', { name: /^Review this run on GitHub/ }),
    ).toHaveAttribute('href', `${REPO}/actions/runs/4242`);
    expect(
      screen.queryByRole('button', { name: 'Approve' }),
    ).not.toBeInTheDocument();
  });

  it('disables the buttons with the reason when the portal permission is missing', async () => {
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(asReviewer()),
    });
    await renderWithEntity(<PendingApprovalsCard />, {
      api,
      scmAuthApi: mockScmAuthApi('gho_pat'),
      permissionApi: mockPermissionApi(() => AuthorizeResult.DENY),
    });
    expect(
      await screen.findByRole('button', { name: 'Approve' }),
    ).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Reject' })).toBeDisabled();
    expect(
      await screen.findByText(/delivery.deployment.approve permission/),
    ).toBeInTheDocument();
  });

  it('disables the buttons when GitHub says the user is not a reviewer', async () => {
    const api = mockDeliveryApi({
      listPendingDeployments: jest
        .fn()
        .mockResolvedValue(asReviewer({ canApprove: false })),
    });
    await renderWithEntity(<PendingApprovalsCard />, {
      api,
      scmAuthApi: mockScmAuthApi('gho_pat'),
    });
    expect(
      await screen.findByText(
        /GitHub says riley is not a required reviewer of production \(reviewers: acme\/platform-team\)/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Approve' })).toBeDisabled();
  });

  it('disables the buttons while the wait timer runs', async () => {
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(
        asReviewer({
          waitTimerMinutes: 30,
          waitTimerEndsAt: new Date(Date.now() + 20 * 60_000).toISOString(),
        }),
      ),
    });
    await renderWithEntity(<PendingApprovalsCard />, {
      api,
      scmAuthApi: mockScmAuthApi('gho_riley'),
    });
    expect(
      await screen.findByText(/wait timer runs until/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Approve' })).toBeDisabled();
  });

  it('approves with a required comment and the user’s token, then follows the run until its job starts', async () => {
    const listPendingDeployments = jest
      .fn()
      .mockResolvedValueOnce(answer())
      .mockResolvedValueOnce(asReviewer())
      .mockResolvedValue(answer({ runs: [] }));
    const getPipelineJobs = jest
      .fn()
      .mockResolvedValueOnce({
        runId: 4242,
        totalCount: 1,
        jobs: [
          {
            id: 1,
            name: 'Apply and deploy to production',
            status: 'waiting',
            steps: [],
          },
        ],
      })
      .mockResolvedValue({
        runId: 4242,
        totalCount: 1,
        jobs: [
          {
            id: 1,
            name: 'Apply and deploy to production',
            status: 'in_progress',
            steps: [],
          },
        ],
      });
    const api = mockDeliveryApi({
      listPendingDeployments,
      getPipelineJobs,
      reviewPendingDeployment: jest.fn().mockResolvedValue({
        runId: 4242,
        runUrl: `${REPO}/actions/runs/4242`,
        state: 'approved',
        environments: ['production'],
        reviewer: 'riley',
      }),
    });
    const { entity } = await renderWithEntity(<PendingApprovalsCard />, {
      api,
      scmAuthApi: mockScmAuthApi('gho_riley'),
      pollIntervals: { followRunMs: 10 },
    });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled(),
    );
    expect(listPendingDeployments).toHaveBeenLastCalledWith(
      expect.anything(),
      expect.objectContaining({ githubToken: 'gho_riley' }),
    );
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    const dialog = screen.getByRole('dialog', {
      name: 'Approve the deploy to production?',
    });
    const confirm = within(dialog).getByRole('button', {
      name: 'Approve and deploy',
    });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByRole('textbox'), '   ');
    expect(confirm).toBeDisabled();
    await user.paste('Plan read: one replace of the task definition, expected');
    await user.click(confirm);
    expect(api.reviewPendingDeployment).toHaveBeenCalledWith(
      `component:default/${entity.metadata.name}`,
      4242,
      {
        state: 'approved',
        comment: 'Plan read: one replace of the task definition, expected',
      },
      expect.objectContaining({
        githubToken: 'gho_riley',
        idempotencyKey: expect.any(String),
      }),
    );
    expect(
      await screen.findByText(/The production job started/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Apply and deploy to production: in progress'),
    ).toBeInTheDocument();
  });

  it('keeps the card and says why when GitHub refuses the review', async () => {
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(asReviewer()),
      reviewPendingDeployment: jest
        .fn()
        .mockImplementation(() =>
          responseError(
            409,
            'ConflictError',
            'Run 4242 is no longer waiting for an approval: it was reviewed by someone else',
          ).then(e => Promise.reject(e)),
        ),
    });
    await renderWithEntity(<PendingApprovalsCard />, {
      api,
      scmAuthApi: mockScmAuthApi('gho_riley'),
    });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Reject' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Reject' }));
    await user.click(screen.getByRole('textbox'));
    await user.paste('Not during the freeze');
    await user.click(screen.getByRole('button', { name: 'Reject' }));
    expect(
      await screen.findByText(
        /The review was not recorded: .*no longer waiting/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Waiting for approval')).toBeInTheDocument();
  });

  it('names self-review when the environment prevents it and the viewer started the run', async () => {
    const base = asReviewer({ canApprove: false });
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue({
        ...base,
        environment: { ...base.environment, preventSelfReview: true },
      }),
    });
    await renderWithEntity(<PendingApprovalsCard />, {
      api,
      scmAuthApi: mockScmAuthApi('gho_riley'),
    });
    expect(
      await screen.findByText(
        /You started this run, and the environment prevents self-review/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Approve' })).toBeDisabled();
  });

  it('warns in the dialog when approving a run whose plan cannot be shown', async () => {
    const reviewer = asReviewer();
    reviewer.runs[0].plan = {
      status: 'unusable',
      message: 'The plan-summary artifact of run 4242 has expired',
    };
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(reviewer),
    });
    await renderWithEntity(<PendingApprovalsCard />, {
      api,
      scmAuthApi: mockScmAuthApi('gho_riley'),
    });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Approve' }));
    expect(
      within(screen.getByRole('dialog')).getByText(
        /No Terraform plan is shown for this run \(The plan-summary artifact of run 4242 has expired\)/,
      ),
    ).toBeInTheDocument();
  });

  it('opens the GitHub sign-in from the click itself, so no popup blocker stops it', async () => {
    const scmAuthApi = mockScmAuthApi();
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(answer()),
    });
    await renderWithEntity(<PendingApprovalsCard />, { api, scmAuthApi });
    const button = await screen.findByRole('button', {
      name: 'Sign in to GitHub',
    });
    scmAuthApi.getCredentials.mockClear();
    // A native click outside act(): React runs no effect before it returns, so only a request
    // made in the click handler itself is seen here, as a browser's popup blocker sees it.
    button.click();
    expect(scmAuthApi.getCredentials).toHaveBeenCalledWith(
      expect.objectContaining({
        url: REPO,
        instantPopup: true,
        optional: false,
      }),
    );
  });

  it('shows the reason instead of a plan it cannot read', async () => {
    const api = mockDeliveryApi({
      listPendingDeployments: jest.fn().mockResolvedValue(
        answer({
          runs: [
            run({
              plan: {
                status: 'unusable',
                message:
                  'The plan of run 4242 cannot be shown: plan-summary.json is not JSON',
              },
            }),
          ],
        }),
      ),
    });
    await renderWithEntity(<PendingApprovalsCard />, { api });
    expect(
      await screen.findByText(/plan-summary.json is not JSON/),
    ).toBeInTheDocument();
  });
});
