import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { deliveryPermissions } from '@cicd-aws/plugin-delivery-common';
import { registerDeliveryActions } from './actions/registerDeliveryActions';
import { readOptionalDurationMs, readStaleIfErrorMs } from './config';
import { IdempotencyStore } from './database/IdempotencyStore';
import { ServiceLocks } from './database/ServiceLocks';
import { isAwsConfigured } from './ecs/awsConfigured';
import { EcsClientFactory, isEcsUpstreamFailure } from './ecs/EcsClientFactory';
import { isGithubUpstreamFailure } from './github/githubErrors';
import { UpstreamBreakers } from './service/UpstreamBreakers';
import { EcsStateService } from './ecs/EcsStateService';
import { RollbackService } from './ecs/RollbackService';
import { scheduleDriftNotifier } from './github/DriftNotifier';
import { createGithubServices } from './github/services';
import { createRouter } from './service/router';

/**
 * The delivery backend plugin: ECS deployment state and rollback; pipeline runs, deployments and
 * Terraform drift from GitHub.
 *
 * @public
 */
export const deliveryPlugin = createBackendPlugin({
  pluginId: 'delivery',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
        cache: coreServices.cache,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        lifecycle: coreServices.lifecycle,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        notifications: notificationService,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const { config, logger, cache, lifecycle } = deps;
        deps.permissionsRegistry.addPermissions(deliveryPermissions);
        const breakerOptions = {
          failures:
            config.getOptionalNumber('delivery.circuitBreaker.failures') ?? 5,
          coolDownMs: readOptionalDurationMs(
            config,
            'delivery.circuitBreaker.coolDown',
            { seconds: 30 },
          ),
        };
        const clients = EcsClientFactory.fromConfig(
          config,
          new UpstreamBreakers(breakerOptions, isEcsUpstreamFailure, logger),
        );
        lifecycle.addShutdownHook(() => clients.destroy());
        const state = new EcsStateService(
          clients,
          cache,
          logger,
          readOptionalDurationMs(config, 'delivery.ecs.cacheTtl', {
            seconds: 10,
          }),
          readOptionalDurationMs(config, 'delivery.ecs.staleWhileRevalidate', {
            minutes: 1,
          }),
          readStaleIfErrorMs(config),
        );
        const lockTtlMs = readOptionalDurationMs(
          config,
          'delivery.changes.lockTtl',
          { minutes: 2 },
        );
        const rollbacks = new RollbackService(
          clients,
          state,
          new ServiceLocks(deps.database, lockTtlMs),
        );
        const idempotency = new IdempotencyStore(deps.database, {
          leaseMs: lockTtlMs,
          retentionMs: readOptionalDurationMs(
            config,
            'delivery.changes.idempotencyKeyRetention',
            { hours: 24 },
          ),
        });
        const awsConfigured = isAwsConfigured(config);
        if (!awsConfigured) {
          logger.warn(
            'AWS is not configured (no aws.* or delivery.aws.* config, no AWS credentials in the environment); the ECS routes answer 503 until it is',
          );
        }
        const github = createGithubServices(
          config,
          cache,
          logger,
          new UpstreamBreakers(breakerOptions, isGithubUpstreamFailure, logger),
        );
        await scheduleDriftNotifier({ ...deps, ...github });
        registerDeliveryActions({
          ...deps,
          state,
          rollbacks,
          awsConfigured,
          github,
        });
        deps.httpRouter.use(
          await createRouter({
            ...deps,
            state,
            rollbacks,
            idempotency,
            awsConfigured,
            github,
            entityCacheTtlMs: readOptionalDurationMs(
              config,
              'delivery.entityCacheTtl',
              { seconds: 5 },
            ),
          }),
        );
      },
    });
  },
});
