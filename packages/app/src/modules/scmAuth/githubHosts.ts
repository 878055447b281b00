import type { configApiRef } from '@backstage/frontend-plugin-api';

/**
 * The one GitHub host the app's GitHub sign-in is for: `app.signIn.githubHost`, default
 * github.com. One sign-in signs in to one GitHub (github.com, or the GitHub Enterprise instance of
 * `enterpriseInstanceUrl`); handing its token to repositories of another host would send it to a
 * GitHub that did not issue it.
 */
export function githubSignInHost(config: typeof configApiRef.T): string {
  const host = config.getOptionalString('app.signIn.githubHost')?.trim();
  if (host === undefined || host === '') return 'github.com';
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host)) {
    throw new Error(
      `app.signIn.githubHost must be a host name such as ghe.example.com, without scheme or path; got '${host}'`,
    );
  }
  return host.toLowerCase();
}
