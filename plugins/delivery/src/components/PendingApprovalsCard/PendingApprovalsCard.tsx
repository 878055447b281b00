import { stringifyEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  deliveryDeploymentApprovePermission,
  PendingDeploymentsResponse,
  WaitingRun,
} from '@cicd-aws/plugin-delivery-common';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useEffect, useRef, useState } from 'react';
import { deliveryApiRef } from '../../api';
import { isGithubRepositoryAvailable } from '../../conditions';
import { usePollIntervals } from '../../hooks/usePollIntervals';
import { useRefreshable } from '../../hooks/useRefreshable';
import { DeliveryCard } from '../common/DeliveryCard';
import { messageOf } from '../common/DeliveryErrorPanel';
import { newIdempotencyKey } from '../common/idempotencyKey';
import { pollWhileStale } from '../common/staleAnswer';
import { StaleAnswerNotice } from '../common/StaleAnswerNotice';
import { reviewBlockedReason } from './reviewBlockedReason';
import { ReviewDialog, ReviewState } from './ReviewDialog';
import { ReviewOutcome } from './ReviewOutcome';
import { useGithubToken } from './useGithubToken';
import { FollowedRun, useFollowRun } from './useFollowRun';
import { WaitingRunPanel } from './WaitingRunPanel';

/** The plain words the template's README uses too. */
export function noReviewersText(
  environment: PendingDeploymentsResponse['environment'],
): string {
  return `The ${environment.name} environment has no required reviewers: deploys are applied without approval.`;
}

/**
 * Runs waiting for an environment's approval, with the Terraform plan each would apply, and
 * Approve and Reject with the user's own GitHub account. Shown only while something waits, or
 * to say that the deploy environment has no approval gate at all.
 */
export function PendingApprovalsCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(deliveryApiRef);
  const available = isGithubRepositoryAvailable(entity);
  const permission = usePermission({
    permission: deliveryDeploymentApprovePermission,
    resourceRef: entityRef,
  });
  const { approvalsMs, followRunMs, staleRetryMs } = usePollIntervals();
  const [repositoryUrl, setRepositoryUrl] = useState<string>();
  const github = useGithubToken(repositoryUrl);
  const tokenRef = useRef<string>();
  tokenRef.current = github.token;
  const [followed, setFollowed] = useState<FollowedRun>();
  const [reviewing, setReviewing] = useState<{
    run: WaitingRun;
    state: ReviewState;
  }>();
  const [submitting, setSubmitting] = useState(false);
  const [reviewError, setReviewError] = useState<Error>();

  const load = useCallback(
    (signal: AbortSignal) =>
      api.listPendingDeployments(entityRef, {
        signal,
        githubToken: tokenRef.current,
      }),
    [api, entityRef],
  );
  const list = useRefreshable(entityRef, load, {
    enabled: available,
    pollIntervalMs: value =>
      pollWhileStale(
        value,
        value?.runs.length || followed ? approvalsMs : undefined,
        staleRetryMs,
      ),
  });
  const value = list.value;
  const follow = useFollowRun(entityRef, followed, followRunMs);
  const { refresh } = list;

  useEffect(() => {
    if (value?.repositoryUrl) setRepositoryUrl(value.repositoryUrl);
  }, [value?.repositoryUrl]);
  // Once the user's token is known, ask again: the answer then says whether they may approve.
  useEffect(() => {
    if (github.token) refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [github.token]);
  useEffect(() => {
    if (follow?.settled) refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [follow?.settled]);

  const submit = async (comment: string) => {
    if (!reviewing || !github.token || submitting) return;
    const { run, state } = reviewing;
    setSubmitting(true);
    setReviewError(undefined);
    try {
      const githubToken = (await github.current()) ?? github.token;
      const answer = await api.reviewPendingDeployment(
        entityRef,
        run.id,
        { state, comment },
        // One key per confirmed review: a retried request is answered, not sent to GitHub again.
        { githubToken, idempotencyKey: newIdempotencyKey() },
      );
      setFollowed({
        runId: answer.runId,
        runUrl: answer.runUrl,
        state: answer.state,
        environments: answer.environments,
        runText: `${run.workflow} #${run.runNumber ?? run.id}`,
        decidedAt: Date.now(),
      });
      setReviewing(undefined);
    } catch (error) {
      setReviewError(error as Error);
      setReviewing(undefined);
    } finally {
      setSubmitting(false);
      refresh();
    }
  };

  if (!available || list.loading) return null;
  const title = 'Waiting for approval';
  if (!value) {
    return (
      <DeliveryCard
        title={title}
        source="github"
        what="the runs waiting for approval"
        error={list.error}
        onRefresh={refresh}
      />
    );
  }
  const ungated =
    !value.environment.exists || value.environment.reviewers.length === 0;
  if (value.runs.length === 0 && !followed && !reviewError) {
    if (!ungated) return null;
    return (
      <DeliveryCard
        title="Deploy approval"
        source="github"
        what="the deploy environment's protection"
        onRefresh={refresh}
        refreshing={list.refreshing}
      >
        <Alert severity="warning">
          {noReviewersText(value.environment)}{' '}
          {value.environment.exists
            ? 'GitHub Free, Pro and Team give private repositories no required reviewers; GitHub Enterprise does.'
            : 'The repository has no such environment on GitHub yet.'}{' '}
          {value.environment.url && (
            <Link to={value.environment.url}>Environment settings</Link>
          )}
        </Alert>
      </DeliveryCard>
    );
  }

  const now = Date.now();
  const withoutGithub = !github.loading && !github.token;
  return (
    <DeliveryCard
      title={title}
      source="github"
      what="the runs waiting for approval"
      refreshing={list.refreshing}
      error={list.error}
      hasData
      loadedAt={list.loadedAt}
      onRefresh={refresh}
    >
      <StaleAnswerNotice staleAnswer={value.staleAnswer} source="github" />
      {followed && (
        <ReviewOutcome
          followed={followed}
          follow={follow}
          onDismiss={() => setFollowed(undefined)}
        />
      )}
      {reviewError && (
        <Alert
          severity="error"
          onClose={() => setReviewError(undefined)}
          style={{ marginBottom: 8 }}
        >
          The review was not recorded: {messageOf(reviewError)}
        </Alert>
      )}
      {ungated && (
        <Alert severity="warning" style={{ marginBottom: 8 }}>
          {noReviewersText(value.environment)}
        </Alert>
      )}
      {value.runs.map(run => (
        <WaitingRunPanel
          key={run.id}
          run={run}
          withoutGithub={withoutGithub}
          onGithubSignIn={github.signIn}
          busy={submitting || permission.loading}
          blockedReason={reviewBlockedReason(run, {
            portalAllowed: permission.loading ? undefined : permission.allowed,
            viewer: value.viewer,
            hasGithubToken: !!github.token,
            preventSelfReview: value.environment.preventSelfReview,
            now,
          })}
          onReview={state => setReviewing({ run, state })}
        />
      ))}
      {reviewing && (
        <ReviewDialog
          state={reviewing.state}
          environments={reviewing.run.environments.map(e => e.name).join(', ')}
          runText={`${reviewing.run.workflow} #${
            reviewing.run.runNumber ?? reviewing.run.id
          }`}
          planProblem={
            reviewing.run.plan.status === 'ok'
              ? undefined
              : reviewing.run.plan.message ?? reviewing.run.plan.status
          }
          submitting={submitting}
          onCancel={() => setReviewing(undefined)}
          onConfirm={submit}
        />
      )}
    </DeliveryCard>
  );
}
