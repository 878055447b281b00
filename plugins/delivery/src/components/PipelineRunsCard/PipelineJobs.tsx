import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { PipelineJob } from '@cicd-aws/plugin-delivery-common';
import Typography from '@material-ui/core/Typography';
import { useCallback } from 'react';
import { deliveryApiRef } from '../../api';
import { usePollIntervals } from '../../hooks/usePollIntervals';
import { useRefreshable } from '../../hooks/useRefreshable';
import { DeliveryErrorPanel } from '../common/DeliveryErrorPanel';
import { pollWhileStale } from '../common/staleAnswer';
import { StaleAnswerNotice } from '../common/StaleAnswerNotice';
import { StatusLabel } from '../common/StatusLabel';
import { formatDuration } from '../common/time';
import { pipelineStatus } from './pipelineRuns';

function Job({ job }: { job: PipelineJob }) {
  const s = pipelineStatus(job);
  return (
    <li>
      <StatusLabel kind={s.kind}>
        {job.htmlUrl ? <Link to={job.htmlUrl}>{job.name}</Link> : job.name}:{' '}
        {s.text}
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
}

/** The jobs and steps of one run, loaded when the run is expanded. */
export function PipelineJobs(props: { runId: number; entityRef: string }) {
  const api = useApi(deliveryApiRef);
  const { runId, entityRef } = props;
  const load = useCallback(
    (signal: AbortSignal) => api.getPipelineJobs(entityRef, runId, { signal }),
    [api, entityRef, runId],
  );
  const { staleRetryMs } = usePollIntervals();
  const jobs = useRefreshable(`${entityRef}|${runId}`, load, {
    pollIntervalMs: value => pollWhileStale(value, undefined, staleRetryMs),
  });
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
  const notice = (
    <StaleAnswerNotice staleAnswer={jobs.value?.staleAnswer} source="github" />
  );
  if (!jobs.value?.jobs.length) {
    return (
      <>
        {notice}
        <Typography variant="body2">This run has no jobs.</Typography>
      </>
    );
  }
  return (
    <>
      {notice}
      <ul style={{ margin: 0, paddingLeft: 16 }}>
        {jobs.value.jobs.map(job => (
          <Job key={job.id} job={job} />
        ))}
      </ul>
    </>
  );
}
