import { execFileSync } from 'node:child_process';
import { UsageError } from './errors.ts';

/** The GitHub Actions run a report or summary came from, as the developer portal links it. */
export interface RunInfo {
  id?: number;
  attempt?: number;
  url: string;
  workflow?: string;
}

/** The workflow run, from the variables GitHub Actions sets. */
export function runInfo(env: NodeJS.ProcessEnv = process.env): RunInfo | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  if (!server || !repo || !id) return undefined;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT);
  return {
    id: Number(id),
    ...(Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}),
    url: `${server}/${repo}/actions/runs/${id}`,
    ...(env.GITHUB_WORKFLOW ? { workflow: env.GITHUB_WORKFLOW } : {}),
  };
}

function gitHead(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The commit a step worked on: given, else GITHUB_SHA, else the checkout's HEAD. */
export function commitSha(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const sha = given ?? env.GITHUB_SHA ?? gitHead();
  if (!sha || !/^[0-9a-f]{7,40}$/.test(sha)) {
    throw new UsageError(`the commit must be a lower-case hex SHA (from --commit, GITHUB_SHA or git); got "${sha ?? ''}"`);
  }
  return sha;
}
