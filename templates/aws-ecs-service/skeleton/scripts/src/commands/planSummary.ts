import { readFileSync, writeFileSync } from 'node:fs';
import type { PlanJson } from '../drift/report.ts';
import { PipelineError } from '../lib/errors.ts';
import { parseOptions, requiredString, stringOption } from '../lib/options.ts';
import { log, printResult, setOutputs } from '../lib/output.ts';
import { commitSha, runInfo } from '../lib/run.ts';
import { type PlanSummary, summaryFromPlan, totalsLine } from '../plan/summary.ts';

export const usage = `plan-summary [--plan PLAN.json] --out plan-summary.json [--directory infrastructure/terraform]
             [--commit SHA]
  Turns \`terraform show -json tfplan\` (from --plan or stdin) into the plan summary the developer
  portal shows while the deploy waits for approval: each resource the plan creates, updates,
  replaces or deletes, with the names of its changed attributes (never values), and the totals.
  The commit is --commit, else GITHUB_SHA, else git's HEAD; the run comes from GITHUB_*.
  Outputs add, change, replace and destroy.`;

export function buildSummary(text: string, context: Parameters<typeof summaryFromPlan>[1]): PlanSummary {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    throw new PipelineError('the input is not JSON; pipe `terraform show -json tfplan` into this command or name the file with --plan');
  }
  return summaryFromPlan(plan as PlanJson, context);
}

export async function run(argv: string[]): Promise<void> {
  const values = parseOptions(
    argv,
    {
      plan: { type: 'string' },
      out: { type: 'string' },
      directory: { type: 'string' },
      commit: { type: 'string' },
    },
    ['out'],
  );
  // stdin by default: the plan's JSON holds every value of the configuration, secrets included,
  // and a pipe keeps it off the runner's disk.
  const planFile = stringOption(values, 'plan');
  let text: string;
  try {
    text = readFileSync(planFile ?? 0, 'utf8');
  } catch (error) {
    throw new PipelineError(`cannot read the plan JSON ${planFile ?? 'from stdin'}: ${(error as Error).message}`);
  }
  const currentRun = runInfo();
  const summary = buildSummary(text, {
    now: new Date().toISOString(),
    commit: commitSha(stringOption(values, 'commit')),
    ...(currentRun ? { run: currentRun } : {}),
    directory: stringOption(values, 'directory'),
  });
  writeFileSync(requiredString(values, 'out'), `${JSON.stringify(summary, null, 2)}\n`);
  setOutputs({ ...summary.totals });
  log(`plan summary: ${totalsLine(summary.totals)}`);
  printResult({ totals: summary.totals, resources: summary.resources.map(r => `${r.action} ${r.address}`) });
}
