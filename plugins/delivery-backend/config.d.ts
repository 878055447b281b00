import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the delivery backend plugin. */
  delivery?: {
    /** Who may take the delivery actions, besides the entity's owners (the portal's policy). */
    permissions?: {
      /**
       * Group entity refs (e.g. `group:default/platform-admins`) whose members may roll back,
       * stop a rollout, re-run failed jobs and start a drift check on every entity, owners or
       * not. Read by the portal's permission policy (`DeliveryOwnersPolicy` in
       * `packages/backend`); the backend does not start when an entry is not a group entity ref.
       */
      adminGroups?: string[];
    };
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
       * How long one attempt of an AWS call waits for its answer before it counts as failed
       * (and is retried), as `5s`, `PT5S` or `{ seconds: 5 }`; default 5 seconds. Connecting
       * gets at most 3 seconds of it.
       */
      requestTimeout?: HumanDuration | string;
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
      /**
       * How long an ECS service state is cached, as `10s`, an ISO 8601 duration (`PT10S`) or
       * `{ seconds: 10 }`; default 10 seconds. `0s` switches the cache off.
       */
      cacheTtl?: HumanDuration | string;
      /**
       * How long past `cacheTtl` a state is still answered at once while one refresh runs in
       * the background (stale-while-revalidate), as `1m`, `PT1M` or `{ minutes: 1 }`; default
       * 1 minute. Past it, the next viewer waits for a new read. `0s` makes every expired
       * state wait for its refresh.
       */
      staleWhileRevalidate?: HumanDuration | string;
    };
    /**
     * How long a read route reuses an entity it read from the catalog for the same user or
     * service (the four cards of a Deployment tab, and their polls, read it once), as `5s`,
     * `PT5S` or `{ seconds: 5 }`; default 5 seconds. `0s` reads it on every request. Rollback,
     * re-run and drift check always read it afresh.
     */
    entityCacheTtl?: HumanDuration | string;
    /**
     * How long a cached answer (ECS state, runs, jobs, deployments, drift) is still served when
     * getting a new one fails because AWS or GitHub is down, throttling or timing out, as `24h`,
     * `P1D` or `{ hours: 24 }`; default 24 hours. Such an answer carries `staleAnswer` (since
     * when, and why), and the cards say so. `0s` answers the failure instead.
     */
    staleIfError?: HumanDuration | string;
    /**
     * Fail fast while AWS or GitHub is down: after `failures` failed calls in a row to one
     * upstream (the ECS endpoint of an account and region, or a GitHub host), its calls fail at
     * once with a 503 naming it for `coolDown`, and the reads serve their last good answer
     * marked stale; then one call goes through to try it again.
     */
    circuitBreaker?: {
      /** Consecutive failures that open an upstream's breaker; default 5. `0` switches it off. */
      failures?: number;
      /** How long an open breaker fails calls at once, as `30s` or `{ seconds: 30 }`; default 30 seconds. */
      coolDown?: HumanDuration | string;
    };
    /** How changes (rollback, stop-rollout, re-run, drift check) stay single across replicas. */
    changes?: {
      /**
       * How long a rollback or stop-rollout holds its service's lock in the plugin database,
       * as `2m`, `PT2M` or `{ minutes: 2 }`; default 2 minutes. It is released as soon as the
       * change has been sent; this only bounds how long a replica that died mid-change keeps
       * others from changing that service. Keep it longer than a few ECS calls with their
       * timeouts and retries. Also how long a running request holds its `Idempotency-Key`.
       */
      lockTtl?: HumanDuration | string;
      /**
       * How long the answer of a change sent with an `Idempotency-Key` is kept, so that a retry
       * gets it instead of changing again; default 24 hours.
       */
      idempotencyKeyRetention?: HumanDuration | string;
    };
    /**
     * GitHub access of the pipeline-runs, deployments and drift routes. Credentials (token or
     * GitHub App) and GitHub Enterprise's `apiBaseUrl` come from `integrations.github`.
     */
    github?: {
      /**
       * How long a GitHub answer is served from Backstage's cache before it is revalidated with
       * `If-None-Match` (a 304 costs no rate limit), as `30s`, `PT30S` or `{ seconds: 30 }`;
       * default 30 seconds.
       */
      cacheTtl?: HumanDuration | string;
      /**
       * How long past `cacheTtl` a GitHub answer is still served at once while one refresh runs
       * in the background (stale-while-revalidate), as `5m`, `PT5M` or `{ minutes: 5 }`; default
       * 5 minutes. A re-run or drift check started from the portal makes the repository's next
       * answers wait for a refresh instead.
       */
      staleWhileRevalidate?: HumanDuration | string;
      /**
       * Host of the `integrations.github` entry for entities whose `backstage.io/source-location`
       * names no configured GitHub host; default `github.com`.
       */
      host?: string;
      /** Retries of a GitHub call that failed with a 5xx or a network error; default 2. */
      retries?: number;
      /**
       * How long one GitHub request (an API call or an artifact download) may take before it
       * is aborted and counts as failed, as `10s`, `PT10S` or `{ seconds: 10 }`; default 10
       * seconds. `0s` sets no limit.
       */
      requestTimeout?: HumanDuration | string;
    };
    /** Terraform drift (the drift workflow's reports). */
    drift?: {
      /**
       * Age after which a drift check is flagged `stale`, as `48h`, `P2D` or `{ hours: 48 }`;
       * default 48 hours.
       */
      staleAfter?: HumanDuration | string;
      /**
       * Notification of an entity's owner when its drift state turns from `in-sync` to
       * `drifted`, sent through the notifications plugin (`@backstage/plugin-notifications-backend`
       * must be installed). A scheduled task reads the drift state of every catalog entity with a
       * `github.com/project-slug` annotation and keeps the last status per entity in the plugin's
       * database.
       */
      notify?: {
        /** Whether the scheduled task runs; default true. */
        enabled?: boolean;
        /**
         * Time between two runs, and before the first one after start, as `30m`, `PT30M` or
         * `{ minutes: 30 }`; default 30 minutes.
         */
        frequency?: HumanDuration | string;
      };
    };
  };
}
