import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ANNOTATION_ECS_SERVICE_ARN,
  deliveryEcsRollbackPermission,
} from '@cicd-aws/plugin-delivery-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useState } from 'react';
import { isEcsServiceAvailable } from '../../conditions';
import { useDeploymentHistory } from '../../hooks/useDeploymentHistory';
import { useEcsState } from '../../hooks/useEcsState';
import { DeliveryCard } from '../common/DeliveryCard';
import { messageOf } from '../common/DeliveryErrorPanel';
import { MissingAnnotation } from '../common/MissingAnnotation';
import { StaleAnswerNotice } from '../common/StaleAnswerNotice';
import { ECS_ARN_EXAMPLE } from '../EcsServiceCard/EcsServiceCard';
import { ConfirmRollbackDialog } from './ConfirmRollbackDialog';
import { RevisionComparison } from './RevisionComparison';
import { RevisionPicker } from './RevisionPicker';
import {
  isStopMode,
  missingInput,
  plannedOperation,
  primaryOf,
  returnRevisionOf,
  revisionText,
  rollbackBlocker,
  rollbackWorkflowOf,
} from './rollback';
import { RollbackAction } from './RollbackAction';
import { RollbackBlockedReason } from './RollbackBlockedReason';
import { RollbackOutcomeAlert } from './RollbackOutcomeAlert';
import { useRollback } from './useRollback';

/**
 * Rolls the entity's ECS service back to an earlier revision the user picks, with a reason and a
 * confirmation naming the service and both revisions; while a rollout is in progress, stops it
 * and lets ECS return to the revision before. Follows the new deployment until it settles.
 */
export function RollbackCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const ecs = useEcsState();
  const history = useDeploymentHistory();
  const permission = usePermission({
    permission: deliveryEcsRollbackPermission,
    resourceRef: entityRef,
  });
  const rollback = useRollback(entityRef, ecs);
  const [selected, setSelected] = useState<number>();
  const [reason, setReason] = useState('');
  const [reasonTouched, setReasonTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const touchReason = useCallback(() => setReasonTouched(true), []);

  const title = 'Rollback';
  if (!isEcsServiceAvailable(entity)) {
    return (
      <DeliveryCard title={title} source="aws" what="the rollback targets">
        <MissingAnnotation
          annotation={ANNOTATION_ECS_SERVICE_ARN}
          example={ECS_ARN_EXAMPLE}
        />
      </DeliveryCard>
    );
  }

  const state = ecs.value;
  const primary = primaryOf(state);
  const stopMode = isStopMode(primary);
  const returnTo = returnRevisionOf(state, primary);
  const targets = state?.rollbackTargets ?? [];
  const target = targets.find(t => t.revision === selected);
  const blocker = rollbackBlocker({
    permissionLoading: permission.loading,
    allowed: permission.allowed,
    deploymentController: state?.deploymentController,
  });
  const missing = missingInput({
    stopMode,
    targets,
    target,
    reason,
    family: state?.family,
  });
  const disabled = Boolean(blocker || missing || rollback.submitting || !state);
  const service = state?.serviceName ?? entity.metadata.name;
  const fromText = revisionText(primary?.revision, 'the running revision');
  let toText = '';
  if (stopMode) toText = revisionText(returnTo, 'the revision it ran before');
  else if (target) toText = `revision ${target.revision}`;

  const confirm = async () => {
    if (!state || (!stopMode && !target)) return;
    const result = await rollback.submit({
      operation: plannedOperation({
        service,
        primary,
        stopMode,
        returnTo,
        target,
      }),
      revision: target?.revision,
      reason: reason.trim(),
    });
    if (result === 'ignored') return;
    if (result === 'accepted') {
      setSelected(undefined);
      setReason('');
      setReasonTouched(false);
    }
    setConfirming(false);
  };

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
      <StaleAnswerNotice staleAnswer={state?.staleAnswer} source="aws" />
      <StaleAnswerNotice
        staleAnswer={history.staleAnswer}
        source="github"
        upstream="GitHub (the deployment history)"
      />
      {rollback.operation && rollback.outcome && (
        <Box mb={2}>
          <RollbackOutcomeAlert
            operation={rollback.operation}
            outcome={rollback.outcome}
          />
        </Box>
      )}
      {rollback.error && (
        <Box mb={2}>
          <Alert severity="error" onClose={rollback.clearError}>
            {stopMode ? 'Stopping the rollout' : 'The rollback'} was refused:{' '}
            {messageOf(rollback.error)}
          </Alert>
        </Box>
      )}
      {state && (
        <>
          {stopMode && (
            <Alert severity="warning">
              A rollout of {fromText} is in progress (deployment {primary?.id}
              ). Stopping it makes ECS return {service} to {toText}.
            </Alert>
          )}
          {!stopMode && targets.length > 0 && (
            <RevisionPicker
              targets={targets}
              selected={selected}
              onSelect={setSelected}
              currentText={fromText}
            />
          )}
          {!stopMode && target && (
            <Box mt={1} mb={1}>
              <RevisionComparison
                current={primary}
                target={target}
                history={history}
              />
            </Box>
          )}
          <RollbackAction
            stopMode={stopMode}
            reason={reason}
            reasonTouched={reasonTouched}
            onReasonChange={setReason}
            onReasonBlur={touchReason}
            disabled={disabled}
            whyDisabled={
              blocker ? (
                <RollbackBlockedReason
                  blocker={blocker}
                  entityRef={entityRef}
                  repositoryUrl={history.repositoryUrl}
                  rollbackWorkflow={rollbackWorkflowOf(entity)}
                />
              ) : (
                missing
              )
            }
            onOpen={() => setConfirming(true)}
          />
          {targets.length === 0 && !stopMode && !blocker && (
            <Typography variant="body2" color="textSecondary" component="p">
              ECS keeps only ACTIVE revisions; a deregistered one cannot be
              rolled back to.
            </Typography>
          )}
        </>
      )}
      <ConfirmRollbackDialog
        open={confirming}
        stopMode={stopMode}
        service={service}
        fromText={fromText}
        toText={toText}
        reason={reason.trim()}
        submitting={rollback.submitting}
        onCancel={() => setConfirming(false)}
        onConfirm={confirm}
      />
    </DeliveryCard>
  );
}
