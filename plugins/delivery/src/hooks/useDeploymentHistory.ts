import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_DEPLOY_ENVIRONMENT,
  DeliveryDeployment,
  StaleAnswer,
} from '@cicd-aws/plugin-delivery-common';
import { useCallback } from 'react';
import { deliveryApiRef } from '../api';
import { isGithubRepositoryAvailable } from '../conditions';
import { pollWhileStale } from '../components/common/staleAnswer';
import { usePollIntervals } from './usePollIntervals';
import { useRefreshable } from './useRefreshable';

export interface DeploymentHistory {
  deployments?: DeliveryDeployment[];
  /** The repository's page on its own GitHub host, as the backend names it. */
  repositoryUrl?: string;
  loading: boolean;
  error?: Error;
  /** Set when the backend served its last good answer because GitHub failed. */
  staleAnswer?: StaleAnswer;
  /** Why there is no history at all (no repository annotation), as words for a table cell. */
  unavailable?: string;
}

/**
 * The GitHub Deployments of the entity's deploy environment: who deployed a revision, and which
 * commit. Optional for a rollback: when GitHub fails, the comparison says so and the rollback
 * still works.
 */
export function useDeploymentHistory(): DeploymentHistory {
  const api = useApi(deliveryApiRef);
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const environment =
    entity.metadata.annotations?.[ANNOTATION_DEPLOY_ENVIRONMENT] || undefined;
  const available = isGithubRepositoryAvailable(entity);
  const { staleRetryMs } = usePollIntervals();
  const load = useCallback(
    (signal: AbortSignal) =>
      api.listDeployments(entityRef, { environment, perPage: 100, signal }),
    [api, entityRef, environment],
  );
  const data = useRefreshable(`${entityRef}|${environment}`, load, {
    enabled: available,
    pollIntervalMs: value => pollWhileStale(value, undefined, staleRetryMs),
  });
  if (!available) {
    return {
      loading: false,
      unavailable: 'unknown (no github.com/project-slug annotation)',
    };
  }
  return {
    deployments: data.value?.deployments,
    repositoryUrl: data.value?.repositoryUrl || undefined,
    loading: data.loading,
    error: data.error,
    staleAnswer: data.value?.staleAnswer,
  };
}
