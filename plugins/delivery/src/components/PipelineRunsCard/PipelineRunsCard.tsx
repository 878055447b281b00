import { stringifyEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ANNOTATION_GITHUB_PROJECT_SLUG,
  deliveryPipelineRerunPermission,
  PipelineJob,
  PipelineRun,
  PipelineRunsPage,
} from '@cicd-aws/plugin-delivery-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControl from '@material-ui/core/FormControl';
import IconButton from '@material-ui/core/IconButton';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import KeyboardArrowDown from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowRight from '@material-ui/icons/KeyboardArrowRight';
import Alert from '@material-ui/lab/Alert';
import { Fragment, useCallback, useRef, useState } from 'react';
import { deliveryApiRef } from '../../api';
import { isGithubRepositoryAvailable } from '../../conditions';
import { usePollIntervals } from '../../hooks/usePollIntervals';
import { useRefreshable } from '../../hooks/useRefreshable';
import { DeliveryCard } from '../common/DeliveryCard';
import {
  BreakAfterSlashes,
  DeliveryTable,
  useTableStyles,
} from '../common/DeliveryTable';
import {
  DeliveryErrorPanel,
  messageOf,
  MissingAnnotationPanel,
} from '../common/DeliveryErrorPanel';
import { StatusKind, StatusLabel } from '../common/StatusLabel';
import { formatDuration, relativeTime, timeTitle } from '../common/time';

const PER_PAGE = 20;

/** A run's, job's or step's state in words, with its status kind. */
export function pipelineStatus(item: { status: string; conclusion?: string }): {
  kind: StatusKind;
  text: string;
} {
  if (item.status !== 'completed') {
    return {
      kind: item.status === 'in_progress' ? 'running' : 'pending',
      text: item.status.replace(/_/g, ' '),
    };
  }
  switch (item.conclusion) {
    case 'success':
      return { kind: 'ok', text: 'success' };
    case 'failure':
    case 'timed_out':
    case 'startup_failure':
      return { kind: 'error', text: item.conclusion.replace(/_/g, ' ') };
    case 'cancelled':
    case 'skipped':
    case 'neutral':
    case 'stale':
      return { kind: 'aborted', text: item.conclusion };
    case 'action_required':
      return { kind: 'warning', text: 'action required' };
    default:
      return { kind: 'unknown', text: item.conclusion ?? 'completed' };
  }
}

const canRerunFailed = (run: PipelineRun) =>
  run.status === 'completed' &&
  ['failure', 'timed_out', 'cancelled', 'startup_failure'].includes(
    run.conclusion ?? '',
  );

function Jobs(props: { runId: number; entityRef: string }) {
  const api = useApi(deliveryApiRef);
  const { runId, entityRef } = props;
  const load = useCallback(
    (signal: AbortSignal) => api.getPipelineJobs(entityRef, runId, { signal }),
    [api, entityRef, runId],
  );
  const jobs = useRefreshable(`${entityRef}|${runId}`, load);
  if (jobs.loading) {
    return <Typography variant="body2">Loading jobs…</Typography>;
  }
  if (jobs.error) {
    return (
      <DeliveryErrorPanel
        error={jobs.error}
        source="github"
        what="the jobs of this run"
        onRetry={jobs.refresh}
      />
    );
  }
  if (!jobs.value?.jobs.length) {
    return <Typography variant="body2">This run has no jobs.</Typography>;
  }
  return (
    <ul style={{ margin: 0, paddingLeft: 16 }}>
      {jobs.value.jobs.map((job: PipelineJob) => {
        const s = pipelineStatus(job);
        return (
          <li key={job.id}>
            <StatusLabel kind={s.kind}>
              {job.htmlUrl ? (
                <Link to={job.htmlUrl}>{job.name}</Link>
              ) : (
                job.name
              )}
              : {s.text}
              {job.durationSeconds !== undefined &&
                ` in ${formatDuration(job.durationSeconds)}`}
            </StatusLabel>
            {job.steps.length > 0 && (
              <ol style={{ margin: 0 }}>
                {job.steps.map(step => {
                  const st = pipelineStatus(step);
                  return (
                    <li key={step.number}>
                      <StatusLabel kind={st.kind}>
                        {step.name}: {st.text}
                        {step.durationSeconds !== undefined &&
                          ` in ${formatDuration(step.durationSeconds)}`}
                      </StatusLabel>
                    </li>
                  );
                })}
              </ol>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <FormControl
      size="small"
      variant="outlined"
      style={{ minWidth: 180, marginRight: 16 }}
    >
      <InputLabel id={`${props.id}-label`}>{props.label}</InputLabel>
      <Select
        labelId={`${props.id}-label`}
        id={props.id}
        label={props.label}
        value={props.value}
        onChange={e => props.onChange(String(e.target.value))}
      >
        <MenuItem value="">All</MenuItem>
        {props.options.map(o => (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/**
 * The repository's GitHub Actions runs: status, workflow, branch, commit, actor, time and
 * duration; filters; jobs and steps on demand; re-run of failed jobs for those allowed.
 */
export function PipelineRunsCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(deliveryApiRef);
  const slug = entity.metadata.annotations?.[ANNOTATION_GITHUB_PROJECT_SLUG];
  const available = isGithubRepositoryAvailable(entity);
  const [workflow, setWorkflow] = useState('');
  const [branch, setBranch] = useState('');
  const [page, setPage] = useState(1);
  const [expanded, setExpanded] = useState<number>();
  const [rerunTarget, setRerunTarget] = useState<PipelineRun>();
  const [rerunBusy, setRerunBusy] = useState(false);
  const [rerunResult, setRerunResult] = useState<
    { run: PipelineRun; url: string } | { run: PipelineRun; error: Error }
  >();
  const rerunInFlight = useRef(false);
  const classes = useTableStyles();
  // Filter options seen so far, so filtering to one workflow keeps the others choosable.
  const seen = useRef({
    workflows: new Map<string, string>(),
    branches: new Set<string>(),
  });
  const permission = usePermission({
    permission: deliveryPipelineRerunPermission,
    resourceRef: entityRef,
  });

  const load = useCallback(
    async (signal: AbortSignal): Promise<PipelineRunsPage> => {
      const result = await api.listPipelineRuns(entityRef, {
        workflow: workflow || undefined,
        branch: branch || undefined,
        page,
        perPage: PER_PAGE,
        signal,
      });
      for (const run of result.runs) {
        if (run.workflowFile)
          seen.current.workflows.set(run.workflowFile, run.workflowName);
        if (run.branch) seen.current.branches.add(run.branch);
      }
      return result;
    },
    [api, entityRef, workflow, branch, page],
  );
  const interval = usePollIntervals().pipelineRunsMs;
  const runs = useRefreshable(
    `${entityRef}|${workflow}|${branch}|${page}`,
    load,
    {
      enabled: available,
      pollIntervalMs: value =>
        value?.runs.some(r => r.status !== 'completed') ? interval : undefined,
    },
  );

  const rerun = async (run: PipelineRun) => {
    if (rerunInFlight.current) return;
    rerunInFlight.current = true;
    setRerunBusy(true);
    try {
      const result = await api.rerunFailedJobs(entityRef, run.id);
      setRerunResult({ run, url: result.runUrl });
      runs.refresh();
    } catch (e) {
      setRerunResult({ run, error: e as Error });
    } finally {
      rerunInFlight.current = false;
      setRerunBusy(false);
      setRerunTarget(undefined);
    }
  };

  const title = 'Pipeline runs';
  if (!available) {
    return (
      <DeliveryCard title={title} source="github" what="the pipeline runs">
        <MissingAnnotationPanel
          annotation={ANNOTATION_GITHUB_PROJECT_SLUG}
          example="acme/web"
          purpose="the GitHub Actions runs and Terraform drift"
        />
      </DeliveryCard>
    );
  }

  const value = runs.value;
  const rerunDenied = !permission.loading && !permission.allowed;
  return (
    <DeliveryCard
      title={title}
      source="github"
      what="the pipeline runs"
      loading={runs.loading}
      refreshing={runs.refreshing}
      error={runs.error}
      hasData={!!value}
      loadedAt={runs.loadedAt}
      onRefresh={runs.refresh}
      subheader={slug}
    >
      <Box display="flex" flexWrap="wrap" mb={1}>
        <FilterSelect
          id="delivery-runs-workflow"
          label="Workflow"
          value={workflow}
          options={[...seen.current.workflows].map(([file, name]) => ({
            value: file,
            label: `${name} (${file})`,
          }))}
          onChange={v => {
            setWorkflow(v);
            setPage(1);
          }}
        />
        <FilterSelect
          id="delivery-runs-branch"
          label="Branch"
          value={branch}
          options={[...seen.current.branches].sort().map(b => ({
            value: b,
            label: b,
          }))}
          onChange={v => {
            setBranch(v);
            setPage(1);
          }}
        />
      </Box>
      {rerunResult && (
        <Box mb={1}>
          {'url' in rerunResult ? (
            <Alert severity="success" role="status">
              Re-running the failed jobs of {rerunResult.run.workflowName} #
              {rerunResult.run.runNumber}:{' '}
              <Link to={rerunResult.url}>follow it on GitHub</Link>.
            </Alert>
          ) : (
            <Alert severity="error" onClose={() => setRerunResult(undefined)}>
              Could not re-run {rerunResult.run.workflowName} #
              {rerunResult.run.runNumber}: {messageOf(rerunResult.error)}
            </Alert>
          )}
        </Box>
      )}
      {rerunDenied && value?.runs.some(canRerunFailed) && (
        <Typography variant="body2" color="textSecondary" component="p">
          Re-running failed jobs needs the{' '}
          <code>{deliveryPipelineRerunPermission.name}</code> permission on{' '}
          {entityRef}, which the portal gives to the entity's owners.
        </Typography>
      )}
      {value && value.runs.length === 0 && (
        <Typography variant="body2">
          No runs{workflow || branch ? ' match these filters' : ' yet'}.
        </Typography>
      )}
      {value && value.runs.length > 0 && (
        <DeliveryTable aria-label="Pipeline runs">
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox" />
              <TableCell>Status</TableCell>
              <TableCell>Workflow</TableCell>
              <TableCell>Branch</TableCell>
              <TableCell>Commit</TableCell>
              <TableCell>Actor</TableCell>
              <TableCell>Started</TableCell>
              <TableCell>Duration</TableCell>
              <TableCell>Actions</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {value.runs.map(run => {
              const s = pipelineStatus(run);
              const open = expanded === run.id;
              const label = `${run.workflowName} #${run.runNumber}`;
              return (
                <Fragment key={run.id}>
                  <TableRow>
                    <TableCell padding="checkbox">
                      <IconButton
                        size="small"
                        aria-label={`${
                          open ? 'Hide' : 'Show'
                        } jobs of ${label}`}
                        aria-expanded={open}
                        onClick={() => setExpanded(open ? undefined : run.id)}
                      >
                        {open ? <KeyboardArrowDown /> : <KeyboardArrowRight />}
                      </IconButton>
                    </TableCell>
                    <TableCell className={classes.nowrap}>
                      <StatusLabel kind={s.kind}>{s.text}</StatusLabel>
                    </TableCell>
                    <TableCell className={classes.nowrap}>
                      {run.workflowName} #{run.runNumber}
                      {run.runAttempt > 1 && ` (attempt ${run.runAttempt})`}
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        component="div"
                      >
                        {run.event}
                      </Typography>
                    </TableCell>
                    <TableCell>
                      {run.branch ? (
                        <BreakAfterSlashes text={run.branch} />
                      ) : (
                        '–'
                      )}
                    </TableCell>
                    <TableCell className={classes.prose}>
                      <code className={classes.nowrap}>
                        {run.commitSha.slice(0, 7)}
                      </code>{' '}
                      {(run.commitMessage ?? run.title ?? '').split('\n')[0]}
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
                          disabled={
                            permission.loading || rerunDenied || rerunBusy
                          }
                          onClick={() => setRerunTarget(run)}
                        >
                          Re-run failed jobs
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                  <TableRow>
                    <TableCell
                      colSpan={9}
                      style={{ paddingTop: 0, paddingBottom: 0 }}
                    >
                      <Collapse in={open} unmountOnExit>
                        <Box py={1}>
                          <Jobs runId={run.id} entityRef={entityRef} />
                        </Box>
                      </Collapse>
                    </TableCell>
                  </TableRow>
                </Fragment>
              );
            })}
          </TableBody>
        </DeliveryTable>
      )}
      {value && (value.page > 1 || value.hasNextPage) && (
        <Box display="flex" justifyContent="flex-end" mt={1}>
          <Button
            size="small"
            disabled={page <= 1}
            onClick={() => setPage(page - 1)}
          >
            Newer runs
          </Button>
          <Button
            size="small"
            disabled={!value.hasNextPage}
            onClick={() => setPage(page + 1)}
          >
            Older runs
          </Button>
        </Box>
      )}
      <Dialog
        open={!!rerunTarget}
        onClose={() => !rerunBusy && setRerunTarget(undefined)}
        aria-labelledby="delivery-rerun-title"
      >
        <DialogTitle id="delivery-rerun-title">
          Re-run the failed jobs of {rerunTarget?.workflowName} #
          {rerunTarget?.runNumber}?
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            GitHub starts a new attempt of the failed jobs of this run
            {rerunTarget?.branch && ` on ${rerunTarget.branch}`} (commit{' '}
            {rerunTarget?.commitSha.slice(0, 7)}); the successful jobs are kept.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button
            onClick={() => setRerunTarget(undefined)}
            disabled={rerunBusy}
          >
            Cancel
          </Button>
          <Button
            color="primary"
            variant="contained"
            disabled={rerunBusy}
            onClick={() => rerunTarget && rerun(rerunTarget)}
          >
            Re-run failed jobs
          </Button>
        </DialogActions>
      </Dialog>
    </DeliveryCard>
  );
}
