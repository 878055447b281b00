import { readFileSync } from 'node:fs';
import type { DriftReport } from '../drift/report.ts';
import { gitHubContext } from '../github/client.ts';
import { syncDriftIssue } from '../github/driftIssue.ts';
import { parseOptions, requiredString } from '../lib/options.ts';
import { log, printResult, setOutputs } from '../lib/output.ts';

export const usage = `drift-issue --report drift-report.json
  Opens one issue (label "drift") while drift persists, updates it on later runs, closes it with
  a comment when back in sync. Needs GITHUB_TOKEN (issues: write) and GITHUB_REPOSITORY.`;

export async function run(argv: string[]): Promise<void> {
  const values = parseOptions(argv, { report: { type: 'string' } }, ['report']);
  const report = JSON.parse(readFileSync(requiredString(values, 'report'), 'utf8')) as DriftReport;
  const result = await syncDriftIssue(gitHubContext(), report);
  log(`drift issue: ${result.action}${result.number ? ` #${result.number}` : ''}`);
  setOutputs({ issue_action: result.action, issue_number: result.number });
  printResult(result);
}
