import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { isError, ResponseError } from '@backstage/errors';
import { DeliveryApi, DeliveryClient } from '@cicd-aws/plugin-delivery-common';

/** Services the actions use to reach the delivery backend. @public */
export interface DeliveryBackendDeps {
  /** Finds the delivery backend's URL (`coreServices.discovery`). */
  discovery: DiscoveryService;
  /** Issues the on-behalf-of token of the task's initiator (`coreServices.auth`). */
  auth: AuthService;
}

/**
 * The delivery backend's client, calling as the task's initiator: the backend then decides the
 * permission and writes the audit event exactly as for the Deployment tab's button.
 */
export function deliveryClientFor(
  deps: DeliveryBackendDeps,
  credentials: BackstageCredentials,
): DeliveryApi {
  return new DeliveryClient({
    discoveryApi: deps.discovery,
    fetchApi: {
      fetch: async (input, init) => {
        const { token } = await deps.auth.getPluginRequestToken({
          onBehalfOf: credentials,
          targetPluginId: 'delivery',
        });
        const headers = new Headers(init?.headers);
        headers.set('Authorization', `Bearer ${token}`);
        return fetch(input, { ...init, headers });
      },
    },
  });
}

/** A step error that carries the delivery backend's own explanation and status. */
export function explainDeliveryError(error: unknown, what: string): Error {
  if (error instanceof ResponseError) {
    const message = error.body?.error?.message ?? error.message;
    return new Error(
      `${what} failed: the delivery backend answered ${error.statusCode}: ${message}`,
    );
  }
  return new Error(
    `${what} failed: ${isError(error) ? error.message : String(error)}`,
  );
}
