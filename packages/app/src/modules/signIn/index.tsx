import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { SignInPage } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import type { SignInPageProps } from '@backstage/core-plugin-api';
import { resolveSignInProviders } from './signInProviders';

function ConfiguredSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const providers = resolveSignInProviders(
    config.getOptionalStringArray('app.signIn.providers'),
  );
  return <SignInPage {...props} providers={providers} />;
}

/**
 * Replaces the app's default guest-only sign-in page with one whose providers come from
 * `app.signIn.providers`: guest for the dev portal, GitHub in production.
 */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () => ConfiguredSignInPage,
      },
    }),
  ],
});
