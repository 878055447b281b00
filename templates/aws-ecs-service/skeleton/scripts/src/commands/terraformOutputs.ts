import { readFileSync } from 'node:fs';
import { PipelineError } from '../lib/errors.ts';
import { parseOptions, stringOption } from '../lib/options.ts';
import { log, printResult, setOutputs } from '../lib/output.ts';

export const usage = `terraform-outputs [--file outputs.json]
  Reads \`terraform output -json\` (from --file or stdin) and makes every non-sensitive string,
  number or boolean output a step output of the same name (null becomes ""), so later steps read
  the cluster, bucket or URL from Terraform instead of repeating them.`;

type Outputs = Record<string, { value: unknown; sensitive?: boolean }>;

export function stepOutputs(outputs: Outputs): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, output] of Object.entries(outputs)) {
    if (output.sensitive) continue;
    const value = output.value;
    if (value === null || value === undefined) result[name] = '';
    else if (['string', 'number', 'boolean'].includes(typeof value)) result[name] = String(value);
  }
  return result;
}

export async function run(argv: string[]): Promise<void> {
  const values = parseOptions(argv, { file: { type: 'string' } });
  const text = readFileSync(stringOption(values, 'file') ?? 0, 'utf8');
  let outputs: Outputs;
  try {
    outputs = JSON.parse(text) as Outputs;
  } catch {
    throw new PipelineError('the input is not `terraform output -json`');
  }
  const result = stepOutputs(outputs);
  setOutputs(result);
  log(`terraform outputs: ${Object.keys(result).join(', ')}`);
  printResult(result);
}
