import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderGithubModule from '@backstage/plugin-scaffolder-backend-module-github';
import scaffolderDeliveryModule from '@cicd-aws/plugin-scaffolder-backend-module-delivery';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { templateDryRunRequest } from './dryRunRequest';

export const repoRoot = resolve(
  resolvePackagePath('@internal/template-tests'),
  '../..',
);

type TestBackend = Awaited<ReturnType<typeof startTestBackend>>;
let backend: Promise<TestBackend> | undefined;

/**
 * The real scaffolder backend (with the GitHub module, as packages/backend installs it) in a test
 * backend. Its dry-run endpoint validates the form values against the template's own schema and
 * executes the template's steps: fetch:template renders for real, and steps that cannot run
 * without GitHub (publish, environment, register) are only logged.
 */
function scaffolder(): Promise<TestBackend> {
  backend ??= startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderGithubModule,
      // The template's first step, delivery:github:preflight (a dry run checks the host only).
      scaffolderDeliveryModule,
      catalogServiceMock.factory(),
    ],
  });
  return backend;
}

export async function stopScaffolder(): Promise<void> {
  if (backend) await (await backend).stop();
  backend = undefined;
}

export interface DryRunResult {
  status: number;
  /** Validation errors when the values do not satisfy the form's schema (status 400). */
  errors?: Array<{
    property?: string;
    path?: unknown;
    message: string;
    name?: string;
    argument?: unknown;
    stack?: string;
  }>;
  /** The rendered workspace, written to a temporary folder (status 200). */
  dir?: string;
  log?: Array<{ body: { message: string; stepId?: string; status?: string } }>;
  output?: Record<string, unknown>;
}

/** Dry-runs `templates/<name>/template.yaml` with `values` through the scaffolder's /v2/dry-run. */
export async function dryRunTemplate(
  templateName: string,
  values: Record<string, unknown>,
): Promise<DryRunResult> {
  const { template, directoryContents } = await templateDryRunRequest(
    templateName,
  );
  const { server } = await scaffolder();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const res = await fetch(
    `http://localhost:${port}/api/scaffolder/v2/dry-run`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: mockCredentials.user.header(),
      },
      body: JSON.stringify({
        template,
        values,
        secrets: {},
        directoryContents,
      }),
    },
  );
  const body = await res.json();
  if (res.status !== 200) {
    return { status: res.status, errors: body.errors ?? [body.error ?? body] };
  }
  const dir = await mkdtemp(join(tmpdir(), `${templateName}-`));
  for (const file of body.directoryContents as Array<{
    path: string;
    base64Content: string;
  }>) {
    const target = join(dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, Buffer.from(file.base64Content, 'base64'));
  }
  return { status: 200, dir, log: body.log, output: body.output };
}

/**
 * Renders the aws-ecs-service skeleton for `values` (form values as the Create wizard sends them)
 * and returns the folder of the generated repository. Throws with the scaffolder's errors when the
 * values are rejected.
 */
export async function renderAwsEcsServiceSkeleton(
  values: Record<string, unknown>,
): Promise<string> {
  const result = await dryRunTemplate('aws-ecs-service', values);
  if (result.status !== 200 || !result.dir) {
    throw new Error(
      `dry-run of aws-ecs-service failed (${result.status}): ${JSON.stringify(
        result.errors,
      )}`,
    );
  }
  return result.dir;
}
