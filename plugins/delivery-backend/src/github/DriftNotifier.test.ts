import {
  createServiceFactory,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  ANNOTATION_DRIFT_WORKFLOW,
  ANNOTATION_GITHUB_PROJECT_SLUG,
  DriftReport,
} from '@cicd-aws/plugin-delivery-common';
import { JsonObject } from '@backstage/types';
import { artifact, FakeGithub, zipOf } from '@internal/local-github';
import { DRIFT_NOTIFIER_TASK_ID, DRIFT_STATUS_TABLE } from './DriftNotifier';
import deliveryPlugin from '../index';

jest.setTimeout(60_000);

const GHE = 'ghe.acme.test';
const TOKEN = 'ghe-token';

const component = (
  name: string,
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      [ANNOTATION_GITHUB_PROJECT_SLUG]: `acme/${name}`,
      'backstage.io/source-location': `url:https://${GHE}/acme/${name}/tree/main/`,
      ...annotations,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team-a' },
});

const resources = (count: number): DriftReport['resources'] =>
  Array.from({ length: count }, (_, i) => ({
    address: `aws_ecs_service.svc[${i}]`,
    type: 'aws_ecs_service',
    name: 'svc',
    actions: ['update'],
    changedAttributes: ['desired_count'],
    changedOutsideTerraform: true,
  }));

type ScheduledTask = SchedulerServiceTaskScheduleDefinition &
  SchedulerServiceTaskInvocationDefinition;

describe('drift notifier', () => {
  const fake = new FakeGithub(GHE, TOKEN);
  // One database for every backend of this file, so a restart keeps what the notifier recorded.
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Awaited<ReturnType<typeof databases.init>>;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    await fake.start();
    knex = await databases.init('SQLITE_3');
  });

  afterAll(async () => {
    await fake.stop();
  });

  afterEach(async () => {
    for (const stop of stops.splice(0)) {
      await stop();
    }
  });

  /** Makes the newest completed run of the repository's drift workflow carry this report. */
  const setDrift = (
    slug: string,
    status: 'in-sync' | 'drifted' | 'error' | 'never-run',
    count = 0,
    workflowFile = 'drift.yml',
  ) => {
    const repo = fake.repo(slug);
    if (status === 'never-run') {
      repo.runs = [];
      return undefined;
    }
    const run = fake.run(slug, { workflowFile });
    repo.runs = [run];
    if (status === 'error') {
      // a run that failed before uploading a report
      repo.runs = [{ ...run, conclusion: 'failure' }];
      return undefined;
    }
    const report: DriftReport = {
      schemaVersion: 1,
      checkedAt: new Date().toISOString(),
      commit: '0123456789abcdef0123456789abcdef01234567',
      status,
      resources: status === 'drifted' ? resources(count) : [],
    };
    const zip = zipOf({ 'drift-report.json': JSON.stringify(report) });
    const entry = artifact(run.id, { size_in_bytes: zip.byteLength });
    repo.artifacts[run.id] = [entry];
    repo.zips[entry.id] = zip;
    return report;
  };

  async function startPortal(
    entities: Entity[],
    options: { send: jest.Mock; config?: JsonObject },
  ) {
    const tasks: ScheduledTask[] = [];
    const logger = mockServices.logger.mock();
    const backend = await startTestBackend({
      features: [
        deliveryPlugin,
        logger.factory,
        mockServices.database.factory({ knex }),
        mockServices.scheduler.mock({
          scheduleTask: async (task: ScheduledTask) => {
            tasks.push(task);
          },
        }).factory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: options.send }),
        }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                { host: GHE, apiBaseUrl: `${fake.url}/api/v3`, token: TOKEN },
              ],
            },
            delivery: {
              // every read revalidates with GitHub (If-None-Match), so each run sees the new report
              github: { cacheTtl: '0s', retries: 0 },
              drift: { notify: { frequency: { minutes: 15 } } },
              ...options.config,
            },
          },
        }),
        catalogServiceMock.factory({ entities }),
      ],
    });
    stops.push(() => backend.stop());
    const run = async () => {
      const task = tasks.find(t => t.id === DRIFT_NOTIFIER_TASK_ID);
      if (!task) {
        throw new Error('the drift notifier task was not scheduled');
      }
      await task.fn(new AbortController().signal);
    };
    return { tasks, logger, run };
  }

  const warnings = (logger: ReturnType<typeof mockServices.logger.mock>) =>
    logger.warn.mock.calls.map(([message]) => String(message));

  it('schedules itself, records the first status, and notifies the owner once per in-sync → drifted', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const { tasks, run } = await startPortal([component('web')], { send });
    expect(tasks).toEqual([
      expect.objectContaining({
        id: DRIFT_NOTIFIER_TASK_ID,
        scope: 'global',
        frequency: { milliseconds: 15 * 60_000 },
        initialDelay: { milliseconds: 15 * 60_000 },
      }),
    ]);

    setDrift('acme/web', 'in-sync');
    await run();
    expect(send).not.toHaveBeenCalled();

    const drifted = setDrift('acme/web', 'drifted', 7)!;
    await run();
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'component:default/web' },
      payload: {
        title: 'Terraform drift in web',
        description: `7 resources differ from the Terraform configuration: aws_ecs_service.svc[0], aws_ecs_service.svc[1], aws_ecs_service.svc[2], aws_ecs_service.svc[3], aws_ecs_service.svc[4] and 2 more. Checked at ${drifted.checkedAt}.`,
        link: '/catalog/default/component/web/deployment',
        severity: 'high',
        topic: 'delivery-drift',
        scope: 'component:default/web',
      },
    });

    // Still drifted, same report: no second notification, and GitHub answered 304.
    const before = fake.requestsFor('acme/web').length;
    await run();
    expect(send).toHaveBeenCalledTimes(1);
    const revalidation = fake
      .requestsFor('acme/web')
      .slice(before)
      .find(r => r.path === '/actions/workflows/drift.yml/runs');
    expect(revalidation?.headers['if-none-match']).toMatch(/^W\//);

    // A newer run that is still drifted: no notification either.
    setDrift('acme/web', 'drifted', 1);
    await run();
    expect(send).toHaveBeenCalledTimes(1);

    // Back in sync: recorded only.
    setDrift('acme/web', 'in-sync');
    await run();
    expect(send).toHaveBeenCalledTimes(1);

    // Drifted again: notified again, with the singular wording.
    const again = setDrift('acme/web', 'drifted', 1)!;
    await run();
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[1][0].payload.description).toBe(
      `1 resource differs from the Terraform configuration: aws_ecs_service.svc[0]. Checked at ${again.checkedAt}.`,
    );
  });

  it('only records an entity first seen drifted, and ignores never-run and error states', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const { run } = await startPortal(
      [
        component('legacy'),
        // its drift workflow is named by the annotation
        component('fresh', { [ANNOTATION_DRIFT_WORKFLOW]: 'infra-drift.yml' }),
        component('flaky'),
      ],
      { send },
    );
    setDrift('acme/legacy', 'drifted', 3);
    fake.repo('acme/fresh').workflows.push('infra-drift.yml');
    setDrift('acme/fresh', 'never-run');
    setDrift('acme/flaky', 'in-sync');
    await run();
    await run();
    expect(send).not.toHaveBeenCalled();

    // never-run → drifted is a first observation too; a failed check says nothing about the
    // infrastructure, so in-sync → error → drifted still notifies.
    setDrift('acme/fresh', 'drifted', 2, 'infra-drift.yml');
    setDrift('acme/flaky', 'error');
    await run();
    expect(send).not.toHaveBeenCalled();

    setDrift('acme/flaky', 'drifted', 1);
    await run();
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0][0].recipients).toEqual({
      type: 'entity',
      entityRef: 'component:default/flaky',
    });

    setDrift('acme/fresh', 'in-sync', 0, 'infra-drift.yml');
    await run();
    setDrift('acme/fresh', 'drifted', 2, 'infra-drift.yml');
    await run();
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[1][0].recipients.entityRef).toBe(
      'component:default/fresh',
    );
  });

  it("keeps notifying the other entities when one entity's GitHub fails", async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const names = ['broken', 'ok-1', 'ok-2', 'ok-3', 'ok-4', 'ok-5'];
    const withoutRepo = component('no-repo');
    withoutRepo.metadata.annotations = {};
    const { run, logger } = await startPortal(
      [...names.map(n => component(n)), withoutRepo],
      { send },
    );
    names.forEach(n => setDrift(`acme/${n}`, 'in-sync'));
    await run();
    expect(send).not.toHaveBeenCalled();

    names.forEach(n => setDrift(`acme/${n}`, 'drifted', 1));
    fake.repo('acme/broken').override = () => ({
      status: 500,
      body: { message: 'Server Error' },
    });
    await run();
    expect(
      send.mock.calls.map(([options]) => options.recipients.entityRef).sort(),
    ).toEqual(names.slice(1).map(n => `component:default/${n}`));
    expect(warnings(logger)).toContainEqual(
      expect.stringContaining(
        'could not read the drift state of component:default/broken',
      ),
    );
    // An entity without a repository is not watched at all.
    expect(warnings(logger).filter(m => m.includes('no-repo'))).toEqual([]);

    // Once GitHub answers again, the broken entity's change is still noticed.
    fake.repo('acme/broken').override = undefined;
    await run();
    expect(send).toHaveBeenCalledTimes(6);
    expect(send.mock.calls[5][0].recipients.entityRef).toBe(
      'component:default/broken',
    );
  });

  it('pages through the catalog', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const names = Array.from({ length: 105 }, (_, i) => `svc-${i}`);
    const { run } = await startPortal(
      names.map(n => component(n)),
      { send },
    );
    names.forEach(n => setDrift(`acme/${n}`, 'in-sync'));
    await run();
    names.forEach(n => setDrift(`acme/${n}`, 'drifted', 1));
    await run();
    expect(
      new Set(send.mock.calls.map(([o]) => o.recipients.entityRef)),
    ).toEqual(new Set(names.map(n => `component:default/${n}`)));
    expect(send).toHaveBeenCalledTimes(105);
  });

  it('warns once when notifications cannot be sent, and sends on a later run', async () => {
    const send = jest
      .fn()
      .mockRejectedValue(
        new Error(
          'Failed to send notifications: Request failed with status 404',
        ),
      );
    const { run, logger } = await startPortal([component('quiet')], { send });
    setDrift('acme/quiet', 'in-sync');
    await run();
    setDrift('acme/quiet', 'drifted', 2);
    await expect(run()).resolves.toBeUndefined();
    await expect(run()).resolves.toBeUndefined();
    expect(send).toHaveBeenCalledTimes(2);
    const failures = warnings(logger).filter(m =>
      m.includes('could not send the drift notification'),
    );
    expect(failures).toEqual([
      expect.stringContaining('is the notifications plugin installed?'),
    ]);

    send.mockReset();
    send.mockResolvedValue(undefined);
    await run();
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0][0].payload.title).toBe(
      'Terraform drift in quiet',
    );
    await run();
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('remembers the last status across a restart', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const first = await startPortal([component('durable')], { send });
    setDrift('acme/durable', 'in-sync');
    await first.run();
    await stops.pop()!();
    expect(
      await knex(DRIFT_STATUS_TABLE)
        .where({ entity_ref: 'component:default/durable' })
        .select('status'),
    ).toEqual([{ status: 'in-sync' }]);

    const second = await startPortal([component('durable')], { send });
    setDrift('acme/durable', 'drifted', 1);
    await second.run();
    expect(send).toHaveBeenCalledTimes(1);
    await stops.pop()!();

    const third = await startPortal([component('durable')], { send });
    await third.run();
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('forgets an entity that left the catalog', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const before = await startPortal(
      [component('kept'), component('removed')],
      {
        send,
      },
    );
    setDrift('acme/kept', 'in-sync');
    setDrift('acme/removed', 'in-sync');
    await before.run();
    expect(
      await knex(DRIFT_STATUS_TABLE)
        .whereIn('entity_ref', [
          'component:default/kept',
          'component:default/removed',
        ])
        .orderBy('entity_ref')
        .select('entity_ref'),
    ).toEqual([
      { entity_ref: 'component:default/kept' },
      { entity_ref: 'component:default/removed' },
    ]);
    await stops.pop()!();

    const after = await startPortal([component('kept')], { send });
    await after.run();
    expect(
      await knex(DRIFT_STATUS_TABLE)
        .whereIn('entity_ref', [
          'component:default/kept',
          'component:default/removed',
        ])
        .select('entity_ref', 'status'),
    ).toEqual([{ entity_ref: 'component:default/kept', status: 'in-sync' }]);
    expect(after.logger.info).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Drift notifier checked 1 entities: 0 notified, 0 unreadable, \d+ pruned$/,
      ),
    );
    expect(send).not.toHaveBeenCalled();
  });

  it('schedules nothing when delivery.drift.notify.enabled is false', async () => {
    const send = jest.fn();
    const { tasks } = await startPortal([component('off')], {
      send,
      config: { drift: { notify: { enabled: false } } },
    });
    expect(tasks).toEqual([]);
  });
});
