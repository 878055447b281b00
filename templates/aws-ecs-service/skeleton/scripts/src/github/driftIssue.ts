import type { DriftReport } from '../drift/report.ts';
import { reportMarkdown } from '../drift/report.ts';
import { type GitHubContext, gitHub } from './client.ts';

export const DRIFT_LABEL = 'drift';
const TITLE = 'Terraform drift detected';

interface Issue {
  number: number;
  title: string;
  pull_request?: unknown;
}

async function openDriftIssue(context: GitHubContext): Promise<Issue | undefined> {
  const issues = await gitHub<Issue[]>(
    context,
    'GET',
    `/{repo}/issues?state=open&labels=${DRIFT_LABEL}&per_page=20`,
  );
  return issues.find(i => !i.pull_request && i.title.startsWith(TITLE));
}

async function ensureLabel(context: GitHubContext): Promise<void> {
  try {
    await gitHub(context, 'GET', `/{repo}/labels/${DRIFT_LABEL}`);
  } catch {
    await gitHub(context, 'POST', '/{repo}/labels', {
      name: DRIFT_LABEL,
      color: 'd93f0b',
      description: 'Infrastructure differs from its Terraform configuration',
    });
  }
}

export type DriftIssueAction = 'opened' | 'updated' | 'closed' | 'none';

/**
 * Keeps one issue in step with the drift: opened (or updated) while drift persists, closed with a
 * comment once the infrastructure is back in sync. A failed check changes nothing (it says
 * nothing about drift).
 */
export async function syncDriftIssue(context: GitHubContext, report: DriftReport): Promise<{ action: DriftIssueAction; number?: number }> {
  const existing = await openDriftIssue(context);
  if (report.status === 'error') return { action: 'none', number: existing?.number };
  const body = `${reportMarkdown(report)}\n\nThis issue is updated by the drift workflow and closed when the drift is gone.`;
  if (report.status === 'drifted') {
    if (existing) {
      await gitHub(context, 'PATCH', `/{repo}/issues/${existing.number}`, { body });
      return { action: 'updated', number: existing.number };
    }
    await ensureLabel(context);
    const created = await gitHub<Issue>(context, 'POST', '/{repo}/issues', { title: TITLE, body, labels: [DRIFT_LABEL] });
    return { action: 'opened', number: created.number };
  }
  if (!existing) return { action: 'none' };
  await gitHub(context, 'POST', `/{repo}/issues/${existing.number}/comments`, {
    body: `Back in sync (${report.checkedAt}, \`${report.commit.slice(0, 12)}\`)${report.run?.url ? `: ${report.run.url}` : ''}.`,
  });
  await gitHub(context, 'PATCH', `/{repo}/issues/${existing.number}`, { state: 'closed', state_reason: 'completed' });
  return { action: 'closed', number: existing.number };
}
