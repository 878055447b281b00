import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { blueGreenWithDomain, rollingWithoutDomain } from '../fixtures';
import { renderAwsEcsServiceSkeleton } from '../render';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The two value sets of the template tests, by a short name. */
export const VALUE_SETS = {
  rolling: rollingWithoutDomain,
  blueGreen: blueGreenWithDomain,
} as const;

export type ValueSetName = keyof typeof VALUE_SETS;

const renders = new Map<ValueSetName, Promise<string>>();

/** The generated repository for a value set, rendered once per test file. */
export function rendered(name: ValueSetName): Promise<string> {
  let dir = renders.get(name);
  if (!dir) {
    dir = renderAwsEcsServiceSkeleton({ ...VALUE_SETS[name] });
    renders.set(name, dir);
  }
  return dir;
}

export interface Workflow {
  file: string;
  source: string;
  doc: any;
}

/** Every workflow of a generated repository, parsed. */
export async function readWorkflows(repoDir: string): Promise<Workflow[]> {
  const dir = join(repoDir, '.github', 'workflows');
  const files = (await readdir(dir)).filter(f => /\.ya?ml$/.test(f)).sort();
  return Promise.all(
    files.map(async file => {
      const source = await readFile(join(dir, file), 'utf8');
      return { file, source, doc: parse(source) };
    }),
  );
}

export interface Step {
  job: string;
  index: number;
  step: any;
}

export function jobsOf(workflow: Workflow): Array<[string, any]> {
  return Object.entries(workflow.doc.jobs ?? {});
}

export function stepsOf(workflow: Workflow): Step[] {
  return jobsOf(workflow).flatMap(([job, body]) =>
    (body.steps ?? []).map((step: any, index: number) => ({
      job,
      index,
      step,
    })),
  );
}

export interface UsesLine {
  line: number;
  ref: string;
  comment?: string;
}

/**
 * Each `uses:` as written, with its trailing comment (YAML parsers drop comments, and the version
 * lives there).
 */
export function usesLines(source: string): UsesLine[] {
  return source.split('\n').flatMap((text, i) => {
    const match = /^\s*(?:-\s+)?uses:\s*(\S+)(?:\s+#\s*(.*\S))?\s*$/.exec(text);
    return match ? [{ line: i + 1, ref: match[1], comment: match[2] }] : [];
  });
}

/** `${{ ... }}` expressions in a string. */
export function expressions(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map(m => m[1].trim());
}

/** Names after `<context>.` in all expressions of a workflow, e.g. `vars` -> AWS_REGION. */
export function contextNames(source: string, context: string): string[] {
  const names = expressions(source).flatMap(e =>
    [
      ...e.matchAll(
        new RegExp(`\\b${context}\\.([A-Za-z_][A-Za-z0-9_-]*)`, 'g'),
      ),
    ].map(m => m[1]),
  );
  return [...new Set(names)].sort();
}
