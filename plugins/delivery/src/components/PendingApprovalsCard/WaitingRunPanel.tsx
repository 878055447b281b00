import { Link } from '@backstage/core-components';
import { WaitingRun } from '@cicd-aws/plugin-delivery-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { relativeTime, timeTitle } from '../common/time';
import { PlanSummary } from './PlanSummary';
import { ReviewState } from './ReviewDialog';

/** "production (reviewers: acme/platform-team; wait timer 10 min)" */
function environmentText(env: WaitingRun['environments'][number]): string {
  const parts = [];
  if (env.reviewers.length > 0) {
    parts.push(`reviewers: ${env.reviewers.map(r => r.name).join(', ')}`);
  }
  if (env.waitTimerMinutes > 0) {
    parts.push(`wait timer ${env.waitTimerMinutes} min`);
  }
  return parts.length ? `${env.name} (${parts.join('; ')})` : env.name;
}

/**
 * One run waiting for approval: what it deploys (commit, who pushed it, how long it has waited),
 * the environments it waits on and the plan it would apply, then Approve and Reject, or why the
 * viewer cannot use them, or, without a GitHub sign-in, the run on GitHub.
 */
export function WaitingRunPanel(props: {
  run: WaitingRun;
  /** Why the viewer cannot review, or undefined. */
  blockedReason?: string;
  /** The viewer has no GitHub sign-in: offer GitHub instead of the buttons. */
  withoutGithub: boolean;
  onGithubSignIn?: () => void;
  busy: boolean;
  onReview: (state: ReviewState) => void;
}) {
  const { run, blockedReason, withoutGithub, busy } = props;
  const shortSha = run.commit.sha.slice(0, 7);
  return (
    <Box
      mb={2}
      component="section"
      aria-label={`Run ${run.runNumber ?? run.id}`}
    >
      <Typography variant="subtitle1" component="h3">
        <Link to={run.url}>
          {run.workflow} #{run.runNumber ?? run.id}
        </Link>{' '}
        waits for {run.environments.map(environmentText).join(', ')}
      </Typography>
      <Typography variant="body2" component="p">
        Commit <Link to={run.commit.url}>{shortSha}</Link>
        {run.commit.message && <> “{run.commit.message}”</>}
        {run.actor && <> pushed by {run.actor.login}</>}
        {run.branch && <> on {run.branch}</>}, waiting since{' '}
        <span {...timeTitle(run.waitingSince)}>
          {relativeTime(run.waitingSince) ?? run.waitingSince}
        </span>
        .
      </Typography>
      <Box mt={1}>
        <PlanSummary plan={run.plan} />
      </Box>
      {withoutGithub ? (
        <Alert severity="info">
          Approving needs your own GitHub sign-in: GitHub takes a review only
          from one of the environment's required reviewers.{' '}
          <Link to={run.url}>Review this run on GitHub</Link>
          {props.onGithubSignIn && (
            <>
              {' '}
              or{' '}
              <Button
                size="small"
                color="primary"
                onClick={props.onGithubSignIn}
              >
                Sign in to GitHub
              </Button>
            </>
          )}
        </Alert>
      ) : (
        <>
          <Box display="flex" style={{ gap: 8 }} mt={1}>
            <Button
              variant="contained"
              color="primary"
              disabled={!!blockedReason || busy}
              onClick={() => props.onReview('approved')}
            >
              Approve
            </Button>
            <Button
              variant="outlined"
              color="secondary"
              disabled={!!blockedReason || busy}
              onClick={() => props.onReview('rejected')}
            >
              Reject
            </Button>
          </Box>
          {blockedReason && (
            <Typography
              variant="body2"
              color="textSecondary"
              component="p"
              role="note"
              style={{ marginTop: 8 }}
            >
              {blockedReason}
            </Typography>
          )}
        </>
      )}
    </Box>
  );
}
