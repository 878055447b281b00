import {
  ApiBlueprint,
  configApiRef,
  createFrontendModule,
  githubAuthApiRef,
} from '@backstage/frontend-plugin-api';
import { ScmAuth, scmAuthApiRef } from '@backstage/integration-react';
import { githubHostsOf } from './githubHosts';

/**
 * Replaces the app's default ScmAuthApi, which knows only github.com, with one that hands out the
 * GitHub sign-in's token for every host in `integrations.github` too (a GitHub Enterprise host,
 * or the local demo's github.local). The delivery plugin's approvals use it: a review is made
 * with the user's own GitHub token. The `github` auth provider must sign in against that host
 * (`enterpriseInstanceUrl`).
 */
export const scmAuthModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    ApiBlueprint.make({
      name: 'scm-auth',
      params: defineParams =>
        defineParams({
          api: scmAuthApiRef,
          deps: { github: githubAuthApiRef, configApi: configApiRef },
          factory: ({ github, configApi }) =>
            ScmAuth.merge(
              ...githubHostsOf(configApi).map(host =>
                ScmAuth.forGithub(github, { host }),
              ),
            ),
        }),
    }),
  ],
});
