export interface Config {
  /** Configuration of the delivery backend plugin. */
  delivery?: {
    /** AWS access of the delivery plugin (credentials come from the `aws` section of `@backstage/integration-aws-node`). */
    aws?: {
      /**
       * Endpoint override for every AWS call, for local AWS emulators such as moto
       * (e.g. `http://127.0.0.1:5055`). Leave unset for real AWS.
       */
      endpoint?: string;
      /** Maximum attempts per AWS call including the SDK's standard retries; default 3. */
      maxAttempts?: number;
      /**
       * Whether AWS is reachable. By default the plugin assumes so when an `aws` config section,
       * `delivery.aws.endpoint` or AWS credential environment variables exist, and otherwise
       * answers the ECS routes with 503 "AWS is not configured". Set `true` when credentials come
       * from an instance profile only, `false` to switch the ECS routes off.
       */
      enabled?: boolean;
    };
    /** ECS settings. */
    ecs?: {
      /** Seconds an ECS service state is cached; default 10. */
      cacheTtlSeconds?: number;
    };
  };
}
