import { PipelineRun } from '@cicd-aws/plugin-delivery-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import { runLabel } from './pipelineRuns';

/** Confirms re-running the failed jobs of `run`; cannot be closed while the request runs. */
export function RerunDialog(props: {
  run?: PipelineRun;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (run: PipelineRun) => void;
}) {
  const { run, busy } = props;
  return (
    <Dialog
      open={!!run}
      onClose={() => !busy && props.onCancel()}
      aria-labelledby="delivery-rerun-title"
    >
      <DialogTitle id="delivery-rerun-title">
        Re-run the failed jobs of {run && runLabel(run)}?
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          GitHub starts a new attempt of the failed jobs of this run
          {run?.branch && ` on ${run.branch}`} (commit{' '}
          {run?.commitSha.slice(0, 7)}); the successful jobs are kept.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={() => run && props.onConfirm(run)}
        >
          Re-run failed jobs
        </Button>
      </DialogActions>
    </Dialog>
  );
}
