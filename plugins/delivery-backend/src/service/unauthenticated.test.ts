import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ANNOTATION_ECS_SERVICE_ARN,
  ANNOTATION_GITHUB_PROJECT_SLUG,
} from '@cicd-aws/plugin-delivery-common';
import { AddressInfo } from 'node:net';
import deliveryPlugin from '../index';
// Backstage's Jest config parses YAML imports with the `yaml` package (jestYamlTransform).
import openapiYaml from '../schema/openapi.yaml';

// Every route of the OpenAPI document, called without credentials and with credentials that are
// not a token, must answer 401 before any handler runs. The HTTP auth answers "no credentials"
// for a request without a token, as the real one does (the mock's default is a user).

jest.setTimeout(60_000);

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Operation {
  operationId: string;
  parameters?: Array<{ $ref?: string; name?: string; in?: string }>;
  requestBody?: { required?: boolean };
}

const document = openapiYaml as unknown as {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { parameters: Record<string, { name: string; in: string }> };
};

/** A valid value for each path parameter the document declares. */
const PATH_VALUES: Record<string, string> = {
  namespace: 'default',
  kind: 'component',
  name: 'web',
  runId: '42',
};

/** A valid body for each operation with a required request body. */
const BODIES: Record<string, unknown> = {
  rollbackEcsService: { revision: 'previous', reason: 'auth check' },
  stopEcsRollout: { reason: 'auth check' },
  reviewPendingDeployment: { state: 'approved', comment: 'auth check' },
};

const routes = Object.entries(document.paths).flatMap(([template, item]) =>
  METHODS.filter(method => item[method]).map(method => {
    const operation = item[method]!;
    const pathParameters = (operation.parameters ?? [])
      .map(p =>
        p.$ref
          ? document.components.parameters[p.$ref.split('/').pop()!]
          : (p as { name: string; in: string }),
      )
      .filter(p => p.in === 'path')
      .map(p => p.name);
    const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      if (!pathParameters.includes(name) || !PATH_VALUES[name]) {
        throw new Error(
          `${method.toUpperCase()} ${template}: no test value for path parameter ${name}`,
        );
      }
      return encodeURIComponent(PATH_VALUES[name]);
    });
    if (operation.requestBody?.required && !BODIES[operation.operationId]) {
      throw new Error(
        `${operation.operationId}: add a valid request body to BODIES`,
      );
    }
    return {
      name: `${method.toUpperCase()} ${template}`,
      method: method.toUpperCase(),
      template,
      path,
      body: BODIES[operation.operationId],
    };
  }),
);

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: {
      [ANNOTATION_ECS_SERVICE_ARN]:
        'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
      [ANNOTATION_GITHUB_PROJECT_SLUG]: 'acme/web',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team-a' },
};

const variants: Array<[string, Record<string, string>]> = [
  ['without an Authorization header', {}],
  [
    'with a malformed bearer token',
    { Authorization: 'Bearer not.a-backstage.token' },
  ],
  ['with a scheme other than Bearer', { Authorization: 'Basic dXNlcjpwdw==' }],
];

async function startDelivery(extra: unknown[] = []) {
  const backend = await startTestBackend({
    features: [
      deliveryPlugin,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      catalogServiceMock.factory({ entities: [component] }),
      mockServices.rootConfig.factory({
        data: {
          // No GitHub integration for this host: nothing leaves the machine.
          delivery: {
            github: { host: 'github.unconfigured.invalid' },
            drift: { notify: { enabled: false } },
          },
        },
      }),
      ...(extra as []),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  return {
    backend,
    send: (route: (typeof routes)[number], headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/api/delivery${route.path}`, {
        method: route.method,
        headers: {
          ...headers,
          ...(route.body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: route.body ? JSON.stringify(route.body) : undefined,
      }),
  };
}

describe('every delivery route refuses unauthenticated requests', () => {
  let delivery: Awaited<ReturnType<typeof startDelivery>>;

  beforeAll(async () => {
    delivery = await startDelivery();
  });
  afterAll(() => delivery?.backend.stop());

  it('reads every route of the OpenAPI document', () => {
    expect(routes.map(r => r.name)).toEqual([
      'GET /v1/entities/{namespace}/{kind}/{name}/ecs',
      'POST /v1/entities/{namespace}/{kind}/{name}/ecs/rollback',
      'POST /v1/entities/{namespace}/{kind}/{name}/ecs/stop-rollout',
      'GET /v1/entities/{namespace}/{kind}/{name}/pipeline-runs',
      'GET /v1/entities/{namespace}/{kind}/{name}/pipeline-runs/{runId}/jobs',
      'POST /v1/entities/{namespace}/{kind}/{name}/pipeline-runs/{runId}/rerun-failed',
      'GET /v1/entities/{namespace}/{kind}/{name}/deployments',
      'GET /v1/entities/{namespace}/{kind}/{name}/drift',
      'POST /v1/entities/{namespace}/{kind}/{name}/drift/check',
      'GET /v1/entities/{namespace}/{kind}/{name}/pending-deployments',
      'POST /v1/entities/{namespace}/{kind}/{name}/pending-deployments/{runId}/review',
    ]);
  });

  describe.each(variants)('%s', (_, headers) => {
    it.each(routes.map(route => [route.name, route] as const))(
      '%s answers 401',
      async (__, route) => {
        const response = await delivery.send(route, headers);
        expect({
          status: response.status,
          error: (await response.json()).error?.name,
        }).toEqual({ status: 401, error: 'AuthenticationError' });
      },
    );
  });

  it('sends valid requests: the same requests with a user token are not refused', async () => {
    for (const route of routes) {
      const response = await delivery.send(route, {
        Authorization: mockCredentials.user.header(),
      });
      // 400: a path or body the document refuses; 404: a path the router does not know.
      expect({
        route: route.name,
        refused: [400, 401, 404].includes(response.status),
      }).toEqual({ route: route.name, refused: false });
    }
  });
});

describe('the sweep catches an unauthenticated route', () => {
  // The control: the same plugin with every route of the document opened through
  // httpRouter.addAuthPolicy({ allow: 'unauthenticated' }), as a careless change would do.
  const openEveryRoute = createBackendModule({
    pluginId: 'delivery',
    moduleId: 'open-every-route',
    register(reg) {
      reg.registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          for (const route of routes) {
            httpRouter.addAuthPolicy({
              path: route.template.replace(/\{([^}]+)\}/g, ':$1'),
              allow: 'unauthenticated',
            });
          }
        },
      });
    },
  });
  let delivery: Awaited<ReturnType<typeof startDelivery>>;

  beforeAll(async () => {
    delivery = await startDelivery([openEveryRoute]);
  });
  afterAll(() => delivery?.backend.stop());

  it.each(routes.map(route => [route.name, route] as const))(
    '%s, once opened, no longer answers 401 without credentials',
    async (_, route) => {
      const response = await delivery.send(route, {});
      expect(response.status).not.toBe(401);
    },
  );
});
