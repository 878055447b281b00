import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { githubClient, githubTarget } from './githubClient';
import { githubRepositoryIdsExamples } from './githubRepositoryIds.examples';

/** Options of {@link createGithubRepositoryIdsAction}. @public */
export interface GithubRepositoryIdsActionOptions {
  /** The portal's SCM integrations (`ScmIntegrations.fromConfig(config)`), for the repository's host and credentials. */
  integrations: ScmIntegrationRegistry;
}

/**
 * `delivery:github:repository-ids`: the numeric ids of a repository just created (by
 * `github:repo:create`) and of its owner. On github.com, GitHub Actions' OIDC subject of a
 * repository created since July 2026 carries both (`repo:acme@123/orders@456:...`), and names
 * alone no longer match; an AWS role can only trust such a repository once its ids are known, so
 * the template renders its Terraform after this step and pushes it with `github:repo:push`.
 *
 * @public
 */
export function createGithubRepositoryIdsAction(
  options: GithubRepositoryIdsActionOptions,
) {
  const { integrations } = options;
  const credentialsProvider =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  return createTemplateAction({
    id: 'delivery:github:repository-ids',
    description:
      "Reads the numeric ids of a repository and of its owner, which GitHub Actions' immutable OIDC subject claims contain.",
    examples: githubRepositoryIdsExamples,
    supportsDryRun: true,
    schema: {
      input: {
        repoUrl: z =>
          z
            .string()
            .min(1)
            .describe(
              'The repository, as RepoUrlPicker writes it: github.example.com?owner=acme&repo=orders-api',
            ),
      },
      output: {
        repositoryId: z =>
          z.string().describe('The repository id (empty in a dry run)'),
        ownerId: z =>
          z.string().describe("The owner's id (empty in a dry run)"),
      },
    },
    async handler(ctx) {
      const target = githubTarget(integrations, ctx.input.repoUrl);
      const { host, owner, repo } = target;
      if (ctx.isDryRun) {
        // Nothing was created in a dry run: the ids stay empty and the roles trust names only.
        ctx.logger.info(
          `Dry run: the ids of ${host}/${owner}/${repo} are not read.`,
        );
        ctx.output('repositoryId', '');
        ctx.output('ownerId', '');
        return;
      }
      const client = await githubClient(
        integrations,
        credentialsProvider,
        target,
      );
      let data: { id: number; owner: { id: number; login: string } };
      try {
        data = (await client.rest.repos.get({ owner, repo })).data;
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
        throw new InputError(
          `${host}/${owner}/${repo} does not exist; this step reads the ids of the repository github:repo:create made, so it must come after that step.`,
        );
      }
      ctx.logger.info(
        `${host}/${owner}/${repo} has id ${data.id}; ${data.owner.login} has id ${data.owner.id}.`,
      );
      ctx.output('repositoryId', String(data.id));
      ctx.output('ownerId', String(data.owner.id));
    },
  });
}
