import {
  AuthService,
  DatabaseService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  DEFAULT_NAMESPACE,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ANNOTATION_DRIFT_WORKFLOW,
  ANNOTATION_GITHUB_PROJECT_SLUG,
  DELIVERY_ANNOTATION_DEFAULTS,
  DriftState,
} from '@cicd-aws/plugin-delivery-common';
import { readOptionalDurationMs } from '../config';
import { DriftService } from './DriftService';
import { GithubClientFactory } from './GithubClientFactory';

/** Id of the scheduled task that watches the drift state of every entity. */
export const DRIFT_NOTIFIER_TASK_ID = 'delivery-drift-notifier';
/** Notification topic of the drift notifications. */
export const DRIFT_NOTIFICATION_TOPIC = 'delivery-drift';
/** Default minutes between two runs of the notifier (and before the first one). */
export const DEFAULT_DRIFT_NOTIFY_FREQUENCY_MINUTES = 30;

/**
 * Last observed status per entity. Kept in the plugin's database rather than the cache service:
 * the cache may be the in-memory store (lost on every restart and not shared between replicas,
 * while the `global` task runs on whichever replica holds the lock) and a shared cache may evict
 * entries, either of which would silently turn a real in-sync → drifted change into a "first
 * observation" that notifies nobody. The database is durable and shared (the scheduler already
 * keeps its global tasks there). One row per entity; no migration, the table is created on first
 * use.
 */
export const DRIFT_STATUS_TABLE = 'delivery_drift_status';

const PAGE_SIZE = 100;
/** At most 10,000 entities per run; a bigger catalog is cut off with a warning. */
const MAX_PAGES = 100;
/** Entities whose drift state is read at the same time. */
const CONCURRENCY = 4;
/** Resource addresses named in a notification's description. */
const ADDRESSES_SHOWN = 5;
/** Rows of entities that left the catalog deleted by one statement. */
const PRUNE_BATCH = 500;

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

/** Statuses the notifier remembers; `error` and `never-run` leave the last one in place. */
type Remembered = 'in-sync' | 'drifted';

/** What one run of the notifier did. */
export interface DriftNotifierRun {
  /** Entities with a `github.com/project-slug` annotation found in the catalog. */
  entities: number;
  /** Entities whose drift state could not be read (logged, skipped). */
  failed: number;
  /** Notifications sent. */
  notified: number;
  /**
   * Rows deleted because their entity is no longer listed (left the catalog, or lost its
   * `github.com/project-slug` annotation). Zero when the listing was cut off or the run aborted.
   */
  pruned: number;
}

export interface DriftNotifierOptions {
  catalog: CatalogService;
  auth: AuthService;
  database: DatabaseService;
  notifications: NotificationService;
  logger: LoggerService;
  clients: GithubClientFactory;
  drift: DriftService;
}

/**
 * Watches the Terraform drift state of every entity with a GitHub repository and notifies the
 * entity's owner when it turns from `in-sync` to `drifted`.
 *
 * - The first observation of an entity only records its status: the notifier cannot tell when an
 *   entity that is already drifted drifted, and switching the notifier on must not notify every
 *   owner of an old drift at once.
 * - `in-sync` → `drifted` sends one notification; `drifted` → `drifted` and `drifted` → `in-sync`
 *   only record.
 * - `error` and `never-run` (a failed check, an expired artifact) and unreadable states (GitHub
 *   errors) are not recorded: they say nothing about the infrastructure, so in-sync → error →
 *   drifted still notifies.
 * - Once per new drift across replicas: the task is `global`, but the scheduler's lock can expire
 *   while a slow run is still going, and two replicas' runs can overlap after a restart, so two
 *   processes may both read `in-sync` for the same entity. The in-sync → drifted change is
 *   therefore a conditional update (`SET status = 'drifted' WHERE status = 'in-sync'`) that only
 *   one of them can win, and only the process whose update changed the row notifies. A first
 *   observation is an insert that leaves a row another process wrote in the meantime alone, and
 *   is then compared with that row.
 * - When sending fails (the notifications plugin is not installed, or is down) the claimed row is
 *   put back to `in-sync` (only if it still holds this claim), so the next run tries again; a
 *   warning is logged once until a send succeeds. A process that dies between its claim and the
 *   send loses that notification: at most once, never twice.
 * - After a complete pass (the listing was not cut off and the run was not aborted) the rows of
 *   entities that are no longer listed are deleted, in batches, so the table follows the catalog.
 *   Only rows read before the listing started are candidates, so a row another process writes
 *   for an entity added meanwhile is kept.
 */
export class DriftNotifier {
  private table?: Promise<Knex>;
  private sendFailureWarned = false;

  constructor(private readonly options: DriftNotifierOptions) {}

  /** One pass over the catalog. Throws only when the catalog or the database fails. */
  async runOnce(signal?: AbortSignal): Promise<DriftNotifierRun> {
    const { logger } = this.options;
    const knex = await this.db();
    // Read before the listing: a row that exists then and whose entity is not listed has left.
    const known = new Map<string, string>(
      (
        (await knex(DRIFT_STATUS_TABLE).select('entity_ref', 'status')) as {
          entity_ref: string;
          status: string;
        }[]
      ).map(row => [row.entity_ref, row.status]),
    );
    const { entities, complete } = await this.listEntities();
    const run: DriftNotifierRun = {
      entities: entities.length,
      failed: 0,
      notified: 0,
      pruned: 0,
    };
    let next = 0;
    const worker = async () => {
      // Bounded by the entity list: each iteration takes one entity off it.
      while (next < entities.length && !signal?.aborted) {
        const entity = entities[next++];
        const entityRef = stringifyEntityRef(entity);
        try {
          const outcome = await this.observe(
            knex,
            entity,
            entityRef,
            known.get(entityRef),
          );
          if (outcome === 'notified') {
            run.notified++;
          }
        } catch (error) {
          run.failed++;
          logger.warn(
            `Drift notifier could not read the drift state of ${entityRef}: ${
              (error as Error).message
            }`,
          );
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, entities.length) }, worker),
    );
    if (complete && !signal?.aborted) {
      run.pruned = await this.prune(knex, known, entities, signal);
    }
    logger.info(
      `Drift notifier checked ${run.entities} entities: ${run.notified} notified, ${run.failed} unreadable, ${run.pruned} pruned`,
    );
    return run;
  }

  /** Deletes the rows of entities that were known before the listing and are no longer listed. */
  private async prune(
    knex: Knex,
    known: Map<string, string>,
    entities: Entity[],
    signal?: AbortSignal,
  ): Promise<number> {
    const listed = new Set(entities.map(entity => stringifyEntityRef(entity)));
    const gone = [...known.keys()].filter(entityRef => !listed.has(entityRef));
    let pruned = 0;
    for (
      let start = 0;
      start < gone.length && !signal?.aborted;
      start += PRUNE_BATCH
    ) {
      pruned += await knex(DRIFT_STATUS_TABLE)
        .whereIn('entity_ref', gone.slice(start, start + PRUNE_BATCH))
        .delete();
    }
    return pruned;
  }

  private async observe(
    knex: Knex,
    entity: Entity,
    entityRef: string,
    previous: string | undefined,
  ): Promise<'recorded' | 'notified' | 'unchanged'> {
    const { clients, drift } = this.options;
    const workflow =
      entity.metadata.annotations?.[ANNOTATION_DRIFT_WORKFLOW]?.trim() ||
      DELIVERY_ANNOTATION_DEFAULTS[ANNOTATION_DRIFT_WORKFLOW];
    const state = await drift.getState(clients.repoOf(entity), workflow);
    if (state.status !== 'in-sync' && state.status !== 'drifted') {
      return 'unchanged';
    }
    let last = previous;
    if (last === undefined) {
      // First observation: recorded, never notified. Another process may have recorded the
      // entity since this run read the table; its row is kept and compared with below.
      await knex(DRIFT_STATUS_TABLE)
        .insert({
          entity_ref: entityRef,
          status: state.status,
          updated_at: new Date(),
        })
        .onConflict('entity_ref')
        .ignore();
      last = await this.statusOf(knex, entityRef);
      if (last === undefined || last === state.status) {
        return 'recorded';
      }
    }
    if (state.status === last) {
      return 'unchanged';
    }
    if (state.status === 'in-sync' || last !== 'in-sync') {
      await this.record(knex, entityRef, state.status);
      return 'recorded';
    }
    // in-sync → drifted: only the process whose update changes the row notifies. Its
    // `updated_at` identifies this claim when it has to be given back.
    const claimedAt = new Date();
    const claimed = await knex(DRIFT_STATUS_TABLE)
      .where({ entity_ref: entityRef, status: 'in-sync' })
      .update({ status: 'drifted', updated_at: claimedAt });
    if (claimed !== 1) {
      return 'unchanged';
    }
    if (await this.notify(entity, entityRef, state)) {
      return 'notified';
    }
    // Give the change back so the next run retries, unless the row moved on since the claim.
    await knex(DRIFT_STATUS_TABLE)
      .where({
        entity_ref: entityRef,
        status: 'drifted',
        updated_at: claimedAt,
      })
      .update({ status: 'in-sync', updated_at: new Date() });
    return 'unchanged';
  }

  private async statusOf(
    knex: Knex,
    entityRef: string,
  ): Promise<string | undefined> {
    const row = (await knex(DRIFT_STATUS_TABLE)
      .where({ entity_ref: entityRef })
      .first('status')) as { status: string } | undefined;
    return row?.status;
  }

  private async notify(
    entity: Entity,
    entityRef: string,
    state: DriftState,
  ): Promise<boolean> {
    const { logger, notifications } = this.options;
    const { name, namespace = DEFAULT_NAMESPACE } = entity.metadata;
    const count = state.resources.length;
    const addresses = state.resources
      .slice(0, ADDRESSES_SHOWN)
      .map(r => r.address)
      .join(', ');
    const more =
      count > ADDRESSES_SHOWN ? ` and ${count - ADDRESSES_SHOWN} more` : '';
    const path = [namespace, entity.kind.toLocaleLowerCase('en-US'), name]
      .map(encodeURIComponent)
      .join('/');
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef },
        payload: {
          title: `Terraform drift in ${name}`,
          description: `${count} ${
            count === 1 ? 'resource differs' : 'resources differ'
          } from the Terraform configuration${
            count ? `: ${addresses}${more}` : ''
          }.${state.checkedAt ? ` Checked at ${state.checkedAt}.` : ''}`,
          link: `/catalog/${path}/deployment`,
          severity: 'high',
          topic: DRIFT_NOTIFICATION_TOPIC,
          scope: entityRef,
        },
      });
    } catch (error) {
      const message = `Drift notifier could not send the drift notification for ${entityRef} (is the notifications plugin installed?); it retries on its next run: ${
        (error as Error).message
      }`;
      if (this.sendFailureWarned) {
        logger.debug(message);
      } else {
        this.sendFailureWarned = true;
        logger.warn(message);
      }
      return false;
    }
    this.sendFailureWarned = false;
    return true;
  }

  private async record(knex: Knex, entityRef: string, status: Remembered) {
    await knex(DRIFT_STATUS_TABLE)
      .insert({ entity_ref: entityRef, status, updated_at: new Date() })
      .onConflict('entity_ref')
      .merge();
  }

  /**
   * Entities with the project-slug annotation, paged; the plugin's own credentials. `complete`
   * is false when the listing was cut off at `MAX_PAGES`.
   */
  private async listEntities(): Promise<{
    entities: Entity[];
    complete: boolean;
  }> {
    const { catalog, auth, logger } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const fields = [
      'kind',
      'metadata.name',
      'metadata.namespace',
      'metadata.annotations',
    ];
    const entities: Entity[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await catalog.queryEntities(
        cursor
          ? { cursor, fields, limit: PAGE_SIZE }
          : {
              filter: {
                [`metadata.annotations.${ANNOTATION_GITHUB_PROJECT_SLUG}`]:
                  CATALOG_FILTER_EXISTS,
              },
              fields,
              limit: PAGE_SIZE,
            },
        { credentials },
      );
      entities.push(...response.items);
      cursor = response.pageInfo.nextCursor;
      if (!cursor) {
        return { entities, complete: true };
      }
    }
    logger.warn(
      `Drift notifier watches only the first ${entities.length} entities with ${ANNOTATION_GITHUB_PROJECT_SLUG}`,
    );
    return { entities, complete: false };
  }

  /** The plugin's database with the status table, created on first use. */
  private db(): Promise<Knex> {
    if (!this.table) {
      this.table = (async () => {
        const knex = await this.options.database.getClient();
        if (!(await knex.schema.hasTable(DRIFT_STATUS_TABLE))) {
          try {
            await knex.schema.createTable(DRIFT_STATUS_TABLE, table => {
              table.string('entity_ref', 512).primary();
              table.string('status', 16).notNullable();
              table.timestamp('updated_at').notNullable();
            });
          } catch (error) {
            // Another replica may have created it in between.
            if (!(await knex.schema.hasTable(DRIFT_STATUS_TABLE))) {
              throw error;
            }
          }
        }
        return knex;
      })();
      // A failure (database down) is retried on the next run.
      this.table.catch(() => {
        this.table = undefined;
      });
    }
    return this.table;
  }
}

/**
 * Schedules the drift notifier (`delivery.drift.notify.*`): every `frequency` (default
 * 30 minutes, also the delay before the first run), on one replica at a time.
 */
export async function scheduleDriftNotifier(
  options: DriftNotifierOptions & {
    config: RootConfigService;
    scheduler: SchedulerService;
  },
): Promise<DriftNotifier | undefined> {
  const { config, scheduler, logger } = options;
  if (config.getOptionalBoolean('delivery.drift.notify.enabled') === false) {
    logger.info(
      'Drift notifications are switched off (delivery.drift.notify.enabled)',
    );
    return undefined;
  }
  const milliseconds = readOptionalDurationMs(
    config,
    'delivery.drift.notify.frequency',
    { minutes: DEFAULT_DRIFT_NOTIFY_FREQUENCY_MINUTES },
  );
  if (milliseconds === 0) {
    throw new Error(
      'delivery.drift.notify.frequency must be longer than zero; to stop the notifier set delivery.drift.notify.enabled: false',
    );
  }
  const notifier = new DriftNotifier(options);
  await scheduler.scheduleTask({
    id: DRIFT_NOTIFIER_TASK_ID,
    scope: 'global',
    frequency: { milliseconds },
    initialDelay: { milliseconds },
    timeout: { milliseconds },
    fn: async signal => {
      await notifier.runOnce(signal);
    },
  });
  return notifier;
}
