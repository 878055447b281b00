import { stringifyEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ANNOTATION_ECS_SERVICE_ARN,
  ANNOTATION_GITHUB_PROJECT_SLUG,
  ANNOTATION_ROLLBACK_WORKFLOW,
  DELIVERY_ANNOTATION_DEFAULTS,
  DeliveryDeployment,
  deliveryEcsRollbackPermission,
  EcsDeployment,
  EcsRollbackTarget,
  EcsServiceState,
} from '@cicd-aws/plugin-delivery-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormLabel from '@material-ui/core/FormLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { deliveryApiRef } from '../../api';
import { isEcsServiceAvailable } from '../../conditions';
import { useDeploymentHistory } from '../../hooks/useDeploymentHistory';
import { useEcsState } from '../../hooks/useEcsState';
import { DeliveryCard } from '../common/DeliveryCard';
import { DeliveryTable, useTableStyles } from '../common/DeliveryTable';
import {
  messageOf,
  MissingAnnotationPanel,
} from '../common/DeliveryErrorPanel';
import { relativeTime, timeTitle } from '../common/time';
import { ECS_ARN_EXAMPLE } from '../EcsServiceCard/EcsServiceCard';

/** A rollback or stop-rollout this card started, followed until its deployment settles. */
interface Operation {
  kind: 'rollback' | 'stop';
  service: string;
  fromRevision?: number;
  toRevision?: number;
  /** The ECS deployment a rollback created. */
  deploymentId?: string;
  /** The deployment a stop-rollout stopped; ECS's replacement is any other PRIMARY. */
  stoppedDeploymentId?: string;
}

type Outcome =
  | { state: 'waiting' }
  | {
      state: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
      deployment: EcsDeployment;
    };

const MIN_REASON = 3;

function primaryOf(state?: EcsServiceState) {
  return state?.deployments.find(d => d.status === 'PRIMARY');
}

function followedDeployment(op: Operation, state?: EcsServiceState) {
  const deployments = state?.deployments ?? [];
  if (op.kind === 'rollback') {
    return op.deploymentId
      ? deployments.find(d => d.id === op.deploymentId)
      : deployments.find(
          d => d.status === 'PRIMARY' && d.revision === op.toRevision,
        );
  }
  return deployments.find(
    d =>
      d.status === 'PRIMARY' &&
      d.id !== op.stoppedDeploymentId &&
      (op.toRevision === undefined || d.revision === op.toRevision),
  );
}

function outcomeOf(op: Operation, state?: EcsServiceState): Outcome {
  const deployment = followedDeployment(op, state);
  if (!deployment) return { state: 'waiting' };
  if (
    deployment.rolloutState === 'COMPLETED' ||
    deployment.rolloutState === 'FAILED'
  ) {
    return { state: deployment.rolloutState, deployment };
  }
  return { state: 'IN_PROGRESS', deployment };
}

function imagesText(images: { name: string; image: string }[]) {
  return images.map(i => `${i.name}: ${i.image}`).join(', ') || '–';
}

/** The newest recorded deploy of a revision, for "who deployed it and which commit". */
function deployOf(
  history: DeliveryDeployment[] | undefined,
  revision?: number,
) {
  if (!history || revision === undefined) return undefined;
  return history.find(d => d.revision === revision);
}

/**
 * The GitHub web origin of the service's repository: the host its deploy runs link to (a GitHub
 * Enterprise host as much as github.com), github.com when no deployment names one.
 */
function githubOrigin(history: DeliveryDeployment[] | undefined): string {
  const linked = history?.find(d => d.logUrl)?.logUrl;
  try {
    return linked ? new URL(linked).origin : 'https://github.com';
  } catch {
    return 'https://github.com';
  }
}

function Comparison(props: {
  current?: EcsDeployment;
  target?: EcsRollbackTarget;
  targetLabel: string;
  history: ReturnType<typeof useDeploymentHistory>;
  slug?: string;
}) {
  const { current, target, history, slug } = props;
  const historyNote = history.error
    ? `unknown (deployment history: ${messageOf(history.error)})`
    : history.unavailable ?? (history.loading ? 'loading…' : 'not recorded');
  const deployer = (revision?: number) => {
    const d = deployOf(history.deployments, revision);
    if (!d) return historyNote;
    return `${d.creator?.login ?? 'unknown'}${
      d.createdAt ? `, ${relativeTime(d.createdAt)}` : ''
    }`;
  };
  const commit = (revision?: number) => {
    const d = deployOf(history.deployments, revision);
    if (!d) return historyNote;
    const short = d.sha.slice(0, 7);
    return slug ? (
      <Link to={`${githubOrigin(history.deployments)}/${slug}/commit/${d.sha}`}>
        <code>{short}</code>
      </Link>
    ) : (
      <code>{short}</code>
    );
  };
  const classes = useTableStyles();
  const rows: [string, ReactNode, ReactNode][] = [
    [
      'Revision',
      current?.revision !== undefined ? `revision ${current.revision}` : '–',
      target ? `revision ${target.revision}` : props.targetLabel,
    ],
    [
      'Images',
      current ? imagesText(current.images) : '–',
      target ? imagesText(target.images) : '–',
    ],
    [
      'Registered / deployed',
      current?.createdAt ? (
        <span {...timeTitle(current.createdAt)}>
          deployed {relativeTime(current.createdAt)}
        </span>
      ) : (
        '–'
      ),
      target?.registeredAt ? (
        <span {...timeTitle(target.registeredAt)}>
          registered {relativeTime(target.registeredAt)}
        </span>
      ) : (
        '–'
      ),
    ],
    ['Deployed by', deployer(current?.revision), deployer(target?.revision)],
    ['Commit', commit(current?.revision), commit(target?.revision)],
  ];
  return (
    <DeliveryTable aria-label="Current and target revision">
      <TableHead>
        <TableRow>
          <TableCell />
          <TableCell>Current</TableCell>
          <TableCell>Target</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(([label, a, b]) => (
          <TableRow key={label}>
            <TableCell component="th" scope="row" className={classes.nowrap}>
              {label}
            </TableCell>
            <TableCell>{a}</TableCell>
            <TableCell>{b}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </DeliveryTable>
  );
}

function OutcomeAlert(props: { op: Operation; outcome: Outcome }) {
  const { op, outcome } = props;
  const to =
    op.toRevision !== undefined ? `revision ${op.toRevision}` : 'the revision';
  const what =
    op.kind === 'rollback'
      ? `Rollback of ${op.service} to ${to}`
      : `Stopping the rollout of ${op.service} and returning to ${to}`;
  if (outcome.state === 'COMPLETED') {
    return (
      <Alert severity="success" role="status">
        {what}: COMPLETED. Deployment {outcome.deployment.id} runs{' '}
        {outcome.deployment.runningCount}/{outcome.deployment.desiredCount}{' '}
        tasks.
      </Alert>
    );
  }
  if (outcome.state === 'FAILED') {
    return (
      <Alert severity="error" role="status">
        {what}: FAILED.{' '}
        {outcome.deployment.rolloutStateReason ??
          'ECS gave no reason; see the events of the ECS service card.'}
      </Alert>
    );
  }
  return (
    <Alert severity="info" role="status">
      {what}: in progress
      {outcome.state === 'IN_PROGRESS'
        ? ` (deployment ${outcome.deployment.id}, ${outcome.deployment.runningCount}/${outcome.deployment.desiredCount} tasks running)`
        : ''}
      … This card follows it until ECS reports COMPLETED or FAILED.
    </Alert>
  );
}

/**
 * Rolls the entity's ECS service back to an earlier revision the user picks, with a reason and a
 * confirmation naming the service and both revisions; while a rollout is in progress, stops it
 * and lets ECS return to the revision before. Follows the new deployment until it settles.
 */
export function RollbackCard(props: { pollIntervalMs?: number }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(deliveryApiRef);
  const ecs = useEcsState(props.pollIntervalMs);
  const history = useDeploymentHistory();
  const permission = usePermission({
    permission: deliveryEcsRollbackPermission,
    resourceRef: entityRef,
  });
  const [selected, setSelected] = useState<number>();
  const [reason, setReason] = useState('');
  const [reasonTouched, setReasonTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<Error>();
  const [operation, setOperation] = useState<Operation>();
  // A ref, not state: two clicks in one frame both see the state of before the first.
  const inFlight = useRef(false);

  const state = ecs.value;
  const outcome = operation ? outcomeOf(operation, state) : undefined;
  const settled = outcome?.state === 'COMPLETED' || outcome?.state === 'FAILED';
  const { setFollowing } = ecs;
  useEffect(() => {
    if (settled) setFollowing(false);
  }, [settled, setFollowing]);

  const submit = useCallback(
    async (op: Operation, call: () => Promise<Partial<Operation>>) => {
      if (inFlight.current) return;
      inFlight.current = true;
      setSubmitting(true);
      setSubmitError(undefined);
      try {
        const result = await call();
        setOperation({ ...op, ...result });
        setSelected(undefined);
        setReason('');
        setReasonTouched(false);
        setFollowing(true);
        ecs.refresh();
      } catch (e) {
        setSubmitError(e as Error);
      } finally {
        inFlight.current = false;
        setSubmitting(false);
        setConfirming(false);
      }
    },
    [ecs, setFollowing],
  );

  const title = 'Rollback';
  if (!isEcsServiceAvailable(entity)) {
    return (
      <DeliveryCard title={title} source="aws" what="the rollback targets">
        <MissingAnnotationPanel
          annotation={ANNOTATION_ECS_SERVICE_ARN}
          example={ECS_ARN_EXAMPLE}
          purpose="the ECS service and its rollback"
        />
      </DeliveryCard>
    );
  }

  const primary = primaryOf(state);
  const stopMode = primary?.rolloutState === 'IN_PROGRESS';
  const returnTo = state?.deployments.find(
    d => d.status === 'ACTIVE' && d.id !== primary?.id,
  )?.revision;
  const targets = state?.rollbackTargets ?? [];
  const target = targets.find(t => t.revision === selected);
  const reasonOk = reason.trim().length >= MIN_REASON;
  const slug = entity.metadata.annotations?.[ANNOTATION_GITHUB_PROJECT_SLUG];
  const rollbackWorkflow =
    entity.metadata.annotations?.[ANNOTATION_ROLLBACK_WORKFLOW] ??
    DELIVERY_ANNOTATION_DEFAULTS[ANNOTATION_ROLLBACK_WORKFLOW];

  let blocked: ReactNode;
  if (permission.loading) {
    blocked = 'Checking whether you may roll back this service…';
  } else if (!permission.allowed) {
    blocked = (
      <>
        You cannot roll back this service: that needs the{' '}
        <code>{deliveryEcsRollbackPermission.name}</code> permission on{' '}
        {entityRef}, which the portal gives to the entity's owners. Ask an owner
        to roll back, or to grant you access.
      </>
    );
  } else if (state?.deploymentController === 'CODE_DEPLOY') {
    blocked = (
      <>
        This is a blue/green service deployed by CodeDeploy; ECS cannot switch
        its revision directly. Roll back with the{' '}
        {slug ? (
          <Link
            to={`${githubOrigin(
              history.deployments,
            )}/${slug}/actions/workflows/${rollbackWorkflow}`}
          >
            {rollbackWorkflow} workflow
          </Link>
        ) : (
          <>
            <code>{rollbackWorkflow}</code> workflow of its repository
          </>
        )}{' '}
        instead.
      </>
    );
  } else if (state?.deploymentController === 'EXTERNAL') {
    blocked =
      'This service uses an external deployment controller; roll it back with the tool that deploys it.';
  }

  let missing: string | undefined;
  if (!stopMode && targets.length === 0) {
    missing = `There is no earlier ACTIVE revision of ${
      state?.family ?? 'the task-definition family'
    } to roll back to.`;
  } else if (!stopMode && !target) {
    missing = 'Choose a target revision.';
  } else if (!reasonOk) {
    missing = `Type a reason (at least ${MIN_REASON} characters); it goes to the audit log.`;
  }
  const disabled = Boolean(blocked || missing || submitting || !state);
  const actionLabel = stopMode ? 'Stop rollout and roll back' : 'Roll back';
  const service = state?.serviceName ?? entity.metadata.name;

  const confirm = () => {
    if (!state) return;
    if (stopMode) {
      void submit(
        {
          kind: 'stop',
          service,
          fromRevision: primary?.revision,
          toRevision: returnTo,
          stoppedDeploymentId: primary?.id,
        },
        async () => {
          const r = await api.stopEcsRollout(entityRef, {
            reason: reason.trim(),
          });
          return {
            fromRevision: r.fromRevision ?? primary?.revision,
            toRevision: r.toRevision ?? returnTo,
          };
        },
      );
    } else if (target) {
      void submit(
        {
          kind: 'rollback',
          service,
          fromRevision: primary?.revision,
          toRevision: target.revision,
        },
        async () => {
          const r = await api.rollbackEcs(entityRef, {
            revision: target.revision,
            reason: reason.trim(),
          });
          return {
            fromRevision: r.fromRevision,
            toRevision: r.toRevision,
            deploymentId: r.deploymentId || undefined,
          };
        },
      );
    }
  };

  const fromText =
    primary?.revision !== undefined
      ? `revision ${primary.revision}`
      : 'the running revision';
  let toText = '';
  if (stopMode) {
    toText =
      returnTo !== undefined
        ? `revision ${returnTo}`
        : 'the revision it ran before';
  } else if (target) {
    toText = `revision ${target.revision}`;
  }

  return (
    <DeliveryCard
      title={title}
      source="aws"
      what="the rollback targets"
      loading={ecs.loading}
      refreshing={ecs.refreshing}
      error={ecs.error}
      hasData={!!state}
      loadedAt={ecs.loadedAt}
      onRefresh={ecs.refresh}
    >
      {operation && outcome && (
        <Box mb={2}>
          <OutcomeAlert op={operation} outcome={outcome} />
        </Box>
      )}
      {submitError && (
        <Box mb={2}>
          <Alert severity="error" onClose={() => setSubmitError(undefined)}>
            {stopMode ? 'Stopping the rollout' : 'The rollback'} was refused:{' '}
            {messageOf(submitError)}
          </Alert>
        </Box>
      )}
      {state && (
        <>
          {stopMode ? (
            <Alert severity="warning">
              A rollout of {fromText} is in progress (deployment {primary?.id}
              ). Stopping it makes ECS return {service} to {toText}.
            </Alert>
          ) : (
            targets.length > 0 && (
              <FormControl component="fieldset" margin="dense">
                <FormLabel component="legend">
                  Target revision (currently running {fromText})
                </FormLabel>
                <RadioGroup
                  aria-label="Target revision"
                  name="rollback-target"
                  value={selected === undefined ? '' : String(selected)}
                  onChange={e => setSelected(Number(e.target.value))}
                >
                  {targets.map(t => (
                    <FormControlLabel
                      key={t.revision}
                      value={String(t.revision)}
                      control={<Radio />}
                      label={
                        <span>
                          Revision {t.revision}
                          {t.lastCompleted && (
                            <>
                              {' '}
                              <strong>(last completed)</strong>
                            </>
                          )}
                          {t.registeredAt &&
                            ` · registered ${relativeTime(t.registeredAt)}`}
                          {t.images[0] && (
                            <>
                              {' · '}
                              <code>{t.images[0].image}</code>
                            </>
                          )}
                        </span>
                      }
                    />
                  ))}
                </RadioGroup>
              </FormControl>
            )
          )}
          {!stopMode && target && (
            <Box mt={1} mb={1}>
              <Comparison
                current={primary}
                target={target}
                targetLabel=""
                history={history}
                slug={slug}
              />
            </Box>
          )}
          <TextField
            id="delivery-rollback-reason"
            label="Reason"
            required
            fullWidth
            margin="normal"
            multiline
            minRows={2}
            value={reason}
            onChange={e => setReason(e.target.value)}
            onBlur={() => setReasonTouched(true)}
            error={reasonTouched && !reasonOk}
            helperText={`Why, in a few words; written to the audit log (at least ${MIN_REASON} characters).`}
            inputProps={{ maxLength: 1000 }}
          />
          <Box display="flex" alignItems="center" mt={1}>
            <Button
              variant="contained"
              color={stopMode ? 'secondary' : 'primary'}
              disabled={disabled}
              onClick={() => setConfirming(true)}
              aria-describedby={
                blocked || missing
                  ? 'delivery-rollback-why-disabled'
                  : undefined
              }
            >
              {actionLabel}…
            </Button>
          </Box>
          {(blocked || missing) && (
            <Typography
              id="delivery-rollback-why-disabled"
              variant="body2"
              color="textSecondary"
              component="p"
              style={{ marginTop: 8 }}
            >
              {blocked ?? missing}
            </Typography>
          )}
          {targets.length === 0 && !stopMode && !blocked && (
            <Typography variant="body2" color="textSecondary" component="p">
              ECS keeps only ACTIVE revisions; a deregistered one cannot be
              rolled back to.
            </Typography>
          )}
        </>
      )}
      <Dialog
        open={confirming}
        onClose={() => !submitting && setConfirming(false)}
        aria-labelledby="delivery-rollback-confirm-title"
        aria-describedby="delivery-rollback-confirm-text"
      >
        <DialogTitle id="delivery-rollback-confirm-title">
          {stopMode
            ? `Stop the rollout of ${service}?`
            : `Roll back ${service}?`}
        </DialogTitle>
        <DialogContent>
          <DialogContentText id="delivery-rollback-confirm-text">
            {stopMode
              ? `ECS stops the rollout of ${fromText} on the ECS service ${service} and returns it to ${toText}.`
              : `The ECS service ${service} goes from ${fromText} back to ${toText}. ECS starts a new deployment and replaces the running tasks.`}
          </DialogContentText>
          <DialogContentText>Reason: {reason.trim()}</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)} disabled={submitting}>
            Cancel
          </Button>
          <Button
            onClick={confirm}
            disabled={submitting}
            color={stopMode ? 'secondary' : 'primary'}
            variant="contained"
          >
            {stopMode ? 'Stop rollout and roll back' : `Roll back to ${toText}`}
          </Button>
        </DialogActions>
      </Dialog>
    </DeliveryCard>
  );
}
