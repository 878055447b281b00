import { stringifyEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ANNOTATION_GITHUB_PROJECT_SLUG,
  DriftCheckResponse,
  deliveryDriftCheckPermission,
  DriftedResource,
  DriftState,
} from '@cicd-aws/plugin-delivery-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useRef, useState } from 'react';
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
import { messageOf } from '../common/DeliveryErrorPanel';
import { newIdempotencyKey } from '../common/idempotencyKey';
import { MissingAnnotation } from '../common/MissingAnnotation';
import { pollWhileStale } from '../common/staleAnswer';
import { StaleAnswerNotice } from '../common/StaleAnswerNotice';
import { StatusKind, StatusLabel } from '../common/StatusLabel';
import { relativeTime, timeTitle } from '../common/time';

function statusOf(drift: DriftState): { kind: StatusKind; text: string } {
  switch (drift.status) {
    case 'in-sync':
      return { kind: 'ok', text: 'In sync' };
    case 'drifted':
      return { kind: 'warning', text: 'Drifted' };
    case 'error':
      return { kind: 'error', text: 'Check failed' };
    default:
      return { kind: 'unknown', text: 'Never checked' };
  }
}

/** Terraform's actions as one word: a delete plus a create is a replacement. */
export function actionText(actions: DriftedResource['actions']): string {
  if (actions.includes('create') && actions.includes('delete')) {
    return actions[0] === 'create' ? 'replace (create first)' : 'replace';
  }
  return actions.join(', ');
}

function Resources({ resources }: { resources: DriftedResource[] }) {
  const classes = useTableStyles();
  return (
    <DeliveryTable aria-label="Drifted resources" wrapHeaders>
      <TableHead>
        <TableRow>
          <TableCell>Resource</TableCell>
          <TableCell>Type</TableCell>
          <TableCell>Apply would</TableCell>
          <TableCell>Changed attributes</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {resources.map(r => (
          <TableRow key={r.address}>
            <TableCell>
              <code>
                <BreakAfterSlashes text={r.address} dots />
              </code>
              {r.changedOutsideTerraform && (
                <Typography
                  variant="caption"
                  color="textSecondary"
                  component="div"
                >
                  changed outside Terraform
                </Typography>
              )}
            </TableCell>
            <TableCell className={classes.nowrap}>{r.type}</TableCell>
            <TableCell className={classes.nowrap}>
              {actionText(r.actions)}
            </TableCell>
            <TableCell>
              {r.changedAttributes.length > 0
                ? r.changedAttributes.join(', ')
                : '–'}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </DeliveryTable>
  );
}

/**
 * The latest Terraform drift check of the entity's infrastructure, with the drifted resources,
 * and a "Check now" that dispatches the drift workflow for those allowed.
 */
export function DriftCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(deliveryApiRef);
  const available = isGithubRepositoryAvailable(entity);
  const permission = usePermission({
    permission: deliveryDriftCheckPermission,
    resourceRef: entityRef,
  });
  const [checking, setChecking] = useState(false);
  const [dispatched, setDispatched] = useState<
    DriftCheckResponse | { error: Error }
  >();
  const inFlight = useRef(false);
  const load = useCallback(
    (signal: AbortSignal) => api.getDrift(entityRef, { signal }),
    [api, entityRef],
  );
  const { driftMs: interval, staleRetryMs } = usePollIntervals();
  const drift = useRefreshable(entityRef, load, {
    enabled: available,
    // After "Check now", keep looking until the dispatched run is the latest completed one.
    pollIntervalMs: value =>
      pollWhileStale(
        value,
        value?.inProgress ||
          (dispatched &&
            'runId' in dispatched &&
            dispatched.runId !== undefined &&
            value?.run?.id !== dispatched.runId)
          ? interval
          : undefined,
        staleRetryMs,
      ),
  });

  const checkNow = async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setChecking(true);
    // One key per press: were this request retried, the backend would answer the retry with
    // the first dispatch instead of starting a second run.
    const idempotencyKey = newIdempotencyKey();
    try {
      setDispatched(await api.checkDrift(entityRef, { idempotencyKey }));
      drift.refresh();
    } catch (e) {
      setDispatched({ error: e as Error });
    } finally {
      inFlight.current = false;
      setChecking(false);
    }
  };

  const title = 'Terraform drift';
  if (!available) {
    return (
      <DeliveryCard title={title} source="github" what="the drift state">
        <MissingAnnotation
          annotation={ANNOTATION_GITHUB_PROJECT_SLUG}
          example="acme/web"
        />
      </DeliveryCard>
    );
  }

  const value = drift.value;
  const status = value && statusOf(value);
  // Until the dispatched run shows up as the latest check, another press would only queue a twin.
  const dispatchPending =
    !!dispatched &&
    'runId' in dispatched &&
    dispatched.runId !== undefined &&
    value?.run?.id !== dispatched.runId;
  const denied = !permission.loading && !permission.allowed;
  return (
    <DeliveryCard
      title={title}
      source="github"
      what="the drift state"
      loading={drift.loading}
      refreshing={drift.refreshing}
      error={drift.error}
      hasData={!!value}
      loadedAt={drift.loadedAt}
      onRefresh={drift.refresh}
    >
      <StaleAnswerNotice staleAnswer={value?.staleAnswer} source="github" />
      {value && status && (
        <>
          <Box display="flex" flexWrap="wrap" alignItems="center" mb={1}>
            <Box mr={3}>
              <Typography variant="h6" component="p">
                <StatusLabel kind={status.kind}>{status.text}</StatusLabel>
              </Typography>
            </Box>
            {value.stale && (
              <Box mr={3}>
                <StatusLabel kind="warning">
                  Stale: the last check is older than the configured age
                </StatusLabel>
              </Box>
            )}
          </Box>
          <Typography variant="body2" component="p">
            {value.checkedAt ? (
              <>
                Checked{' '}
                <span {...timeTitle(value.checkedAt)}>
                  {relativeTime(value.checkedAt)}
                </span>
              </>
            ) : (
              'No check has completed yet'
            )}
            {value.commit && (
              <>
                {' '}
                on commit{' '}
                {value.commitUrl ? (
                  <Link to={value.commitUrl}>
                    <code>{value.commit.slice(0, 7)}</code>
                  </Link>
                ) : (
                  <code>{value.commit.slice(0, 7)}</code>
                )}
              </>
            )}
            {value.terraform?.directory && (
              <>
                {' '}
                in <code>{value.terraform.directory}</code>
              </>
            )}
            {value.run && (
              <>
                {' · '}
                <Link to={value.run.url}>the check's run</Link>
              </>
            )}
            {' · '}
            <Link to={value.workflowUrl}>{value.workflow} runs</Link>
          </Typography>
          {value.status === 'error' && value.error && (
            <Box mt={1}>
              <Alert severity="error">
                The drift check failed: {value.error.message}
              </Alert>
            </Box>
          )}
          {value.status === 'never-run' && (
            <Typography variant="body2" color="textSecondary" component="p">
              The {value.workflow} workflow has not completed a run yet. It runs
              on its schedule, or press Check now.
            </Typography>
          )}
          {value.status === 'in-sync' && (
            <Typography variant="body2" component="p">
              The infrastructure matches its Terraform configuration.
            </Typography>
          )}
          {value.status === 'drifted' && (
            <Box mt={1}>
              <Typography variant="body2" component="p" gutterBottom>
                {value.resources.length} resource
                {value.resources.length === 1 ? ' differs' : 's differ'} from
                the configuration:
              </Typography>
              <Resources resources={value.resources} />
            </Box>
          )}
          {value.inProgress && (
            <Box mt={1}>
              <Alert severity="info" role="status">
                A check is running ({value.inProgress.status}):{' '}
                <Link to={value.inProgress.url}>follow it on GitHub</Link>.
              </Alert>
            </Box>
          )}
        </>
      )}
      {dispatched && (
        <Box mt={1}>
          {'error' in dispatched ? (
            <Alert severity="error" onClose={() => setDispatched(undefined)}>
              Could not start a drift check: {messageOf(dispatched.error)}
            </Alert>
          ) : (
            <Alert severity="success" role="status">
              Drift check started on {dispatched.ref}:{' '}
              <Link to={dispatched.runUrl}>
                {dispatched.runId ? `run ${dispatched.runId}` : 'its runs'}
              </Link>
              .
            </Alert>
          )}
        </Box>
      )}
      <Box mt={2}>
        <Button
          variant="outlined"
          disabled={permission.loading || denied || checking || dispatchPending}
          onClick={checkNow}
          aria-describedby={denied ? 'delivery-drift-check-denied' : undefined}
        >
          Check now
        </Button>
        {denied && (
          <Typography
            id="delivery-drift-check-denied"
            variant="body2"
            color="textSecondary"
            component="p"
            style={{ marginTop: 8 }}
          >
            Starting a drift check needs the{' '}
            <code>{deliveryDriftCheckPermission.name}</code> permission on{' '}
            {entityRef}, which the portal gives to the entity's owners.
          </Typography>
        )}
      </Box>
    </DeliveryCard>
  );
}
