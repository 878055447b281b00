import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createDriftCheckAction } from './actions/driftCheck';
import { createEcsRollbackAction } from './actions/ecsRollback';
import { createGithubEnvironmentReviewersAction } from './actions/githubEnvironmentReviewers';
import { createGithubPreflightAction } from './actions/githubPreflight';
import { createGithubRepositoryIdsAction } from './actions/githubRepositoryIds';
import { ScmIntegrations } from '@backstage/integration';

/**
 * Adds `delivery:ecs:rollback`, `delivery:drift:check`, `delivery:github:preflight`,
 * `delivery:github:repository-ids` and `delivery:github:environment-reviewers` to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleDelivery = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'delivery',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, discovery, auth, config }) {
        const integrations = ScmIntegrations.fromConfig(config);
        scaffolder.addActions(
          createEcsRollbackAction({ discovery, auth }),
          createDriftCheckAction({ discovery, auth }),
          createGithubPreflightAction({ integrations }),
          createGithubRepositoryIdsAction({ integrations }),
          createGithubEnvironmentReviewersAction({ integrations }),
        );
      },
    });
  },
});
