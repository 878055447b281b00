import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';

/** A repository location as RepoUrlPicker writes it, with the portal's client for its host. */
export interface GithubTarget {
  host: string;
  owner: string;
  repo: string;
  /** Thrown when the host has no usable credentials: says which hosts have. */
  refuse: () => InputError;
}

/** Parses `host?owner=o&repo=r` and checks the host is one of the portal's GitHub integrations. */
export function githubTarget(
  integrations: ScmIntegrationRegistry,
  repoUrl: string,
): GithubTarget {
  const url = new URL(`https://${repoUrl}`);
  const host = url.host;
  const owner = url.searchParams.get('owner') ?? '';
  const repo = url.searchParams.get('repo') ?? '';
  if (!owner || !repo) {
    throw new InputError(
      `Repository location "${repoUrl}" names no owner or repository; fill both in the Repository step.`,
    );
  }
  // github.com is always in the registry, with or without credentials: only hosts with a
  // token or a GitHub App can take a new repository.
  const usable = integrations.github
    .list()
    .filter(i => i.config.token || i.config.apps?.length)
    .map(i => i.config.host);
  const refuse = () =>
    new InputError(
      `${host} is not a GitHub host this portal can create repositories on (integrations.github has credentials for ${
        usable.join(', ') || 'no host'
      }); choose one of those in the Repository step, or ask the portal's administrators to add ${host}. Nothing was created.`,
    );
  if (!integrations.github.byHost(host)) throw refuse();
  return { host, owner, repo, refuse };
}

/**
 * An Octokit client with the credentials publish:github uses (the integration's token or GitHub
 * App installation). No retry plugin: a 404 is an answer for these actions (a free name, a
 * missing team).
 */
export async function githubClient(
  integrations: ScmIntegrationRegistry,
  credentialsProvider: DefaultGithubCredentialsProvider,
  target: GithubTarget,
): Promise<Octokit> {
  const integration = integrations.github.byHost(target.host)!;
  const { token } = await credentialsProvider
    .getCredentials({
      url: `https://${target.host}/${target.owner}/${target.repo}`,
    })
    .catch(() => ({ token: undefined }));
  if (!token) throw target.refuse();
  return new Octokit({
    auth: token,
    baseUrl: integration.config.apiBaseUrl,
    request: { timeout: 30_000 },
  });
}
