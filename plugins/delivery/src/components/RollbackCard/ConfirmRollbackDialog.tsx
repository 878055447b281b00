import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';

/**
 * The last step: names the service and both revisions, and the reason that goes to the audit
 * log. While the request runs it cannot be closed, and its buttons are disabled.
 */
export function ConfirmRollbackDialog(props: {
  open: boolean;
  stopMode: boolean;
  service: string;
  /** "revision 3" */
  fromText: string;
  /** "revision 2" */
  toText: string;
  reason: string;
  submitting: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { open, stopMode, service, fromText, toText, submitting } = props;
  return (
    <Dialog
      open={open}
      onClose={() => !submitting && props.onCancel()}
      aria-labelledby="delivery-rollback-confirm-title"
      aria-describedby="delivery-rollback-confirm-text"
    >
      <DialogTitle id="delivery-rollback-confirm-title">
        {stopMode ? `Stop the rollout of ${service}?` : `Roll back ${service}?`}
      </DialogTitle>
      <DialogContent>
        <DialogContentText id="delivery-rollback-confirm-text">
          {stopMode
            ? `ECS stops the rollout of ${fromText} on the ECS service ${service} and returns it to ${toText}.`
            : `The ECS service ${service} goes from ${fromText} back to ${toText}. ECS starts a new deployment and replaces the running tasks.`}
        </DialogContentText>
        <DialogContentText>Reason: {props.reason}</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel} disabled={submitting}>
          Cancel
        </Button>
        <Button
          onClick={props.onConfirm}
          disabled={submitting}
          color={stopMode ? 'secondary' : 'primary'}
          variant="contained"
        >
          {stopMode ? 'Stop rollout and roll back' : `Roll back to ${toText}`}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
