import { readFileSync, writeFileSync } from 'node:fs';
import { type DriftReport, type ReportContext, errorReport, reportFromPlan, reportMarkdown } from '../drift/report.ts';
import { UsageError } from '../lib/errors.ts';
import { parseOptions, requiredString, stringOption } from '../lib/options.ts';
import { appendSummary, log, printResult, setOutputs } from '../lib/output.ts';
import { commitSha, runInfo } from '../lib/run.ts';

export const usage = `drift-report --plan PLAN.json --exit-code N --out drift-report.json
             [--error MESSAGE] [--directory infrastructure/terraform] [--commit SHA]
  Turns \`terraform show -json\` of a \`terraform plan -detailed-exitcode\` into the drift report
  (status in-sync, drifted or error; drifted resources with their actions and changed attribute
  names, never values), writes it to --out and to the run summary. An exit code other than 0 or 2,
  --error, or an unreadable plan give status "error". Outputs status and drifted_count.`;

export function buildReport(options: { planFile?: string; exitCode: number; error?: string; context: ReportContext }): DriftReport {
  const { planFile, exitCode, error, context } = options;
  if (error) return errorReport(error, context);
  if (exitCode !== 0 && exitCode !== 2) {
    return errorReport(`terraform plan failed with exit code ${exitCode}; see the workflow run's log`, context);
  }
  let plan: unknown;
  try {
    plan = JSON.parse(readFileSync(planFile ?? '', 'utf8'));
  } catch (e) {
    return errorReport(`cannot read the plan JSON ${planFile ?? ''}: ${(e as Error).message}`, context);
  }
  if (typeof plan !== 'object' || plan === null) return errorReport('the plan JSON is not an object', context);
  return reportFromPlan(plan, context);
}

export async function run(argv: string[]): Promise<void> {
  const values = parseOptions(
    argv,
    {
      plan: { type: 'string' },
      'exit-code': { type: 'string' },
      out: { type: 'string' },
      error: { type: 'string' },
      directory: { type: 'string' },
      commit: { type: 'string' },
    },
    ['out', 'exit-code'],
  );
  const exitCode = Number(requiredString(values, 'exit-code'));
  if (!Number.isInteger(exitCode)) throw new UsageError('--exit-code must be an integer');
  const currentRun = runInfo();
  const report = buildReport({
    planFile: stringOption(values, 'plan'),
    exitCode,
    error: stringOption(values, 'error'),
    context: {
      checkedAt: new Date().toISOString(),
      commit: commitSha(stringOption(values, 'commit')),
      ...(currentRun ? { run: currentRun } : {}),
      directory: stringOption(values, 'directory'),
    },
  });
  writeFileSync(requiredString(values, 'out'), `${JSON.stringify(report, null, 2)}\n`);
  appendSummary(reportMarkdown(report));
  setOutputs({ status: report.status, drifted_count: report.resources.length });
  log(`drift report: ${report.status}, ${report.resources.length} drifted resource(s)`);
  printResult({ status: report.status, resources: report.resources.map(r => r.address) });
}
