import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ANNOTATION_DEPLOY_ENVIRONMENT,
  ANNOTATION_DRIFT_WORKFLOW,
  DELIVERY_ANNOTATION_DEFAULTS,
  deliveryDriftCheckPermission,
  deliveryPipelineRerunPermission,
} from '@cicd-aws/plugin-delivery-common';
import express, { Request } from 'express';
import { auditFailure, auditSuccess } from '../service/audit';
import { DriftService } from './DriftService';
import { GithubClientFactory } from './GithubClientFactory';
import { retryAfterOnGithubRateLimit } from './githubErrors';
import { PipelineService } from './PipelineService';

/** What the GitHub routes need from the plugin. */
export interface GithubRouteDeps {
  permissions: PermissionsService;
  loadEntity: (req: Request) => Promise<{
    entity: Entity;
    entityRef: string;
    credentials: BackstageCredentials;
  }>;
  clients: GithubClientFactory;
  pipelines: PipelineService;
  drift: DriftService;
}

/** Audit event ids of the GitHub mutations, by route suffix (see `startMutationAudit`). */
export const GITHUB_AUDITED_MUTATIONS = {
  '/pipeline-runs/:runId/rerun-failed': 'pipeline-rerun-failed',
  '/drift/check': 'drift-check',
};

const ENTITY = '/v1/entities/:namespace/:kind/:name';

const annotation = (
  entity: Entity,
  key: keyof typeof DELIVERY_ANNOTATION_DEFAULTS,
) =>
  entity.metadata.annotations?.[key]?.trim() ||
  DELIVERY_ANNOTATION_DEFAULTS[key];

/**
 * Adds the GitHub routes (pipeline runs, jobs, re-run, deployments, drift) to the plugin's
 * validated router. Query and path parameters are already validated against openapi.yaml.
 */
export function createGithubRoutes(
  router: express.Router,
  deps: GithubRouteDeps,
): void {
  const { permissions, loadEntity, clients, pipelines, drift } = deps;

  const authorize = async (
    req: Request,
    permission: ResourcePermission<'catalog-entity'>,
    what: string,
  ) => {
    const { entity, entityRef, credentials } = await loadEntity(req);
    const ref = clients.repoOf(entity);
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to ${what} for ${entityRef}: it needs the ${permission.name} permission, which the portal's policy gives the entity's owners`,
      );
    }
    return { entity, ref };
  };

  router.get(`${ENTITY}/pipeline-runs`, async (req, res) => {
    const { entity } = await loadEntity(req);
    const query = req.query as Record<string, string | undefined>;
    res.json(
      await pipelines.listRuns(clients.repoOf(entity), {
        workflow: query.workflow,
        branch: query.branch,
        status: query.status,
        page: Number(query.page ?? 1),
        perPage: Number(query.perPage ?? 20),
      }),
    );
  });

  router.get(`${ENTITY}/pipeline-runs/:runId/jobs`, async (req, res) => {
    const { entity } = await loadEntity(req);
    res.json(
      await pipelines.listJobs(
        clients.repoOf(entity),
        Number(req.params.runId),
      ),
    );
  });

  router.post(
    `${ENTITY}/pipeline-runs/:runId/rerun-failed`,
    async (req, res) => {
      const runId = Number(req.params.runId);
      try {
        const { ref } = await authorize(
          req,
          deliveryPipelineRerunPermission,
          're-run pipeline jobs',
        );
        const result = await pipelines.rerunFailedJobs(ref, runId);
        await auditSuccess(res, {
          repository: `${ref.host}/${ref.owner}/${ref.repo}`,
          runId,
          runUrl: result.runUrl,
        });
        res.status(202).json(result);
      } catch (error) {
        await auditFailure(res, error, { runId });
        throw error;
      }
    },
  );

  router.get(`${ENTITY}/deployments`, async (req, res) => {
    const { entity } = await loadEntity(req);
    const query = req.query as Record<string, string | undefined>;
    res.json(
      await pipelines.listDeployments(clients.repoOf(entity), {
        environment:
          query.environment ??
          annotation(entity, ANNOTATION_DEPLOY_ENVIRONMENT),
        page: Number(query.page ?? 1),
        perPage: Number(query.perPage ?? 20),
      }),
    );
  });

  router.get(`${ENTITY}/drift`, async (req, res) => {
    const { entity } = await loadEntity(req);
    res.json(
      await drift.getState(
        clients.repoOf(entity),
        annotation(entity, ANNOTATION_DRIFT_WORKFLOW),
      ),
    );
  });

  router.post(`${ENTITY}/drift/check`, async (req, res) => {
    try {
      const { entity, ref } = await authorize(
        req,
        deliveryDriftCheckPermission,
        'start a drift check',
      );
      const workflow = annotation(entity, ANNOTATION_DRIFT_WORKFLOW);
      const result = await drift.check(ref, workflow);
      await auditSuccess(res, {
        repository: `${ref.host}/${ref.owner}/${ref.repo}`,
        workflow,
        ref: result.ref,
        runId: result.runId ?? null,
        runUrl: result.runUrl,
      });
      res.status(202).json(result);
    } catch (error) {
      await auditFailure(res, error);
      throw error;
    }
  });

  router.use(retryAfterOnGithubRateLimit);
}
