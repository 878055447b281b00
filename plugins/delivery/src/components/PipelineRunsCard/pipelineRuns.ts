import {
  PipelineRun,
  PipelineRunsPage,
} from '@cicd-aws/plugin-delivery-common';
import { StatusKind } from '../common/StatusLabel';

/** Runs per page. */
export const RUNS_PER_PAGE = 20;

/** A run's, job's or step's state in words, with its status kind. */
export function pipelineStatus(item: { status: string; conclusion?: string }): {
  kind: StatusKind;
  text: string;
} {
  if (item.status !== 'completed') {
    return {
      kind: item.status === 'in_progress' ? 'running' : 'pending',
      text: item.status.replace(/_/g, ' '),
    };
  }
  switch (item.conclusion) {
    case 'success':
      return { kind: 'ok', text: 'success' };
    case 'failure':
    case 'timed_out':
    case 'startup_failure':
      return { kind: 'error', text: item.conclusion.replace(/_/g, ' ') };
    case 'cancelled':
    case 'skipped':
    case 'neutral':
    case 'stale':
      return { kind: 'aborted', text: item.conclusion };
    case 'action_required':
      return { kind: 'warning', text: 'action required' };
    default:
      return { kind: 'unknown', text: item.conclusion ?? 'completed' };
  }
}

/** GitHub re-runs failed jobs only of a completed run that did not succeed. */
export function canRerunFailed(run: PipelineRun): boolean {
  return (
    run.status === 'completed' &&
    ['failure', 'timed_out', 'cancelled', 'startup_failure'].includes(
      run.conclusion ?? '',
    )
  );
}

/** "Deploy #12", how the card names a run in labels and messages. */
export function runLabel(run: PipelineRun): string {
  return `${run.workflowName} #${run.runNumber}`;
}

/** The commit's subject line (a run's title when GitHub sent no message). */
export function commitSubject(run: PipelineRun): string {
  return (run.commitMessage ?? run.title ?? '').split('\n')[0];
}

/** True while a run on the page can still change, so the card keeps polling. */
export function hasUnfinishedRun(page?: PipelineRunsPage): boolean {
  return Boolean(page?.runs.some(r => r.status !== 'completed'));
}

/** The workflows and branches seen so far, for the filters. */
export interface FilterOptions {
  /** Workflow file to workflow name. */
  workflows: Map<string, string>;
  branches: Set<string>;
}

export function emptyFilterOptions(): FilterOptions {
  return { workflows: new Map(), branches: new Set() };
}

/**
 * Adds a page's workflows and branches to the options. Options are only ever added, so
 * filtering to one workflow keeps the others choosable.
 */
export function rememberFilterOptions(
  options: FilterOptions,
  runs: PipelineRun[],
): void {
  for (const run of runs) {
    if (run.workflowFile) {
      options.workflows.set(run.workflowFile, run.workflowName);
    }
    if (run.branch) options.branches.add(run.branch);
  }
}

export function workflowChoices(options: FilterOptions) {
  return [...options.workflows].map(([file, name]) => ({
    value: file,
    label: `${name} (${file})`,
  }));
}

export function branchChoices(options: FilterOptions) {
  return [...options.branches].sort().map(b => ({ value: b, label: b }));
}
