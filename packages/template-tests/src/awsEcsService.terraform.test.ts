import { validateDriftReport } from '@cicd-aws/plugin-delivery-common';
import { writeFile } from 'node:fs/promises';
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
import { driftReportsOf } from './support/pipelinesScripts';

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

    const offline = await checkStatic(infrastructure);
    expect(offline.test.stdout).toMatch(/Success! \d+ passed, 0 failed/);

    const result = await checkOnMoto(infrastructure, moto.endpoint, { vars });

    // A second plan right after apply has nothing to do.
    expect(result.secondPlanChanges).toEqual([]);
    // The out-of-band desired-count change shows up as an update of the service.
    expect(result.driftExitCode).toBe(2);
    expect(result.driftChanges).toEqual([
      expect.objectContaining({
        address: expect.stringMatching(
          /^aws_ecs_service\.(rolling|blue_green)\[0\]$/,
        ),
        actions: ['update'],
      }),
    ]);

    // The drift workflow's step over those plans (full, after apply, after the change): its
    // reports validate against the portal's schema (delivery-common), the drifted one names the
    // service and the changed attribute, the one right after apply is in sync.
    const plans = mockTerraformRuns.flatMap(r =>
      r.plan !== undefined ? [r.plan] : [],
    );
    const shows = mockTerraformRuns.flatMap(r =>
      r.show !== undefined ? [r.show] : [],
    );
    expect(plans).toEqual([expect.any(Number), expect.any(Number), 2]);
    expect(shows).toHaveLength(3);
    const reports = await driftReportsOf(
      rendered,
      {
        inSync: { json: shows[1], exitCode: plans[1] },
        drifted: { json: shows[2], exitCode: plans[2] },
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
          changedAttributes: ['desired_count'],
          changedOutsideTerraform: true,
        },
      ],
    });

    expect(result.outputs.ecs_cluster_name.value).toBe(
      `${values.name}-${values.environment}`,
    );
    expect(result.outputs.ecs_service_name.value).toBe(values.name);
    expect(result.outputs.task_definition_family.value).toBe(values.name);

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
          timingsMs: { ...offline.timings, ...result.timings },
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
