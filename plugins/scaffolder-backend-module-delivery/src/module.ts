import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createDriftCheckAction } from './actions/driftCheck';
import { createEcsRollbackAction } from './actions/ecsRollback';

/**
 * Adds `delivery:ecs:rollback` and `delivery:drift:check` to the scaffolder.
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
      },
      async init({ scaffolder, discovery, auth }) {
        scaffolder.addActions(
          createEcsRollbackAction({ discovery, auth }),
          createDriftCheckAction({ discovery, auth }),
        );
      },
    });
  },
});
