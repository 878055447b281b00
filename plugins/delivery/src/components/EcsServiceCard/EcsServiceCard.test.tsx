import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  deployment,
  ecsState,
  makeEntity,
  mockDeliveryApi,
  renderWithEntity,
  responseError,
} from '../../__testUtils__';
import { EcsServiceCard } from './EcsServiceCard';

describe('EcsServiceCard', () => {
  it('shows counts, deployments with rollout state, tasks with health and why they stopped, and events', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(
        ecsState({
          runningCount: 1,
          pendingCount: 1,
          deployments: [
            deployment({
              revision: 4,
              rolloutState: 'IN_PROGRESS',
              rolloutStateReason: 'ECS deployment ecs-svc/4000 in progress.',
              runningCount: 1,
              pendingCount: 1,
            }),
            deployment({ revision: 3, status: 'ACTIVE' }),
          ],
        }),
      ),
    });
    await renderWithEntity(<EcsServiceCard pollIntervalMs={60_000} />, { api });

    expect(
      await screen.findByText('1 running / 2 desired, 1 pending'),
    ).toBeInTheDocument();
    expect(screen.getByText('on, rolls back on failure')).toBeInTheDocument();

    const rows = within(screen.getByRole('table', { name: 'Deployments' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('PRIMARY');
    expect(rows[0]).toHaveTextContent('IN_PROGRESS');
    expect(rows[0]).toHaveTextContent('revision 4');
    expect(rows[0]).toHaveTextContent('web:v4');
    expect(rows[0]).toHaveTextContent('1/2 running, 1 pending');
    expect(rows[1]).toHaveTextContent('ACTIVE');
    expect(rows[1]).toHaveTextContent('COMPLETED');
    expect(rows[1]).toHaveTextContent('revision 3');

    const tasks = within(screen.getByRole('table', { name: 'Tasks' }))
      .getAllByRole('row')
      .slice(1);
    expect(tasks[0]).toHaveTextContent('aaa111');
    expect(tasks[0]).toHaveTextContent('HEALTHY');
    expect(tasks[1]).toHaveTextContent('STOPPED');
    expect(tasks[1]).toHaveTextContent(
      'Essential container in task exited (EssentialContainerExited)',
    );
    expect(tasks[1]).toHaveTextContent('web: exit code 137: OutOfMemoryError');

    expect(screen.getByText(/has reached a steady state/)).toBeInTheDocument();
  });

  it('says AWS is not configured, and what to do, on a 503', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            503,
            'ServiceUnavailableError',
            'AWS is not configured for the delivery plugin: add aws.accounts',
          ),
        ),
    });
    await renderWithEntity(<EcsServiceCard />, { api });
    expect(
      await screen.findByText('AWS is not configured'),
    ).toBeInTheDocument();
    expect(screen.getByText(/add aws.accounts/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeEnabled();
  });

  it('says which permission or action is missing on a 403', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            403,
            'NotAllowedError',
            'AWS denied ecs:ListTasks for the portal role',
          ),
        ),
    });
    await renderWithEntity(<EcsServiceCard />, { api });
    expect(await screen.findByText('Access denied')).toBeInTheDocument();
    expect(screen.getByText(/ecs:ListTasks/)).toBeInTheDocument();
  });

  it('names the missing annotation with an example and calls nothing', async () => {
    const api = mockDeliveryApi();
    await renderWithEntity(<EcsServiceCard />, {
      api,
      entity: makeEntity({
        'aws.amazon.com/amazon-ecs-service-arn': undefined,
      }),
    });
    expect(
      screen.getByText(
        'Missing annotation aws.amazon.com/amazon-ecs-service-arn',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(
        /arn:aws:ecs:eu-west-1:123456789012:service\/prod\/web/,
      ).length,
    ).toBeGreaterThan(0);
    expect(api.getEcsState).not.toHaveBeenCalled();
  });

  it('refreshes on request, and keeps the data when a refresh fails', async () => {
    const getEcsState = jest
      .fn()
      .mockResolvedValueOnce(ecsState())
      .mockResolvedValueOnce(ecsState({ runningCount: 1 }))
      .mockRejectedValueOnce(new Error('network down'));
    const api = mockDeliveryApi({ getEcsState });
    await renderWithEntity(<EcsServiceCard />, { api });
    expect(
      await screen.findByText('2 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Refresh ECS service' }),
    );
    expect(
      await screen.findByText('1 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();

    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Refresh ECS service' }),
      ).toBeEnabled(),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Refresh ECS service' }),
    );
    expect(
      await screen.findByText(
        /Could not refresh the ECS service: network down/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('1 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();
    expect(getEcsState).toHaveBeenCalledTimes(3);
  });

  it('polls while a rollout is in progress and stops once it completed', async () => {
    const getEcsState = jest
      .fn()
      .mockResolvedValueOnce(
        ecsState({
          deployments: [
            deployment({ revision: 4, rolloutState: 'IN_PROGRESS' }),
          ],
        }),
      )
      .mockResolvedValue(
        ecsState({ deployments: [deployment({ revision: 4 })] }),
      );
    const api = mockDeliveryApi({ getEcsState });
    await renderWithEntity(<EcsServiceCard pollIntervalMs={20} />, { api });
    expect(await screen.findByText('IN_PROGRESS')).toBeInTheDocument();
    expect(await screen.findByText('COMPLETED')).toBeInTheDocument();
    await new Promise(r => setTimeout(r, 100));
    expect(getEcsState).toHaveBeenCalledTimes(2);
  });
});
