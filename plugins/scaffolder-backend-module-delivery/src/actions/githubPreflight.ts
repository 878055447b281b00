import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { githubClient, githubTarget } from './githubClient';
import { githubPreflightExamples } from './githubPreflight.examples';

/** Options of {@link createGithubPreflightAction}. @public */
export interface GithubPreflightActionOptions {
  /** The portal's SCM integrations (`ScmIntegrations.fromConfig(config)`), for the repository's host and credentials. */
  integrations: ScmIntegrationRegistry;
}

const statusOf = (error: unknown) =>
  (error as { status?: number } | undefined)?.status;

/** The status of a GitHub call: 200, 404, or a thrown error for anything else. */
async function found(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/**
 * `delivery:github:preflight`: checks, before anything is created, what `publish:github` and
 * `github:environment:create` would otherwise find out half-way: the host is one of the
 * portal's GitHub integrations, the owner exists, the repository name is free, and every group
 * that should review production deploys is a team of the owner organisation. Backstage's
 * environment action only logs a reviewer it cannot find and creates the environment without
 * it, which would leave production without its approval gate.
 *
 * @public
 */
export function createGithubPreflightAction(
  options: GithubPreflightActionOptions,
) {
  const { integrations } = options;
  const credentialsProvider =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  return createTemplateAction({
    id: 'delivery:github:preflight',
    description:
      'Checks before anything is created that the GitHub host is configured, the owner exists, the repository name is free and each reviewer group is a team of the owner organisation.',
    examples: githubPreflightExamples,
    supportsDryRun: true,
    schema: {
      input: {
        repoUrl: z =>
          z
            .string()
            .min(1)
            .describe(
              'The new repository, as RepoUrlPicker writes it: github.example.com?owner=acme&repo=orders-api',
            ),
        reviewers: z =>
          z
            .array(z.string())
            .default([])
            .describe(
              'Entity refs of the groups (teams) and users that must be able to review deployments, e.g. group:default/platform-team',
            ),
      },
      output: {
        ownerType: z =>
          z
            .string()
            .describe('Organization or User: what the owner is on the host'),
      },
    },
    async handler(ctx) {
      const { repoUrl, reviewers } = ctx.input;
      const target = githubTarget(integrations, repoUrl);
      const { host, owner, repo } = target;
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: ${host}/${owner}/${repo} and its reviewers are not looked up on GitHub.`,
        );
        ctx.output('ownerType', 'Organization');
        return;
      }
      const client = await githubClient(
        integrations,
        credentialsProvider,
        target,
      );
      let ownerType: string;
      try {
        ownerType = (await client.rest.users.getByUsername({ username: owner }))
          .data.type;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        throw new InputError(
          `${owner} is neither an organisation nor a user on ${host}; correct the owner in the Repository step. Nothing was created.`,
        );
      }
      if (await found(() => client.rest.repos.get({ owner, repo }))) {
        throw new InputError(
          `${host}/${owner}/${repo} already exists; choose another repository name in the Repository step. Nothing was created, and the existing repository was not changed.`,
        );
      }
      for (const ref of reviewers) {
        const entity = parseEntityRef(ref, { defaultKind: 'group' });
        const name = entity.name;
        if (entity.kind.toLowerCase() === 'user') {
          if (
            !(await found(() =>
              client.rest.users.getByUsername({ username: name }),
            ))
          ) {
            throw new InputError(
              `The reviewer ${ref} is not a user on ${host} (no login ${name}); choose reviewers who have accounts there. Nothing was created.`,
            );
          }
          continue;
        }
        if (ownerType !== 'Organization') {
          throw new InputError(
            `The team ${name} (${ref}) can review deployments only in an organisation's repository, and ${owner} on ${host} is a user; choose an organisation as the owner in the Repository step. Nothing was created.`,
          );
        }
        if (
          !(await found(() =>
            client.rest.teams.getByName({ org: owner, team_slug: name }),
          ))
        ) {
          throw new InputError(
            `${owner} on ${host} has no team "${name}", so ${ref} could not approve production deploys; create the team ${name} in ${owner} (its slug must match the group's name) or choose an owner group that is a team there. Nothing was created.`,
          );
        }
      }
      ctx.logger.info(
        `${host}/${owner}/${repo} can be created (${owner} is a${
          ownerType === 'Organization' ? 'n organisation' : ' user'
        }); reviewers found: ${reviewers.join(', ') || 'none asked for'}.`,
      );
      ctx.output('ownerType', ownerType);
    },
  });
}
