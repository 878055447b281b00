import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { makeStyles } from '@material-ui/core/styles';
import HelpOutline from '@material-ui/icons/HelpOutline';
import { ReactNode } from 'react';

export type StatusKind =
  | 'ok'
  | 'error'
  | 'warning'
  | 'running'
  | 'pending'
  | 'aborted'
  | 'unknown';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'inline-flex',
    alignItems: 'baseline',
    whiteSpace: 'nowrap',
  },
  // Sized and placed like Backstage's status icons, for the one kind it has none for.
  unknown: {
    width: '0.8em',
    height: '0.8em',
    marginRight: theme.spacing(1),
    position: 'relative',
    top: '0.125em',
    fill: theme.palette.text.secondary,
  },
}));

const statuses = {
  ok: StatusOK,
  error: StatusError,
  warning: StatusWarning,
  running: StatusRunning,
  pending: StatusPending,
  aborted: StatusAborted,
};

/**
 * A status as Backstage's status icon and words: the colour is only a second cue, never the
 * only one. Backstage's `Status*` components hide everything inside them from assistive
 * technology (`aria-hidden`), so the words stand next to the component, not inside it.
 */
export function StatusLabel(props: { kind: StatusKind; children: ReactNode }) {
  const classes = useStyles();
  const Status = props.kind === 'unknown' ? undefined : statuses[props.kind];
  return (
    <span className={classes.root}>
      {Status ? (
        <Status />
      ) : (
        <HelpOutline aria-hidden="true" className={classes.unknown} />
      )}
      <span>{props.children}</span>
    </span>
  );
}

/** ECS rollout states and health to a status kind. */
export function ecsStatusKind(value?: string): StatusKind {
  switch (value) {
    case 'COMPLETED':
    case 'HEALTHY':
    case 'RUNNING':
    case 'ACTIVE':
      return 'ok';
    case 'FAILED':
    case 'UNHEALTHY':
      return 'error';
    case 'IN_PROGRESS':
    case 'PROVISIONING':
    case 'ACTIVATING':
      return 'running';
    case 'PENDING':
      return 'pending';
    case 'STOPPED':
    case 'DEACTIVATING':
    case 'STOPPING':
    case 'DEPROVISIONING':
    case 'DRAINING':
      return 'aborted';
    default:
      return 'unknown';
  }
}
