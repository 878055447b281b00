import { Link } from '@backstage/core-components';
import { PipelineRun } from '@cicd-aws/plugin-delivery-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import IconButton from '@material-ui/core/IconButton';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import KeyboardArrowDown from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowRight from '@material-ui/icons/KeyboardArrowRight';
import { BreakAfterSlashes, useTableStyles } from '../common/DeliveryTable';
import { StatusLabel } from '../common/StatusLabel';
import { formatDuration, relativeTime, timeTitle } from '../common/time';
import { PipelineJobs } from './PipelineJobs';
import {
  canRerunFailed,
  commitSubject,
  pipelineStatus,
  runLabel,
} from './pipelineRuns';

export const RUN_COLUMNS = 9;

/** One run, and under it (when expanded) its jobs and steps. */
export function PipelineRunRow(props: {
  run: PipelineRun;
  entityRef: string;
  open: boolean;
  onToggle: () => void;
  /** Whether the re-run button, where there is one, is disabled. */
  rerunDisabled: boolean;
  onRerun: (run: PipelineRun) => void;
}) {
  const { run, open } = props;
  const classes = useTableStyles();
  const s = pipelineStatus(run);
  const label = runLabel(run);
  return (
    <>
      <TableRow>
        <TableCell padding="checkbox">
          <IconButton
            size="small"
            aria-label={`${open ? 'Hide' : 'Show'} jobs of ${label}`}
            aria-expanded={open}
            onClick={props.onToggle}
          >
            {open ? <KeyboardArrowDown /> : <KeyboardArrowRight />}
          </IconButton>
        </TableCell>
        <TableCell className={classes.nowrap}>
          <StatusLabel kind={s.kind}>{s.text}</StatusLabel>
        </TableCell>
        <TableCell className={classes.nowrap}>
          {label}
          {run.runAttempt > 1 && ` (attempt ${run.runAttempt})`}
          <Typography variant="caption" color="textSecondary" component="div">
            {run.event}
          </Typography>
        </TableCell>
        <TableCell>
          {run.branch ? <BreakAfterSlashes text={run.branch} /> : '–'}
        </TableCell>
        <TableCell className={classes.prose}>
          <code className={classes.nowrap}>{run.commitSha.slice(0, 7)}</code>{' '}
          {commitSubject(run)}
        </TableCell>
        <TableCell className={classes.nowrap}>
          {run.actor?.login ?? '–'}
        </TableCell>
        <TableCell
          className={classes.nowrap}
          {...timeTitle(run.startedAt ?? run.createdAt)}
        >
          {relativeTime(run.startedAt ?? run.createdAt)}
        </TableCell>
        <TableCell className={classes.nowrap}>
          {run.durationSeconds !== undefined
            ? formatDuration(run.durationSeconds)
            : '–'}
        </TableCell>
        <TableCell>
          <Link to={run.htmlUrl} aria-label={`${label} on GitHub`}>
            GitHub
          </Link>
          {canRerunFailed(run) && (
            <Button
              size="small"
              className={classes.nowrap}
              style={{ marginLeft: -5, display: 'flex' }}
              disabled={props.rerunDisabled}
              onClick={() => props.onRerun(run)}
            >
              Re-run failed jobs
            </Button>
          )}
        </TableCell>
      </TableRow>
      <TableRow>
        <TableCell
          colSpan={RUN_COLUMNS}
          style={{ paddingTop: 0, paddingBottom: 0 }}
        >
          <Collapse in={open} unmountOnExit>
            <Box py={1}>
              <PipelineJobs runId={run.id} entityRef={props.entityRef} />
            </Box>
          </Collapse>
        </TableCell>
      </TableRow>
    </>
  );
}
