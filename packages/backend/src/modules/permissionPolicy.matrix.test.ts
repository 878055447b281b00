import {
  coreServices,
  createServiceFactory,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import deliveryPlugin from '@cicd-aws/plugin-delivery-backend';
import { deliveryPermissions } from '@cicd-aws/plugin-delivery-common';
import { AddressInfo, createServer } from 'node:net';
import {
  DeliveryOwnersPolicy,
  deliveryOwnersPolicyModule,
  readAdminGroups,
} from './permissionPolicy';

// The whole chain, end to end: the delivery plugin, the real permission backend with the portal's
// policy module, and the real catalog (static entities from a file location, processed and
// stitched, so `IS_ENTITY_OWNER` is applied by the catalog to the entity's ownedBy relation).
// Each action is POSTed to its real route; 403 is a denial, any other answer means the permission
// passed and the request failed afterwards (AWS is unreachable here: 502; GitHub is not
// configured: 503).
//
// One adaptation of the mock auth: a real on-behalf-of token names the calling plugin as the
// user's actor, the mock one does not, and the permission backend refuses resource checks without
// a resourceRef (the catalog's read filter) from a direct user call. The HTTP auth below gives such
// tokens the actor a real backend would.

jest.setTimeout(120_000);

const ADMIN_GROUP = 'group:default/platform-admins';
const ENTITY = 'web';

const users: Record<string, string[]> = {
  'user:default/alice': ['user:default/alice', 'group:default/team-a'],
  'user:default/bob': ['user:default/bob', 'group:default/team-b'],
  'user:default/carol': ['user:default/carol', ADMIN_GROUP],
};

const catalogYaml = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-a }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-b }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: platform-admins }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: alice }
spec: { memberOf: [team-a] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: bob }
spec: { memberOf: [team-b] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: carol }
spec: { memberOf: [platform-admins] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${ENTITY}
  annotations:
    aws.amazon.com/amazon-ecs-service-arn: arn:aws:ecs:eu-west-1:123456789012:service/prod/${ENTITY}
    github.com/project-slug: acme/${ENTITY}
spec: { type: service, lifecycle: production, owner: group:team-a }
`;

/** The users' ownership refs, as the auth backend would put them in their tokens. */
const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials) {
      const { userEntityRef } = credentials.principal as {
        userEntityRef: string;
      };
      return {
        userEntityRef,
        ownershipEntityRefs: users[userEntityRef] ?? [userEntityRef],
      };
    },
  }),
});

/** The user a mock on-behalf-of service token stands for, if it is one. */
function onBehalfOfUser(
  req: Parameters<HttpAuthService['credentials']>[0],
): string | undefined {
  const token = /^Bearer mock-service-token:(.+)$/.exec(
    req.headers.authorization ?? '',
  )?.[1];
  return token ? JSON.parse(token).obo : undefined;
}

/** Mock HTTP auth (no token: no credentials, as in production) with actors on on-behalf-of calls. */
const httpAuthFactory = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const inner = mockServices.httpAuth({
      pluginId: plugin.getId(),
      defaultCredentials: mockCredentials.none(),
    });
    const credentials = async (
      req: Parameters<HttpAuthService['credentials']>[0],
      options?: Parameters<HttpAuthService['credentials']>[1],
    ) => {
      const found = await inner.credentials(req, options);
      const obo = onBehalfOfUser(req);
      return obo && (found.principal as { type: string }).type === 'user'
        ? mockCredentials.user(obo, { actor: { subject: 'plugin:caller' } })
        : found;
    };
    return {
      credentials: credentials as HttpAuthService['credentials'],
      issueUserCookie: (res, options) => inner.issueUserCookie(res, options),
    };
  },
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

type Principal = 'owner' | 'non-owner' | 'admin-group member' | 'service';

const headers: Record<Principal, string> = {
  owner: mockCredentials.user.header('user:default/alice'),
  'non-owner': mockCredentials.user.header('user:default/bob'),
  'admin-group member': mockCredentials.user.header('user:default/carol'),
  service: mockCredentials.service.header(),
};

const actions = {
  'roll back': {
    path: 'ecs/rollback',
    body: { revision: 'previous', reason: 'matrix test' },
    permission: 'delivery.ecs.rollback',
    // Past the check, the rollback reads the service from an ECS endpoint nobody listens on.
    failsAfterwardWith: 502,
  },
  'stop a rollout': {
    path: 'ecs/stop-rollout',
    body: { reason: 'matrix test' },
    permission: 'delivery.ecs.rollback',
    failsAfterwardWith: 502,
  },
  're-run failed jobs': {
    path: 'pipeline-runs/42/rerun-failed',
    body: undefined,
    permission: 'delivery.pipeline.rerun',
    // Past the check: no integrations.github entry for the repository's host.
    failsAfterwardWith: 503,
  },
  'start a drift check': {
    path: 'drift/check',
    body: undefined,
    permission: 'delivery.drift.check',
    failsAfterwardWith: 503,
  },
  'approve a pending deployment': {
    path: 'pending-deployments/42/review',
    body: { state: 'approved', comment: 'matrix test' },
    permission: 'delivery.deployment.approve',
    // Past the check: no integrations.github entry for the repository's host.
    failsAfterwardWith: 503,
  },
};
type Action = keyof typeof actions;

describe('delivery permission matrix, end to end', () => {
  let baseUrl: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  afterAll(() => backend?.stop());

  const post = async (action: Action, principal: Principal) => {
    const { path, body } = actions[action];
    const response = await fetch(
      `${baseUrl}/api/delivery/v1/entities/default/component/${ENTITY}/${path}`,
      {
        method: 'POST',
        headers: {
          Authorization: headers[principal],
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      },
    );
    return {
      status: response.status,
      body: (await response.json()) as { error: { message: string } },
    };
  };

  beforeAll(async () => {
    const directory = createMockDirectory({
      content: { 'catalog-info.yaml': catalogYaml },
    });
    backend = await startTestBackend({
      features: [
        deliveryPlugin,
        permissionPlugin,
        deliveryOwnersPolicyModule,
        catalogPlugin,
        userInfoFactory,
        httpAuthFactory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['Component', 'Group', 'User', 'Location'] }],
              locations: [
                {
                  type: 'file',
                  target: directory.resolve('catalog-info.yaml'),
                },
              ],
            },
            aws: {
              accounts: [
                {
                  accountId: '123456789012',
                  accessKeyId: 'test',
                  secretAccessKey: 'test',
                },
              ],
            },
            delivery: {
              permissions: { adminGroups: [ADMIN_GROUP] },
              // Every permitted change fails the same way, however many came before.
              circuitBreaker: { failures: 0 },
              // Nothing listens there: a permitted ECS change fails with 502 after the check.
              aws: {
                endpoint: `http://127.0.0.1:${await freePort()}`,
                maxAttempts: 1,
              },
              // No integrations.github entry for it: a permitted GitHub change answers 503.
              github: { host: 'github.unconfigured.invalid' },
              drift: { notify: { enabled: false } },
            },
          },
        }),
      ],
    });
    baseUrl = `http://localhost:${
      (backend.server.address() as AddressInfo).port
    }`;

    // The catalog processes and stitches the file location in the background.
    for (let attempt = 0; attempt < 600; attempt++) {
      const response = await fetch(
        `${baseUrl}/api/catalog/entities/by-name/component/default/${ENTITY}`,
        { headers: { Authorization: mockCredentials.service.header() } },
      );
      const entity = response.ok ? await response.json() : undefined;
      if (
        entity?.relations?.some((r: { type: string }) => r.type === 'ownedBy')
      ) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`the catalog did not ingest component:default/${ENTITY}`);
  });

  const outcome = async (action: Action, principal: Principal) => {
    const { status, body } = await post(action, principal);
    return { status, message: body.error.message };
  };
  // Past the permission check: the unreachable AWS or the unconfigured GitHub answers.
  const allowed = (action: Action) => ({
    status: actions[action].failsAfterwardWith,
    message: expect.not.stringMatching(/^Not allowed/),
  });
  const denied = (action: Action) => ({
    status: 403,
    message: expect.stringContaining(
      `needs the ${actions[action].permission} permission`,
    ),
  });

  describe.each(Object.keys(actions) as Action[])('%s', action => {
    it(`owner may ${action}`, async () => {
      expect(await outcome(action, 'owner')).toEqual(allowed(action));
    });
    it(`non-owner may not ${action}`, async () => {
      expect(await outcome(action, 'non-owner')).toEqual(denied(action));
    });
    it(`admin-group member who does not own the entity may ${action}`, async () => {
      expect(await outcome(action, 'admin-group member')).toEqual(
        allowed(action),
      );
    });
    // Backstage's permissions service (ServerPermissionClient) allows an unrestricted service
    // token without asking the policy, so the delivery routes refuse non-user principals
    // themselves before the permission check.
    it(`service principal may not ${action}`, async () => {
      expect(await outcome(action, 'service')).toEqual({
        status: 403,
        message: expect.stringContaining('changes are made by users'),
      });
    });
    it(`the policy alone would not let a service principal ${action}`, async () => {
      const permission = deliveryPermissions.find(
        p => p.name === actions[action].permission,
      )!;
      const policy = new DeliveryOwnersPolicy({ adminGroups: [ADMIN_GROUP] });
      expect(await policy.handle({ permission })).toEqual({
        result: AuthorizeResult.DENY,
      });
    });
  });
});

describe('delivery.permissions.adminGroups', () => {
  const start = (adminGroups: string[]) =>
    startTestBackend({
      features: [
        permissionPlugin,
        deliveryOwnersPolicyModule,
        mockServices.rootConfig.factory({
          data: { delivery: { permissions: { adminGroups } } },
        }),
      ],
    });

  it('fails start-up naming the key and an entry that is not an entity ref', async () => {
    await expect(start(['platform-admins'])).rejects.toThrow(
      /Invalid delivery\.permissions\.adminGroups\[0\] "platform-admins": not an entity ref/,
    );
  });

  it('fails start-up naming the key and an entry that is not a group', async () => {
    await expect(start([ADMIN_GROUP, 'user:default/carol'])).rejects.toThrow(
      /Invalid delivery\.permissions\.adminGroups\[1\] "user:default\/carol": kind "user" is not a group/,
    );
  });

  it('reads group refs, in the default namespace when none is given, lower-cased', () => {
    expect(
      readAdminGroups(
        new ConfigReader({
          delivery: {
            permissions: {
              adminGroups: ['group:Platform-Admins', 'group:ops/sre'],
            },
          },
        }),
      ),
    ).toEqual(['group:default/platform-admins', 'group:ops/sre']);
    expect(readAdminGroups(new ConfigReader({}))).toEqual([]);
  });
});
