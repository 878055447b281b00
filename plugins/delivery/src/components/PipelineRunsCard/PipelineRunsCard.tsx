import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ANNOTATION_GITHUB_PROJECT_SLUG,
  deliveryPipelineRerunPermission,
  PipelineRunsPage,
} from '@cicd-aws/plugin-delivery-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useCallback, useRef, useState } from 'react';
import { deliveryApiRef } from '../../api';
import { isGithubRepositoryAvailable } from '../../conditions';
import { usePollIntervals } from '../../hooks/usePollIntervals';
import { useRefreshable } from '../../hooks/useRefreshable';
import { DeliveryCard } from '../common/DeliveryCard';
import { MissingAnnotation } from '../common/MissingAnnotation';
import { pollWhileStale } from '../common/staleAnswer';
import { StaleAnswerNotice } from '../common/StaleAnswerNotice';
import { PipelineRunsTable } from './PipelineRunsTable';
import {
  canRerunFailed,
  emptyFilterOptions,
  hasUnfinishedRun,
  rememberFilterOptions,
  RUNS_PER_PAGE,
} from './pipelineRuns';
import { RerunDialog } from './RerunDialog';
import { RerunResultAlert } from './RerunResultAlert';
import { RunFilters } from './RunFilters';
import { useRerun } from './useRerun';

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
  const { pipelineRunsMs: interval, staleRetryMs } = usePollIntervals();
  const [workflow, setWorkflow] = useState('');
  const [branch, setBranch] = useState('');
  const [page, setPage] = useState(1);
  const filterOptions = useRef(emptyFilterOptions());
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
        perPage: RUNS_PER_PAGE,
        signal,
      });
      rememberFilterOptions(filterOptions.current, result.runs);
      return result;
    },
    [api, entityRef, workflow, branch, page],
  );
  const runs = useRefreshable(
    `${entityRef}|${workflow}|${branch}|${page}`,
    load,
    {
      enabled: available,
      pollIntervalMs: value =>
        pollWhileStale(
          value,
          hasUnfinishedRun(value) ? interval : undefined,
          staleRetryMs,
        ),
    },
  );
  const rerun = useRerun(entityRef, runs.refresh);

  const title = 'Pipeline runs';
  if (!available) {
    return (
      <DeliveryCard title={title} source="github" what="the pipeline runs">
        <MissingAnnotation
          annotation={ANNOTATION_GITHUB_PROJECT_SLUG}
          example="acme/web"
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
      <StaleAnswerNotice staleAnswer={value?.staleAnswer} source="github" />
      <RunFilters
        options={filterOptions.current}
        workflow={workflow}
        branch={branch}
        onWorkflowChange={v => {
          setWorkflow(v);
          setPage(1);
        }}
        onBranchChange={v => {
          setBranch(v);
          setPage(1);
        }}
      />
      {rerun.result && (
        <Box mb={1}>
          <RerunResultAlert
            result={rerun.result}
            onClose={rerun.dismissResult}
          />
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
        <PipelineRunsTable
          runs={value.runs}
          entityRef={entityRef}
          rerunDisabled={permission.loading || rerunDenied || rerun.busy}
          onRerun={rerun.ask}
        />
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
      <RerunDialog
        run={rerun.target}
        busy={rerun.busy}
        onCancel={rerun.cancel}
        onConfirm={rerun.confirm}
      />
    </DeliveryCard>
  );
}
