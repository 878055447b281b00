import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ANNOTATION_GITHUB_PROJECT_SLUG,
  DriftState,
} from '@cicd-aws/plugin-delivery-common';
import { DriftNotifier, DRIFT_STATUS_TABLE } from './DriftNotifier';
import { DriftService } from './DriftService';
import { GithubClientFactory } from './GithubClientFactory';

/*
 * Several DriftNotifier instances ("replicas") on ONE database, each with its own connection
 * (its own DatabaseManager), as two backend processes would be. Always a SQLite file; also
 * PostgreSQL when DELIVERY_TEST_POSTGRES_CONNECTION holds a connection string
 * (e.g. postgresql://postgres@127.0.0.1:5432/postgres): each test gets its own database.
 */

jest.setTimeout(60_000);

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;
type Status = 'in-sync' | 'drifted' | 'error' | 'never-run';

const POSTGRES = process.env.DELIVERY_TEST_POSTGRES_CONNECTION;

let databaseCount = 0;

const engines: Array<[string, () => { config: object; cleanup: () => void }]> =
  [
    [
      'a SQLite file',
      () => {
        const directory = mkdtempSync(join(tmpdir(), 'drift-replicas-'));
        return {
          config: { client: 'better-sqlite3', connection: { directory } },
          cleanup: () => rmSync(directory, { recursive: true, force: true }),
        };
      },
    ],
    ...(POSTGRES
      ? [
          [
            'PostgreSQL',
            () => ({
              config: {
                client: 'pg',
                connection: POSTGRES,
                prefix: `drift_${process.pid}_${databaseCount++}_`,
              },
              cleanup: () => {},
            }),
          ] as [string, () => { config: object; cleanup: () => void }],
        ]
      : []),
  ];

const component = (name: string, withSlug = true): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: withSlug
      ? { [ANNOTATION_GITHUB_PROJECT_SLUG]: `acme/${name}` }
      : {},
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team-a' },
});

const refOf = (name: string) => `component:default/${name}`;

/** The shared outside world: the catalog and the drift state GitHub reports. */
class World {
  entities: Entity[] = [];
  /** Every page has a next cursor (one entity per page): the notifier cuts the listing off. */
  endless = false;
  readonly states = new Map<string, Status>();
  /** Runs before each drift state is answered. */
  beforeAnswer?: (name: string) => Promise<void>;

  readonly catalog = {
    queryEntities: async (request: { cursor?: string; limit?: number }) => {
      const offset = Number(request.cursor ?? 0);
      if (this.endless) {
        return {
          items: [component(`endless-${offset}`)],
          totalItems: Infinity,
          pageInfo: { nextCursor: String(offset + 1) },
        };
      }
      // the notifier's filter: the project-slug annotation exists
      const matching = this.entities.filter(
        e => e.metadata.annotations?.[ANNOTATION_GITHUB_PROJECT_SLUG],
      );
      const limit = request.limit ?? 100;
      const items = matching.slice(offset, offset + limit);
      return {
        items,
        totalItems: matching.length,
        pageInfo: {
          nextCursor:
            offset + limit < matching.length
              ? String(offset + limit)
              : undefined,
        },
      };
    },
  } as unknown as CatalogService;

  readonly drift = {
    getState: async (ref: { repo: string }): Promise<DriftState> => {
      await this.beforeAnswer?.(ref.repo);
      const status = this.states.get(ref.repo) ?? 'never-run';
      return {
        repositoryUrl: `https://ghe.acme.test/acme/${ref.repo}`,
        status,
        workflow: 'drift.yml',
        workflowUrl: `https://ghe.acme.test/acme/${ref.repo}/actions/workflows/drift.yml`,
        checkedAt: '2025-01-01T00:00:00.000Z',
        stale: false,
        resources:
          status === 'drifted'
            ? [
                {
                  address: 'aws_ecs_service.svc',
                  type: 'aws_ecs_service',
                  name: 'svc',
                  actions: ['update'],
                  changedAttributes: ['desired_count'],
                  changedOutsideTerraform: true,
                },
              ]
            : [],
      } as DriftState;
    },
  } as unknown as DriftService;

  readonly clients = {
    repoOf: (entity: Entity) => ({
      host: 'ghe.acme.test',
      apiBaseUrl: 'https://ghe.acme.test/api/v3',
      owner: 'acme',
      repo: entity.metadata.name,
      htmlUrl: `https://ghe.acme.test/acme/${entity.metadata.name}`,
    }),
  } as unknown as GithubClientFactory;

  set(status: Status, ...names: string[]) {
    for (const name of names) {
      this.states.set(name, status);
    }
  }
}

/** Resolves once `count` callers wait on it (or after a second, so a bug fails instead of hanging). */
function barrier(count: number) {
  let waiting = 0;
  let release!: () => void;
  const released = new Promise<void>(resolve => {
    release = resolve;
  });
  const timer = setTimeout(() => release(), 1_000);
  return async () => {
    waiting++;
    if (waiting >= count) {
      clearTimeout(timer);
      release();
    }
    await released;
  };
}

describe.each(engines)('drift notifier replicas on %s', (_, engine) => {
  let world: World;
  let cleanups: Array<() => Promise<void> | void>;
  let databaseConfig: object;

  beforeEach(() => {
    world = new World();
    const created = engine();
    databaseConfig = created.config;
    cleanups = [created.cleanup];
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup();
    }
  });

  /** One backend process: its own connection to the shared database, its own notifier. */
  async function replica(send: NotificationService['send'] = async () => {}) {
    const rootLifecycle = mockServices.rootLifecycle.mock();
    const database = DatabaseManager.fromConfig(
      new ConfigReader({ backend: { database: databaseConfig } }),
      { rootLifecycle, rootLogger: mockServices.rootLogger.mock() },
    ).forPlugin('delivery', {
      logger: mockServices.logger.mock(),
      lifecycle: mockServices.lifecycle.mock(),
    });
    // one after the other: the first creates the PostgreSQL database
    const knex = await database.getClient();
    // the manager's shutdown hook closes its PostgreSQL admin connection
    const [[shutdown]] = rootLifecycle.addShutdownHook.mock.calls;
    cleanups.push(() => shutdown());
    cleanups.push(() => knex.destroy());
    const logger = mockServices.logger.mock();
    const sendMock = jest.fn(send);
    const notifier = new DriftNotifier({
      catalog: world.catalog,
      auth: mockServices.auth(),
      database,
      notifications: { send: sendMock } as NotificationService,
      logger,
      clients: world.clients,
      drift: world.drift,
    });
    return { notifier, send: sendMock, logger, knex };
  }

  const rows = async (knex: Knex) =>
    Object.fromEntries(
      (
        (await knex(DRIFT_STATUS_TABLE).select('entity_ref', 'status')) as {
          entity_ref: string;
          status: string;
        }[]
      ).map(row => [row.entity_ref, row.status]),
    );

  it('notifies once when two replicas run over the same new drift at the same time', async () => {
    const a = await replica();
    const b = await replica();
    world.entities = [component('web')];
    world.set('in-sync', 'web');
    await a.notifier.runOnce();

    world.set('drifted', 'web');
    // Both replicas have read the table (in-sync) before either learns the new state.
    world.beforeAnswer = barrier(2);
    const runs = await Promise.all([
      a.notifier.runOnce(),
      b.notifier.runOnce(),
    ]);
    expect(a.send.mock.calls.length + b.send.mock.calls.length).toBe(1);
    expect(runs.map(r => r.notified).sort()).toEqual([0, 1]);
    expect(await rows(a.knex)).toEqual({ [refOf('web')]: 'drifted' });

    // Still drifted: neither notifies again.
    world.beforeAnswer = undefined;
    await Promise.all([a.notifier.runOnce(), b.notifier.runOnce()]);
    expect(a.send.mock.calls.length + b.send.mock.calls.length).toBe(1);
  });

  it('notifies each entity once across three overlapping replicas', async () => {
    const replicas = [await replica(), await replica(), await replica()];
    const names = Array.from({ length: 30 }, (_unused, i) => `svc-${i}`);
    world.entities = names.map(n => component(n));
    world.set('in-sync', ...names);
    await replicas[0].notifier.runOnce();

    world.set('drifted', ...names);
    world.beforeAnswer = () =>
      new Promise(resolve => setTimeout(resolve, Math.random() * 5));
    await Promise.all(replicas.map(r => r.notifier.runOnce()));
    const sent = replicas
      .flatMap(r => r.send.mock.calls)
      .map(([request]) =>
        request.recipients.type === 'entity'
          ? request.recipients.entityRef
          : undefined,
      )
      .sort();
    expect(sent).toEqual(names.map(refOf).sort());
  });

  it('gives a claim back when sending fails, so the next run notifies once', async () => {
    // Whichever replica claims the change sends first, and that send fails.
    let sends = 0;
    const send = async () => {
      if (sends++ === 0) {
        throw new Error('Request failed with status 503');
      }
    };
    const a = await replica(send);
    const b = await replica(send);
    world.entities = [component('web')];
    world.set('in-sync', 'web');
    await a.notifier.runOnce();

    world.set('drifted', 'web');
    world.beforeAnswer = barrier(2);
    const failed = await Promise.all([
      a.notifier.runOnce(),
      b.notifier.runOnce(),
    ]);
    expect(sends).toBe(1);
    expect(failed.map(r => r.notified)).toEqual([0, 0]);
    expect(await rows(a.knex)).toEqual({ [refOf('web')]: 'in-sync' });
    const claimant = a.send.mock.calls.length ? a : b;
    expect(claimant.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'could not send the drift notification for component:default/web',
      ),
    );

    world.beforeAnswer = barrier(2);
    const retried = await Promise.all([
      a.notifier.runOnce(),
      b.notifier.runOnce(),
    ]);
    expect(sends).toBe(2);
    expect(retried.map(r => r.notified).sort()).toEqual([0, 1]);
    expect(await rows(a.knex)).toEqual({ [refOf('web')]: 'drifted' });

    world.beforeAnswer = undefined;
    await Promise.all([a.notifier.runOnce(), b.notifier.runOnce()]);
    expect(sends).toBe(2);
  });

  it('does not give back a claim that another process has replaced in the meantime', async () => {
    const b = await replica();
    const a = await replica(async () => {
      // While this send hangs, another process records in-sync and claims a newer drift.
      await b
        .knex(DRIFT_STATUS_TABLE)
        .where({ entity_ref: refOf('web') })
        .update({
          status: 'drifted',
          updated_at: new Date(Date.now() + 60_000),
        });
      throw new Error('Request failed with status 503');
    });
    world.entities = [component('web')];
    world.set('in-sync', 'web');
    await b.notifier.runOnce();

    world.set('drifted', 'web');
    await a.notifier.runOnce();
    expect(a.send).toHaveBeenCalledTimes(1);
    expect(await rows(b.knex)).toEqual({ [refOf('web')]: 'drifted' });
  });

  it('compares a first observation with the row another replica wrote meanwhile', async () => {
    const a = await replica();
    const b = await replica();
    world.entities = [component('web')];
    world.set('drifted', 'web');
    // a read an empty table; b records in-sync before a learns the state
    world.beforeAnswer = async () => {
      world.beforeAnswer = undefined;
      await b.knex(DRIFT_STATUS_TABLE).insert({
        entity_ref: refOf('web'),
        status: 'in-sync',
        updated_at: new Date(),
      });
    };
    const run = await a.notifier.runOnce();
    expect(run.notified).toBe(1);
    expect(a.send).toHaveBeenCalledTimes(1);
    expect(await rows(a.knex)).toEqual({ [refOf('web')]: 'drifted' });

    // Two replicas that both see an entity for the first time only record it.
    world.entities.push(component('new'));
    world.set('drifted', 'new');
    world.beforeAnswer = barrier(4);
    await Promise.all([a.notifier.runOnce(), b.notifier.runOnce()]);
    expect(a.send).toHaveBeenCalledTimes(1);
    expect(b.send).not.toHaveBeenCalled();
    expect(await rows(a.knex)).toEqual({
      [refOf('web')]: 'drifted',
      [refOf('new')]: 'drifted',
    });
  });

  it('prunes entities that left the catalog or lost their project slug after a complete pass', async () => {
    const a = await replica();
    world.entities = ['stays', 'leaves', 'unlinked'].map(n => component(n));
    world.set('in-sync', 'stays', 'leaves', 'unlinked');
    expect(await a.notifier.runOnce()).toEqual({
      entities: 3,
      failed: 0,
      notified: 0,
      pruned: 0,
    });
    expect(Object.keys(await rows(a.knex)).sort()).toEqual(
      ['leaves', 'stays', 'unlinked'].map(refOf),
    );

    world.entities = [component('stays'), component('unlinked', false)];
    expect(await a.notifier.runOnce()).toEqual({
      entities: 1,
      failed: 0,
      notified: 0,
      pruned: 2,
    });
    expect(await rows(a.knex)).toEqual({ [refOf('stays')]: 'in-sync' });
    expect(a.logger.info).toHaveBeenLastCalledWith(
      'Drift notifier checked 1 entities: 0 notified, 0 unreadable, 2 pruned',
    );

    // An entity that comes back is a first observation: recorded, not notified.
    world.entities.push(component('leaves'));
    world.set('drifted', 'leaves');
    expect((await a.notifier.runOnce()).notified).toBe(0);
    expect(a.send).not.toHaveBeenCalled();
  });

  it('prunes in batches', async () => {
    const a = await replica();
    world.entities = [component('stays')];
    world.set('in-sync', 'stays');
    await a.notifier.runOnce();
    const gone = Array.from({ length: 1234 }, (_unused, i) => ({
      entity_ref: refOf(`gone-${i}`),
      status: i % 2 ? 'drifted' : 'in-sync',
      updated_at: new Date(),
    }));
    for (let i = 0; i < gone.length; i += 200) {
      await a.knex(DRIFT_STATUS_TABLE).insert(gone.slice(i, i + 200));
    }
    const deletes: string[] = [];
    const onQuery = (query: { sql: string }) => {
      if (/^delete/i.test(query.sql)) {
        deletes.push(query.sql);
      }
    };
    a.knex.on('query', onQuery);
    const run = await a.notifier.runOnce();
    a.knex.off('query', onQuery);
    expect(run.pruned).toBe(1234);
    expect(deletes).toHaveLength(3);
    expect(await rows(a.knex)).toEqual({ [refOf('stays')]: 'in-sync' });
  });

  it('prunes nothing when the listing is cut off at the page limit', async () => {
    const a = await replica();
    world.entities = [component('gone')];
    world.set('in-sync', 'gone');
    await a.notifier.runOnce();

    world.endless = true;
    world.set(
      'in-sync',
      ...Array.from({ length: 100 }, (_unused, i) => `endless-${i}`),
    );
    const run = await a.notifier.runOnce();
    expect(run.entities).toBe(100);
    expect(run.pruned).toBe(0);
    expect(a.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('watches only the first 100 entities'),
    );
    expect((await rows(a.knex))[refOf('gone')]).toBe('in-sync');

    // The next complete pass prunes it.
    world.endless = false;
    world.entities = [];
    const complete = await a.notifier.runOnce();
    expect(complete.pruned).toBe(101);
    expect(await rows(a.knex)).toEqual({});
  });

  it('prunes nothing when the run is aborted', async () => {
    const a = await replica();
    world.entities = [component('gone'), component('stays')];
    world.set('in-sync', 'gone', 'stays');
    await a.notifier.runOnce();

    world.entities = [component('stays')];
    const controller = new AbortController();
    world.beforeAnswer = async () => controller.abort();
    const run = await a.notifier.runOnce(controller.signal);
    expect(run.pruned).toBe(0);
    expect(Object.keys(await rows(a.knex)).sort()).toEqual(
      ['gone', 'stays'].map(refOf),
    );
  });
});
