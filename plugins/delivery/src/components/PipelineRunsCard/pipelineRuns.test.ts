import { PipelineRun } from '@cicd-aws/plugin-delivery-common';
import {
  branchChoices,
  canRerunFailed,
  commitSubject,
  emptyFilterOptions,
  hasUnfinishedRun,
  pipelineStatus,
  rememberFilterOptions,
  runLabel,
  workflowChoices,
} from './pipelineRuns';

const run = (overrides: Partial<PipelineRun> = {}): PipelineRun => ({
  id: 1,
  workflowName: 'Deploy',
  workflowFile: 'deploy.yml',
  workflowId: 7,
  runNumber: 12,
  runAttempt: 1,
  event: 'push',
  status: 'completed',
  conclusion: 'success',
  branch: 'main',
  commitSha: 'abcdef1234567890abcdef1234567890abcdef12',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:02:00Z',
  htmlUrl: 'https://github.local/acme/web/actions/runs/1',
  ...overrides,
});

describe('pipelineRuns', () => {
  it.each([
    [{ status: 'in_progress' }, 'running', 'in progress'],
    [{ status: 'queued' }, 'pending', 'queued'],
    [{ status: 'completed', conclusion: 'success' }, 'ok', 'success'],
    [{ status: 'completed', conclusion: 'timed_out' }, 'error', 'timed out'],
    [{ status: 'completed', conclusion: 'cancelled' }, 'aborted', 'cancelled'],
    [
      { status: 'completed', conclusion: 'action_required' },
      'warning',
      'action required',
    ],
    [{ status: 'completed' }, 'unknown', 'completed'],
  ])('says %j as %s, in words: "%s"', (item, kind, text) => {
    expect(pipelineStatus(item)).toEqual({ kind, text });
  });

  it('offers a re-run of failed jobs only for completed runs that did not succeed', () => {
    expect(canRerunFailed(run({ conclusion: 'failure' }))).toBe(true);
    expect(canRerunFailed(run({ conclusion: 'cancelled' }))).toBe(true);
    expect(canRerunFailed(run({ conclusion: 'success' }))).toBe(false);
    expect(
      canRerunFailed(run({ status: 'in_progress', conclusion: undefined })),
    ).toBe(false);
  });

  it('names a run by workflow and number, and its commit by the subject line', () => {
    expect(runLabel(run())).toBe('Deploy #12');
    expect(commitSubject(run({ commitMessage: 'Bump\n\nbody' }))).toBe('Bump');
    expect(commitSubject(run({ title: 'PR title' }))).toBe('PR title');
    expect(commitSubject(run())).toBe('');
  });

  it('keeps polling while any run on the page can still change', () => {
    const page = (runs: PipelineRun[]) => ({
      runs,
      totalCount: runs.length,
      page: 1,
      perPage: 20,
      hasNextPage: false,
    });
    expect(hasUnfinishedRun(page([run(), run({ status: 'queued' })]))).toBe(
      true,
    );
    expect(hasUnfinishedRun(page([run()]))).toBe(false);
    expect(hasUnfinishedRun(undefined)).toBe(false);
  });

  it('remembers every workflow and branch seen, so a filtered page keeps the others choosable', () => {
    const options = emptyFilterOptions();
    rememberFilterOptions(options, [
      run({ branch: 'main' }),
      run({ workflowName: 'CI', workflowFile: 'ci.yml', branch: 'feature/x' }),
    ]);
    rememberFilterOptions(options, [run({ workflowFile: undefined })]);
    expect(workflowChoices(options)).toEqual([
      { value: 'deploy.yml', label: 'Deploy (deploy.yml)' },
      { value: 'ci.yml', label: 'CI (ci.yml)' },
    ]);
    expect(branchChoices(options).map(b => b.value)).toEqual([
      'feature/x',
      'main',
    ]);
  });
});
