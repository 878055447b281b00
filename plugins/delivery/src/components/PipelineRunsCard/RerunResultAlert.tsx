import { Link } from '@backstage/core-components';
import Alert from '@material-ui/lab/Alert';
import { messageOf } from '../common/DeliveryErrorPanel';
import { runLabel } from './pipelineRuns';
import { RerunResult } from './useRerun';

/** What came of a re-run: a link to follow it, or why GitHub refused. */
export function RerunResultAlert(props: {
  result: RerunResult;
  onClose: () => void;
}) {
  const { result } = props;
  if ('url' in result) {
    return (
      <Alert severity="success" role="status">
        Re-running the failed jobs of {runLabel(result.run)}:{' '}
        <Link to={result.url}>follow it on GitHub</Link>.
      </Alert>
    );
  }
  return (
    <Alert severity="error" onClose={props.onClose}>
      Could not re-run {runLabel(result.run)}: {messageOf(result.error)}
    </Alert>
  );
}
