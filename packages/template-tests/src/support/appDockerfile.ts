import { validate } from 'dockerfile-utils';

export interface DockerInstruction {
  /** Upper-case, e.g. RUN. */
  keyword: string;
  /** The rest of the instruction, continuation lines joined. */
  args: string;
}

export interface DockerStage {
  /** The image after FROM (without AS ...). */
  image: string;
  name?: string;
  instructions: DockerInstruction[];
}

/** dockerfile-utils' diagnostics (the checks of the VS Code Docker extension) as readable lines. */
export function lintDockerfile(source: string): string[] {
  return validate(source).map(
    diagnostic =>
      `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`,
  );
}

/** Splits a Dockerfile into its stages; enough for assertions, not a full parser. */
export function parseDockerfile(source: string): DockerStage[] {
  const logicalLines = source
    .split('\n')
    .filter(line => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean);

  const stages: DockerStage[] = [];
  for (const line of logicalLines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = args
        .replace(/--platform=\S+\s*/, '')
        .split(/\s+/);
      stages.push({
        image,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}
