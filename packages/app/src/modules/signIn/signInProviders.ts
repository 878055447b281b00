import { githubAuthApiRef } from '@backstage/core-plugin-api';
import type { SignInProviderConfig } from '@backstage/core-components';

const githubProvider: SignInProviderConfig = {
  id: 'github-auth-provider',
  title: 'GitHub',
  message: 'Sign in with your GitHub account',
  apiRef: githubAuthApiRef,
};

/**
 * Maps the `app.signIn.providers` config list to the sign-in page's providers.
 * An unknown name is an operator's typo: fail with a message naming the valid ones
 * rather than silently offering no way in.
 */
export function resolveSignInProviders(
  names: string[] | undefined,
): Array<'guest' | SignInProviderConfig> {
  const requested = names && names.length > 0 ? names : ['guest'];
  return requested.map(name => {
    if (name === 'guest') return 'guest';
    if (name === 'github') return githubProvider;
    throw new Error(
      `app.signIn.providers contains '${name}'; supported providers are 'guest' and 'github'. Fix app-config.yaml.`,
    );
  });
}
