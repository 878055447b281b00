import { Link } from '@backstage/core-components';
import Alert from '@material-ui/lab/Alert';
import { messageOf } from '../common/DeliveryErrorPanel';
import { StatusKind, StatusLabel } from '../common/StatusLabel';
import { FollowedRun, FollowState } from './useFollowRun';

const jobText = (job: FollowState['jobs'][number]) =>
  job.status === 'completed'
    ? `${job.name}: ${job.conclusion ?? 'completed'}`
    : `${job.name}: ${job.status.replace(/_/g, ' ')}`;

function jobKind(job: FollowState['jobs'][number]): StatusKind {
  if (job.status === 'in_progress') return 'running';
  if (job.status !== 'completed') return 'pending';
  return job.conclusion === 'success' ? 'ok' : 'error';
}

/** What became of the run reviewed here: followed until its waiting job starts or ends. */
export function ReviewOutcome(props: {
  followed: FollowedRun;
  follow?: FollowState;
  onDismiss: () => void;
}) {
  const { followed, follow } = props;
  const approved = followed.state === 'approved';
  const envs = followed.environments.join(', ');
  let status: string;
  if (!follow) {
    status = 'Following the run…';
  } else if (follow.settled) {
    status = approved
      ? `The ${envs} job started.`
      : `The ${envs} job did not run.`;
  } else if (follow.gaveUp) {
    status = 'It has not moved yet; follow it on GitHub.';
  } else {
    status = `Waiting for GitHub to ${
      approved ? 'start' : 'stop'
    } the ${envs} job…`;
  }
  return (
    <Alert
      severity={approved ? 'success' : 'info'}
      onClose={props.onDismiss}
      style={{ marginBottom: 8 }}
      role="status"
    >
      {approved ? 'Approved' : 'Rejected'} the deploy to {envs} of{' '}
      <Link to={followed.runUrl}>{followed.runText}</Link>. {status}
      {follow?.jobs.map(job => (
        <div key={job.id}>
          <StatusLabel kind={jobKind(job)}>{jobText(job)}</StatusLabel>
        </div>
      ))}
      {follow?.error && (
        <div>Could not read the run's jobs: {messageOf(follow.error)}</div>
      )}
    </Alert>
  );
}
