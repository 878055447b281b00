import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';
import { isReasonOk, MIN_REASON_LENGTH } from './rollback';

const WHY_DISABLED_ID = 'delivery-rollback-why-disabled';

/**
 * The reason (for the audit log) and the button that opens the confirmation. A disabled button
 * says why right under it, and is described by that sentence for screen readers.
 */
export function RollbackAction(props: {
  stopMode: boolean;
  reason: string;
  /** True once the reason field lost the focus: only then is a short reason an error. */
  reasonTouched: boolean;
  onReasonChange: (reason: string) => void;
  onReasonBlur: () => void;
  disabled: boolean;
  whyDisabled?: ReactNode;
  onOpen: () => void;
}) {
  const { stopMode, reason, whyDisabled } = props;
  return (
    <>
      <TextField
        id="delivery-rollback-reason"
        label="Reason"
        required
        fullWidth
        margin="normal"
        multiline
        minRows={2}
        value={reason}
        onChange={e => props.onReasonChange(e.target.value)}
        onBlur={props.onReasonBlur}
        error={props.reasonTouched && !isReasonOk(reason)}
        helperText={`Why, in a few words; written to the audit log (at least ${MIN_REASON_LENGTH} characters).`}
        inputProps={{ maxLength: 1000 }}
      />
      <Box display="flex" alignItems="center" mt={1}>
        <Button
          variant="contained"
          color={stopMode ? 'secondary' : 'primary'}
          disabled={props.disabled}
          onClick={props.onOpen}
          aria-describedby={whyDisabled ? WHY_DISABLED_ID : undefined}
        >
          {stopMode ? 'Stop rollout and roll back' : 'Roll back'}…
        </Button>
      </Box>
      {whyDisabled && (
        <Typography
          id={WHY_DISABLED_ID}
          variant="body2"
          color="textSecondary"
          component="p"
          style={{ marginTop: 8 }}
        >
          {whyDisabled}
        </Typography>
      )}
    </>
  );
}
