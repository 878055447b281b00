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
import { pollWhileStale } from '../components/common/staleAnswer';
import { isEcsServiceAvailable } from '../conditions';
import { usePollIntervals } from './usePollIntervals';
import { Refreshable, useRefreshable } from './useRefreshable';

export interface EcsStateStore extends Refreshable<EcsServiceState> {
  /** Keep polling even when no rollout shows as IN_PROGRESS yet (right after starting one). */
  setFollowing(following: boolean): void;
}

const EcsStateContext = createContext<EcsStateStore | undefined>(undefined);

const rolloutInProgress = (state?: EcsServiceState) =>
  Boolean(state?.deployments.some(d => d.rolloutState === 'IN_PROGRESS'));

function useEcsStateStore(enabled: boolean): EcsStateStore {
  const api = useApi(deliveryApiRef);
  const { ecsMs, staleRetryMs } = usePollIntervals();
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
      pollWhileStale(
        value,
        following || rolloutInProgress(value) ? ecsMs : undefined,
        staleRetryMs,
      ),
  });
  return { ...data, setFollowing };
}

/**
 * Shares one ECS state between the cards of the Deployment tab, so the ECS card shows the
 * deployment the Rollback card started, and the service is read once per refresh.
 */
export function EcsStateProvider(props: { children: ReactNode }) {
  const store = useEcsStateStore(true);
  return (
    <EcsStateContext.Provider value={store}>
      {props.children}
    </EcsStateContext.Provider>
  );
}

/** The shared ECS state inside an {@link EcsStateProvider}; a card's own one outside it. */
export function useEcsState(): EcsStateStore {
  const shared = useContext(EcsStateContext);
  const own = useEcsStateStore(!shared);
  return shared ?? own;
}
