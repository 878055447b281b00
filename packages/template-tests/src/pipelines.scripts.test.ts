import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  validateDriftReport,
  validatePlanSummary,
} from '@cicd-aws/plugin-delivery-common';
import { LocalAws, startLocalAws } from '@internal/local-aws';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stopScaffolder } from './render';
import { npm } from './support/appNpm';
import { rendered } from './support/pipelines';
import {
  CliResult,
  REGION,
  SeededService,
  TEST_COMMIT,
  planSummaryOf,
  runCli,
  seedService,
} from './support/pipelinesScripts';

/**
 * The pipeline scripts of a generated repository (`scripts/`, TypeScript run by Node 24 itself),
 * installed with `npm ci` from their lockfile and run as the workflows run them, against the
 * local AWS (moto plus the layer that makes ECS deployments progress): deploy, rollback,
 * migration task, frontend upload, and the drift report checked against the portal's schema.
 */

jest.setTimeout(120_000);

const CLUSTER = 'orders-api-prod';
const SERVICE = 'orders-api';
// Short waits: the layer completes a rollout after one second.
const FAST = ['--poll-seconds', '0.2', '--timeout-seconds', '30'];

let aws: LocalAws;
let ecs: ECSClient;
let scriptsDir: string;
let seeded: SeededService;
const timings: Record<string, number> = {};

async function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(scriptsDir, args, { AWS_ENDPOINT_URL: aws.endpoint, ...env });
}

async function current() {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }),
  );
  return services![0];
}

/** Fails with the command's own output, so a failing step explains itself. */
function succeeded(result: CliResult): void {
  if (result.code !== 0) {
    throw new Error(
      `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
}

beforeAll(async () => {
  const started = Date.now();
  const repo = await rendered('rolling');
  scriptsDir = join(repo, 'scripts');
  timings.render = Date.now() - started;
  const installed = await npm(scriptsDir, ['ci'], 300_000);
  timings.npmCi = installed.durationMs;
  aws = await startLocalAws({ rolloutSeconds: 1 });
  ecs = new ECSClient({
    endpoint: aws.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  seeded = await seedService(ecs, aws.endpoint, {
    cluster: CLUSTER,
    service: SERVICE,
    otherFamily: 'payments-api',
  });
}, 400_000);

afterAll(async () => {
  ecs?.destroy();
  await aws?.stop();
  await stopScaffolder();
  // eslint-disable-next-line no-console
  console.log(JSON.stringify({ pipelineScriptsTimingsMs: timings }));
}, 60_000);

describe('the generated scripts package', () => {
  it('type-checks and passes its own tests (what the generated CI runs)', async () => {
    const started = Date.now();
    await npm(scriptsDir, ['run', 'typecheck'], 120_000);
    const tests = await npm(scriptsDir, ['test'], 120_000);
    timings.typecheckAndTests = Date.now() - started;
    // node:test prints a spec or TAP summary depending on the terminal.
    expect(tests.output).toMatch(/^(ℹ|#) fail 0$/m);
    expect(tests.output).toMatch(/^(ℹ|#) pass [1-9]\d*$/m);
  });

  it('names no registry host in its lockfile (npm ci uses whatever registry is configured)', async () => {
    const lock = await readFile(join(scriptsDir, 'package-lock.json'), 'utf8');
    expect(lock).not.toMatch(/"resolved"|https?:\/\//);
    expect(JSON.parse(lock).name).toBe(`${SERVICE}-pipeline-scripts`);
  });
});

describe('deploy and rollback against the local AWS', () => {
  it('deploy registers a new revision with the image and rolls the service onto it', async () => {
    const image = `123456789012.dkr.ecr.${REGION}.amazonaws.com/${SERVICE}:c0ffee1`;
    const started = Date.now();
    const result = await cli([
      'deploy',
      '--cluster',
      CLUSTER,
      '--service',
      SERVICE,
      '--image',
      image,
      ...FAST,
    ]);
    timings.deploy = Date.now() - started;
    succeeded(result);
    const arn = result.outputs.task_definition_arn;
    expect(arn).toMatch(/task-definition\/orders-api:4$/);
    expect(result.outputs.previous_task_definition_arn).toBe(
      seeded.revisions[2],
    );
    expect(result.result).toMatchObject({ state: 'COMPLETED', revision: 4 });

    const service = await current();
    expect(service.taskDefinition).toBe(arn);
    expect(service.deployments).toEqual([
      expect.objectContaining({
        status: 'PRIMARY',
        taskDefinition: arn,
        rolloutState: 'COMPLETED',
      }),
    ]);
    // A copy of the running revision: only the image differs.
    const { taskDefinition: registered, tags } = await ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: arn,
        include: ['TAGS'],
      }),
    );
    const container = registered!.containerDefinitions![0];
    expect(container.image).toBe(image);
    expect(container.environment).toEqual([{ name: 'PORT', value: '8080' }]);
    expect(container.logConfiguration?.options?.['awslogs-stream-prefix']).toBe(
      SERVICE,
    );
    expect(registered!.executionRoleArn).toContain(`${CLUSTER}-execution`);
    expect(tags).toEqual([{ key: 'Service', value: SERVICE }]);
  });

  it('rollback "previous" moves the service to the revision before the running one', async () => {
    const result = await cli([
      'rollback',
      '--cluster',
      CLUSTER,
      '--service',
      SERVICE,
      '--to',
      'previous',
      ...FAST,
    ]);
    succeeded(result);
    expect(result.outputs.task_definition_arn).toBe(seeded.revisions[2]);
    expect(result.outputs.from_task_definition_arn).toMatch(/orders-api:4$/);
    const service = await current();
    expect(service.taskDefinition).toBe(seeded.revisions[2]);
    expect(service.deployments?.[0].rolloutState).toBe('COMPLETED');
  });

  it('rollback to an explicit revision moves the service there', async () => {
    const result = await cli([
      'rollback',
      '--cluster',
      CLUSTER,
      '--service',
      SERVICE,
      '--to',
      '1',
      ...FAST,
    ]);
    succeeded(result);
    expect((await current()).taskDefinition).toBe(seeded.revisions[0]);
  });

  it('rollback refuses a revision of another family, says why, and leaves the service alone', async () => {
    const result = await cli([
      'rollback',
      '--cluster',
      CLUSTER,
      '--service',
      SERVICE,
      '--to',
      'payments-api:1',
      ...FAST,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: rollback: refusing to roll back to payments-api:1: it belongs to family "payments-api", but the service runs family "orders-api"',
    );
    expect((await current()).taskDefinition).toBe(seeded.revisions[0]);
  });

  it('a dry run only checks the target (the rollback workflow records the deployment first)', async () => {
    const result = await cli([
      'rollback',
      '--cluster',
      CLUSTER,
      '--service',
      SERVICE,
      '--to',
      'orders-api:3',
      '--dry-run',
    ]);
    succeeded(result);
    expect(result.outputs.task_definition_arn).toBe(seeded.revisions[2]);
    expect((await current()).taskDefinition).toBe(seeded.revisions[0]);
  });

  it.each([
    [
      'deploy',
      ['--cluster', 'no-such-cluster', '--service', SERVICE, '--image', 'x:1'],
      `error: deploy: ECS cluster "no-such-cluster" does not exist in ${REGION}; check the cluster name and AWS_REGION.`,
    ],
    [
      'deploy',
      ['--cluster', CLUSTER, '--service', 'no-such-service', '--image', 'x:1'],
      `error: deploy: ECS service "no-such-service" does not exist in cluster "${CLUSTER}" (${REGION}); check the service name.`,
    ],
    [
      'rollback',
      [
        '--cluster',
        'no-such-cluster',
        '--service',
        SERVICE,
        '--to',
        'previous',
      ],
      `error: rollback: ECS cluster "no-such-cluster" does not exist in ${REGION}`,
    ],
    [
      'rollback',
      [
        '--cluster',
        CLUSTER,
        '--service',
        'no-such-service',
        '--to',
        'previous',
      ],
      `error: rollback: ECS service "no-such-service" does not exist in cluster "${CLUSTER}"`,
    ],
    [
      'migrate',
      [
        '--cluster',
        'no-such-cluster',
        '--service',
        SERVICE,
        '--task-definition',
        'orders-api:1',
      ],
      `error: migrate: ECS cluster "no-such-cluster" does not exist in ${REGION}`,
    ],
    [
      'migrate',
      [
        '--cluster',
        CLUSTER,
        '--service',
        'no-such-service',
        '--task-definition',
        'orders-api:1',
      ],
      `error: migrate: ECS service "no-such-service" does not exist in cluster "${CLUSTER}"`,
    ],
  ])('%s fails with a clear message: %j', async (command, args, message) => {
    const result = await cli([command, ...args, ...FAST]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining(message),
    });
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('in GitHub Actions a failure is an error annotation on the run page', async () => {
    const result = await cli(
      [
        'rollback',
        '--cluster',
        'no-such-cluster',
        '--service',
        SERVICE,
        '--to',
        'previous',
      ],
      { GITHUB_ACTIONS: 'true' },
    );
    expect(result.stderr).toMatch(
      /^::error::rollback: ECS cluster "no-such-cluster"/,
    );
  });

  it('a failed rollout fails the deploy loudly after the service is back on its previous revision', async () => {
    const before = (await current()).taskDefinition;
    await aws.failNextRollout();
    const result = await cli([
      'deploy',
      '--cluster',
      CLUSTER,
      '--service',
      SERVICE,
      '--image',
      `123456789012.dkr.ecr.${REGION}.amazonaws.com/${SERVICE}:broken`,
      ...FAST,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /deployment of orders-api:5 to orders-api failed: ECS deployment circuit breaker: tasks failed to start\.\. Rolled back to orders-api:1: rollout COMPLETED/,
    );
    const service = await current();
    expect(service.taskDefinition).toBe(before);
    expect(service.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: before,
      rolloutState: 'COMPLETED',
    });
  });
});

describe('migration task against the local AWS', () => {
  it('runs the command as a one-off task of the new revision in the service network, and reports exit code 0', async () => {
    const started = Date.now();
    const result = await cli([
      'migrate',
      '--cluster',
      CLUSTER,
      '--service',
      SERVICE,
      '--task-definition',
      seeded.revisions[1],
      '--command',
      'npm run migrate',
      ...FAST,
    ]);
    timings.migrate = Date.now() - started;
    succeeded(result);
    expect(result.result).toMatchObject({ exitCode: 0 });
    const taskArn = result.outputs.task_arn;
    const { tasks } = await ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }),
    );
    expect(tasks![0]).toMatchObject({
      lastStatus: 'STOPPED',
      taskDefinitionArn: seeded.revisions[1],
      startedBy: 'pipeline-migrate',
      overrides: {
        containerOverrides: [
          { name: SERVICE, command: ['npm', 'run', 'migrate'] },
        ],
      },
    });
    expect(JSON.stringify(tasks![0].attachments)).toContain(seeded.subnet);
  });
});

describe('frontend upload against the local AWS', () => {
  it('uploads with Cache-Control per file and invalidates the files that keep their names', async () => {
    const dist = await mkdtemp(join(tmpdir(), 'dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(
      join(dist, 'index.html'),
      '<script src="/assets/index-BQ3x9kLm.js"></script>',
    );
    await writeFile(
      join(dist, 'assets', 'index-BQ3x9kLm.js'),
      'console.log(1)',
    );
    await writeFile(join(dist, 'favicon.svg'), '<svg/>');
    const s3 = new S3Client({
      endpoint: aws.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const bucket = 'orders-api-prod-frontend';
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: REGION },
      }),
    );
    const distributionId = await createDistribution(bucket);

    const result = await cli([
      'upload-frontend',
      '--bucket',
      bucket,
      '--dir',
      dist,
      '--distribution-id',
      distributionId,
      '--wait-seconds',
      '30',
      '--poll-seconds',
      '0.2',
    ]);
    succeeded(result);
    const head = async (key: string) => {
      const h = await s3.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key }),
      );
      return { cacheControl: h.CacheControl, contentType: h.ContentType };
    };
    expect(await head('index.html')).toEqual({
      cacheControl: 'no-cache',
      contentType: 'text/html; charset=utf-8',
    });
    expect(await head('assets/index-BQ3x9kLm.js')).toEqual({
      cacheControl: 'public, max-age=31536000, immutable',
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(await head('favicon.svg')).toEqual({
      cacheControl: 'no-cache',
      contentType: 'image/svg+xml',
    });
    expect(result.result).toEqual({
      uploaded: 3,
      invalidationId: expect.any(String),
      paths: ['/', '/favicon.svg', '/index.html'],
    });
    s3.destroy();
  });

  it('fails clearly when the bucket does not exist', async () => {
    const dist = await mkdtemp(join(tmpdir(), 'dist-'));
    await writeFile(join(dist, 'index.html'), '<p>x</p>');
    const result = await cli([
      'upload-frontend',
      '--bucket',
      'no-such-bucket',
      '--dir',
      dist,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'S3 bucket "no-such-bucket" does not exist',
    );
  });
});

describe('drift report (producer side of the portal contract)', () => {
  const commit = '0123456789abcdef0123456789abcdef01234567';

  async function report(
    planJson: unknown,
    exitCode: number,
    extra: string[] = [],
  ) {
    const dir = await mkdtemp(join(tmpdir(), 'drift-'));
    await writeFile(join(dir, 'plan.json'), JSON.stringify(planJson));
    const result = await cli([
      'drift-report',
      '--plan',
      join(dir, 'plan.json'),
      '--exit-code',
      String(exitCode),
      '--out',
      join(dir, 'drift-report.json'),
      '--commit',
      commit,
      ...extra,
    ]);
    succeeded(result);
    return {
      report: JSON.parse(
        await readFile(join(dir, 'drift-report.json'), 'utf8'),
      ),
      outputs: result.outputs,
    };
  }

  it('writes an error report that validates when terraform plan failed', async () => {
    const { report: written, outputs } = await report({}, 1);
    expect(validateDriftReport(written)).toMatchObject({ valid: true });
    expect(written).toMatchObject({ status: 'error', commit });
    expect(outputs.status).toBe('error');
  });

  it('writes an error report that validates when the role could not be assumed', async () => {
    const { report: written } = await report({}, 1, [
      '--error',
      'could not assume the read-only role in AWS_PLAN_ROLE_ARN',
    ]);
    expect(validateDriftReport(written)).toMatchObject({ valid: true });
    expect(written.error).toEqual({
      message: 'could not assume the read-only role in AWS_PLAN_ROLE_ARN',
    });
  });
  // Reports from real `terraform show -json` plans (drifted and in sync) are checked in
  // awsEcsService.terraform.test.ts, where the stack is applied to moto and changed out of band.
});

describe('plan summary (producer side of the portal contract)', () => {
  // The part of `terraform show -json tfplan` the summary reads, with a secret in it.
  const plan = {
    format_version: '1.2',
    terraform_version: '1.11.4',
    timestamp: '2026-11-25T05:59:12Z',
    resource_changes: [
      {
        address: 'aws_secretsmanager_secret_version.db',
        mode: 'managed',
        type: 'aws_secretsmanager_secret_version',
        name: 'db',
        change: {
          actions: ['update'],
          before: { secret_string: 'pw-before-7f3a', version_id: 'v1' },
          after: { secret_string: 'pw-after-9c1e', version_id: 'v1' },
          after_unknown: {},
          before_sensitive: { secret_string: true },
          after_sensitive: { secret_string: true },
        },
      },
      {
        address: 'aws_ecs_service.rolling[0]',
        mode: 'managed',
        type: 'aws_ecs_service',
        name: 'rolling',
        change: {
          actions: ['delete', 'create'],
          before: { name: 'orders-api', launch_type: 'FARGATE' },
          after: { name: 'orders-api', launch_type: 'EC2' },
          after_unknown: {},
        },
        action_reason: 'replace_because_cannot_update',
      },
    ],
  };
  const github = {
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.example.com',
    GITHUB_REPOSITORY: 'acme/orders-api',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_WORKFLOW: 'Deploy',
    // workflow_run's GITHUB_SHA is the default branch's head, not the commit deployed.
    GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff',
  };

  it('reads the plan from stdin and writes a summary that validates, with the run and the commit deployed', async () => {
    const { summary, cli: result } = await planSummaryOf(
      scriptsDir,
      JSON.stringify(plan),
      github,
    );
    expect(validatePlanSummary(summary).errors).toEqual([]);
    expect(summary).toEqual({
      schemaVersion: 1,
      createdAt: '2026-11-25T05:59:12Z',
      commit: TEST_COMMIT,
      run: {
        id: 4242,
        attempt: 2,
        url: 'https://github.example.com/acme/orders-api/actions/runs/4242',
        workflow: 'Deploy',
      },
      terraform: { version: '1.11.4', directory: 'infrastructure/terraform' },
      totals: { add: 0, change: 1, replace: 1, destroy: 0 },
      resources: [
        {
          address: 'aws_secretsmanager_secret_version.db',
          type: 'aws_secretsmanager_secret_version',
          action: 'update',
          changedAttributes: ['secret_string'],
        },
        {
          address: 'aws_ecs_service.rolling[0]',
          type: 'aws_ecs_service',
          action: 'replace',
          actionReason: 'replace_because_cannot_update',
          changedAttributes: ['launch_type'],
        },
      ],
    });
    expect(result.outputs).toEqual({
      add: '0',
      change: '1',
      replace: '1',
      destroy: '0',
    });
    // Neither the file nor anything the step prints carries the secret.
    const everything = JSON.stringify(summary) + result.stdout + result.stderr;
    expect(everything).not.toMatch(/pw-before|pw-after/);
  });

  it('fails the step in one line when what is piped in is not a plan', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plan-summary-'));
    const result = await runCli(
      scriptsDir,
      [
        'plan-summary',
        '--out',
        join(dir, 'plan-summary.json'),
        '--commit',
        TEST_COMMIT,
      ],
      { GITHUB_ACTIONS: 'true' },
      90_000,
      'Error: No configuration files',
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      '::error::plan-summary: the input is not JSON; pipe `terraform show -json tfplan` into this command or name the file with --plan',
    );
  });
  // Summaries of real `terraform show -json` plans are checked in awsEcsService.terraform.test.ts.
});

/**
 * A CloudFront distribution in moto, created with the generated package's own CloudFront client
 * (this repository does not depend on one). Returns its id.
 */
async function createDistribution(bucket: string): Promise<string> {
  const code = `
    import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
    const cf = new CloudFrontClient({ region: 'us-east-1' });
    const origin = 'web';
    const answer = await cf.send(new CreateDistributionCommand({ DistributionConfig: {
      CallerReference: 'template-tests', Comment: 'test', Enabled: true, DefaultRootObject: 'index.html',
      Origins: { Quantity: 1, Items: [{ Id: origin, DomainName: '${bucket}.s3.${REGION}.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } }] },
      DefaultCacheBehavior: { TargetOriginId: origin, ViewerProtocolPolicy: 'redirect-to-https',
        ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } }, MinTTL: 0,
        TrustedSigners: { Enabled: false, Quantity: 0 } },
    } }));
    process.stdout.write(answer.Distribution.Id);
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', code],
    {
      cwd: scriptsDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ENDPOINT_URL: aws.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
      timeout: 30_000,
    },
  );
  return stdout.trim();
}
