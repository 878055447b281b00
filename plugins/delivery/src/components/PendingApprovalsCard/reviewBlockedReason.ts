import {
  PendingDeploymentsResponse,
  WaitingRun,
} from '@cicd-aws/plugin-delivery-common';

/** What the card knows about the viewer when it decides whether they can review a run. */
export interface ReviewerContext {
  /** The portal's `delivery.deployment.approve` decision; undefined while it loads. */
  portalAllowed?: boolean;
  viewer: PendingDeploymentsResponse['viewer'];
  /** The viewer has a GitHub token for the repository's host. */
  hasGithubToken: boolean;
  /** The deploy environment prevents self-review (GitHub's `prevent_self_review`). */
  preventSelfReview?: boolean;
  now: number;
}

/**
 * Why the viewer cannot approve or reject this run now, or undefined when they can. The order
 * is the order in which they would have to fix things.
 */
export function reviewBlockedReason(
  run: WaitingRun,
  context: ReviewerContext,
): string | undefined {
  if (context.portalAllowed === false) {
    return "You may not review this service's deployments: the portal's delivery.deployment.approve permission is given to the entity's owners.";
  }
  if (!context.hasGithubToken || !context.viewer.githubSignedIn) {
    return context.viewer.problem
      ? `Your GitHub sign-in cannot be used: ${context.viewer.problem}`
      : 'Sign in with GitHub to review here: GitHub takes an approval only from a required reviewer, with their own account.';
  }
  const mine = run.environments.filter(e => e.canApprove);
  if (
    mine.length === 0 &&
    context.preventSelfReview &&
    context.viewer.login &&
    context.viewer.login === run.actor?.login
  ) {
    return `You started this run, and the environment prevents self-review: GitHub lets another of its required reviewers approve it.`;
  }
  if (mine.length === 0) {
    const reviewers = [
      ...new Set(run.environments.flatMap(e => e.reviewers.map(r => r.name))),
    ];
    return `GitHub says ${
      context.viewer.login ?? 'your GitHub account'
    } is not a required reviewer of ${run.environments
      .map(e => e.name)
      .join(', ')}${
      reviewers.length ? ` (reviewers: ${reviewers.join(', ')})` : ''
    }.`;
  }
  const timer = run.environments
    .map(e => (e.waitTimerEndsAt ? Date.parse(e.waitTimerEndsAt) : NaN))
    .filter(t => Number.isFinite(t) && t > context.now)
    .sort((a, b) => b - a)[0];
  if (timer !== undefined) {
    return `The environment's wait timer runs until ${new Date(
      timer,
    ).toLocaleTimeString()}: GitHub lets the deployment be reviewed after it.`;
  }
  return undefined;
}
