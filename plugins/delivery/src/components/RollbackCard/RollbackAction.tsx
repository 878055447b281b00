import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';
import { ReasonField } from './ReasonField';
import { isReasonOk } from './rollback';

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
      <ReasonField
        value={reason}
        error={props.reasonTouched && !isReasonOk(reason)}
        onChange={props.onReasonChange}
        onBlur={props.onReasonBlur}
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
