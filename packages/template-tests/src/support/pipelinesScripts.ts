import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { childEnv } from './appNpm';

/* eslint-disable @typescript-eslint/no-explicit-any */

export const REGION = 'eu-west-1';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** What the command wrote to GITHUB_OUTPUT (the step outputs later workflow steps read). */
  outputs: Record<string, string>;
  /** The last stdout line parsed as JSON, when it is. */
  result?: any;
}

/** Parses a GITHUB_OUTPUT file (`name<<delimiter` blocks). */
export function parseGitHubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    outputs[m[1]] = value.join('\n');
  }
  return outputs;
}

/**
 * Runs `node src/cli.ts <args>` of a generated repository's scripts package, as a workflow step
 * does: a GITHUB_OUTPUT file, AWS_REGION, and here AWS_ENDPOINT_URL and dummy credentials for the
 * local AWS. `input` is piped to its stdin, as `terraform show -json tfplan | node ...` does.
 * Killed after `timeoutMs`.
 */
export async function runCli(
  scriptsDir: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 90_000,
  input?: string,
): Promise<CliResult> {
  const outputFile = join(await mkdtemp(join(tmpdir(), 'gh-output-')), 'out');
  const child = spawn(process.execPath, ['src/cli.ts', ...args], {
    cwd: scriptsDir,
    env: childEnv({
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      GITHUB_OUTPUT: outputFile,
      ...env,
    }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // A child that exits before reading all of its input closes the pipe; its exit code says why.
  child.stdin.on('error', () => undefined);
  child.stdin.end(input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code: number = await new Promise(resolve =>
    child.on('close', c => resolve(c ?? -1)),
  );
  clearTimeout(timer);
  const outputs = parseGitHubOutput(
    await readFile(outputFile, 'utf8').catch(() => ''),
  );
  let result;
  try {
    result = JSON.parse(stdout.trim().split('\n').pop() ?? '');
  } catch {
    result = undefined;
  }
  return { code, stdout, stderr, outputs, result };
}

/** An EC2 call through moto's Query API (no EC2 SDK in this repository; moto checks no signature). */
async function ec2(
  endpoint: string,
  params: Record<string, string>,
  idTag?: string,
): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const xml = await response.text();
  if (!response.ok) throw new Error(`EC2 ${params.Action} failed: ${xml}`);
  if (!idTag) return '';
  const id = new RegExp(`<${idTag}>([^<]+)</${idTag}>`).exec(xml)?.[1];
  if (!id) throw new Error(`EC2 ${params.Action} returned no ${idTag}: ${xml}`);
  return id;
}

export interface SeededService {
  cluster: string;
  service: string;
  family: string;
  otherFamily: string;
  subnet: string;
  securityGroup: string;
  /** ARNs of the family's revisions 1..n. */
  revisions: string[];
}

/**
 * What a generated repository's first apply leaves in AWS, as far as the pipeline scripts see
 * it: a cluster, a Fargate service with the circuit breaker on, three revisions of its family
 * (the service runs the newest) and one revision of another family.
 *
 * Two moto specifics, each needed only for RunTask (the migration): the VPC has DNS hostnames on
 * (otherwise RunTask with awsvpc fails with 500) and the container declares cpu and memory
 * (moto sums container memory; real Fargate takes the task-level values alone).
 */
export async function seedService(
  ecs: ECSClient,
  endpoint: string,
  names: { cluster: string; service: string; otherFamily: string },
): Promise<SeededService> {
  const vpc = await ec2(
    endpoint,
    { Action: 'CreateVpc', CidrBlock: '10.40.0.0/16' },
    'vpcId',
  );
  await ec2(endpoint, {
    Action: 'ModifyVpcAttribute',
    VpcId: vpc,
    'EnableDnsHostnames.Value': 'true',
  });
  const subnet = await ec2(
    endpoint,
    { Action: 'CreateSubnet', VpcId: vpc, CidrBlock: '10.40.1.0/24' },
    'subnetId',
  );
  const securityGroup = await ec2(
    endpoint,
    {
      Action: 'CreateSecurityGroup',
      VpcId: vpc,
      GroupName: `${names.service}-ecs`,
      GroupDescription: 'ECS tasks',
    },
    'groupId',
  );
  await ecs.send(new CreateClusterCommand({ clusterName: names.cluster }));
  const register = async (family: string, tag: string) => {
    const answer = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::123456789012:role/${names.cluster}-execution`,
        containerDefinitions: [
          {
            name: family,
            image: `123456789012.dkr.ecr.${REGION}.amazonaws.com/${family}:${tag}`,
            essential: true,
            cpu: 256,
            memory: 512,
            portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
            environment: [{ name: 'PORT', value: '8080' }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': `/ecs/${names.cluster}`,
                'awslogs-region': REGION,
                'awslogs-stream-prefix': family,
              },
            },
          },
        ],
        tags: [{ key: 'Service', value: names.service }],
      }),
    );
    return answer.taskDefinition!.taskDefinitionArn!;
  };
  const revisions = [];
  for (const tag of ['bootstrap', 'a1', 'b2']) {
    revisions.push(await register(names.service, tag));
  }
  await register(names.otherFamily, 'x1');
  await ecs.send(
    new CreateServiceCommand({
      cluster: names.cluster,
      serviceName: names.service,
      taskDefinition: revisions[2],
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [subnet],
          securityGroups: [securityGroup],
          assignPublicIp: 'DISABLED',
        },
      },
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
    }),
  );
  return {
    ...names,
    family: names.service,
    subnet,
    securityGroup,
    revisions,
  };
}

export interface DriftReports {
  /** The report of the plan after the out-of-band change. */
  drifted: any;
  /** The report of the plan right after apply. */
  inSync: any;
}

/**
 * Runs the generated repository's drift step (`drift-report`) over `terraform show -json`
 * outputs with their plans' exit codes, as drift.yml does, and returns the reports it wrote.
 */
export async function driftReportsOf(
  repoDir: string,
  plans: Record<keyof DriftReports, { json: string; exitCode: number }>,
  npmCi: (scriptsDir: string) => Promise<unknown>,
): Promise<DriftReports> {
  const scriptsDir = join(repoDir, 'scripts');
  await npmCi(scriptsDir);
  const work = await mkdtemp(join(tmpdir(), 'drift-step-'));
  const reports: Partial<DriftReports> = {};
  for (const [name, plan] of Object.entries(plans) as Array<
    [keyof DriftReports, { json: string; exitCode: number }]
  >) {
    const planFile = join(work, `${name}-plan.json`);
    const out = join(work, `${name}-drift-report.json`);
    await writeFile(planFile, plan.json);
    const result = await runCli(
      scriptsDir,
      [
        'drift-report',
        '--plan',
        planFile,
        '--exit-code',
        String(plan.exitCode),
        '--directory',
        'infrastructure/terraform',
        '--commit',
        '0123456789abcdef0123456789abcdef01234567',
        '--out',
        out,
      ],
      {},
    );
    if (result.code !== 0) {
      throw new Error(`drift-report failed: ${result.stderr}`);
    }
    reports[name] = JSON.parse(await readFile(out, 'utf8'));
  }
  return reports as DriftReports;
}

/** A fixed commit for the summaries and reports the tests write. */
export const TEST_COMMIT = '0123456789abcdef0123456789abcdef01234567';

/**
 * Runs the generated repository's `plan-summary` as deploy.yml does, `terraform show -json tfplan`
 * piped in, in an installed scripts package; returns the summary it wrote and the command's result.
 */
export async function planSummaryOf(
  scriptsDir: string,
  planJson: string,
  env: Record<string, string> = {},
): Promise<{ summary: any; cli: CliResult }> {
  const out = join(
    await mkdtemp(join(tmpdir(), 'plan-summary-')),
    'plan-summary.json',
  );
  const cli = await runCli(
    scriptsDir,
    [
      'plan-summary',
      '--out',
      out,
      '--directory',
      'infrastructure/terraform',
      '--commit',
      TEST_COMMIT,
    ],
    env,
    90_000,
    planJson,
  );
  if (cli.code !== 0) {
    throw new Error(`plan-summary failed (exit ${cli.code}): ${cli.stderr}`);
  }
  return { summary: JSON.parse(await readFile(out, 'utf8')), cli };
}
