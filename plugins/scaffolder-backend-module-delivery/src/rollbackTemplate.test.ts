import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import deliveryPlugin from '@cicd-aws/plugin-delivery-backend';
import {
  LOCAL_AWS_ACCOUNT_ID,
  LocalAws,
  seedEcsService,
  startLocalAws,
} from '@internal/local-aws';
import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import scaffolderModuleDelivery from './index';

jest.setTimeout(120_000);

const REGION = 'us-east-1';
const OWNER = 'user:default/alice';

/**
 * The rollback template run for real: the scaffolder executes its step with this module's action,
 * which calls the delivery backend as the user, which rolls moto's service back. The permission
 * mock allows `delivery.ecs.rollback` to the entity's owner only, as the portal's policy does.
 */
describe('the rollback-ecs-service template', () => {
  let aws: LocalAws;
  let ecs: ECSClient;
  let baseUrl: string;
  let stopBackend: () => Promise<void>;
  const auditEvents: Array<{
    options: any;
    success: jest.Mock;
    fail: jest.Mock;
  }> = [];

  const runningRevision = async () => {
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'shop', services: ['web'] }),
    );
    return Number(services![0].taskDefinition!.split(':').pop());
  };

  /** Starts the template as `user` and waits (bounded) for the task to finish. */
  const runTemplate = async (user: string, revision: string) => {
    const headers = {
      'Content-Type': 'application/json',
      Authorization: mockCredentials.user.header(user),
    };
    const created = await fetch(`${baseUrl}/api/scaffolder/v2/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        templateRef: 'template:default/rollback-ecs-service',
        values: {
          entityRef: 'component:default/web',
          revision,
          reason: `rollback by ${user}`,
          waitForCompletion: true,
        },
      }),
    });
    if (created.status !== 201) {
      throw new Error(
        `task not created: ${created.status} ${await created.text()}`,
      );
    }
    const { id } = await created.json();
    for (let poll = 0; poll < 200; poll++) {
      const task = await (
        await fetch(`${baseUrl}/api/scaffolder/v2/tasks/${id}`, { headers })
      ).json();
      if (task.status === 'completed' || task.status === 'failed') {
        const events = await (
          await fetch(`${baseUrl}/api/scaffolder/v2/tasks/${id}/events`, {
            headers,
          })
        ).json();
        const log = events
          .map(
            (e: any) =>
              `${e.body?.message ?? ''} ${e.body?.error?.message ?? ''}`,
          )
          .join('\n');
        return { status: task.status as string, log };
      }
      await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`task ${id} did not finish`);
  };

  beforeAll(async () => {
    aws = await startLocalAws({ rolloutSeconds: 1 });
    const seeded = await seedEcsService({
      endpoint: aws.endpoint,
      region: REGION,
      cluster: 'shop',
      service: 'web',
      images: ['web:1', 'web:2', 'web:3'],
    });
    ecs = new ECSClient({
      endpoint: aws.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const template = parse(
      readFileSync(
        resolve(
          __dirname,
          '../../../templates/rollback-ecs-service/template.yaml',
        ),
        'utf8',
      ),
    ) as Entity;
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'web',
        namespace: 'default',
        annotations: {
          'aws.amazon.com/amazon-ecs-service-arn': seeded.serviceArn,
        },
      },
      spec: { type: 'service', lifecycle: 'production', owner: OWNER },
    };
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleDelivery,
        deliveryPlugin,
        catalogServiceMock.factory({
          entities: [
            {
              ...template,
              metadata: { ...template.metadata, namespace: 'default' },
            },
            component,
          ],
        }),
        mockServices.permissions.mock({
          // The scaffolder's own checks (template steps and parameters) are allowed.
          authorizeConditional: async requests =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })),
          authorize: async (requests, options) => {
            const user =
              (options?.credentials?.principal as any)?.userEntityRef ?? '';
            return requests.map(request => ({
              result:
                !request.permission.name.startsWith('delivery.') ||
                user === OWNER
                  ? AuthorizeResult.ALLOW
                  : AuthorizeResult.DENY,
            }));
          },
        }).factory,
        mockServices.auditor.mock({
          createEvent: jest.fn(async options => {
            const event = { options, success: jest.fn(), fail: jest.fn() };
            // The scaffolder audits its own task events too; keep the delivery backend's.
            if (String(options.eventId).startsWith('ecs-'))
              auditEvents.push(event);
            return event;
          }),
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            aws: {
              accounts: [
                {
                  accountId: LOCAL_AWS_ACCOUNT_ID,
                  accessKeyId: 'test',
                  secretAccessKey: 'test',
                },
              ],
            },
            delivery: { aws: { endpoint: aws.endpoint, maxAttempts: 1 } },
          },
        }),
      ],
    });
    stopBackend = () => backend.stop();
    baseUrl = `http://localhost:${
      (backend.server.address() as AddressInfo).port
    }`;
    for (let poll = 0; poll < 60 && (await runningRevision()) !== 3; poll++) {
      await new Promise(r => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    await stopBackend?.();
    ecs?.destroy();
    await aws?.stop();
  });

  it("fails for a user who does not own the service, with the permission error, and leaves moto's service alone", async () => {
    const { status, log } = await runTemplate('user:default/bob', '1');
    expect(status).toBe('failed');
    expect(log).toContain('delivery.ecs.rollback');
    expect(await runningRevision()).toBe(3);
    expect(auditEvents).toHaveLength(1);
    expect(auditEvents[0].fail).toHaveBeenCalled();
  });

  it("moves moto's service to the chosen revision for the owner and waits for the rollout", async () => {
    const { status, log } = await runTemplate(OWNER, '1');
    expect({ status, log }).toMatchObject({ status: 'completed' });
    expect(await runningRevision()).toBe(1);
    expect(log).toContain('rollout to revision 1: COMPLETED');
    expect(auditEvents).toHaveLength(2);
    expect(auditEvents[1].options.meta).toMatchObject({
      entityRef: 'component:default/web',
      revision: 1,
    });
    expect(auditEvents[1].success).toHaveBeenCalledWith({
      meta: expect.objectContaining({ fromRevision: 3, toRevision: 1 }),
    });
  });
});
