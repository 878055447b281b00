import Alert from '@material-ui/lab/Alert';
import { operationText, RollbackOperation, RollbackOutcome } from './rollback';

/**
 * How the rollback or stop-rollout this card started is going, as a live status (`role=status`)
 * so a screen reader hears it settle.
 */
export function RollbackOutcomeAlert(props: {
  operation: RollbackOperation;
  outcome: RollbackOutcome;
}) {
  const { operation, outcome } = props;
  const what = operationText(operation);
  if (outcome.state === 'COMPLETED') {
    return (
      <Alert severity="success" role="status">
        {what}: COMPLETED. Deployment {outcome.deployment.id} runs{' '}
        {outcome.deployment.runningCount}/{outcome.deployment.desiredCount}{' '}
        tasks.
      </Alert>
    );
  }
  if (outcome.state === 'FAILED') {
    return (
      <Alert severity="error" role="status">
        {what}: FAILED.{' '}
        {outcome.deployment.rolloutStateReason ??
          'ECS gave no reason; see the events of the ECS service card.'}
      </Alert>
    );
  }
  return (
    <Alert severity="info" role="status">
      {what}: in progress
      {outcome.state === 'IN_PROGRESS'
        ? ` (deployment ${outcome.deployment.id}, ${outcome.deployment.runningCount}/${outcome.deployment.desiredCount} tasks running)`
        : ''}
      … This card follows it until ECS reports COMPLETED or FAILED.
    </Alert>
  );
}
