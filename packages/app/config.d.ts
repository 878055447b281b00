export interface Config {
  app: {
    signIn?: {
      /**
       * The sign-in buttons the portal offers, in order: 'guest' (dev portal) and/or 'github'.
       * Each needs its provider configured under auth.providers. Defaults to ['guest'].
       * @visibility frontend
       */
      providers?: Array<'guest' | 'github'>;
    };
  };
}
