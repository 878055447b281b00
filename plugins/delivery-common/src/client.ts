import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  DeliveryDeploymentsResponse,
  DriftCheckResponse,
  DriftState,
  PipelineJobsResponse,
  PipelineRerunResponse,
  PipelineRunsPage,
  EcsRollbackRequest,
  EcsRollbackResponse,
  EcsServiceState,
  EcsStopRolloutRequest,
  EcsStopRolloutResponse,
  PendingDeploymentReviewRequest,
  PendingDeploymentReviewResponse,
  PendingDeploymentsResponse,
} from './types';

/** An entity, as a ref string (`component:default/web`) or its parts. @public */
export type DeliveryEntityRef = string | CompoundEntityRef;

/** Options of a read: pass a signal to abandon a request whose answer nobody waits for. @public */
export interface DeliveryRequestOptions {
  /** Aborts the request (e.g. when the card that asked unmounts). */
  signal?: AbortSignal;
}

/**
 * Options of a change (rollback, stop-rollout, re-run, drift check).
 *
 * @public
 */
export interface DeliveryChangeOptions {
  /**
   * Sent as the `Idempotency-Key` header. The backend keeps the first answer per key: a retry with
   * the same key gets that answer again (response header `Idempotent-Replayed: true`) and changes
   * nothing; a retry while the first request still runs is answered 409, and the same key with a
   * different body 422. Make one key per user action (or per scaffolder step) and reuse it only to
   * retry that same action.
   */
  idempotencyKey?: string;
}

/** Filters and page of `GET .../pipeline-runs`. @public */
export interface PipelineRunsQuery extends DeliveryRequestOptions {
  /** Workflow file name, e.g. `deploy.yml`. */
  workflow?: string;
  /** Branch the runs ran on. */
  branch?: string;
  /** GitHub's run status or conclusion, e.g. `in_progress`, `failure`. */
  status?: string;
  /** 1-based. */
  page?: number;
  /** At most 100. */
  perPage?: number;
}

/**
 * Options of `GET .../pending-deployments`.
 *
 * @public
 */
export interface PendingDeploymentsOptions extends DeliveryRequestOptions {
  /**
   * The signed-in user's own GitHub token (from ScmAuthApi), sent as `X-GitHub-Token` so each
   * environment says whether GitHub lets this user approve. The backend never stores it.
   */
  githubToken?: string;
}

/**
 * Options of `POST .../pending-deployments/{runId}/review`.
 *
 * @public
 */
export interface PendingDeploymentReviewOptions extends DeliveryChangeOptions {
  /**
   * The signed-in user's own GitHub token (from ScmAuthApi), sent as `X-GitHub-Token`: GitHub
   * takes a review only from one of the environment's required reviewers, so the review is made
   * with it. The backend uses it for this call only.
   */
  githubToken: string;
}

/** Filters of `GET .../deployments`. @public */
export interface DeploymentsQuery extends DeliveryRequestOptions {
  /** GitHub environment; the backend defaults to the entity's deploy-environment annotation. */
  environment?: string;
  /** 1-based. */
  page?: number;
  /** At most 100. */
  perPage?: number;
}

/**
 * The delivery backend's API (`/api/delivery`), typed. Every method rejects with a
 * `ResponseError` from `@backstage/errors` when the backend answers with a non-2xx status; its
 * `body.error` carries the backend's message and `statusCode` the status.
 *
 * @public
 */
export interface DeliveryApi {
  /** The entity's ECS service, deployments, tasks, events and rollback targets. */
  getEcsState(
    entityRef: DeliveryEntityRef,
    options?: DeliveryRequestOptions,
  ): Promise<EcsServiceState>;
  /**
   * Rolls the entity's ECS service back to an earlier task-definition revision (202). Pass
   * `options.idempotencyKey` so that a retry of the same rollback returns the first answer instead
   * of rolling back again (see {@link DeliveryChangeOptions}).
   */
  rollbackEcs(
    entityRef: DeliveryEntityRef,
    request: EcsRollbackRequest,
    options?: DeliveryChangeOptions,
  ): Promise<EcsRollbackResponse>;
  /**
   * Stops the IN_PROGRESS rollout; ECS returns the service to the revision it ran before (202).
   * `options.idempotencyKey` makes a retry return the first answer (see {@link DeliveryChangeOptions}).
   */
  stopEcsRollout(
    entityRef: DeliveryEntityRef,
    request: EcsStopRolloutRequest,
    options?: DeliveryChangeOptions,
  ): Promise<EcsStopRolloutResponse>;
  /** GitHub Actions runs of the entity's repository, newest first. */
  listPipelineRuns(
    entityRef: DeliveryEntityRef,
    query?: PipelineRunsQuery,
  ): Promise<PipelineRunsPage>;
  /** Jobs and steps of one run. */
  getPipelineJobs(
    entityRef: DeliveryEntityRef,
    runId: number,
    options?: DeliveryRequestOptions,
  ): Promise<PipelineJobsResponse>;
  /**
   * Re-runs only the failed jobs of a run. `options.idempotencyKey` makes a retry return the first
   * answer instead of starting another attempt (see {@link DeliveryChangeOptions}).
   */
  rerunFailedJobs(
    entityRef: DeliveryEntityRef,
    runId: number,
    options?: DeliveryChangeOptions,
  ): Promise<PipelineRerunResponse>;
  /** GitHub Deployments of the repository: the history a rollback chooses from. */
  listDeployments(
    entityRef: DeliveryEntityRef,
    query?: DeploymentsQuery,
  ): Promise<DeliveryDeploymentsResponse>;
  /** The latest Terraform drift check. */
  getDrift(
    entityRef: DeliveryEntityRef,
    options?: DeliveryRequestOptions,
  ): Promise<DriftState>;
  /**
   * Dispatches the drift workflow now. `options.idempotencyKey` makes a retry return the first
   * answer instead of dispatching again (see {@link DeliveryChangeOptions}).
   */
  checkDrift(
    entityRef: DeliveryEntityRef,
    options?: DeliveryChangeOptions,
  ): Promise<DriftCheckResponse>;
  /** Runs waiting for an environment's approval, with their Terraform plan summaries. */
  listPendingDeployments(
    entityRef: DeliveryEntityRef,
    options?: PendingDeploymentsOptions,
  ): Promise<PendingDeploymentsResponse>;
  /**
   * Approves or rejects a waiting run's deployments with the user's own GitHub token (see
   * {@link PendingDeploymentReviewOptions}). Rejects with 409 when the run no longer waits.
   */
  reviewPendingDeployment(
    entityRef: DeliveryEntityRef,
    runId: number,
    request: PendingDeploymentReviewRequest,
    options: PendingDeploymentReviewOptions,
  ): Promise<PendingDeploymentReviewResponse>;
}

/**
 * The subset of Backstage's DiscoveryApi and FetchApi the client needs, so it works with the
 * frontend's APIs and with a backend's discovery service plus plain `fetch` alike.
 *
 * @public
 */
export interface DeliveryClientOptions {
  /** Finds the delivery backend's base URL (Backstage's DiscoveryApi or DiscoveryService). */
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  /** Defaults to the global `fetch` (which sends no Backstage token). */
  fetchApi?: { fetch: typeof fetch };
}

/** {@link DeliveryApi} over HTTP. @public */
export class DeliveryClient implements DeliveryApi {
  private readonly discoveryApi: DeliveryClientOptions['discoveryApi'];
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: DeliveryClientOptions) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (...a) => fetch(...a) };
  }

  /** {@inheritDoc DeliveryApi.getEcsState} */
  getEcsState(
    entityRef: DeliveryEntityRef,
    options?: DeliveryRequestOptions,
  ): Promise<EcsServiceState> {
    return this.request(entityRef, '/ecs', { signal: options?.signal });
  }

  /** {@inheritDoc DeliveryApi.rollbackEcs} */
  rollbackEcs(
    entityRef: DeliveryEntityRef,
    request: EcsRollbackRequest,
    options?: DeliveryChangeOptions,
  ): Promise<EcsRollbackResponse> {
    return this.request(entityRef, '/ecs/rollback', {
      body: request,
      idempotencyKey: options?.idempotencyKey,
    });
  }

  /** {@inheritDoc DeliveryApi.stopEcsRollout} */
  stopEcsRollout(
    entityRef: DeliveryEntityRef,
    request: EcsStopRolloutRequest,
    options?: DeliveryChangeOptions,
  ): Promise<EcsStopRolloutResponse> {
    return this.request(entityRef, '/ecs/stop-rollout', {
      body: request,
      idempotencyKey: options?.idempotencyKey,
    });
  }

  /** {@inheritDoc DeliveryApi.listPipelineRuns} */
  listPipelineRuns(
    entityRef: DeliveryEntityRef,
    query: PipelineRunsQuery = {},
  ): Promise<PipelineRunsPage> {
    const { signal, ...filters } = query;
    return this.request(entityRef, '/pipeline-runs', {
      query: filters,
      signal,
    });
  }

  /** {@inheritDoc DeliveryApi.getPipelineJobs} */
  async getPipelineJobs(
    entityRef: DeliveryEntityRef,
    runId: number,
    options?: DeliveryRequestOptions,
  ): Promise<PipelineJobsResponse> {
    return this.request(entityRef, `/pipeline-runs/${runPart(runId)}/jobs`, {
      signal: options?.signal,
    });
  }

  /** {@inheritDoc DeliveryApi.rerunFailedJobs} */
  async rerunFailedJobs(
    entityRef: DeliveryEntityRef,
    runId: number,
    options?: DeliveryChangeOptions,
  ): Promise<PipelineRerunResponse> {
    return this.request(
      entityRef,
      `/pipeline-runs/${runPart(runId)}/rerun-failed`,
      { method: 'POST', idempotencyKey: options?.idempotencyKey },
    );
  }

  /** {@inheritDoc DeliveryApi.listDeployments} */
  listDeployments(
    entityRef: DeliveryEntityRef,
    query: DeploymentsQuery = {},
  ): Promise<DeliveryDeploymentsResponse> {
    const { signal, ...filters } = query;
    return this.request(entityRef, '/deployments', { query: filters, signal });
  }

  /** {@inheritDoc DeliveryApi.getDrift} */
  getDrift(
    entityRef: DeliveryEntityRef,
    options?: DeliveryRequestOptions,
  ): Promise<DriftState> {
    return this.request(entityRef, '/drift', { signal: options?.signal });
  }

  /** {@inheritDoc DeliveryApi.checkDrift} */
  checkDrift(
    entityRef: DeliveryEntityRef,
    options?: DeliveryChangeOptions,
  ): Promise<DriftCheckResponse> {
    return this.request(entityRef, '/drift/check', {
      method: 'POST',
      idempotencyKey: options?.idempotencyKey,
    });
  }

  /** {@inheritDoc DeliveryApi.listPendingDeployments} */
  listPendingDeployments(
    entityRef: DeliveryEntityRef,
    options?: PendingDeploymentsOptions,
  ): Promise<PendingDeploymentsResponse> {
    return this.request(entityRef, '/pending-deployments', {
      signal: options?.signal,
      githubToken: options?.githubToken,
    });
  }

  /** {@inheritDoc DeliveryApi.reviewPendingDeployment} */
  reviewPendingDeployment(
    entityRef: DeliveryEntityRef,
    runId: number,
    request: PendingDeploymentReviewRequest,
    options: PendingDeploymentReviewOptions,
  ): Promise<PendingDeploymentReviewResponse> {
    return this.request(
      entityRef,
      `/pending-deployments/${runPart(runId)}/review`,
      {
        body: request,
        idempotencyKey: options.idempotencyKey,
        githubToken: options.githubToken,
      },
    );
  }

  /**
   * Calls `/v1/entities/:namespace/:kind/:name<path>`: GET unless there is a JSON body or another
   * method. Query parameters whose value is undefined or empty are left out; a non-empty
   * `idempotencyKey` is sent as the `Idempotency-Key` header.
   */
  protected async request<T>(
    entityRef: DeliveryEntityRef,
    path: string,
    options: {
      method?: 'GET' | 'POST';
      body?: unknown;
      query?: Record<string, string | number | undefined>;
      signal?: AbortSignal;
      idempotencyKey?: string;
      githubToken?: string;
    } = {},
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('delivery');
    let url = `${baseUrl}${entityPath(entityRef)}${path}`;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') query.set(key, String(value));
    }
    const search = query.toString();
    if (search) url += `?${search}`;

    const headers: Record<string, string> = {};
    if (options.body !== undefined)
      headers['Content-Type'] = 'application/json';
    if (options.idempotencyKey) {
      headers['Idempotency-Key'] = options.idempotencyKey;
    }
    if (options.githubToken) {
      headers['X-GitHub-Token'] = options.githubToken;
    }
    const response = await this.fetchApi.fetch(url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: Object.keys(headers).length > 0 ? headers : undefined,
      body:
        options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

/** A run id as a path segment; refuses anything but a positive integer. */
function runPart(runId: number): string {
  if (!Number.isSafeInteger(runId) || runId < 1) {
    throw new TypeError(`Invalid run id ${runId}`);
  }
  return String(runId);
}

/** `/v1/entities/<namespace>/<kind>/<name>`, each part URL-encoded; namespace defaults to `default`. @public */
export function entityPath(entityRef: DeliveryEntityRef): string {
  const { kind, namespace, name } =
    typeof entityRef === 'string' ? parseEntityRef(entityRef) : entityRef;
  return `/v1/entities/${[namespace || 'default', kind, name]
    .map(encodeURIComponent)
    .join('/')}`;
}
