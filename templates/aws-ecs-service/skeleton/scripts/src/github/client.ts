import { PipelineError } from '../lib/errors.ts';

/** The repository and token of the workflow run, from the variables GitHub Actions sets. */
export interface GitHubContext {
  apiUrl: string;
  repository: string;
  token: string;
}

export function gitHubContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (!token) throw new PipelineError('GITHUB_TOKEN is not set; pass github.token to this step as env GITHUB_TOKEN.');
  if (!repository?.includes('/')) throw new PipelineError('GITHUB_REPOSITORY (owner/repo) is not set.');
  // GitHub Enterprise Server sets GITHUB_API_URL to its own API.
  return { apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''), repository, token };
}

const TIMEOUT_MS = 30_000;

/**
 * One GitHub REST call. Errors name the method, path and GitHub's message; the token never
 * appears in them.
 */
export async function gitHub<T>(
  context: GitHubContext,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const url = `${context.apiUrl}${path.replace('{repo}', `repos/${context.repository}`)}`;
  const response = await fetch(url, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${context.token}`,
      'x-github-api-version': '2022-11-28',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 500);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the text
    }
    throw new PipelineError(`GitHub ${method} ${path} answered ${response.status}: ${message}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}
