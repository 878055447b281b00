import { useApi } from '@backstage/core-plugin-api';
import { scmAuthApiRef } from '@backstage/integration-react';
import { useCallback, useEffect, useRef, useState } from 'react';

/** The signed-in user's own GitHub token for a repository, if they signed in with GitHub. */
export interface GithubToken {
  /** Undefined while it is being looked up, and when the user has no GitHub sign-in. */
  token?: string;
  loading: boolean;
  /**
   * Asks the user to sign in to GitHub (a popup). Call it straight from the click: browsers
   * block a popup opened later.
   */
  signIn: () => void;
  /**
   * The token as the sign-in has it now, for a review: a GitHub App's user token expires after
   * 8 hours, so the one read when the card loaded may be stale.
   */
  current: () => Promise<string | undefined>;
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
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const lookUp = useCallback(
    (prompt: boolean) => {
      if (!repositoryUrl) return Promise.resolve(undefined);
      return scmAuth
        .getCredentials({
          url: repositoryUrl,
          optional: !prompt,
          instantPopup: prompt,
        })
        .then(
          credentials => {
            const token = credentials.token || undefined;
            if (mounted.current) setState({ token, loading: false });
            return token;
          },
          // No GitHub auth for this host, or the popup was closed: no token, the link stays.
          () => {
            if (mounted.current) setState({ loading: false });
            return undefined;
          },
        );
    },
    [scmAuth, repositoryUrl],
  );

  useEffect(() => {
    lookUp(false);
  }, [lookUp]);

  const signIn = useCallback(() => {
    lookUp(true);
  }, [lookUp]);
  const current = useCallback(() => lookUp(false), [lookUp]);
  return { ...state, signIn, current };
}
