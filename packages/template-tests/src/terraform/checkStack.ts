import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ECSClient,
  DescribeServicesCommand,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  MOTO_LIFECYCLE_OVERRIDE,
  MOTO_TOGGLES,
  motoOverrideTf,
} from '@internal/local-aws';
import { runTerraform, TerraformResult } from '../support/terraform';

export { MOTO_LIFECYCLE_OVERRIDE, MOTO_TOGGLES };

/* eslint-disable @typescript-eslint/no-explicit-any */
export type PlanJson = any;

/** Timings in milliseconds of each step, for the report. */
export type Timings = Record<string, number>;

async function timed<T>(
  timings: Timings,
  step: string,
  fn: () => Promise<T>,
): Promise<T> {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    timings[step] = Date.now() - start;
  }
}

/** The Terraform root of a rendered skeleton (`<rendered>/infrastructure/terraform`). */
export function terraformDir(renderedInfrastructureDir: string): string {
  return join(renderedInfrastructureDir, 'terraform');
}

const VAR_FILE = '-var-file=production.tfvars';

/**
 * Offline checks of a rendered stack: `fmt -check`, `init -backend=false` (providers from the
 * local mirror), `validate` and `terraform test` (plan-only tests with a mocked provider).
 */
export async function checkStatic(
  renderedInfrastructureDir: string,
): Promise<{ timings: Timings; test: TerraformResult }> {
  const dir = terraformDir(renderedInfrastructureDir);
  const timings: Timings = {};
  await timed(timings, 'fmt', () =>
    runTerraform(dir, ['fmt', '-check', '-recursive', '-no-color'], {
      timeoutMs: 60_000,
    }),
  );
  await timed(timings, 'init', () =>
    runTerraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], {
      timeoutMs: 120_000,
    }),
  );
  await timed(timings, 'validate', () =>
    runTerraform(dir, ['validate', '-no-color'], { timeoutMs: 120_000 }),
  );
  const test = await timed(timings, 'test', () =>
    runTerraform(dir, ['test', '-no-color'], { timeoutMs: 300_000 }),
  );
  return { timings, test };
}

/** The toggles with their real-account values, to plan the full stack for the policy check. */
const FULL_STACK_VARS = [
  '-var=enable_autoscaling=true',
  '-var=enable_backup_selection=true',
  '-var=enable_budget=true',
  '-var=enable_codedeploy=true',
  '-var=enable_response_headers_policy=true',
];

/**
 * Copies a rendered stack to a scratch folder and adds the test-only files that point it at
 * moto: the provider/backend override and the toggles. The lifecycle override is added by
 * checkOnMoto after the full plan, so the policy sees the stack as generated.
 * Returns the Terraform directory of the copy.
 */
export async function prepareMotoCopy(
  renderedInfrastructureDir: string,
  motoEndpoint: string,
): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'aws-ecs-service-moto-'));
  await cp(renderedInfrastructureDir, copy, { recursive: true });
  const dir = terraformDir(copy);
  await writeFile(join(dir, 'moto_override.tf'), motoOverrideTf(motoEndpoint));
  await writeFile(join(dir, 'moto_toggles.auto.tfvars'), MOTO_TOGGLES);
  return dir;
}

export interface PlanChange {
  address: string;
  actions: string[];
  reason?: string;
  /** For updates: top-level attributes whose planned value differs (or is unknown). */
  changed?: string[];
}

function changedAttributes(change: any): string[] | undefined {
  if (!change.actions.includes('update')) return undefined;
  const before = change.before ?? {};
  const after = change.after ?? {};
  const unknown = change.after_unknown ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter(
    k =>
      JSON.stringify(before[k]) !== JSON.stringify(after[k]) ||
      unknown[k] === true,
  );
}

/**
 * Changes in a plan that matter: every resource change except no-ops and the re-reads Terraform
 * always plans for data sources nested in `check` blocks (`read_because_check_nested`; they make
 * `plan -detailed-exitcode` exit 2 on an unchanged stack), plus output changes.
 */
export function realChanges(plan: PlanJson): PlanChange[] {
  const resources: PlanChange[] = (plan.resource_changes ?? [])
    .filter(
      (r: any) =>
        !(r.change.actions.length === 1 && r.change.actions[0] === 'no-op') &&
        r.action_reason !== 'read_because_check_nested',
    )
    .map((r: any) => ({
      address: r.address,
      actions: r.change.actions,
      reason: r.action_reason,
      changed: changedAttributes(r.change),
    }));
  const outputs: PlanChange[] = Object.entries(plan.output_changes ?? {})
    .filter(([, c]: [string, any]) => !c.actions.includes('no-op'))
    .map(([name, c]: [string, any]) => ({
      address: `output.${name}`,
      actions: c.actions,
    }));
  return [...resources, ...outputs];
}

/** `plan -detailed-exitcode -out`, then `show -json` of that plan. */
export async function planJson(
  dir: string,
  extraArgs: string[] = [],
): Promise<{ code: number; plan: PlanJson }> {
  const planFile = `plan-${Date.now()}.tfplan`;
  const { code } = await runTerraform(
    dir,
    [
      'plan',
      '-input=false',
      '-no-color',
      '-detailed-exitcode',
      VAR_FILE,
      ...extraArgs,
      `-out=${planFile}`,
    ],
    { okCodes: [0, 2], timeoutMs: 300_000 },
  );
  const shown = await runTerraform(dir, ['show', '-json', planFile], {
    timeoutMs: 120_000,
  });
  return { code, plan: JSON.parse(shown.stdout) };
}

export interface MotoRunResult {
  timings: Timings;
  /** Resources in state after apply. */
  resourceCount: number;
  /** `terraform show -json` of a plan of the full stack (all toggles on), for the policy check. */
  fullPlan: PlanJson;
  /** The plan right after apply; its `prior_state` holds every applied policy document. */
  appliedPlan: PlanJson;
  /** Changes in the second plan after apply (expected: none). */
  secondPlanChanges: PlanChange[];
  /** Changes planned after a scale-out outside Terraform (expected: none, autoscaling owns it). */
  scaleOutChanges: PlanChange[];
  /** Changes planned after the service was retagged outside Terraform (expected: the service). */
  driftChanges: PlanChange[];
  driftExitCode: number;
  outputs: Record<string, { value: unknown }>;
}

/**
 * Applies a rendered stack against moto and proves it: a plan of the full stack for the policy
 * check, `apply`, a second plan with no real changes, a scale-out of the ECS service through the
 * ECS API that the next plan must leave alone, a tag changed through the ECS API that the next
 * plan must show (exit 2), and `destroy`.
 * Destroy runs even when a step before it fails.
 */
export async function checkOnMoto(
  renderedInfrastructureDir: string,
  motoEndpoint: string,
  options: {
    /**
     * Test-only variable values passed after the var file, e.g. the id of the hosted zone the
     * test created in moto (moto's ids do not start with Z like the rendered one).
     */
    vars?: Record<string, string>;
  } = {},
): Promise<MotoRunResult> {
  const extraVars = Object.entries(options.vars ?? {}).map(
    ([k, v]) => `-var=${k}=${v}`,
  );
  const dir = await prepareMotoCopy(renderedInfrastructureDir, motoEndpoint);
  const timings: Timings = {};
  await timed(timings, 'init', () =>
    runTerraform(dir, ['init', '-input=false', '-no-color'], {
      timeoutMs: 120_000,
    }),
  );
  const { plan: fullPlan } = await timed(timings, 'planFull', () =>
    planJson(dir, [...extraVars, ...FULL_STACK_VARS]),
  );
  await writeFile(
    join(dir, 'moto_lifecycle_override.tf'),
    MOTO_LIFECYCLE_OVERRIDE,
  );
  let applied = false;
  try {
    applied = true;
    await timed(timings, 'apply', () =>
      runTerraform(
        dir,
        [
          'apply',
          '-auto-approve',
          '-input=false',
          '-no-color',
          VAR_FILE,
          ...extraVars,
        ],
        { timeoutMs: 900_000 },
      ),
    );
    const state = await runTerraform(dir, ['state', 'list'], {
      timeoutMs: 60_000,
    });
    const resourceCount = state.stdout
      .split('\n')
      .filter(l => l.trim() && !l.startsWith('data.')).length;
    const outputs = JSON.parse(
      (await runTerraform(dir, ['output', '-json'], { timeoutMs: 60_000 }))
        .stdout,
    );

    const second = await timed(timings, 'planAfterApply', () =>
      planJson(dir, extraVars),
    );
    const secondPlanChanges = realChanges(second.plan);

    const region = String(fullPlan.variables?.aws_region?.value);
    const ref = {
      endpoint: motoEndpoint,
      region,
      cluster: String(outputs.ecs_cluster_name.value),
      service: String(outputs.ecs_service_name.value),
    };
    // A scale-out as Application Auto Scaling makes it: Terraform must leave the count alone.
    await timed(timings, 'scaleOut', () =>
      bumpDesiredCount(ref.endpoint, ref.region, ref.cluster, ref.service),
    );
    const afterScaleOut = await timed(timings, 'planAfterScaleOut', () =>
      planJson(dir, extraVars),
    );
    // Real drift: someone retags the service outside Terraform.
    await timed(timings, 'outOfBandChange', () =>
      retagService(ref, 'Owner', 'someone-else'),
    );
    const drift = await timed(timings, 'planAfterDrift', () =>
      planJson(dir, extraVars),
    );

    return {
      timings,
      resourceCount,
      fullPlan,
      appliedPlan: second.plan,
      secondPlanChanges,
      scaleOutChanges: realChanges(afterScaleOut.plan),
      driftChanges: realChanges(drift.plan),
      driftExitCode: drift.code,
      outputs,
    };
  } finally {
    if (applied) {
      await timed(timings, 'destroy', () =>
        runTerraform(
          dir,
          [
            'destroy',
            '-auto-approve',
            '-input=false',
            '-no-color',
            VAR_FILE,
            ...extraVars,
          ],
          { timeoutMs: 900_000 },
        ),
      );
    }
  }
}

/** Out-of-band change through the AWS API: one tag of the ECS service set to another value. */
export async function retagService(
  ref: { endpoint: string; region: string; cluster: string; service: string },
  key: string,
  value: string,
): Promise<void> {
  const ecs = new ECSClient({
    endpoint: ref.endpoint,
    region: ref.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
  try {
    const described = await ecs.send(
      new DescribeServicesCommand({
        cluster: ref.cluster,
        services: [ref.service],
      }),
    );
    const arn = described.services?.[0]?.serviceArn;
    if (!arn) {
      throw new Error(
        `ECS service ${ref.cluster}/${ref.service} not found in moto`,
      );
    }
    await ecs.send(
      new TagResourceCommand({ resourceArn: arn, tags: [{ key, value }] }),
    );
  } finally {
    ecs.destroy();
  }
}

/** Out-of-band change through the AWS API: desired count + 1 on the ECS service (a scale-out). */
export async function bumpDesiredCount(
  endpoint: string,
  region: string,
  cluster: string,
  service: string,
): Promise<number> {
  const ecs = new ECSClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
  try {
    const described = await ecs.send(
      new DescribeServicesCommand({ cluster, services: [service] }),
    );
    const current = described.services?.[0]?.desiredCount;
    if (current === undefined) {
      throw new Error(`ECS service ${cluster}/${service} not found in moto`);
    }
    await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service,
        desiredCount: current + 1,
      }),
    );
    return current + 1;
  } finally {
    ecs.destroy();
  }
}

/**
 * Creates a public hosted zone in moto (Route 53 REST API; moto does not check signatures) and
 * returns its id without the `/hostedzone/` prefix.
 */
export async function createMotoHostedZone(
  endpoint: string,
  name: string,
): Promise<string> {
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
  <Name>${name}</Name>
  <CallerReference>template-tests-${Date.now()}</CallerReference>
</CreateHostedZoneRequest>`;
  const res = await fetch(`${endpoint}/2013-04-01/hostedzone`, {
    method: 'POST',
    headers: {
      'content-type': 'application/xml',
      // moto routes by the service in the credential scope; it does not check the signature.
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=00',
    },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const id = /<Id>\/hostedzone\/([^<]+)<\/Id>/.exec(text)?.[1];
  if (!res.ok || !id) {
    throw new Error(`CreateHostedZone in moto failed (${res.status}): ${text}`);
  }
  return id;
}
