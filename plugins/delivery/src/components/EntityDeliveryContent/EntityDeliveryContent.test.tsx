import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  deployment,
  ecsState,
  mockDeliveryApi,
  renderWithEntity,
  responseError,
} from '../../__testUtils__';
import { EntityDeliveryContent } from './EntityDeliveryContent';

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
    const getEcsState = jest
      .fn()
      .mockResolvedValueOnce(ecsState())
      .mockResolvedValue(
        ecsState({
          deployments: [deployment({ revision: 2, id: 'ecs-svc/new' })],
          rollbackTargets: [],
        }),
      );
    const api = mockDeliveryApi({
      getEcsState,
      rollbackEcs: jest.fn().mockResolvedValue({
        deploymentId: 'ecs-svc/new',
        fromRevision: 3,
        toRevision: 2,
      }),
    });
    await renderWithEntity(
      <EntityDeliveryContent pollIntervals={{ ecsMs: 20 }} />,
      { api },
    );
    await userEvent.click(
      await screen.findByRole('radio', { name: /^Revision 2/ }),
    );
    expect(getEcsState).toHaveBeenCalledTimes(1);
    await userEvent.type(
      screen.getByRole('textbox', { name: /Reason/ }),
      'bad release',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Roll back…' }));
    await userEvent.click(
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
});
