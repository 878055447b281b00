import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ANNOTATION_GITHUB_PROJECT_SLUG } from '@cicd-aws/plugin-delivery-common';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { artifact, FakeGithub, zipOf } from '@internal/local-github';
import deliveryPlugin from '../index';

/*
 * Consumer side of the drift report contract: the report comes from a real `terraform plan`
 * (terraform_data, Terraform's built-in provider, so nothing is downloaded) turned into JSON by
 * the template's own drift-report command, exactly as drift.yml runs them, then zipped as
 * upload-artifact does and read back through the drift route.
 */

jest.setTimeout(120_000);

const run = promisify(execFile);
const SKELETON_SCRIPTS = resolve(
  __dirname,
  '../../../../templates/aws-ecs-service/skeleton/scripts',
);
const COMMIT = '3d3c42e5aac5ba805825da76410c181273ba90b1';
const HOST = 'github.example.test';

const MAIN_TF = `
variable "desired_count" {
  type = number
}
resource "terraform_data" "service" {
  input = { desired_count = var.desired_count, image = "web:1" }
}
`;

async function terraform(dir: string, args: string[]) {
  return run('terraform', args, {
    cwd: dir,
    timeout: 60_000,
    env: {
      ...process.env,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
}

/** drift.yml's plan step: `plan -detailed-exitcode`, then `show -json` unless it failed. */
async function planJson(dir: string, desired: number) {
  let exitCode = 0;
  try {
    await terraform(dir, [
      'plan',
      '-input=false',
      '-no-color',
      '-lock=false',
      '-detailed-exitcode',
      `-var=desired_count=${desired}`,
      '-out=drift.tfplan',
    ]);
  } catch (error) {
    exitCode = (error as { code: number }).code;
  }
  const { stdout } = await terraform(dir, ['show', '-json', 'drift.tfplan']);
  await writeFile(join(dir, 'drift-plan.json'), stdout);
  return exitCode;
}

/** drift.yml's report step: the template's `drift-report` command. */
async function driftReport(dir: string, exitCode: number): Promise<string> {
  const command = pathToFileURL(
    join(SKELETON_SCRIPTS, 'src/commands/driftReport.ts'),
  ).href;
  const out = join(dir, 'drift-report.json');
  await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { run } from '${command}'; await run(process.argv.slice(1));`,
      '--',
      '--plan',
      join(dir, 'drift-plan.json'),
      '--exit-code',
      String(exitCode),
      '--directory',
      'infrastructure/terraform',
      '--commit',
      COMMIT,
      '--out',
      out,
    ],
    {
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        GITHUB_SERVER_URL: `https://${HOST}`,
        GITHUB_REPOSITORY: 'acme/orders',
        GITHUB_RUN_ID: '4242',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_WORKFLOW: 'Drift',
      },
    },
  );
  return readFile(out, 'utf8');
}

describe('drift route fed by the template drift workflow logic', () => {
  const fake = new FakeGithub(HOST, 'token');
  let work: string;
  let baseUrl: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'drift-contract-'));
    await writeFile(join(work, 'main.tf'), MAIN_TF);
    await terraform(work, ['init', '-input=false', '-no-color']);
    await terraform(work, [
      'apply',
      '-auto-approve',
      '-input=false',
      '-no-color',
      '-var=desired_count=2',
    ]);
    await fake.start();
    const backend = await startTestBackend({
      features: [
        deliveryPlugin,
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                {
                  host: HOST,
                  apiBaseUrl: `${fake.url}/api/v3`,
                  token: 'token',
                },
              ],
            },
            // each case reads a new run, so caching cannot hide a wrong answer
            delivery: { github: { host: HOST, cacheTtl: '0s' } },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'orders',
                namespace: 'default',
                annotations: {
                  [ANNOTATION_GITHUB_PROJECT_SLUG]: 'acme/orders',
                },
              },
              spec: {
                type: 'service',
                lifecycle: 'production',
                owner: 'team-a',
              },
            },
          ],
        }),
      ],
    });
    baseUrl = `http://127.0.0.1:${
      (backend.server.address() as AddressInfo).port
    }`;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
    await fake.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const publish = (json: string) => {
    const repo = fake.repo('acme/orders');
    const driftRun = fake.run('acme/orders', { workflowFile: 'drift.yml' });
    const zip = zipOf({ 'drift-report.json': json });
    const entry = artifact(driftRun.id, { size_in_bytes: zip.byteLength });
    repo.runs = [driftRun, ...repo.runs];
    repo.artifacts[driftRun.id] = [entry];
    repo.zips[entry.id] = zip;
    return driftRun;
  };

  const drift = async () => {
    const response = await fetch(
      `${baseUrl}/api/delivery/v1/entities/default/component/orders/drift`,
      { headers: { Authorization: mockCredentials.user.header() } },
    );
    expect(response.status).toBe(200);
    return response.json();
  };

  it('reads a drifted report written from a real terraform plan', async () => {
    const exitCode = await planJson(work, 3);
    expect(exitCode).toBe(2);
    const written = JSON.parse(await driftReport(work, exitCode));
    const driftRun = publish(JSON.stringify(written));
    const state = await drift();
    expect(state).toMatchObject({
      status: 'drifted',
      commit: COMMIT,
      checkedAt: written.checkedAt,
      stale: false,
      terraform: {
        version: expect.stringMatching(/^1\./),
        directory: 'infrastructure/terraform',
      },
      run: { id: driftRun.id, url: driftRun.html_url },
    });
    expect(state.resources).toEqual([
      expect.objectContaining({
        address: 'terraform_data.service',
        type: 'terraform_data',
        name: 'service',
        actions: ['update'],
        changedAttributes: expect.arrayContaining(['input.desired_count']),
      }),
    ]);
  });

  it('reads an in-sync report written from a plan without changes', async () => {
    const exitCode = await planJson(work, 2);
    expect(exitCode).toBe(0);
    publish(await driftReport(work, exitCode));
    expect(await drift()).toMatchObject({ status: 'in-sync', resources: [] });
  });

  it('reads the error report drift.yml writes when the plan failed', async () => {
    publish(await driftReport(work, 1));
    const state = await drift();
    expect(state.status).toBe('error');
    expect(state.error.message).toContain(
      'terraform plan failed with exit code 1',
    );
  });
});
