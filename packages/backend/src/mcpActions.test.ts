import { rootConfigServiceFactory } from '@backstage/backend-defaults/rootConfig';
import {
  mockCredentials,
  mockServices,
  ServiceFactoryTester,
  startTestBackend,
} from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import deliveryPlugin from '@cicd-aws/plugin-delivery-backend';
import { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

jest.setTimeout(60_000);

// The delivery plugin's actions as an AI assistant finds them: through the MCP actions backend
// the portal runs, with the actions configuration of the portal's own app-config.yaml
// (`backend.actions.pluginSources` decides which plugins' actions the MCP server sees).

const repoRoot = resolve(__dirname, '../../..');

/** `backend.actions` and `mcpActions` as app-config.yaml sets them. */
async function portalActionsConfig() {
  const config = await ServiceFactoryTester.from(
    rootConfigServiceFactory({
      argv: [
        'node',
        'backend',
        '--config',
        resolve(repoRoot, 'app-config.yaml'),
      ],
      watch: false,
    }),
  ).getSubject();
  return {
    backend: { actions: config.getConfig('backend.actions').get() },
    mcpActions: config.getConfig('mcpActions').get(),
  };
}

describe('the delivery actions through the MCP actions backend', () => {
  let baseUrl: string;
  let stopBackend: () => Promise<void>;

  /** One JSON-RPC call to the MCP server (stateless Streamable HTTP, answered as JSON or SSE). */
  const mcp = async (method: string, params: object = {}) => {
    const response = await fetch(`${baseUrl}/api/mcp-actions/v1`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Authorization: mockCredentials.user.header(),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const data = response.headers
      .get('content-type')
      ?.startsWith('text/event-stream')
      ? text
          .split('\n')
          .filter(line => line.startsWith('data: '))
          .map(line => line.slice('data: '.length))
          .join('')
      : text;
    const message = JSON.parse(data);
    expect(message.error).toBeUndefined();
    return message.result;
  };

  beforeAll(async () => {
    const config = await portalActionsConfig();
    const backend = await startTestBackend({
      features: [
        mcpActionsPlugin,
        deliveryPlugin,
        // the portal's config for the actions, and no AWS: the ECS actions say what to configure
        // before they look the entity up, so no catalog is needed here
        mockServices.rootConfig.factory({
          data: { ...config, delivery: { aws: { enabled: false } } },
        }),
      ],
    });
    stopBackend = () => backend.stop();
    baseUrl = `http://127.0.0.1:${
      (backend.server.address() as AddressInfo).port
    }`;
  });

  afterAll(async () => {
    await stopBackend?.();
  });

  it('lists the delivery actions as MCP tools, read-only ones and the destructive rollback', async () => {
    const { tools } = await mcp('tools/list');
    const delivery = tools
      .filter((t: { name: string }) => t.name.startsWith('delivery.'))
      .map((t: any) => ({ name: t.name, annotations: t.annotations }));
    const read = (title: string) => ({
      title,
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(delivery).toEqual([
      {
        name: 'delivery.get-ecs-service-state',
        annotations: read('Get the ECS service state of an entity'),
      },
      {
        name: 'delivery.list-pipeline-runs',
        annotations: read('List the pipeline runs of an entity'),
      },
      {
        name: 'delivery.list-deployments',
        annotations: read('List the deployments of an entity'),
      },
      {
        name: 'delivery.get-terraform-drift',
        annotations: read('Get the Terraform drift of an entity'),
      },
      {
        name: 'delivery.rollback-ecs-service',
        annotations: {
          title: 'Roll back the ECS service of an entity',
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: false,
          openWorldHint: false,
        },
      },
    ]);
    const rollback = tools.find(
      (t: { name: string }) => t.name === 'delivery.rollback-ecs-service',
    );
    expect(rollback.inputSchema).toMatchObject({
      type: 'object',
      required: ['entityRef', 'revision', 'reason'],
      properties: {
        entityRef: { type: 'string' },
        reason: { type: 'string' },
        force: { type: 'boolean' },
      },
    });
  });

  it('calls a delivery tool and gives the assistant its error in words', async () => {
    const result = await mcp('tools/call', {
      name: 'delivery.get-ecs-service-state',
      arguments: { entityRef: 'component:default/web' },
    });
    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: 'ServiceUnavailableError: AWS is not configured for the delivery plugin: add aws.accounts (or aws.mainAccount) to app-config, see the delivery backend README',
        },
      ],
      isError: true,
    });
  });
});
