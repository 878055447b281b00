import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  Service,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { LRUCache } from 'lru-cache';
import { NotFoundError } from '@backstage/errors';
import {
  EcsContainerImage,
  EcsServiceState,
} from '@cicd-aws/plugin-delivery-common';
import { SwrCache } from '../cache/SwrCache';
import { awsCall } from './awsErrors';
import { EcsClientFactory } from './EcsClientFactory';
import { loadServiceTasks } from './EcsTasks';
import { EcsServiceRef, parseTaskDefinition } from './serviceArn';
import { ServiceDeploymentHistory } from './ServiceDeploymentHistory';

/** How many events the state carries. */
export const MAX_EVENTS = 20;
/** How many rollback targets are described (newest first). */
export const MAX_ROLLBACK_TARGETS = 10;

const iso = (date?: Date) => date?.toISOString();

const imagesOf = (td?: TaskDefinition): EcsContainerImage[] =>
  (td?.containerDefinitions ?? []).map(c => ({
    name: c.name ?? '',
    image: c.image ?? '',
  }));

/** Task definitions kept in memory: a revision's ARN always names the same definition. */
const MAX_KNOWN_TASK_DEFINITIONS = 2000;

/**
 * Reads an ECS service's deployment state. Reads are cached with stale-while-revalidate (a
 * viewer never waits for the refresh of a state the backend already has) and at most one load
 * per service is in flight.
 */
export class EcsStateService {
  private readonly history: ServiceDeploymentHistory;
  private readonly states: SwrCache;
  private readonly taskDefinitions = new LRUCache<
    string,
    Promise<TaskDefinition | undefined>
  >({ max: MAX_KNOWN_TASK_DEFINITIONS });
  /** Guessed revisions that could not be described (deleted ones): not guessed again. */
  private readonly unknownRevisions = new LRUCache<string, true>({
    max: MAX_KNOWN_TASK_DEFINITIONS,
  });

  constructor(
    private readonly clients: EcsClientFactory,
    cache: CacheService,
    logger: LoggerService,
    ttlMs: number = 10_000,
    staleWhileRevalidateMs: number = 60_000,
    staleIfErrorMs?: number,
  ) {
    this.history = new ServiceDeploymentHistory(logger);
    this.states = new SwrCache(cache, logger, {
      ttlMs,
      staleWhileRevalidateMs,
      staleIfErrorMs,
    });
  }

  private cacheKey(ref: EcsServiceRef) {
    return `ecs-state:${ref.arn}`;
  }

  /** The state, from the cache unless `fresh` is set (then from a load that starts now). */
  async getState(
    ref: EcsServiceRef,
    options?: { fresh?: boolean },
  ): Promise<EcsServiceState> {
    if (options?.fresh) {
      return this.states.get(this.cacheKey(ref), () => this.load(ref), {
        fresh: true,
      });
    }
    return this.states.getAnswer(this.cacheKey(ref), () => this.load(ref));
  }

  /** Drops the cached state of a service (after a rollback). */
  async invalidate(ref: EcsServiceRef): Promise<void> {
    await this.states.invalidate(this.cacheKey(ref));
  }

  private async load(ref: EcsServiceRef): Promise<EcsServiceState> {
    const ecs = await this.clients.forArn(ref.arn, ref.region, ref.accountId);
    // Everything that needs only the service's name starts at once; the rollback targets need
    // the family, which only DescribeServices tells.
    const serviceLoad = awsCall('ecs:DescribeServices', () =>
      ecs.send(
        new DescribeServicesCommand({
          cluster: ref.cluster,
          services: [ref.service],
        }),
      ),
    );
    const tasksLoad = loadServiceTasks(ecs, ref.cluster, ref.service);
    let resolveCandidates: (arns: string[]) => void = () => {};
    const lastCompletedLoad = this.history.lastCompleted(
      ecs,
      ref,
      new Promise<string[]>(resolve => {
        resolveCandidates = resolve;
      }),
    );
    // Settled here too, so an early failure of one leaves no rejection unhandled.
    tasksLoad.catch(() => undefined);
    let service: Service | undefined;
    try {
      const { services, failures } = await serviceLoad;
      service = services?.[0];
      if (!service || service.status === 'INACTIVE') {
        const reason = failures?.[0]?.reason ?? service?.status ?? 'MISSING';
        throw new NotFoundError(
          `ECS service ${ref.service} not found in cluster ${ref.cluster} (${reason})`,
        );
      }
    } catch (error) {
      resolveCandidates([]);
      throw error;
    }
    const current = service.taskDefinition
      ? parseTaskDefinition(service.taskDefinition)
      : undefined;
    const family = current?.family;

    const describe = (arn: string) => this.describeTaskDefinition(ecs, arn);
    const primaryTaskDefinition = (service.deployments ?? []).find(
      d => d.status === 'PRIMARY',
    )?.taskDefinition;
    const primaryRevision =
      (primaryTaskDefinition
        ? parseTaskDefinition(primaryTaskDefinition)?.revision
        : undefined) ?? current?.revision;
    // The rollback targets are the ACTIVE revisions below the primary one, which only
    // ListTaskDefinitions tells. The deploy workflow leaves earlier revisions ACTIVE, so the
    // likely targets are described meanwhile instead of after it: one round less for a cold view.
    // A guess that is no target costs one call per revision per process.
    const revisionArn = primaryTaskDefinition ?? service.taskDefinition;
    if (revisionArn && primaryRevision !== undefined) {
      for (let back = 1; back <= MAX_ROLLBACK_TARGETS; back++) {
        if (primaryRevision - back < 1) {
          break;
        }
        const guess = revisionArn.replace(
          /:\d+$/,
          `:${primaryRevision - back}`,
        );
        if (!this.unknownRevisions.has(guess)) {
          describe(guess).catch(() => this.unknownRevisions.set(guess, true));
        }
      }
    }
    const targetsLoad = (
      family ? listActiveRevisions(ecs, family) : Promise.resolve([])
    ).then(revisions =>
      revisions
        .filter(
          r => primaryRevision === undefined || r.revision < primaryRevision,
        )
        .slice(0, MAX_ROLLBACK_TARGETS),
    );
    targetsLoad.then(
      targets => resolveCandidates(targets.map(t => t.arn)),
      () => resolveCandidates([]),
    );
    const [targets, targetDefinitions, tasks] = await Promise.all([
      targetsLoad,
      targetsLoad.then(ts => Promise.all(ts.map(t => describe(t.arn)))),
      tasksLoad,
      ...(service.deployments ?? []).map(d =>
        d.taskDefinition ? describe(d.taskDefinition) : undefined,
      ),
    ]);

    const deployments = await Promise.all(
      (service.deployments ?? []).map(async d => {
        const td = d.taskDefinition
          ? await describe(d.taskDefinition)
          : undefined;
        return {
          id: d.id ?? '',
          status: d.status ?? '',
          rolloutState: d.rolloutState,
          rolloutStateReason: d.rolloutStateReason,
          taskDefinitionArn: d.taskDefinition ?? '',
          revision: d.taskDefinition
            ? parseTaskDefinition(d.taskDefinition)?.revision
            : undefined,
          images: imagesOf(td),
          desiredCount: d.desiredCount ?? 0,
          runningCount: d.runningCount ?? 0,
          pendingCount: d.pendingCount ?? 0,
          failedTasks: d.failedTasks ?? 0,
          createdAt: iso(d.createdAt),
          updatedAt: iso(d.updatedAt),
        };
      }),
    );

    const lastCompleted = await lastCompletedLoad;
    const rollbackTargets = targets.map((t, i) => ({
      revision: t.revision,
      taskDefinitionArn: t.arn,
      images: imagesOf(targetDefinitions[i]),
      registeredAt: iso(targetDefinitions[i]?.registeredAt),
      ...(t.arn === lastCompleted ? { lastCompleted: true } : {}),
    }));

    const config = service.deploymentConfiguration;
    const breaker = config?.deploymentCircuitBreaker;
    return {
      serviceArn: service.serviceArn ?? ref.arn,
      clusterArn: service.clusterArn,
      serviceName: service.serviceName ?? ref.service,
      region: ref.region,
      status: service.status,
      desiredCount: service.desiredCount ?? 0,
      runningCount: service.runningCount ?? 0,
      pendingCount: service.pendingCount ?? 0,
      deploymentController: service.deploymentController?.type ?? 'ECS',
      deploymentStrategy: deploymentStrategyOf(service),
      minimumHealthyPercent: config?.minimumHealthyPercent,
      maximumPercent: config?.maximumPercent,
      taskDefinitionArn: service.taskDefinition,
      family,
      deployments,
      circuitBreaker: breaker
        ? { enable: !!breaker.enable, rollback: !!breaker.rollback }
        : undefined,
      events: (service.events ?? []).slice(0, MAX_EVENTS).map(e => ({
        id: e.id,
        message: e.message,
        createdAt: iso(e.createdAt),
      })),
      tasks,
      rollbackTargets,
    };
  }

  /** DescribeTaskDefinition, once per revision for the life of the process. */
  private describeTaskDefinition(
    ecs: ECSClient,
    arn: string,
  ): Promise<TaskDefinition | undefined> {
    let td = this.taskDefinitions.get(arn);
    if (!td) {
      td = awsCall('ecs:DescribeTaskDefinition', () =>
        ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
      ).then(r => r.taskDefinition);
      this.taskDefinitions.set(arn, td);
      td.catch(() => this.taskDefinitions.delete(arn));
    }
    return td;
  }
}

/**
 * ROLLING or BLUE_GREEN. ECS's LINEAR and CANARY strategies are blue/green deployments that shift
 * traffic in steps, and the CODE_DEPLOY controller always deploys blue/green.
 */
function deploymentStrategyOf(
  service: Service,
): EcsServiceState['deploymentStrategy'] {
  const strategy = service.deploymentConfiguration?.strategy;
  if (strategy === 'ROLLING') {
    return 'ROLLING';
  }
  if (strategy || service.deploymentController?.type === 'CODE_DEPLOY') {
    return 'BLUE_GREEN';
  }
  return 'ROLLING';
}

/** ACTIVE revisions of exactly `family`, newest first (sorted here; emulators ignore `sort`). */
async function listActiveRevisions(ecs: ECSClient, family: string) {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const command = new ListTaskDefinitionsCommand({
      familyPrefix: family,
      status: 'ACTIVE',
      sort: 'DESC',
      nextToken,
    });
    const page = await awsCall('ecs:ListTaskDefinitions', () =>
      ecs.send(command),
    );
    arns.push(...(page.taskDefinitionArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns
    .map(arn => ({ arn, parsed: parseTaskDefinition(arn) }))
    .filter(r => r.parsed?.family === family)
    .map(r => ({ arn: r.arn, revision: r.parsed!.revision }))
    .sort((a, b) => b.revision - a.revision);
}
