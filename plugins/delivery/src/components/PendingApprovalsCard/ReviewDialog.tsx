import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';

export type ReviewState = 'approved' | 'rejected';

/**
 * Confirms an approval or a rejection. A comment is required: GitHub records it with the review
 * and the portal's audit log keeps it. While the request runs the dialog cannot be closed.
 */
export function ReviewDialog(props: {
  state: ReviewState;
  /** "production" */
  environments: string;
  runText: string;
  /** Why the plan is not shown, when it is not (missing, expired, unreadable). */
  planProblem?: string;
  submitting: boolean;
  onCancel: () => void;
  onConfirm: (comment: string) => void;
}) {
  const { state, environments, runText, submitting } = props;
  const [comment, setComment] = useState('');
  const [touched, setTouched] = useState(false);
  const approve = state === 'approved';
  const missing = comment.trim().length === 0;
  const titleId = 'delivery-review-title';
  return (
    <Dialog
      open
      onClose={() => !submitting && props.onCancel()}
      aria-labelledby={titleId}
      fullWidth
    >
      <DialogTitle id={titleId}>
        {approve
          ? `Approve the deploy to ${environments}?`
          : `Reject the deploy to ${environments}?`}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          {approve
            ? `${runText} goes on: its job applies the plan shown and deploys to ${environments}.`
            : `${runText} stops: its ${environments} job does not run, and nothing is applied.`}{' '}
          The review is made on GitHub with your GitHub account.
        </DialogContentText>
        {approve && props.planProblem && (
          <Alert severity="warning">
            No Terraform plan is shown for this run ({props.planProblem}):
            approving applies a plan you have not read here. A plan saved more
            than 3 days ago has expired with its artifacts, and its apply fails;
            then re-run the run's plan job first.
          </Alert>
        )}
        <TextField
          id="delivery-review-comment"
          label="Comment"
          required
          fullWidth
          multiline
          minRows={2}
          margin="normal"
          value={comment}
          onChange={e => setComment(e.target.value)}
          onBlur={() => setTouched(true)}
          error={touched && missing}
          helperText="Why; recorded on GitHub with the review and in the portal's audit log."
          inputProps={{ maxLength: 1000 }}
          disabled={submitting}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel} disabled={submitting}>
          Cancel
        </Button>
        <Button
          onClick={() => props.onConfirm(comment.trim())}
          disabled={submitting || missing}
          color={approve ? 'primary' : 'secondary'}
          variant="contained"
        >
          {approve ? 'Approve and deploy' : 'Reject'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
