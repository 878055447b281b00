import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  Service,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  EcsContainerImage,
  EcsServiceState,
} from '@cicd-aws/plugin-delivery-common';
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

/**
 * Reads an ECS service's deployment state. Reads are cached (short TTL) and
 * concurrent reads of one service share one set of AWS calls.
 */
export class EcsStateService {
  private readonly inFlight = new Map<string, Promise<EcsServiceState>>();
  private readonly history: ServiceDeploymentHistory;

  constructor(
    private readonly clients: EcsClientFactory,
    private readonly cache: CacheService,
    private readonly logger: LoggerService,
    private readonly ttlMs: number = 10_000,
  ) {
    this.history = new ServiceDeploymentHistory(logger);
  }

  private cacheKey(ref: EcsServiceRef) {
    return `ecs-state:${ref.arn}`;
  }

  /** The state, from the cache when fresh unless `fresh` is set. */
  async getState(
    ref: EcsServiceRef,
    options?: { fresh?: boolean },
  ): Promise<EcsServiceState> {
    const key = this.cacheKey(ref);
    if (!options?.fresh) {
      const cached = (await this.cache.get(key)) as EcsServiceState | undefined;
      if (cached) {
        return cached;
      }
      const pending = this.inFlight.get(key);
      if (pending) {
        return pending;
      }
    }
    const load = this.load(ref)
      .then(async state => {
        await this.cache
          .set(key, state as any, { ttl: this.ttlMs })
          .catch(e => this.logger.warn(`Failed to cache ECS state: ${e}`));
        return state;
      })
      .finally(() => {
        if (this.inFlight.get(key) === load) {
          this.inFlight.delete(key);
        }
      });
    this.inFlight.set(key, load);
    return load;
  }

  /** Drops the cached state of a service (after a rollback). */
  async invalidate(ref: EcsServiceRef): Promise<void> {
    const key = this.cacheKey(ref);
    this.inFlight.delete(key);
    await this.cache.delete(key);
  }

  private async load(ref: EcsServiceRef): Promise<EcsServiceState> {
    const ecs = await this.clients.forArn(ref.arn, ref.region, ref.accountId);
    const { services, failures } = await awsCall('ecs:DescribeServices', () =>
      ecs.send(
        new DescribeServicesCommand({
          cluster: ref.cluster,
          services: [ref.service],
        }),
      ),
    );
    const service = services?.[0];
    if (!service || service.status === 'INACTIVE') {
      const reason = failures?.[0]?.reason ?? service?.status ?? 'MISSING';
      throw new NotFoundError(
        `ECS service ${ref.service} not found in cluster ${ref.cluster} (${reason})`,
      );
    }
    const current = service.taskDefinition
      ? parseTaskDefinition(service.taskDefinition)
      : undefined;
    const family = current?.family;

    const describe = memoDescribe(ecs);
    const primaryTaskDefinition = (service.deployments ?? []).find(
      d => d.status === 'PRIMARY',
    )?.taskDefinition;
    const primaryRevision =
      (primaryTaskDefinition
        ? parseTaskDefinition(primaryTaskDefinition)?.revision
        : undefined) ?? current?.revision;
    const targetsLoad = (
      family ? listActiveRevisions(ecs, family) : Promise.resolve([])
    ).then(revisions =>
      revisions
        .filter(
          r => primaryRevision === undefined || r.revision < primaryRevision,
        )
        .slice(0, MAX_ROLLBACK_TARGETS),
    );
    // Started before awaiting the targets, so its first page is read while they are listed.
    const lastCompletedLoad = this.history.lastCompleted(
      ecs,
      ref,
      targetsLoad.then(
        targets => targets.map(t => t.arn),
        () => [],
      ),
    );
    const [targets, targetDefinitions, tasks] = await Promise.all([
      targetsLoad,
      targetsLoad.then(ts => Promise.all(ts.map(t => describe(t.arn)))),
      loadServiceTasks(ecs, ref.cluster, ref.service),
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

/** DescribeTaskDefinition with one call per ARN per load. */
function memoDescribe(ecs: ECSClient) {
  const memo = new Map<string, Promise<TaskDefinition | undefined>>();
  return (arn: string) => {
    let td = memo.get(arn);
    if (!td) {
      td = awsCall('ecs:DescribeTaskDefinition', () =>
        ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
      ).then(r => r.taskDefinition);
      memo.set(arn, td);
    }
    return td;
  };
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
