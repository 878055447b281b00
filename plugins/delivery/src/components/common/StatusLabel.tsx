import { makeStyles } from '@material-ui/core/styles';
import CheckCircle from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpOutline from '@material-ui/icons/HelpOutline';
import Autorenew from '@material-ui/icons/Autorenew';
import Warning from '@material-ui/icons/Warning';
import RemoveCircleOutline from '@material-ui/icons/RemoveCircleOutline';
import Schedule from '@material-ui/icons/Schedule';
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
    alignItems: 'center',
    gap: theme.spacing(0.5),
    whiteSpace: 'nowrap',
  },
  icon: { fontSize: '1.1em' },
  ok: { color: theme.palette.success.main },
  error: { color: theme.palette.error.main },
  warning: { color: theme.palette.warning.main },
  running: { color: theme.palette.info.main },
  pending: { color: theme.palette.text.secondary },
  aborted: { color: theme.palette.text.secondary },
  unknown: { color: theme.palette.text.secondary },
}));

const icons = {
  ok: CheckCircle,
  error: ErrorIcon,
  warning: Warning,
  running: Autorenew,
  pending: Schedule,
  aborted: RemoveCircleOutline,
  unknown: HelpOutline,
};

/**
 * A status as an icon and words: the colour is only a second cue, never the only one.
 */
export function StatusLabel(props: { kind: StatusKind; children: ReactNode }) {
  const classes = useStyles();
  const Icon = icons[props.kind];
  return (
    <span className={classes.root}>
      <Icon
        aria-hidden="true"
        className={`${classes.icon} ${classes[props.kind]}`}
      />
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
