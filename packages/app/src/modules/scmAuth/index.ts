import {
  ApiBlueprint,
  configApiRef,
  createFrontendModule,
  githubAuthApiRef,
} from '@backstage/frontend-plugin-api';
import { ScmAuth, scmAuthApiRef } from '@backstage/integration-react';
import { githubSignInHost } from './githubHosts';

/**
 * Replaces the app's default ScmAuthApi, which knows only github.com, with one for the host the
 * GitHub sign-in signs in to (`app.signIn.githubHost`: a GitHub Enterprise host, or the local
 * demo's github.local). The delivery plugin's approvals use it: a review is made with the user's
 * own GitHub token, which only that host issued.
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
            ScmAuth.forGithub(github, { host: githubSignInHost(configApi) }),
        }),
    }),
  ],
});
