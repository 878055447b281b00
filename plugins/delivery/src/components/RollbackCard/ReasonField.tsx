import TextField from '@material-ui/core/TextField';
import { memo } from 'react';
import { MIN_REASON_LENGTH } from './rollback';

/**
 * The reason for the audit log. Memoised: a multiline field measures its own height on every
 * render (a forced layout), and the card re-renders on every poll and every click elsewhere.
 */
function ReasonFieldInput(props: {
  value: string;
  error: boolean;
  onChange: (reason: string) => void;
  onBlur: () => void;
}) {
  const { onChange } = props;
  return (
    <TextField
      id="delivery-rollback-reason"
      label="Reason"
      required
      fullWidth
      margin="normal"
      multiline
      minRows={2}
      value={props.value}
      onChange={e => onChange(e.target.value)}
      onBlur={props.onBlur}
      error={props.error}
      helperText={`Why, in a few words; written to the audit log (at least ${MIN_REASON_LENGTH} characters).`}
      inputProps={{ maxLength: 1000 }}
    />
  );
}

export const ReasonField = memo(ReasonFieldInput);
