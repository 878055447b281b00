import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { isError, ResponseError } from '@backstage/errors';
import { createHash } from 'node:crypto';
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

/** What the OpenAPI document allows in an `Idempotency-Key`: 1 to 255 printable ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

/**
 * The `Idempotency-Key` of one change a step makes:
 * `scaffolder:<task id>:<change>:<step id>[:<each key>]:<parts…>`. It depends only on what stays
 * the same when the task is retried (task, step, `each` item, and the parts the caller passes,
 * e.g. the entity), so a retry that calls again — the backend answered but the checkpoint was not
 * stored — gets the backend's first answer instead of changing anything twice; another task gets
 * another key. A key the header cannot carry (too long, spaces or non-ASCII in a step id) is
 * replaced by `scaffolder:<change>:sha256:<digest of it>`.
 */
export function scaffolderIdempotencyKey(
  ctx: {
    task: { id: string };
    step?: { id?: string };
    /** The `each` item a looping step runs for (its `key` is the index or the object key). */
    each?: { key?: unknown };
  },
  change: string,
  ...parts: string[]
): string {
  const each = ctx.each?.key;
  const key = [
    'scaffolder',
    ctx.task.id,
    change,
    ctx.step?.id || 'step',
    ...(each === undefined || each === null ? [] : [String(each)]),
    ...parts,
  ].join(':');
  if (IDEMPOTENCY_KEY.test(key)) return key;
  return `scaffolder:${change}:sha256:${createHash('sha256')
    .update(key)
    .digest('hex')}`;
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
