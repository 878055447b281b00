import { useApi } from '@backstage/core-plugin-api';
import { scmAuthApiRef } from '@backstage/integration-react';
import { useCallback, useEffect, useState } from 'react';

/** The signed-in user's own GitHub token for a repository, if they signed in with GitHub. */
export interface GithubToken {
  /** Undefined while it is being looked up, and when the user has no GitHub sign-in. */
  token?: string;
  loading: boolean;
  /** Asks the user to sign in to GitHub (a popup), for users without a GitHub sign-in. */
  signIn: () => void;
}

/**
 * Looks the token up without prompting (`optional`): a guest, or a user signed in another way,
 * gets none and is shown the run on GitHub instead. The scopes are ScmAuth's GitHub defaults
 * (`repo read:org read:user`): reviewing a deployment needs `repo`.
 */
export function useGithubToken(repositoryUrl: string | undefined): GithubToken {
  const scmAuth = useApi(scmAuthApiRef);
  const [state, setState] = useState<{ token?: string; loading: boolean }>({
    loading: !!repositoryUrl,
  });
  const [attempt, setAttempt] = useState<{ prompt: boolean; n: number }>({
    prompt: false,
    n: 0,
  });

  useEffect(() => {
    if (!repositoryUrl) return undefined;
    let current = true;
    scmAuth
      .getCredentials({
        url: repositoryUrl,
        optional: !attempt.prompt,
        instantPopup: attempt.prompt,
      })
      .then(
        credentials => {
          if (current) {
            setState({ token: credentials.token || undefined, loading: false });
          }
        },
        // No GitHub auth for this host, or the popup was closed: no token, the link stays.
        () => current && setState({ loading: false }),
      );
    return () => {
      current = false;
    };
  }, [scmAuth, repositoryUrl, attempt]);

  const signIn = useCallback(
    () => setAttempt(a => ({ prompt: true, n: a.n + 1 })),
    [],
  );
  return { ...state, signIn };
}
