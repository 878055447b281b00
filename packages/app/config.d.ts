export interface Config {
  app: {
    signIn?: {
      /**
       * The sign-in buttons the portal offers, in order: 'guest' (dev portal) and/or 'github'.
       * Each needs its provider configured under auth.providers. Defaults to ['guest'].
       * @visibility frontend
       */
      providers?: Array<'guest' | 'github'>;
      /**
       * The GitHub host the 'github' sign-in signs in to (default github.com). Set it to the GitHub
       * Enterprise host, e.g. ghe.example.com, when auth.providers.github uses
       * enterpriseInstanceUrl: the app's ScmAuthApi hands the sign-in's token only to repositories
       * on this host, so a token never reaches another GitHub.
       * @visibility frontend
       */
      githubHost?: string;
    };
  };
}
