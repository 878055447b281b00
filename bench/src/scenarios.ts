/*
 * The cold view's upstream floor, per route: the longest chain of upstream calls that wait on each
 * other, read from plugins/delivery-backend/src. One small table, to update when the code changes.
 *
 * GET .../ecs (ecs/EcsStateService.ts load(), ecs/EcsTasks.ts, ecs/ServiceDeploymentHistory.ts),
 * as of 7e68d97:
 *   1. ecs:DescribeServices (everything else waits for it: the family, the deployments)
 *   2. ecs:ListTaskDefinitions (needs the family), ecs:ListTasks RUNNING + STOPPED,
 *      ecs:ListServiceDeployments, ecs:DescribeTaskDefinition of the deployments
 *   3. ecs:DescribeTaskDefinition of the rollback targets (needs ListTaskDefinitions),
 *      ecs:DescribeTasks (needs ListTasks), ecs:DescribeServiceRevisions (needs ListServiceDeployments)
 *   Since 6975783 it is 2 (the before run, bench/results/before-7e68d97.json, was measured with 3):
 *   1. ecs:DescribeServices, ecs:ListTasks RUNNING + STOPPED, ecs:ListServiceDeployments (the
 *      last three need only the service's name)
 *   2. ecs:ListTaskDefinitions (needs the family), ecs:DescribeTaskDefinition of the deployments
 *      and of the revisions just below the primary one (the likely rollback targets, guessed from
 *      its ARN), ecs:DescribeTasks, ecs:DescribeServiceRevisions
 *   A third round only when a listed target was not guessed (inactive revisions in between).
 * GET .../pipeline-runs (github/PipelineService.ts listRuns): GET actions/runs. 1 round.
 * GET .../deployments (PipelineService.listDeployments): GET deployments → GET each deployment's
 *   statuses (in parallel). 2 rounds.
 * GET .../drift (github/DriftService.ts getState): GET actions/workflows/{drift}/runs → GET
 *   actions/runs/{id}/artifacts → GET actions/artifacts/{id}/zip (the redirect to the blob host
 *   is not an API call). 3 rounds (4 when no recent run is completed: a second runs query).
 * The whole tab: the four routes in parallel, so its floor is the longest of them.
 */
export const DECLARED_ROUNDS: Record<TabRoute, number> = {
  ecs: 2,
  'pipeline-runs': 1,
  deployments: 2,
  drift: 3,
};

export type TabRoute = 'ecs' | 'pipeline-runs' | 'deployments' | 'drift';
export const TAB_ROUTES: TabRoute[] = [
  'ecs',
  'pipeline-runs',
  'deployments',
  'drift',
];

export const tabFloorRounds = () =>
  Math.max(...TAB_ROUTES.map(r => DECLARED_ROUNDS[r]));

export const routePath = (entity: string, route: TabRoute) =>
  `/api/delivery/v1/entities/default/component/${entity}/${route}`;

export const tabPaths = (entity: string) =>
  TAB_ROUTES.map(r => routePath(entity, r));

export const catalogPath = (entity: string) =>
  `/api/catalog/entities/by-name/component/default/${entity}`;

/** delivery.ecs.cacheTtl's default (config.d.ts), the shorter of the two TTLs (GitHub's is 30 s). */
export const CACHE_TTL_MS = 10_000;
