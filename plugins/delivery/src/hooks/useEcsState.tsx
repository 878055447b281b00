import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { EcsServiceState } from '@cicd-aws/plugin-delivery-common';
import {
  createContext,
  ReactNode,
  useCallback,
  useContext,
  useState,
} from 'react';
import { deliveryApiRef } from '../api';
import { isEcsServiceAvailable } from '../conditions';
import { Refreshable, useRefreshable } from './useRefreshable';

/** How often the ECS state is polled while a rollout moves (the backend caches it for 10 s). */
export const DEFAULT_ECS_POLL_INTERVAL_MS = 3000;

export interface EcsStateStore extends Refreshable<EcsServiceState> {
  /** Keep polling even when no rollout shows as IN_PROGRESS yet (right after starting one). */
  setFollowing(following: boolean): void;
}

const EcsStateContext = createContext<EcsStateStore | undefined>(undefined);

const rolloutInProgress = (state?: EcsServiceState) =>
  Boolean(state?.deployments.some(d => d.rolloutState === 'IN_PROGRESS'));

function useEcsStateStore(
  enabled: boolean,
  pollIntervalMs: number,
): EcsStateStore {
  const api = useApi(deliveryApiRef);
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const [following, setFollowing] = useState(false);
  const load = useCallback(
    (signal: AbortSignal) => api.getEcsState(entityRef, { signal }),
    [api, entityRef],
  );
  const data = useRefreshable(entityRef, load, {
    enabled: enabled && isEcsServiceAvailable(entity),
    pollIntervalMs: value =>
      following || rolloutInProgress(value) ? pollIntervalMs : undefined,
  });
  return { ...data, setFollowing };
}

/**
 * Shares one ECS state between the cards of the Deployment tab, so the ECS card shows the
 * deployment the Rollback card started, and the service is read once per refresh.
 */
export function EcsStateProvider(props: {
  children: ReactNode;
  pollIntervalMs?: number;
}) {
  const store = useEcsStateStore(
    true,
    props.pollIntervalMs ?? DEFAULT_ECS_POLL_INTERVAL_MS,
  );
  return (
    <EcsStateContext.Provider value={store}>
      {props.children}
    </EcsStateContext.Provider>
  );
}

/** The shared ECS state inside an {@link EcsStateProvider}; a card's own one outside it. */
export function useEcsState(pollIntervalMs?: number): EcsStateStore {
  const shared = useContext(EcsStateContext);
  const own = useEcsStateStore(
    !shared,
    pollIntervalMs ?? DEFAULT_ECS_POLL_INTERVAL_MS,
  );
  return shared ?? own;
}
