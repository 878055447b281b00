import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { DriftState } from '@cicd-aws/plugin-delivery-common';
import { screen, within } from '@testing-library/react';
import {
  mockDeliveryApi,
  mockPermissionApi,
  renderWithEntity,
  setupUser,
  responseError,
} from '../../__testUtils__';
import { DriftCard } from './DriftCard';

let user: ReturnType<typeof setupUser>;
beforeEach(() => {
  user = setupUser();
});

const drift = (overrides: Partial<DriftState> = {}): DriftState => ({
  status: 'in-sync',
  workflow: 'drift.yml',
  workflowUrl: 'https://github.com/acme/demo-web/actions/workflows/drift.yml',
  repositoryUrl: 'https://github.com/acme/demo-web',
  checkedAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
  commit: '1234567890abcdef1234567890abcdef12345678',
  commitUrl:
    'https://github.com/acme/demo-web/commit/1234567890abcdef1234567890abcdef12345678',
  stale: false,
  resources: [],
  run: { id: 77, url: 'https://github.com/acme/demo-web/actions/runs/77' },
  terraform: { directory: 'infrastructure/terraform' },
  ...overrides,
});

describe('DriftCard', () => {
  it('shows in sync with when and on which commit, and links the run', async () => {
    const api = mockDeliveryApi({
      getDrift: jest.fn().mockResolvedValue(drift()),
    });
    await renderWithEntity(<DriftCard />, { api });
    expect(await screen.findByText('In sync')).toBeInTheDocument();
    expect(screen.getByText(/Checked/)).toHaveTextContent(
      /Checked 2 hours ago on commit 1234567.* in infrastructure\/terraform/,
    );
    expect(
      screen.getByRole('link', { name: /the check's run/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/demo-web/actions/runs/77',
    );
  });

  it('shows the commit as plain text when the backend names no URL for it', async () => {
    const api = mockDeliveryApi({
      getDrift: jest.fn().mockResolvedValue(drift({ commitUrl: undefined })),
    });
    await renderWithEntity(<DriftCard />, { api });
    expect(await screen.findByText('1234567')).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /^1234567/ }),
    ).not.toBeInTheDocument();
  });

  it('lists drifted resources with action and changed attributes, and says when stale', async () => {
    const api = mockDeliveryApi({
      getDrift: jest.fn().mockResolvedValue(
        drift({
          status: 'drifted',
          stale: true,
          resources: [
            {
              address: 'aws_ecs_service.rolling[0]',
              type: 'aws_ecs_service',
              actions: ['update'],
              changedAttributes: ['desired_count', 'tags.Team'],
              changedOutsideTerraform: true,
            },
            {
              address: 'aws_lb_target_group.blue',
              type: 'aws_lb_target_group',
              actions: ['delete', 'create'],
              changedAttributes: ['port'],
            },
          ],
        }),
      ),
    });
    await renderWithEntity(<DriftCard />, { api });
    expect(await screen.findByText('Drifted')).toBeInTheDocument();
    expect(screen.getByText(/Stale/)).toBeInTheDocument();
    const rows = within(
      screen.getByRole('table', { name: 'Drifted resources' }),
    )
      .getAllByRole('row')
      .slice(1);
    expect(rows[0]).toHaveTextContent('aws_ecs_service.rolling[0]');
    expect(rows[0]).toHaveTextContent('changed outside Terraform');
    expect(rows[0]).toHaveTextContent('desired_count, tags.Team');
    expect(rows[1]).toHaveTextContent('replace');
  });

  it('shows a failed check with its reason, and never-checked plainly', async () => {
    const api = mockDeliveryApi({
      getDrift: jest.fn().mockResolvedValue(
        drift({
          status: 'error',
          error: { message: 'terraform init failed' },
        }),
      ),
    });
    await renderWithEntity(<DriftCard />, { api });
    expect(await screen.findByText('Check failed')).toBeInTheDocument();
    expect(
      screen.getByText(/The drift check failed: terraform init failed/),
    ).toBeInTheDocument();

    const api2 = mockDeliveryApi({
      getDrift: jest.fn().mockResolvedValue(
        drift({
          status: 'never-run',
          checkedAt: undefined,
          commit: undefined,
          run: undefined,
        }),
      ),
    });
    await renderWithEntity(<DriftCard />, { api: api2 });
    expect(await screen.findByText('Never checked')).toBeInTheDocument();
  });

  it('starts a check once and shows the dispatched run', async () => {
    const checkDrift = jest.fn().mockResolvedValue({
      workflow: 'drift.yml',
      ref: 'main',
      runId: 78,
      runUrl: 'https://github.com/acme/demo-web/actions/runs/78',
    });
    const api = mockDeliveryApi({
      getDrift: jest.fn().mockResolvedValue(drift()),
      checkDrift,
    });
    await renderWithEntity(<DriftCard />, {
      api,
      pollIntervals: { driftMs: 60_000 },
    });
    await screen.findByText('In sync');
    const button = screen.getByRole('button', { name: 'Check now' });
    await screen.findByRole('button', { name: 'Check now' });
    await user.dblClick(button);
    expect(
      await screen.findByText(/Drift check started on main/),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /run 78/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/demo-web/actions/runs/78',
    );
    expect(checkDrift).toHaveBeenCalledTimes(1);
    expect(checkDrift).toHaveBeenCalledWith(expect.any(String), {
      idempotencyKey: expect.stringMatching(/^[\x21-\x7E]{16,255}$/),
    });
  });

  it('shows a stale drift state under a notice with its age and reason', async () => {
    const api = mockDeliveryApi({
      getDrift: jest.fn().mockResolvedValue({
        ...drift(),
        staleAnswer: {
          fetchedAt: new Date(Date.now() - 90_000).toISOString(),
          ageSeconds: 90,
          reason: 'GitHub rate limit exceeded',
        },
      }),
    });
    await renderWithEntity(<DriftCard />, { api });
    expect(
      await screen.findByText(
        /Showing the answer from 1 minute ago: GitHub could not be reached \(GitHub rate limit exceeded\)/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('In sync')).toBeInTheDocument();
  });

  it('shows no stale-answer notice for a fresh drift state', async () => {
    const api = mockDeliveryApi({
      getDrift: jest.fn().mockResolvedValue(drift()),
    });
    await renderWithEntity(<DriftCard />, { api });
    expect(await screen.findByText('In sync')).toBeInTheDocument();
    expect(
      screen.queryByText(/Showing the answer from/),
    ).not.toBeInTheDocument();
  });

  it('disables Check now and names the permission when it is denied', async () => {
    const api = mockDeliveryApi({
      getDrift: jest.fn().mockResolvedValue(drift()),
    });
    await renderWithEntity(<DriftCard />, {
      api,
      permissionApi: mockPermissionApi(() => AuthorizeResult.DENY),
    });
    expect(
      await screen.findByText(/Starting a drift check needs the/),
    ).toHaveTextContent(
      /needs the delivery.drift.check permission on component:default\/demo-web-\d+, which the portal gives to the entity's owners/,
    );
    expect(screen.getByRole('button', { name: 'Check now' })).toBeDisabled();
  });

  it('says GitHub is not configured on that 503', async () => {
    const api = mockDeliveryApi({
      getDrift: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            503,
            'ServiceUnavailableError',
            'GitHub is not configured for the delivery plugin: add integrations.github',
          ),
        ),
    });
    await renderWithEntity(<DriftCard />, { api });
    expect(
      await screen.findByText('GitHub is not configured'),
    ).toBeInTheDocument();
  });
});
