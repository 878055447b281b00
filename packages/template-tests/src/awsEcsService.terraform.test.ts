import {
  validateDriftReport,
  validatePlanSummary,
} from '@cicd-aws/plugin-delivery-common';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blueGreenWithDomain, rollingWithoutDomain } from './fixtures';
import { checkPlan } from './policy';
import { renderAwsEcsServiceSkeleton, stopScaffolder } from './render';
import { MotoServer, startMoto } from './support/moto';
import {
  checkOnMoto,
  checkStatic,
  createMotoHostedZone,
} from './terraform/checkStack';
import { npm } from './support/appNpm';
import { driftReportsOf, planSummaryOf } from './support/pipelinesScripts';

// Every `terraform plan` exit code and `terraform show -json` output of the checks, in order, so
// the drift step below feeds the generated drift script the very plans the checks looked at.
const mockTerraformRuns: Array<{ plan?: number; show?: string }> = [];
jest.mock('./support/terraform', () => {
  const actual = jest.requireActual('./support/terraform');
  return {
    ...actual,
    runTerraform: async (dir: string, args: string[], options?: unknown) => {
      const result = await actual.runTerraform(dir, args, options);
      if (args[0] === 'plan') mockTerraformRuns.push({ plan: result.code });
      if (args[0] === 'show' && args.includes('-json')) {
        mockTerraformRuns.push({ show: result.stdout });
      }
      return result;
    },
  };
});

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The statements of an applied role policy, from a plan's prior state. */
function appliedPolicy(plan: any, address: string): any[] {
  const resource = (
    plan.prior_state?.values?.root_module?.resources ?? []
  ).find((r: any) => r.address === address);
  if (!resource) throw new Error(`${address} is not in the applied state`);
  const statements = JSON.parse(resource.values.policy).Statement;
  return Array.isArray(statements) ? statements : [statements];
}

const asList = (v: unknown) => (Array.isArray(v) ? v : [v]);

/**
 * The role policies as AWS received them: what a first deploy on a real account needs and moto
 * never checks.
 */
function expectAppliedPolicies(plan: any, values: Record<string, unknown>) {
  const family = `${values.name}-${values.environment}`;
  const account = String(values.awsAccountId);
  const region = String(values.awsRegion);
  const [, partition, , stateRegion] = String(values.stateKmsKeyArn).split(':');

  // register-task-definition copies the family's tags; tagging at creation is ecs:TagResource.
  const deploy = appliedPolicy(plan, 'aws_iam_role_policy.deploy');
  const tagging = deploy.filter(s =>
    asList(s.Action).includes('ecs:TagResource'),
  );
  expect(tagging).toEqual([
    {
      Sid: 'TagNewTaskDefinitions',
      Effect: 'Allow',
      Action: 'ecs:TagResource',
      Resource: `arn:${partition}:ecs:${region}:${account}:task-definition/${family}:*`,
      Condition: {
        StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
      },
    },
  ]);
  const registering = deploy.find(s =>
    asList(s.Action).includes('ecs:RegisterTaskDefinition'),
  );
  expect(registering).toBeDefined();

  // The apply role keeps up with its own roles' descriptions.
  const apply = appliedPolicy(plan, 'aws_iam_role_policy.apply');
  expect(asList(apply.find(s => s.Sid === 'OwnRoles')?.Action)).toContain(
    'iam:UpdateRoleDescription',
  );

  // Both Terraform roles reach the state key itself, through S3 in the bucket's region.
  for (const address of [
    'aws_iam_role_policy.apply',
    'aws_iam_role_policy.plan_state',
  ]) {
    const key = appliedPolicy(plan, address).find(
      s => s.Sid === 'StateKeyViaS3',
    );
    expect({
      address,
      resource: key?.Resource,
      via: key?.Condition?.StringEquals,
    }).toEqual({
      address,
      resource: values.stateKmsKeyArn,
      via: { 'kms:ViaService': `s3.${stateRegion}.amazonaws.com` },
    });
  }
}

/**
 * Renders the aws-ecs-service skeleton through the real scaffolder and proves its Terraform:
 * fmt, validate and `terraform test` offline, then apply / clean second plan / drift / destroy
 * against moto. One apply at a time (the tests in this file run in sequence).
 */
describe('aws-ecs-service Terraform', () => {
  let moto: MotoServer;
  const fullPlans: Array<{ name: string; plan: unknown }> = [];

  beforeAll(async () => {
    moto = await startMoto();
  }, 90_000);

  afterAll(async () => {
    await moto?.stop();
    await stopScaffolder();
  }, 60_000);

  beforeEach(async () => {
    await moto.reset();
  });

  async function prove(
    values: Record<string, unknown>,
    vars: Record<string, string> = {},
  ) {
    mockTerraformRuns.length = 0;
    const rendered = await renderAwsEcsServiceSkeleton(values);
    const infrastructure = join(rendered, 'infrastructure');

    // The repository commits its provider lock file (the deploy's apply job needs it): init
    // finds it complete for the runners' platform and leaves it as it is.
    const lockFile = join(infrastructure, 'terraform', '.terraform.lock.hcl');
    const committedLock = await readFile(lockFile, 'utf8');
    expect(committedLock).toContain(
      'provider "registry.terraform.io/hashicorp/aws"',
    );
    const offline = await checkStatic(infrastructure);
    expect(offline.test.stdout).toMatch(/Success! \d+ passed, 0 failed/);
    expect(await readFile(lockFile, 'utf8')).toBe(committedLock);

    const result = await checkOnMoto(infrastructure, moto.endpoint, { vars });

    // A second plan right after apply has nothing to do.
    expect(result.secondPlanChanges).toEqual([]);
    // A scale-out (what autoscaling does) is not undone by the next apply.
    expect(result.scaleOutChanges).toEqual([]);
    // The tag changed outside Terraform shows up as an update of the service.
    expect(result.driftExitCode).toBe(2);
    expect(result.driftChanges).toEqual([
      expect.objectContaining({
        address: expect.stringMatching(
          /^aws_ecs_service\.(rolling|blue_green)\[0\]$/,
        ),
        actions: ['update'],
        changed: expect.arrayContaining(['tags_all']),
      }),
    ]);
    expectAppliedPolicies(result.appliedPlan, values);

    // The drift workflow's step over those plans (full, after apply, after the scale-out, after
    // the retag): its reports validate against the portal's schema (delivery-common), the one
    // after the scale-out is in sync (autoscaling is not drift), the retagged one names the
    // service and the tag.
    const plans = mockTerraformRuns.flatMap(r =>
      r.plan !== undefined ? [r.plan] : [],
    );
    const shows = mockTerraformRuns.flatMap(r =>
      r.show !== undefined ? [r.show] : [],
    );
    expect(plans).toEqual([
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
      2,
    ]);
    expect(shows).toHaveLength(4);
    const reports = await driftReportsOf(
      rendered,
      {
        inSync: { json: shows[2], exitCode: plans[2] },
        drifted: { json: shows[3], exitCode: plans[3] },
      },
      dir => npm(dir, ['ci'], 300_000),
    );
    expect(validateDriftReport(reports.drifted).errors).toEqual([]);
    expect(validateDriftReport(reports.inSync).errors).toEqual([]);
    expect(reports.inSync).toMatchObject({ status: 'in-sync', resources: [] });
    expect(reports.drifted).toMatchObject({
      status: 'drifted',
      terraform: { directory: 'infrastructure/terraform' },
      resources: [
        {
          address: expect.stringMatching(
            /^aws_ecs_service\.(rolling|blue_green)\[0\]$/,
          ),
          type: 'aws_ecs_service',
          actions: ['update'],
          // The drift card names the tag that changed, not just "tags".
          changedAttributes: ['tags.Owner', 'tags_all.Owner'],
          changedOutsideTerraform: true,
        },
      ],
    });

    // The deploy workflow's plan-summary over the same plans (the scripts are installed above):
    // what the portal's approval card shows validates against its schema, for the first deploy
    // (the full stack, all creates), an update, and a plan with nothing to apply.
    const scriptsDir = join(rendered, 'scripts');
    const summariesStarted = Date.now();
    const { summary: first } = await planSummaryOf(scriptsDir, shows[0]);
    const { summary: update } = await planSummaryOf(scriptsDir, shows[3]);
    const { summary: nothing } = await planSummaryOf(scriptsDir, shows[2]);
    const planSummariesMs = Date.now() - summariesStarted;
    for (const summary of [first, update, nothing]) {
      expect(validatePlanSummary(summary).errors).toEqual([]);
    }
    const managed = (
      result.fullPlan.resource_changes as Array<{ mode: string }>
    ).filter(r => r.mode === 'managed');
    expect(first.totals).toEqual({
      add: managed.length,
      change: 0,
      replace: 0,
      destroy: 0,
    });
    expect(first.resources).toEqual(
      expect.arrayContaining([
        {
          address: expect.stringMatching(
            /^aws_ecs_service\.(rolling|blue_green)\[0\]$/,
          ),
          type: 'aws_ecs_service',
          action: 'create',
          changedAttributes: [],
        },
      ]),
    );
    expect(first).toMatchObject({
      createdAt: JSON.parse(shows[0]).timestamp,
      terraform: {
        version: JSON.parse(shows[0]).terraform_version,
        directory: 'infrastructure/terraform',
      },
    });
    expect(update).toMatchObject({
      totals: { add: 0, change: 1, replace: 0, destroy: 0 },
      resources: [
        {
          address: reports.drifted.resources[0].address,
          action: 'update',
          changedAttributes: ['tags.Owner', 'tags_all.Owner'],
        },
      ],
    });
    expect(nothing).toMatchObject({
      totals: { add: 0, change: 0, replace: 0, destroy: 0 },
      resources: [],
    });

    expect(result.outputs.ecs_cluster_name.value).toBe(
      `${values.name}-${values.environment}`,
    );
    expect(result.outputs.ecs_service_name.value).toBe(values.name);
    // Per environment, as the ECR repository: a second environment in the account keeps its own.
    expect(result.outputs.task_definition_family.value).toBe(
      `${values.name}-${values.environment}`,
    );
    expect(result.outputs.ecr_repository_url.value).toMatch(
      new RegExp(`/${values.name}-${values.environment}$`),
    );

    // The full stack (all toggles on), kept for the policy check below.
    const planFile = join(tmpdir(), `aws-ecs-service-${values.name}-plan.json`);
    await writeFile(planFile, JSON.stringify(result.fullPlan));
    fullPlans.push({ name: String(values.name), plan: result.fullPlan });

    // eslint-disable-next-line no-console
    console.log(
      JSON.stringify(
        {
          name: values.name,
          resourceCount: result.resourceCount,
          timingsMs: { ...offline.timings, ...result.timings, planSummariesMs },
          planFile,
        },
        null,
        2,
      ),
    );
    return { result };
  }

  it('A: rolling, no domain, database', async () => {
    const { result } = await prove({ ...rollingWithoutDomain });
    expect(result.outputs.service_url.value).toMatch(/^http:\/\//);
    expect(
      result.fullPlan.resource_changes.some(
        (r: { address: string }) =>
          r.address === 'aws_codedeploy_deployment_group.this[0]',
      ),
    ).toBe(false);
  }, 900_000);

  it('B: blue-green, domain with hosted zone, database multi-AZ', async () => {
    const hostedZoneId = await createMotoHostedZone(
      moto.endpoint,
      blueGreenWithDomain.domainName,
    );
    // The form requires a Z... id; moto's ids differ, so the apply gets moto's zone as a -var.
    const { result } = await prove(blueGreenWithDomain, {
      hosted_zone_id: hostedZoneId,
    });
    expect(result.outputs.service_url.value).toBe(
      `https://${blueGreenWithDomain.name}.${blueGreenWithDomain.domainName}`,
    );
    const addresses = result.fullPlan.resource_changes.map(
      (r: { address: string }) => r.address,
    );
    expect(addresses).toEqual(
      expect.arrayContaining([
        'aws_codedeploy_app.this[0]',
        'aws_codedeploy_deployment_group.this[0]',
        'aws_lb_target_group.green[0]',
        'aws_lb_listener.test[0]',
        'aws_acm_certificate.this[0]',
      ]),
    );
  }, 900_000);

  it('full plans pass the IaC policy (accepted exceptions only)', () => {
    expect(fullPlans.length).toBeGreaterThan(0);
    for (const { name, plan } of fullPlans) {
      const findings = checkPlan(plan, { stack: 'aws-ecs-service' });
      expect({
        name,
        findings: findings.map(f => `${f.ruleId} ${f.address}`),
      }).toEqual({ name, findings: [] });
    }
  });
});
