import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { githubClient, githubTarget } from './githubClient';
import { githubEnvironmentReviewersExamples } from './githubEnvironmentReviewers.examples';

/** Options of {@link createGithubEnvironmentReviewersAction}. @public */
export interface GithubEnvironmentReviewersActionOptions {
  /** The portal's SCM integrations (`ScmIntegrations.fromConfig(config)`), for the repository's host and credentials. */
  integrations: ScmIntegrationRegistry;
}

interface HttpError {
  status?: number;
  message?: string;
  response?: {
    data?: {
      message?: string;
      errors?: Array<{ message?: string; code?: string }>;
    };
  };
}

const statusOf = (error: unknown) => (error as HttpError | undefined)?.status;

/** GitHub's own message and its field errors, without the documentation link Octokit appends. */
function githubMessage(error: unknown): string {
  const data = (error as HttpError).response?.data;
  if (!data?.message) return (error as HttpError).message ?? String(error);
  const details = (Array.isArray(data.errors) ? data.errors : [])
    .map(e => e.message ?? e.code)
    .filter(Boolean);
  return details.length > 0
    ? `${data.message}: ${details.join('; ')}`
    : data.message;
}

/**
 * GitHub's answer when the account's plan has no required reviewers for this repository
 * (GitHub Free, Pro and Team offer them on public repositories only): a 422 naming the billing
 * plan, "Failed to create the environment protection rule. Please ensure the billing plan
 * supports the required reviewers protection rule." (older hosts: "Fail to create protected
 * rule, please ensure billing plan include protected branch gate."). Other 422s, such as a
 * reviewer without read access, are mistakes to fix, not the plan.
 */
const refusedByPlan = (error: unknown) =>
  statusOf(error) === 422 && /billing plan/i.test(githubMessage(error));

/** The sentence the template's output and the portal's docs use for an ungated environment. */
export const NO_REQUIRED_REVIEWERS =
  'this environment has no required reviewers: deploys are applied without approval';

/**
 * `delivery:github:environment-reviewers`: makes the given teams and users the required
 * reviewers of an environment that `github:environment:create` made without them. On a plan
 * without required reviewers for the repository (a private repository outside GitHub Enterprise)
 * GitHub refuses them; Backstage's environment action would then fail the whole task after the
 * repository and its code exist, and before the environment's variables are set. This step
 * does not fail then: it outputs `requiredReviewers: false` and a message for the template's
 * output saying that deploys are applied without approval and what to do. Any other refusal
 * fails the step.
 *
 * @public
 */
export function createGithubEnvironmentReviewersAction(
  options: GithubEnvironmentReviewersActionOptions,
) {
  const { integrations } = options;
  const credentialsProvider =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  return createTemplateAction({
    id: 'delivery:github:environment-reviewers',
    description:
      "Makes teams and users the required reviewers of an existing GitHub environment; when the account's plan has no required reviewers for the repository, outputs requiredReviewers false and a message instead of failing.",
    examples: githubEnvironmentReviewersExamples,
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
        environment: z =>
          z
            .string()
            .min(1)
            .describe(
              'The environment, made before by github:environment:create',
            ),
        reviewers: z =>
          z
            .array(z.string())
            .min(1)
            .max(6)
            .describe(
              'Entity refs of the groups (teams of the owner organisation) and users who approve deployments (GitHub takes up to six), e.g. group:default/platform-team',
            ),
        preventSelfReview: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Whether the person who started a deployment may not approve it (GitHub: prevent self-review)',
            ),
      },
      output: {
        requiredReviewers: z =>
          z
            .boolean()
            .describe(
              'True when the environment has the reviewers as a required-reviewers rule',
            ),
        message: z =>
          z
            .string()
            .describe(
              'Empty when requiredReviewers is true; else what that means and what to do, for the template output',
            ),
      },
    },
    async handler(ctx) {
      const { repoUrl, environment, reviewers, preventSelfReview } = ctx.input;
      const target = githubTarget(integrations, repoUrl);
      const { host, owner, repo } = target;
      const where = `${environment} of ${host}/${owner}/${repo}`;
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: the reviewers of ${where} are not set (${reviewers.join(
            ', ',
          )}).`,
        );
        ctx.output('requiredReviewers', true);
        ctx.output('message', '');
        return;
      }
      const client = await githubClient(
        integrations,
        credentialsProvider,
        target,
      );

      let current;
      try {
        current = (
          await client.rest.repos.getEnvironment({
            owner,
            repo,
            environment_name: environment,
          })
        ).data;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        throw new InputError(
          `The environment ${where} does not exist; this step adds reviewers to the environment github:environment:create made, so it must come after that step.`,
        );
      }

      const ids: Array<{ type: 'User' | 'Team'; id: number }> = [];
      for (const ref of reviewers) {
        const entity = parseEntityRef(ref, { defaultKind: 'group' });
        const isUser = entity.kind.toLowerCase() === 'user';
        try {
          ids.push(
            isUser
              ? {
                  type: 'User',
                  id: (
                    await client.rest.users.getByUsername({
                      username: entity.name,
                    })
                  ).data.id,
                }
              : {
                  type: 'Team',
                  id: (
                    await client.rest.teams.getByName({
                      org: owner,
                      team_slug: entity.name,
                    })
                  ).data.id,
                },
          );
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
          throw new InputError(
            `The reviewer ${ref} is not ${
              isUser ? `a user on ${host}` : `a team of ${owner} on ${host}`
            }, so ${where} has no required reviewers: deploys are applied without approval until one is added (Settings → Environments → ${environment}).`,
          );
        }
      }

      // A PUT replaces the environment's settings: keep what github:environment:create set.
      const waitTimer = current.protection_rules?.find(
        rule => rule.type === 'wait_timer',
      ) as { wait_timer?: number } | undefined;
      const branchPolicy = current.deployment_branch_policy;
      const addReviewersLater = `add them later under Settings → Environments → ${environment} → Required reviewers (${reviewers.join(
        ', ',
      )})`;
      let rules;
      try {
        rules = (
          await client.rest.repos.createOrUpdateEnvironment({
            owner,
            repo,
            environment_name: environment,
            reviewers: ids,
            deployment_branch_policy: branchPolicy
              ? {
                  protected_branches: Boolean(branchPolicy.protected_branches),
                  custom_branch_policies: Boolean(
                    branchPolicy.custom_branch_policies,
                  ),
                }
              : null,
            ...(waitTimer?.wait_timer
              ? { wait_timer: waitTimer.wait_timer }
              : {}),
            ...(preventSelfReview !== undefined
              ? { prevent_self_review: preventSelfReview }
              : {}),
          })
        ).data.protection_rules;
      } catch (error) {
        if (!refusedByPlan(error)) {
          throw new Error(
            `GitHub refused the reviewers of ${where} (${statusOf(
              error,
            )}: ${githubMessage(
              error,
            )}), so ${NO_REQUIRED_REVIEWERS} until they are set; fix what GitHub names, then ${addReviewersLater}.`,
          );
        }
        const message = `The environment ${where} was created, but ${NO_REQUIRED_REVIEWERS}. GitHub refused the required reviewers because of the account's plan (${statusOf(
          error,
        )}: ${githubMessage(
          error,
        )}): GitHub Free, Pro and Team offer required reviewers on public repositories only. So jobs that deploy to ${environment} start without anyone's approval. To gate deploys: upgrade the organisation to GitHub Enterprise, or make the repository public; then ${addReviewersLater}.`;
        ctx.logger.warn(message);
        ctx.output('requiredReviewers', false);
        ctx.output('message', message);
        return;
      }

      if (!rules?.some(rule => rule.type === 'required_reviewers')) {
        // Accepted, yet no rule: the host dropped it (nothing gates the deploys either way).
        const message = `GitHub accepted the reviewers of ${where} but shows no required-reviewers rule, so ${NO_REQUIRED_REVIEWERS}. Check the environment's settings and ${addReviewersLater}.`;
        ctx.logger.warn(message);
        ctx.output('requiredReviewers', false);
        ctx.output('message', message);
        return;
      }
      ctx.logger.info(
        `Deploys to ${where} wait for one of ${reviewers.join(', ')}.`,
      );
      ctx.output('requiredReviewers', true);
      ctx.output('message', '');
    },
  });
}
