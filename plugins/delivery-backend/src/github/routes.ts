import { AuditorService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_DEPLOY_ENVIRONMENT,
  ANNOTATION_DRIFT_WORKFLOW,
  DELIVERY_ANNOTATION_DEFAULTS,
  deliveryDeploymentApprovePermission,
  deliveryDriftCheckPermission,
  deliveryPipelineRerunPermission,
  DriftCheckResponse,
  PendingDeploymentReviewResponse,
  PipelineRerunResponse,
} from '@cicd-aws/plugin-delivery-common';
import { IdempotencyStore } from '../database/IdempotencyStore';
import { answerIdempotently } from '../service/idempotentChange';
import { DeliveryRouter } from '../schema/openapi';
import { EntityRoutes, entityRefOfPath } from '../service/entityRoutes';
import { sendJson, timed } from '../service/jsonAnswer';
import { DriftService } from './DriftService';
import { GithubClientFactory } from './GithubClientFactory';
import { retryAfterOnGithubRateLimit } from './githubErrors';
import { PendingDeploymentService } from './PendingDeploymentService';
import { PipelineService } from './PipelineService';

/** What the GitHub routes need. */
export interface GithubRouteDeps {
  entities: EntityRoutes;
  auditor: AuditorService;
  clients: GithubClientFactory;
  pipelines: PipelineService;
  drift: DriftService;
  pendingDeployments: PendingDeploymentService;
  /** Stored answers of changes sent with an `Idempotency-Key`. */
  idempotency: IdempotencyStore;
}

const annotation = (
  entity: Entity,
  key: keyof typeof DELIVERY_ANNOTATION_DEFAULTS,
) =>
  entity.metadata.annotations?.[key]?.trim() ||
  DELIVERY_ANNOTATION_DEFAULTS[key];

/** The signed-in user's own GitHub token the frontend sent, if any; it is never logged or kept. */
const userGithubToken = (req: { header(name: string): string | undefined }) =>
  req.header('x-github-token')?.trim() || undefined;

/**
 * Adds the GitHub routes (pipeline runs, jobs, re-run, deployments, drift) to the plugin's
 * validated router. Query and path parameters are already validated against openapi.yaml.
 */
export function addGithubRoutes(
  router: DeliveryRouter,
  deps: GithubRouteDeps,
): void {
  const {
    entities,
    auditor,
    clients,
    pipelines,
    drift,
    pendingDeployments,
    idempotency,
  } = deps;

  router.get(
    '/v1/entities/:namespace/:kind/:name/pipeline-runs',
    async (req, res) => {
      const { entity } = await entities.loadEntity(req);
      const { workflow, branch, status, page, perPage } = req.query;
      const answer = await timed(req, 'github', () =>
        pipelines.listRuns(clients.repoOf(entity), {
          workflow,
          branch,
          status,
          page: page ?? 1,
          perPage: perPage ?? 20,
        }),
      );
      sendJson(req, res, answer);
    },
  );

  router.get(
    '/v1/entities/:namespace/:kind/:name/pipeline-runs/:runId/jobs',
    async (req, res) => {
      const { entity } = await entities.loadEntity(req);
      const answer = await timed(req, 'github', () =>
        pipelines.listJobs(clients.repoOf(entity), Number(req.params.runId)),
      );
      sendJson(req, res, answer);
    },
  );

  router.post(
    '/v1/entities/:namespace/:kind/:name/pipeline-runs/:runId/rerun-failed',
    async (req, res) => {
      const runId = Number(req.params.runId);
      const auditorEvent = await auditor.createEvent({
        eventId: 'pipeline-rerun-failed',
        severityLevel: 'high',
        request: req,
        meta: { entityRef: entityRefOfPath(req.params), runId },
      });
      try {
        const loaded = await entities.authorize(
          req,
          deliveryPipelineRerunPermission,
          're-run pipeline jobs for',
        );
        const ref = clients.repoOf(loaded.entity);
        const answer = await answerIdempotently(
          req,
          res,
          idempotency,
          loaded,
          'pipeline-rerun-failed',
          async () => ({
            status: 202,
            body: await pipelines.rerunFailedJobs(ref, runId),
          }),
        );
        const result = answer.body as unknown as PipelineRerunResponse;
        await auditorEvent.success({
          meta: {
            repository: `${ref.host}/${ref.owner}/${ref.repo}`,
            runId,
            runUrl: result.runUrl,
            ...(answer.replayed && { replayed: true }),
          },
        });
      } catch (error) {
        await auditorEvent.fail({ error: error as Error, meta: { runId } });
        throw error;
      }
    },
  );

  router.get(
    '/v1/entities/:namespace/:kind/:name/deployments',
    async (req, res) => {
      const { entity } = await entities.loadEntity(req);
      const { environment, page, perPage } = req.query;
      const answer = await timed(req, 'github', () =>
        pipelines.listDeployments(clients.repoOf(entity), {
          environment:
            environment ?? annotation(entity, ANNOTATION_DEPLOY_ENVIRONMENT),
          page: page ?? 1,
          perPage: perPage ?? 20,
        }),
      );
      sendJson(req, res, answer);
    },
  );

  router.get('/v1/entities/:namespace/:kind/:name/drift', async (req, res) => {
    const { entity } = await entities.loadEntity(req);
    const answer = await timed(req, 'github', () =>
      drift.getState(
        clients.repoOf(entity),
        annotation(entity, ANNOTATION_DRIFT_WORKFLOW),
      ),
    );
    sendJson(req, res, answer);
  });

  router.post(
    '/v1/entities/:namespace/:kind/:name/drift/check',
    async (req, res) => {
      const auditorEvent = await auditor.createEvent({
        eventId: 'drift-check',
        severityLevel: 'high',
        request: req,
        meta: { entityRef: entityRefOfPath(req.params) },
      });
      try {
        const loaded = await entities.authorize(
          req,
          deliveryDriftCheckPermission,
          'start a drift check for',
        );
        const ref = clients.repoOf(loaded.entity);
        const workflow = annotation(loaded.entity, ANNOTATION_DRIFT_WORKFLOW);
        const answer = await answerIdempotently(
          req,
          res,
          idempotency,
          loaded,
          'drift-check',
          async () => ({ status: 202, body: await drift.check(ref, workflow) }),
        );
        const result = answer.body as unknown as DriftCheckResponse;
        await auditorEvent.success({
          meta: {
            repository: `${ref.host}/${ref.owner}/${ref.repo}`,
            workflow,
            ref: result.ref,
            runId: result.runId ?? null,
            runUrl: result.runUrl,
            ...(answer.replayed && { replayed: true }),
          },
        });
      } catch (error) {
        await auditorEvent.fail({ error: error as Error });
        throw error;
      }
    },
  );

  router.get(
    '/v1/entities/:namespace/:kind/:name/pending-deployments',
    async (req, res) => {
      const { entity } = await entities.loadEntity(req);
      const answer = await timed(req, 'github', () =>
        pendingDeployments.list(
          clients.repoOf(entity),
          annotation(entity, ANNOTATION_DEPLOY_ENVIRONMENT),
          userGithubToken(req),
        ),
      );
      sendJson(req, res, answer);
    },
  );

  router.post(
    '/v1/entities/:namespace/:kind/:name/pending-deployments/:runId/review',
    async (req, res) => {
      const runId = Number(req.params.runId);
      const { state, environmentIds } = req.body;
      const auditorEvent = await auditor.createEvent({
        eventId: 'deployment-review',
        severityLevel: 'high',
        request: req,
        meta: { entityRef: entityRefOfPath(req.params), runId, state },
      });
      try {
        const loaded = await entities.authorize(
          req,
          deliveryDeploymentApprovePermission,
          'review deployments of',
        );
        const ref = clients.repoOf(loaded.entity);
        const answer = await answerIdempotently(
          req,
          res,
          idempotency,
          loaded,
          'deployment-review',
          async () => ({
            status: 200,
            body: await pendingDeployments.review(
              ref,
              runId,
              req.body,
              userGithubToken(req),
            ),
          }),
        );
        const result =
          answer.body as unknown as PendingDeploymentReviewResponse;
        await auditorEvent.success({
          meta: {
            repository: `${ref.host}/${ref.owner}/${ref.repo}`,
            runId,
            runUrl: result.runUrl,
            state: result.state,
            environments: result.environments,
            githubReviewer: result.reviewer ?? null,
            comment: req.body.comment,
            ...(environmentIds && { environmentIds }),
            ...(answer.replayed && { replayed: true }),
          },
        });
      } catch (error) {
        await auditorEvent.fail({ error: error as Error, meta: { runId } });
        throw error;
      }
    },
  );

  router.use(retryAfterOnGithubRateLimit);
}
