import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_ECS_SERVICE_ARN,
  EcsDeployment,
  EcsServiceState,
  EcsTask,
} from '@cicd-aws/plugin-delivery-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { ReactNode, useState } from 'react';
import { isEcsServiceAvailable } from '../../conditions';
import { useEcsState } from '../../hooks/useEcsState';
import { DeliveryCard } from '../common/DeliveryCard';
import {
  BreakAfterSlashes,
  DeliveryTable,
  ShortId,
  useTableStyles,
} from '../common/DeliveryTable';
import { MissingAnnotation } from '../common/MissingAnnotation';
import { StaleAnswerNotice } from '../common/StaleAnswerNotice';
import { ecsStatusKind, StatusLabel } from '../common/StatusLabel';
import { relativeTime, timeTitle } from '../common/time';

export const ECS_ARN_EXAMPLE =
  'arn:aws:ecs:eu-west-1:123456789012:service/prod/web';

/** Shown events before "Show all". */
const EVENTS_SHOWN = 5;

function Fact(props: { label: string; children: ReactNode }) {
  return (
    <Box mr={4} mb={1}>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="body1" component="div">
        {props.children}
      </Typography>
    </Box>
  );
}

function Images(props: { images: { name: string; image: string }[] }) {
  return (
    <>
      {props.images.map(i => (
        <div key={i.name}>
          <Typography variant="body2" component="span" color="textSecondary">
            {i.name}:{' '}
          </Typography>
          <code>
            <BreakAfterSlashes text={i.image} />
          </code>
        </div>
      ))}
    </>
  );
}

function Summary({ state }: { state: EcsServiceState }) {
  const cb = state.circuitBreaker;
  return (
    <Box display="flex" flexWrap="wrap">
      <Fact label="Service">
        {state.serviceName} ({state.region})
      </Fact>
      <Fact label="Status">
        <StatusLabel kind={ecsStatusKind(state.status)}>
          {state.status ?? 'unknown'}
        </StatusLabel>
      </Fact>
      <Fact label="Tasks">
        {state.runningCount} running / {state.desiredCount} desired,{' '}
        {state.pendingCount} pending
      </Fact>
      <Fact label="Deployments">
        {state.deploymentController}, {state.deploymentStrategy.toLowerCase()}
        {state.minimumHealthyPercent !== undefined &&
          state.maximumPercent !== undefined &&
          ` (${state.minimumHealthyPercent}–${state.maximumPercent} %)`}
      </Fact>
      <Fact label="Circuit breaker">
        {cb?.enable
          ? `on, ${
              cb.rollback ? 'rolls back on failure' : 'no automatic rollback'
            }`
          : 'off'}
      </Fact>
    </Box>
  );
}

function rolloutKind(d: EcsDeployment) {
  return ecsStatusKind(d.rolloutState);
}

function Deployments({ deployments }: { deployments: EcsDeployment[] }) {
  const classes = useTableStyles();
  return (
    <DeliveryTable aria-label="Deployments">
      <TableHead>
        <TableRow>
          <TableCell>Deployment</TableCell>
          <TableCell>Rollout</TableCell>
          <TableCell>Revision</TableCell>
          <TableCell>Image</TableCell>
          <TableCell>Tasks</TableCell>
          <TableCell>Started</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {deployments.map(d => (
          <TableRow key={d.id}>
            <TableCell>
              <div>{d.status}</div>
              <Typography variant="caption" color="textSecondary">
                <BreakAfterSlashes text={d.id} />
              </Typography>
            </TableCell>
            <TableCell>
              <StatusLabel kind={rolloutKind(d)}>
                {d.rolloutState ?? 'unknown'}
              </StatusLabel>
              {d.rolloutStateReason && (
                <Typography
                  variant="caption"
                  color="textSecondary"
                  component="div"
                >
                  {d.rolloutStateReason}
                </Typography>
              )}
            </TableCell>
            <TableCell className={classes.nowrap}>
              {d.revision !== undefined ? `revision ${d.revision}` : '–'}
            </TableCell>
            <TableCell>
              <Images images={d.images} />
            </TableCell>
            <TableCell className={classes.nowrap}>
              {d.runningCount}/{d.desiredCount} running
              {d.pendingCount > 0 && `, ${d.pendingCount} pending`}
              {d.failedTasks > 0 && `, ${d.failedTasks} failed`}
            </TableCell>
            <TableCell className={classes.nowrap} {...timeTitle(d.createdAt)}>
              {relativeTime(d.createdAt) ?? '–'}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </DeliveryTable>
  );
}

function healthKind(task: EcsTask) {
  if (task.lastStatus === 'STOPPED') return 'aborted' as const;
  if (task.healthStatus === 'UNKNOWN' || !task.healthStatus)
    return 'unknown' as const;
  return ecsStatusKind(task.healthStatus);
}

/** Stopped tasks shown before "Show all": the running ones matter first. */
const STOPPED_SHOWN = 4;

function Tasks({ tasks: all }: { tasks: EcsTask[] }) {
  const classes = useTableStyles();
  const [showAll, setShowAll] = useState(false);
  const stopped = all.filter(t => t.lastStatus === 'STOPPED');
  const hidden = showAll ? 0 : Math.max(0, stopped.length - STOPPED_SHOWN);
  const tasks = hidden
    ? [
        ...all.filter(t => t.lastStatus !== 'STOPPED'),
        ...stopped.slice(0, STOPPED_SHOWN),
      ]
    : all;
  if (all.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        The service has no tasks.
      </Typography>
    );
  }
  return (
    <>
      <DeliveryTable aria-label="Tasks">
        <TableHead>
          <TableRow>
            <TableCell>Task</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Health</TableCell>
            <TableCell>Revision</TableCell>
            <TableCell>Started / stopped</TableCell>
            <TableCell>Why it stopped</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {tasks.map(t => {
            const ended = t.containers.filter(
              c => c.exitCode !== undefined || c.reason,
            );
            return (
              <TableRow key={t.taskArn}>
                <TableCell>
                  <ShortId id={t.taskId} />
                  {t.availabilityZone && (
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      {t.availabilityZone}
                    </Typography>
                  )}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  <StatusLabel kind={ecsStatusKind(t.lastStatus)}>
                    {t.lastStatus ?? 'unknown'}
                  </StatusLabel>
                  {t.desiredStatus && t.desiredStatus !== t.lastStatus && (
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      desired {t.desiredStatus}
                    </Typography>
                  )}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  <StatusLabel kind={healthKind(t)}>
                    {t.healthStatus ?? 'UNKNOWN'}
                  </StatusLabel>
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {t.revision !== undefined ? `revision ${t.revision}` : '–'}
                </TableCell>
                <TableCell
                  className={classes.nowrap}
                  {...timeTitle(t.stoppedAt ?? t.startedAt ?? t.createdAt)}
                >
                  {t.stoppedAt
                    ? `stopped ${relativeTime(t.stoppedAt)}`
                    : relativeTime(t.startedAt ?? t.createdAt) ?? '–'}
                </TableCell>
                <TableCell className={classes.prose}>
                  {t.stoppedReason && (
                    <div>
                      {t.stoppedReason}
                      {t.stopCode && ` (${t.stopCode})`}
                    </div>
                  )}
                  {ended.map(c => (
                    <Typography
                      key={c.name}
                      variant="caption"
                      component="div"
                      color="textSecondary"
                    >
                      {c.name}
                      {c.exitCode !== undefined && `: exit code ${c.exitCode}`}
                      {c.reason && `: ${c.reason}`}
                    </Typography>
                  ))}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </DeliveryTable>
      {(hidden > 0 || showAll) && stopped.length > STOPPED_SHOWN && (
        <Button size="small" onClick={() => setShowAll(!showAll)}>
          {showAll
            ? 'Show fewer stopped tasks'
            : `Show all ${stopped.length} stopped tasks`}
        </Button>
      )}
    </>
  );
}

function Events({ events }: { events: EcsServiceState['events'] }) {
  const [all, setAll] = useState(false);
  if (events.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No recent events.
      </Typography>
    );
  }
  const shown = all ? events : events.slice(0, EVENTS_SHOWN);
  return (
    <>
      <ul aria-label="Recent events" style={{ paddingLeft: 16, margin: 0 }}>
        {shown.map((e, i) => (
          <li key={e.id ?? i}>
            <Typography variant="body2" component="span">
              <span {...timeTitle(e.createdAt)}>
                {relativeTime(e.createdAt) ?? ''}
              </span>
              {e.createdAt && ': '}
              {e.message}
            </Typography>
          </li>
        ))}
      </ul>
      {events.length > EVENTS_SHOWN && (
        <Button size="small" onClick={() => setAll(!all)}>
          {all ? 'Show fewer events' : `Show all ${events.length} events`}
        </Button>
      )}
    </>
  );
}

/** The ECS service of the entity: counts, deployments, circuit breaker, events and tasks. */
export function EcsServiceCard() {
  const { entity } = useEntity();
  const ecs = useEcsState();
  const title = 'ECS service';
  if (!isEcsServiceAvailable(entity)) {
    return (
      <DeliveryCard title={title} source="aws" what="the ECS service">
        <MissingAnnotation
          annotation={ANNOTATION_ECS_SERVICE_ARN}
          example={ECS_ARN_EXAMPLE}
        />
      </DeliveryCard>
    );
  }
  const state = ecs.value;
  return (
    <DeliveryCard
      title={title}
      source="aws"
      what="the ECS service"
      loading={ecs.loading}
      refreshing={ecs.refreshing}
      error={ecs.error}
      hasData={!!state}
      loadedAt={ecs.loadedAt}
      onRefresh={ecs.refresh}
    >
      {state && (
        <>
          <StaleAnswerNotice staleAnswer={state.staleAnswer} source="aws" />
          <Summary state={state} />
          <Typography variant="h6" component="h3">
            Deployments
          </Typography>
          <Deployments deployments={state.deployments} />
          <Box mt={2}>
            <Typography variant="h6" component="h3">
              Tasks
            </Typography>
            <Tasks tasks={state.tasks} />
          </Box>
          <Box mt={2}>
            <Typography variant="h6" component="h3">
              Recent events
            </Typography>
            <Events events={state.events} />
          </Box>
        </>
      )}
    </DeliveryCard>
  );
}
