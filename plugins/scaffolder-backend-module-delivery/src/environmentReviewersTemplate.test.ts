import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { fakeGithubHost } from './__testUtils__/fakeGithubHost';
import { planGatedGithub } from './__testUtils__/planGatedGithub';
import { NO_REQUIRED_REVIEWERS } from './actions/githubEnvironmentReviewers';
import scaffolderModuleDelivery from './index';

jest.setTimeout(120_000);

const TOKEN = 'template-token';
const OWNER = 'group:default/platform-team';

const awsEcsService = parse(
  readFileSync(
    resolve(__dirname, '../../../templates/aws-ecs-service/template.yaml'),
    'utf8',
  ),
);

/**
 * The AWS ECS service template's reviewers step and its output section, exactly as the template
 * has them, run as a real scaffolder task. The steps before it need GitHub to create and push a
 * repository; here the local GitHub already has the repository and the environment they leave.
 */
const template: Entity = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'aws-ecs-service-reviewers', namespace: 'default' },
  spec: {
    type: 'service',
    parameters: [],
    steps: awsEcsService.spec.steps.filter(
      (s: { id: string }) => s.id === 'reviewers',
    ),
    output: { text: awsEcsService.spec.output.text },
  },
};

describe("the aws-ecs-service template's reviewers step and output", () => {
  const host = fakeGithubHost(TOKEN);
  let gated: Awaited<ReturnType<typeof planGatedGithub>>;
  let baseUrl: string;
  let stopBackend: () => Promise<void>;

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${host.github.url}/api/v3${path}`, {
      method,
      headers: { authorization: `token ${TOKEN}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** Runs the template for `repoUrl` and waits (bounded) for the task to finish. */
  const runTemplate = async (repoUrl: string) => {
    const headers = {
      'Content-Type': 'application/json',
      Authorization: mockCredentials.user.header('user:default/alice'),
    };
    const created = await fetch(`${baseUrl}/api/scaffolder/v2/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        templateRef: 'template:default/aws-ecs-service-reviewers',
        values: { repoUrl, owner: OWNER },
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
        const events: any[] = await (
          await fetch(`${baseUrl}/api/scaffolder/v2/tasks/${id}/events`, {
            headers,
          })
        ).json();
        return {
          status: task.status as string,
          log: events.map(e => String(e.body?.message ?? '')).join('\n'),
          output: events.find(e => e.type === 'completion')?.body?.output,
        };
      }
      await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`task ${id} did not finish`);
  };

  beforeAll(async () => {
    await host.start();
    gated = await planGatedGithub(host.github.url);
    // What the template's steps before this one leave: the repository, the owning team's read
    // access, and the environment with its branch policy.
    await api('POST', '/orgs/acme/repos', {
      name: 'orders-api',
      private: true,
    });
    await api('PUT', '/orgs/acme/teams/platform-team/repos/acme/orders-api', {
      permission: 'pull',
    });
    await api('PUT', '/repos/acme/orders-api/environments/production', {
      deployment_branch_policy: {
        protected_branches: true,
        custom_branch_policies: false,
      },
    });
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleDelivery,
        catalogServiceMock.factory({ entities: [template] }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                // An Enterprise account, and (the same repositories behind the proxy) a Team one.
                {
                  host: 'github.example.com',
                  apiBaseUrl: `${host.github.url}/api/v3`,
                  token: TOKEN,
                },
                {
                  host: 'github-team.example.com',
                  apiBaseUrl: `${gated.url}/api/v3`,
                  token: TOKEN,
                },
              ],
            },
          },
        }),
      ],
    });
    stopBackend = () => backend.stop();
    baseUrl = `http://localhost:${
      (backend.server.address() as AddressInfo).port
    }`;
  });

  afterAll(async () => {
    await stopBackend?.();
    await gated?.stop();
    await host.stop();
  });

  it('adds the owning team as required reviewers and shows no warning', async () => {
    const run = await runTemplate(
      'github.example.com?owner=acme&repo=orders-api',
    );
    expect(run).toMatchObject({ status: 'completed', output: { text: [] } });
    const env = await (
      await api('GET', '/repos/acme/orders-api/environments/production')
    ).json();
    expect(env.protection_rules.map((r: any) => r.type)).toContain(
      'required_reviewers',
    );
  });

  it('completes on a plan without required reviewers and its output says that deploys are applied without approval', async () => {
    const run = await runTemplate(
      'github-team.example.com?owner=acme&repo=orders-api',
    );
    expect(run.status).toBe('completed');
    expect(run.output.text).toEqual([
      {
        title: 'Production deploys are not reviewed',
        content: expect.stringContaining(NO_REQUIRED_REVIEWERS),
      },
    ]);
    expect(run.output.text[0].content).toContain('GitHub Enterprise');
    expect(run.log).toContain(NO_REQUIRED_REVIEWERS);
  });
});
