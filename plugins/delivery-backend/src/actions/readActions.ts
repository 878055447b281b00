import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_DEPLOY_ENVIRONMENT,
  ANNOTATION_DRIFT_WORKFLOW,
  DELIVERY_ANNOTATION_DEFAULTS,
} from '@cicd-aws/plugin-delivery-common';
import { ecsServiceRefOf } from '../ecs/serviceArn';
import { asActionError, ENTITY_REF_DESCRIPTION, loadEntity } from './entities';
import type { DeliveryActionsOptions } from './registerDeliveryActions';

/** Attributes of every read: no change anywhere, the same answer for the same state. */
const READ_ONLY = { readOnly: true, destructive: false, idempotent: true };

/** Run statuses and conclusions GitHub filters runs by (the REST route's `status`). */
const RUN_STATUSES = [
  'completed',
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'skipped',
  'stale',
  'success',
  'timed_out',
  'in_progress',
  'queued',
  'requested',
  'waiting',
  'pending',
] as const;

const annotation = (
  entity: Entity,
  key: keyof typeof DELIVERY_ANNOTATION_DEFAULTS,
) =>
  entity.metadata.annotations?.[key]?.trim() ||
  DELIVERY_ANNOTATION_DEFAULTS[key];

/** Runs `read`, reporting its errors as the ones an assistant is shown. */
async function reading<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw asActionError(error);
  }
}

/**
 * Registers the read-only actions: an entity's ECS service state, its pipeline runs, its GitHub
 * deployments and its Terraform drift. They answer what the Deployment tab's routes answer, with
 * the caller's credentials for the catalog.
 */
export function registerReadActions(options: DeliveryActionsOptions): void {
  const { actionsRegistry, catalog, state, github } = options;

  actionsRegistry.register({
    name: 'get-ecs-service-state',
    title: 'Get the ECS service state of an entity',
    description: `Reads the ECS service named by the entity's aws.amazon.com/amazon-ecs-service-arn annotation, as the portal's Deployment tab shows it: desired/running/pending counts, the deployment controller and strategy, the deployments (PRIMARY and ACTIVE, their rollout state and task-definition revision), the newest service events, the running and recently stopped tasks, and the earlier ACTIVE revisions a rollback can go to (rollbackTargets). Cached for a few seconds.`,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().describe(ENTITY_REF_DESCRIPTION),
        }),
      output: z =>
        z
          .object({
            serviceArn: z.string(),
            serviceName: z.string(),
            region: z.string(),
            status: z.string().optional(),
            desiredCount: z.number(),
            runningCount: z.number(),
            pendingCount: z.number(),
            deploymentController: z
              .string()
              .describe('ECS, CODE_DEPLOY or EXTERNAL'),
            deploymentStrategy: z.string().describe('ROLLING or BLUE_GREEN'),
            taskDefinitionArn: z.string().optional(),
            family: z.string().optional(),
            deployments: z.array(z.object({}).passthrough()),
            events: z
              .array(z.object({}).passthrough())
              .describe('The newest service events, newest first'),
            tasks: z.array(z.object({}).passthrough()),
            rollbackTargets: z
              .array(z.object({}).passthrough())
              .describe(
                'Earlier ACTIVE revisions of the family, newest first: what rollback-ecs-service accepts',
              ),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) =>
      reading(async () => {
        options.requireAws();
        const { entity } = await loadEntity(
          catalog,
          input.entityRef,
          credentials,
        );
        return { output: await state.getState(ecsServiceRefOf(entity)) };
      }),
  });

  actionsRegistry.register({
    name: 'list-pipeline-runs',
    title: 'List the pipeline runs of an entity',
    description: `Lists the GitHub Actions workflow runs of the entity's repository (github.com/project-slug annotation), newest first, one page at a time: workflow, status and conclusion, branch, commit, actor, times and the run's URL. Filter by workflow file, branch or status.`,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().describe(ENTITY_REF_DESCRIPTION),
          workflow: z
            .string()
            .regex(/^[A-Za-z0-9._-]+\.ya?ml$/)
            .max(255)
            .optional()
            .describe('File name of one workflow, e.g. "deploy.yml"'),
          branch: z.string().min(1).max(255).optional(),
          status: z
            .enum(RUN_STATUSES)
            .optional()
            .describe('A run status or conclusion, e.g. "failure"'),
          page: z.number().int().min(1).max(1000).optional(),
          perPage: z.number().int().min(1).max(100).optional(),
        }),
      output: z =>
        z
          .object({
            runs: z.array(z.object({}).passthrough()),
            totalCount: z.number(),
            page: z.number(),
            perPage: z.number(),
            hasNextPage: z.boolean(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) =>
      reading(async () => {
        const { entity } = await loadEntity(
          catalog,
          input.entityRef,
          credentials,
        );
        const output = await github.pipelines.listRuns(
          github.clients.repoOf(entity),
          {
            workflow: input.workflow,
            branch: input.branch,
            status: input.status,
            page: input.page ?? 1,
            perPage: input.perPage ?? 20,
          },
        );
        return { output };
      }),
  });

  actionsRegistry.register({
    name: 'list-deployments',
    title: 'List the deployments of an entity',
    description: `Lists the GitHub Deployments the deploy workflow recorded for the entity's repository, newest first: environment, commit and its URL, latest status, and what was deployed (task-definition revision, image, cluster, service; rollbackFrom on rollbacks). The environment defaults to the entity's cicd-aws.dev/deploy-environment annotation, else "production".`,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().describe(ENTITY_REF_DESCRIPTION),
          environment: z.string().min(1).max(255).optional(),
          page: z.number().int().min(1).max(1000).optional(),
          perPage: z.number().int().min(1).max(100).optional(),
        }),
      output: z =>
        z
          .object({
            environment: z.string(),
            repositoryUrl: z.string(),
            deployments: z.array(z.object({}).passthrough()),
            page: z.number(),
            perPage: z.number(),
            hasNextPage: z.boolean(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) =>
      reading(async () => {
        const { entity } = await loadEntity(
          catalog,
          input.entityRef,
          credentials,
        );
        const output = await github.pipelines.listDeployments(
          github.clients.repoOf(entity),
          {
            environment:
              input.environment ??
              annotation(entity, ANNOTATION_DEPLOY_ENVIRONMENT),
            page: input.page ?? 1,
            perPage: input.perPage ?? 20,
          },
        );
        return { output };
      }),
  });

  actionsRegistry.register({
    name: 'get-terraform-drift',
    title: 'Get the Terraform drift of an entity',
    description: `Reads the latest completed run of the entity's drift workflow (cicd-aws.dev/drift-workflow annotation, default drift.yml) and its drift report: status in-sync, drifted, error or never-run, when it was checked and whether that is stale, the drifted resources with their changed attributes, and a newer run still in progress. Does not start a check.`,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          entityRef: z.string().describe(ENTITY_REF_DESCRIPTION),
        }),
      output: z =>
        z
          .object({
            status: z.enum(['in-sync', 'drifted', 'error', 'never-run']),
            workflow: z.string(),
            workflowUrl: z.string(),
            repositoryUrl: z.string(),
            checkedAt: z.string().optional(),
            stale: z.boolean(),
            resources: z.array(z.object({}).passthrough()),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) =>
      reading(async () => {
        const { entity } = await loadEntity(
          catalog,
          input.entityRef,
          credentials,
        );
        const output = await github.drift.getState(
          github.clients.repoOf(entity),
          annotation(entity, ANNOTATION_DRIFT_WORKFLOW),
        );
        return { output };
      }),
  });
}
