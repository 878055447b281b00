import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  ANNOTATION_DEPLOY_ENVIRONMENT,
  ANNOTATION_DRIFT_WORKFLOW,
  ANNOTATION_ECS_SERVICE_ARN,
  ANNOTATION_GITHUB_PROJECT_SLUG,
  ANNOTATION_ROLLBACK_WORKFLOW,
  ANNOTATION_TERRAFORM_DIR,
} from '@cicd-aws/plugin-delivery-common';
import { blueGreenWithDomain, rollingWithoutDomain } from './fixtures';
import { dryRunTemplate, stopScaffolder } from './render';

afterAll(() => stopScaffolder());

describe('aws-ecs-service template: form validation', () => {
  // Each case breaks one field; the scaffolder must refuse before any step runs and name that field.
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['an upper-case service name', { name: 'Orders_API' }, 'name'],
    [
      'a service name longer than AWS load balancer names allow',
      { name: 'a-very-long-service-name-x' },
      'name',
    ],
    ['an 11-digit account id', { awsAccountId: '12345678901' }, 'awsAccountId'],
    ['a public VPC range', { vpcCidr: '8.8.0.0/16' }, 'vpcCidr'],
    [
      'a VPC range too small for three subnet tiers',
      { vpcCidr: '10.0.0.0/24' },
      'vpcCidr',
    ],
    // The dependent memory list belongs to the CPU choice, so the validator names taskCpu.
    [
      'a CPU/memory pair Fargate does not run',
      { taskCpu: 256, taskMemory: 4096 },
      'taskCpu',
    ],
    [
      'backup retention beyond 35 days',
      { dbBackupRetentionDays: 36 },
      'dbBackupRetentionDays',
    ],
    [
      'a domain without its hosted zone',
      { domainName: 'api.example.com' },
      'hostedZoneId',
    ],
    [
      'an environment name with a hyphen',
      { environment: 'prod-eu' },
      'environment',
    ],
    ['a malformed alert e-mail', { alertEmail: 'not-an-email' }, 'alertEmail'],
  ];

  it.each(cases)(
    'rejects %s',
    async (_what, change, field) => {
      const result = await dryRunTemplate('aws-ecs-service', {
        ...rollingWithoutDomain,
        ...change,
      });
      expect(result.status).toBe(400);
      // Only what the wizard shows: the property path and the message (not the echoed values).
      const shown = (result.errors ?? []).map(
        e => `${e.property}: ${e.message}`,
      );
      expect(shown.join('\n')).toMatch(new RegExp(`\\b${field}\\b`));
      expect(result.dir).toBeUndefined();
    },
    60_000,
  );
});

describe('aws-ecs-service template: rendering', () => {
  it('stamps out a catalog entry with every annotation the delivery plugins read', async () => {
    const result = await dryRunTemplate(
      'aws-ecs-service',
      rollingWithoutDomain,
    );
    expect(result.status).toBe(200);
    const entity = parse(
      await readFile(join(result.dir!, 'catalog-info.yaml'), 'utf8'),
    );
    expect(entity.metadata.name).toBe('orders-api');
    expect(entity.spec.owner).toBe('group:default/platform-team');
    expect(entity.spec.system).toBe('system:default/cicd-aws');
    expect(entity.metadata.annotations).toEqual({
      [ANNOTATION_GITHUB_PROJECT_SLUG]: 'acme/orders-api',
      [ANNOTATION_ECS_SERVICE_ARN]:
        'arn:aws:ecs:eu-west-1:123456789012:service/orders-api-prod/orders-api',
      'backstage.io/techdocs-ref': 'dir:.',
      [ANNOTATION_DRIFT_WORKFLOW]: 'drift.yml',
      [ANNOTATION_ROLLBACK_WORKFLOW]: 'rollback.yml',
      [ANNOTATION_TERRAFORM_DIR]: 'infrastructure/terraform',
      [ANNOTATION_DEPLOY_ENVIRONMENT]: 'production',
    });
  }, 60_000);

  it('leaves the system out when none is chosen, and keeps a quoted description valid YAML', async () => {
    const { system: _system, ...withoutSystem } = blueGreenWithDomain;
    const result = await dryRunTemplate('aws-ecs-service', {
      ...withoutSystem,
      description: 'Checkout: "pages" and their API',
    });
    expect(result.status).toBe(200);
    const entity = parse(
      await readFile(join(result.dir!, 'catalog-info.yaml'), 'utf8'),
    );
    expect(entity.spec.system).toBeUndefined();
    expect(entity.metadata.description).toBe('Checkout: "pages" and their API');
  }, 60_000);

  it('creates the repository, a protected production environment with OIDC role variables, and registers it', async () => {
    const result = await dryRunTemplate('aws-ecs-service', blueGreenWithDomain);
    expect(result.status).toBe(200);
    const messages = (result.log ?? []).map(l => l.body.message).join('\n');
    // The dry run logs each skipped step with its input: these are what a real run sends to GitHub.
    expect(messages).toContain('publish:github');
    expect(messages).toContain('github:environment:create');
    expect(messages).toContain(
      'arn:aws:iam::123456789012:role/checkout-web-live-deploy',
    );
    expect(messages).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
  }, 60_000);
});
