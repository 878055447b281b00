import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PipelineRun } from '@cicd-aws/plugin-delivery-common';
import { screen, waitFor, within } from '@testing-library/react';
import {
  makeEntity,
  mockDeliveryApi,
  mockPermissionApi,
  renderWithEntity,
  setupUser,
  responseError,
} from '../../__testUtils__';
import { PipelineRunsCard } from './PipelineRunsCard';

let user: ReturnType<typeof setupUser>;
beforeEach(() => {
  user = setupUser();
});

const run = (
  overrides: Partial<PipelineRun> & { id: number },
): PipelineRun => ({
  workflowName: 'Deploy',
  workflowFile: 'deploy.yml',
  workflowId: 7,
  runNumber: overrides.id,
  runAttempt: 1,
  event: 'push',
  status: 'completed',
  conclusion: 'success',
  branch: 'main',
  commitSha: 'abcdef1234567890abcdef1234567890abcdef12',
  commitMessage: 'Bump the image\n\nlong body',
  actor: { login: 'alice' },
  createdAt: new Date(Date.now() - 3600_000).toISOString(),
  updatedAt: new Date(Date.now() - 3500_000).toISOString(),
  durationSeconds: 125,
  htmlUrl: `https://github.com/acme/demo-web/actions/runs/${overrides.id}`,
  ...overrides,
});

const page = (runs: PipelineRun[]) => ({
  runs,
  totalCount: runs.length,
  page: 1,
  perPage: 20,
  hasNextPage: false,
});

describe('PipelineRunsCard', () => {
  it('lists runs with status in words, workflow, branch, commit, actor and duration', async () => {
    const api = mockDeliveryApi({
      listPipelineRuns: jest.fn().mockResolvedValue(
        page([
          run({ id: 12, conclusion: 'failure' }),
          run({
            id: 11,
            workflowName: 'CI',
            workflowFile: 'ci.yml',
            branch: 'feature/x',
          }),
        ]),
      ),
    });
    await renderWithEntity(<PipelineRunsCard />, { api });
    const rows = within(
      await screen.findByRole('table', { name: 'Pipeline runs' }),
    )
      .getAllByRole('row')
      .filter(r => r.textContent?.includes('#'));
    expect(rows[0]).toHaveTextContent('failure');
    expect(rows[0]).toHaveTextContent('Deploy #12');
    expect(rows[0]).toHaveTextContent('abcdef1 Bump the image');
    expect(rows[0]).not.toHaveTextContent('long body');
    expect(rows[0]).toHaveTextContent('alice');
    expect(rows[0]).toHaveTextContent('2m 05s');
    expect(rows[1]).toHaveTextContent('success');
    expect(rows[1]).toHaveTextContent('feature/x');
    expect(
      screen.getByRole('link', { name: /Deploy #12 on GitHub/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/demo-web/actions/runs/12',
    );
  });

  it('keeps short values on one line, and the table scrolls sideways instead of squeezing them', async () => {
    const api = mockDeliveryApi({
      listPipelineRuns: jest.fn().mockResolvedValue(
        page([
          run({
            id: 10006,
            workflowName: 'Deploy',
            event: 'workflow_run',
            actor: { login: 'bob' },
            conclusion: 'failure',
            commitMessage: 'Release 3: new orders endpoint',
          }),
        ]),
      ),
    });
    await renderWithEntity(<PipelineRunsCard />, { api });
    const table = await screen.findByRole('table', { name: 'Pipeline runs' });
    const [header, row] = within(table).getAllByRole('row');
    const cellOf = (text: string | RegExp) =>
      within(row).getByText(text).closest('td');
    for (const text of ['bob', '2m 05s', '1 hour ago', 'workflow_run']) {
      expect(within(row).getByText(text)).toBeVisible();
    }
    expect(cellOf('bob')).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(cellOf('2m 05s')).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(cellOf('1 hour ago')).toHaveStyle({ whiteSpace: 'nowrap' });
    // The workflow name, run number and event ("workflow_run") stay whole.
    expect(cellOf('workflow_run')).toHaveStyle({ whiteSpace: 'nowrap' });
    expect(cellOf('workflow_run')).toHaveTextContent('Deploy #10006');
    // The re-run button's label stays on one line (under the GitHub link).
    expect(
      within(row).getByRole('button', { name: 'Re-run failed jobs' }),
    ).toHaveStyle({ whiteSpace: 'nowrap' });
    for (const name of ['Actor', 'Duration', 'Started']) {
      expect(within(header).getByText(name)).toHaveStyle({
        whiteSpace: 'nowrap',
      });
    }
    expect(table.parentElement).toHaveStyle({ overflowX: 'auto' });
  });

  it('filters by workflow through the API', async () => {
    const listPipelineRuns = jest
      .fn()
      .mockResolvedValue(
        page([
          run({ id: 2 }),
          run({ id: 1, workflowName: 'CI', workflowFile: 'ci.yml' }),
        ]),
      );
    const api = mockDeliveryApi({ listPipelineRuns });
    await renderWithEntity(<PipelineRunsCard />, { api });
    await screen.findByText('Deploy #2');
    await user.click(screen.getByLabelText('Workflow'));
    await user.click(
      await screen.findByRole('option', { name: 'CI (ci.yml)' }),
    );
    await waitFor(() =>
      expect(listPipelineRuns).toHaveBeenLastCalledWith(
        expect.any(String),
        expect.objectContaining({ workflow: 'ci.yml', page: 1 }),
      ),
    );
  });

  it('expands a run into its jobs and steps', async () => {
    const api = mockDeliveryApi({
      listPipelineRuns: jest.fn().mockResolvedValue(page([run({ id: 5 })])),
      getPipelineJobs: jest.fn().mockResolvedValue({
        runId: 5,
        totalCount: 1,
        jobs: [
          {
            id: 50,
            name: 'build',
            status: 'completed',
            conclusion: 'success',
            durationSeconds: 61,
            steps: [
              {
                number: 1,
                name: 'Checkout',
                status: 'completed',
                conclusion: 'success',
                durationSeconds: 2,
              },
            ],
          },
        ],
      }),
    });
    await renderWithEntity(<PipelineRunsCard />, { api });
    await user.click(
      await screen.findByRole('button', { name: 'Show jobs of Deploy #5' }),
    );
    expect(await screen.findByText(/build/)).toHaveTextContent(
      'build: success in 1m 01s',
    );
    expect(screen.getByText(/Checkout/)).toHaveTextContent(
      'Checkout: success in 2s',
    );
  });

  it('re-runs the failed jobs of a failed run once, after confirming', async () => {
    const rerunFailedJobs = jest.fn().mockResolvedValue({
      runId: 9,
      runUrl: 'https://github.com/acme/demo-web/actions/runs/9',
    });
    const api = mockDeliveryApi({
      listPipelineRuns: jest
        .fn()
        .mockResolvedValue(
          page([run({ id: 9, conclusion: 'failure' }), run({ id: 8 })]),
        ),
      rerunFailedJobs,
    });
    await renderWithEntity(<PipelineRunsCard />, { api });
    const buttons = await screen.findAllByRole('button', {
      name: 'Re-run failed jobs',
    });
    expect(buttons).toHaveLength(1);
    await waitFor(() => expect(buttons[0]).toBeEnabled());
    await user.click(buttons[0]);
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Re-run the failed jobs of Deploy #9?');
    await user.dblClick(
      within(dialog).getByRole('button', { name: 'Re-run failed jobs' }),
    );
    expect(
      await screen.findByText(/Re-running the failed jobs of Deploy #9/),
    ).toBeInTheDocument();
    expect(rerunFailedJobs).toHaveBeenCalledTimes(1);
    expect(rerunFailedJobs).toHaveBeenCalledWith(expect.any(String), 9, {
      idempotencyKey: expect.stringMatching(/^[\x21-\x7E]{16,255}$/),
    });
  });

  it('shows a stale answer under a notice with its age and reason, and reloads until a fresh one comes', async () => {
    const stalePage = {
      ...page([run({ id: 5 })]),
      staleAnswer: {
        fetchedAt: new Date(Date.now() - 4 * 60_000).toISOString(),
        ageSeconds: 240,
        reason: 'GitHub answered 503',
      },
    };
    // The fresh answer comes once the test has seen the stale one.
    let connectionBack: () => void = () => {};
    const back = new Promise<void>(resolve => {
      connectionBack = resolve;
    });
    const listPipelineRuns = jest
      .fn()
      .mockResolvedValueOnce(stalePage)
      .mockImplementation(async () => {
        await back;
        return page([run({ id: 6 }), run({ id: 5 })]);
      });
    const api = mockDeliveryApi({ listPipelineRuns });
    await renderWithEntity(<PipelineRunsCard />, {
      api,
      pollIntervals: { staleRetryMs: 20 },
    });
    expect(
      await screen.findByText(
        /Showing the answer from 4 minutes ago: GitHub could not be reached \(GitHub answered 503\)\. It updates by itself/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Show jobs of Deploy #5' }),
    ).toBeInTheDocument();
    connectionBack();
    await waitFor(() =>
      expect(
        screen.queryByText(/Showing the answer from/),
      ).not.toBeInTheDocument(),
    );
    expect(
      await screen.findByRole('button', { name: 'Show jobs of Deploy #6' }),
    ).toBeInTheDocument();
  });

  it('disables re-run and names the permission when it is denied', async () => {
    const api = mockDeliveryApi({
      listPipelineRuns: jest
        .fn()
        .mockResolvedValue(page([run({ id: 3, conclusion: 'failure' })])),
    });
    await renderWithEntity(<PipelineRunsCard />, {
      api,
      permissionApi: mockPermissionApi(() => AuthorizeResult.DENY),
    });
    expect(
      await screen.findByText(/Re-running failed jobs needs the/),
    ).toHaveTextContent(
      /needs the delivery.pipeline.rerun permission on component:default\/demo-web-\d+/,
    );
    expect(
      screen.getByRole('button', { name: 'Re-run failed jobs' }),
    ).toBeDisabled();
  });

  it('polls while a run is in progress', async () => {
    // The poll's answer waits until the test has seen the run in progress, so a fast poll
    // cannot replace it before the assertion looks.
    let finish: () => void = () => {};
    const listPipelineRuns = jest
      .fn()
      .mockResolvedValueOnce(
        page([run({ id: 4, status: 'in_progress', conclusion: undefined })]),
      )
      .mockImplementation(
        () =>
          new Promise(resolve => {
            finish = () => resolve(page([run({ id: 4 })]));
          }),
      );
    const api = mockDeliveryApi({ listPipelineRuns });
    await renderWithEntity(<PipelineRunsCard />, {
      api,
      pollIntervals: { pipelineRunsMs: 20 },
    });
    expect(await screen.findByText('in progress')).toBeInTheDocument();
    await waitFor(() => expect(listPipelineRuns).toHaveBeenCalledTimes(2));
    finish();
    expect(await screen.findByText('success')).toBeInTheDocument();
    // Nothing is unfinished any more: no further reads.
    await new Promise(r => setTimeout(r, 100));
    expect(listPipelineRuns).toHaveBeenCalledTimes(2);
  });

  it('says GitHub is not configured on that 503, and shows an empty list plainly', async () => {
    const api = mockDeliveryApi({
      listPipelineRuns: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            503,
            'ServiceUnavailableError',
            'GitHub is not configured for the delivery plugin',
          ),
        ),
    });
    await renderWithEntity(<PipelineRunsCard />, { api });
    expect(
      await screen.findByText('GitHub is not configured'),
    ).toBeInTheDocument();
    expect(screen.getByText(/integrations.github/)).toBeInTheDocument();
  });

  it('says there are no runs yet', async () => {
    const api = mockDeliveryApi({
      listPipelineRuns: jest.fn().mockResolvedValue(page([])),
    });
    await renderWithEntity(<PipelineRunsCard />, { api });
    expect(await screen.findByText('No runs yet.')).toBeInTheDocument();
  });

  it('names the missing repository annotation', async () => {
    const api = mockDeliveryApi();
    await renderWithEntity(<PipelineRunsCard />, {
      api,
      entity: makeEntity({ 'github.com/project-slug': undefined }),
    });
    expect(screen.getByText('Missing Annotation')).toBeInTheDocument();
    expect(screen.getByText(/is missing/)).toHaveTextContent(
      'The annotation github.com/project-slug is missing',
    );
    expect(api.listPipelineRuns).not.toHaveBeenCalled();
  });
});
