import { screen, waitFor, within } from '@testing-library/react';
import {
  deployment,
  ecsState,
  makeEntity,
  mockDeliveryApi,
  renderWithEntity,
  setupUser,
  responseError,
} from '../../__testUtils__';
import { EcsServiceCard } from './EcsServiceCard';

let user: ReturnType<typeof setupUser>;
beforeEach(() => {
  user = setupUser();
});

describe('EcsServiceCard', () => {
  it('shows a stale answer under a notice with its age and reason', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(
        ecsState({
          staleAnswer: {
            fetchedAt: new Date(Date.now() - 4 * 60_000).toISOString(),
            ageSeconds: 240,
            reason: 'ThrottlingException: Rate exceeded',
          },
        }),
      ),
    });
    await renderWithEntity(<EcsServiceCard />, { api });
    const notice = await screen.findByText(/Showing the answer from/);
    expect(notice).toHaveTextContent(
      'Showing the answer from 4 minutes ago: AWS ECS could not be reached (ThrottlingException: Rate exceeded). It updates by itself when the connection is back.',
    );
    // The rest of the card as usual, under it.
    expect(
      screen.getByText('2 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();
  });

  it('falls back to ageSeconds when fetchedAt is unreadable', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(
        ecsState({
          staleAnswer: {
            fetchedAt: 'not a time',
            ageSeconds: 45,
            reason: 'socket hang up',
          },
        }),
      ),
    });
    await renderWithEntity(<EcsServiceCard />, { api });
    expect(
      await screen.findByText(/Showing the answer from 45 seconds ago/),
    ).toHaveTextContent('(socket hang up)');
  });

  it('shows no stale-answer notice for a fresh answer', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(ecsState()),
    });
    await renderWithEntity(<EcsServiceCard />, { api });
    expect(
      await screen.findByText('2 running / 2 desired, 0 pending'),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/Showing the answer from/),
    ).not.toBeInTheDocument();
  });

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
    await renderWithEntity(<EcsServiceCard />, {
      api,
      pollIntervals: { ecsMs: 60_000 },
    });

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

  it('shows the first four stopped tasks, and all of them on "Show all N stopped tasks"', async () => {
    const hex = (n: number) => n.toString(16).padStart(32, 'a');
    const task = (n: number, status: 'RUNNING' | 'STOPPED') => ({
      taskArn: `arn:aws:ecs:us-east-1:123456789012:task/demo/${hex(n)}`,
      taskId: hex(n),
      lastStatus: status,
      desiredStatus: status,
      healthStatus: status === 'RUNNING' ? 'HEALTHY' : 'UNKNOWN',
      revision: 3,
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      stoppedAt:
        status === 'STOPPED'
          ? new Date(Date.now() - n * 60_000).toISOString()
          : undefined,
      stoppedReason: status === 'STOPPED' ? `Scaling activity ${n}` : undefined,
      containers: [],
    });
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(
        ecsState({
          tasks: [
            task(1, 'RUNNING'),
            task(2, 'RUNNING'),
            ...[11, 12, 13, 14, 15, 16].map(n => task(n, 'STOPPED')),
          ],
        }),
      ),
    });
    await renderWithEntity(<EcsServiceCard />, {
      api,
      pollIntervals: { ecsMs: 60_000 },
    });
    const taskRows = async () =>
      within(await screen.findByRole('table', { name: 'Tasks' }))
        .getAllByRole('row')
        .slice(1);

    let rows = await taskRows();
    expect(rows).toHaveLength(6);
    expect(rows.filter(r => /STOPPED/.test(r.textContent ?? ''))).toHaveLength(
      4,
    );
    expect(screen.queryByText('Scaling activity 15')).not.toBeInTheDocument();
    expect(screen.queryByText('Scaling activity 16')).not.toBeInTheDocument();

    await user.click(
      screen.getByRole('button', { name: 'Show all 6 stopped tasks' }),
    );
    rows = await taskRows();
    expect(rows).toHaveLength(8);
    expect(screen.getByText('Scaling activity 15')).toBeInTheDocument();
    expect(screen.getByText('Scaling activity 16')).toBeInTheDocument();

    await user.click(
      screen.getByRole('button', { name: 'Show fewer stopped tasks' }),
    );
    expect(await taskRows()).toHaveLength(6);
    expect(
      screen.getByRole('button', { name: 'Show all 6 stopped tasks' }),
    ).toBeInTheDocument();
  });

  it('shortens long task ids, with the full id as tooltip and for screen readers, and keeps short values on one line', async () => {
    const longId = '175f5aa7ad304e5d9e15b01c148e21cb';
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(
        ecsState({
          tasks: [
            {
              taskArn: `arn:aws:ecs:us-east-1:123456789012:task/demo/${longId}`,
              taskId: longId,
              lastStatus: 'RUNNING',
              desiredStatus: 'RUNNING',
              healthStatus: 'HEALTHY',
              revision: 3,
              startedAt: new Date(Date.now() - 600_000).toISOString(),
              containers: [],
            },
          ],
        }),
      ),
    });
    await renderWithEntity(<EcsServiceCard />, {
      api,
      pollIntervals: { ecsMs: 60_000 },
    });
    const table = await screen.findByRole('table', { name: 'Tasks' });
    const [header, row] = within(table).getAllByRole('row');

    // What is seen: the first 12 characters; hovering shows the whole id.
    const id = within(row).getByTitle(longId);
    expect(id).toHaveTextContent(/^175f5aa7ad30…/);
    expect(within(id).getByText('175f5aa7ad30…')).toHaveAttribute(
      'aria-hidden',
      'true',
    );
    // What is read aloud: the whole id.
    expect(within(row).getByText(longId)).toBeInTheDocument();

    // Short values and the column names never wrap (Backstage's theme lets table cells break
    // anywhere, which squeezed "revision 3" into "revisi/on 3").
    const cell = (text: string) => within(row).getByText(text).closest('td');
    expect(cell('revision 3')).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(cell('10 minutes ago')).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(within(header).getByText('Revision')).toHaveStyle({
      whiteSpace: 'nowrap',
    });
    const deployments = within(
      screen.getByRole('table', { name: 'Deployments' }),
    ).getAllByRole('row')[1];
    expect(within(deployments).getByText('2/2 running')).toHaveStyle({
      whiteSpace: 'nowrap',
    });
    // And the tables scroll sideways instead of squeezing their columns.
    expect(table.parentElement).toHaveStyle({ overflowX: 'auto' });
  });

  it('says every status in words, so it does not depend on colour', async () => {
    const api = mockDeliveryApi({
      getEcsState: jest.fn().mockResolvedValue(
        ecsState({
          status: 'DRAINING',
          deployments: [
            deployment({
              revision: 4,
              rolloutState: 'FAILED',
              rolloutStateReason: 'tasks failed to start',
            }),
          ],
        }),
      ),
    });
    await renderWithEntity(<EcsServiceCard />, {
      api,
      pollIntervals: { ecsMs: 60_000 },
    });
    const statusCell = (table: string, column: number, row = 1) =>
      within(
        within(screen.getByRole('table', { name: table })).getAllByRole('row')[
          row
        ],
      ).getAllByRole('cell')[column];
    expect(await screen.findByText('DRAINING')).toBeVisible();
    expect(statusCell('Deployments', 1)).toHaveTextContent(/^FAILED/);
    expect(
      within(statusCell('Deployments', 1)).getByText('FAILED'),
    ).toBeVisible();
    // Tasks: the running healthy one and the stopped unhealthy one differ in words.
    expect(statusCell('Tasks', 1, 1)).toHaveTextContent('RUNNING');
    expect(statusCell('Tasks', 2, 1)).toHaveTextContent('HEALTHY');
    expect(statusCell('Tasks', 1, 2)).toHaveTextContent('STOPPED');
    expect(statusCell('Tasks', 2, 2)).toHaveTextContent('UNHEALTHY');
    for (const icon of screen
      .getByRole('table', { name: 'Tasks' })
      .querySelectorAll('svg')) {
      expect(icon.closest('[aria-hidden="true"]')).not.toBeNull();
    }
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
    expect(screen.getByText('Missing Annotation')).toBeInTheDocument();
    expect(screen.getByText(/is missing/)).toHaveTextContent(
      'The annotation aws.amazon.com/amazon-ecs-service-arn is missing',
    );
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

    await user.click(
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
    await user.click(
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
    // The poll's answer waits until the test has seen the rollout in progress.
    let finish: () => void = () => {};
    const getEcsState = jest
      .fn()
      .mockResolvedValueOnce(
        ecsState({
          deployments: [
            deployment({ revision: 4, rolloutState: 'IN_PROGRESS' }),
          ],
        }),
      )
      .mockImplementation(
        () =>
          new Promise(resolve => {
            finish = () =>
              resolve(ecsState({ deployments: [deployment({ revision: 4 })] }));
          }),
      );
    const api = mockDeliveryApi({ getEcsState });
    await renderWithEntity(<EcsServiceCard />, {
      api,
      pollIntervals: { ecsMs: 20 },
    });
    expect(await screen.findByText('IN_PROGRESS')).toBeInTheDocument();
    await waitFor(() => expect(getEcsState).toHaveBeenCalledTimes(2));
    finish();
    expect(await screen.findByText('COMPLETED')).toBeInTheDocument();
    await new Promise(r => setTimeout(r, 100));
    expect(getEcsState).toHaveBeenCalledTimes(2);
  });
});
