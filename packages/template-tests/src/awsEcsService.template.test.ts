import { access, readFile, readdir } from 'node:fs/promises';
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

  it.each([
    ['rolling without a domain', rollingWithoutDomain],
    ['blue/green with a domain', blueGreenWithDomain],
    ['without a database', { ...rollingWithoutDomain, databaseEnabled: false }],
  ])(
    'renders the README and a TechDocs site whose nav pages all exist (%s)',
    async (_what, values) => {
      const result = await dryRunTemplate('aws-ecs-service', values);
      expect(result.status).toBe(200);
      const dir = result.dir!;

      const mkdocs = parse(await readFile(join(dir, 'mkdocs.yml'), 'utf8'));
      expect(mkdocs.site_name).toBe(values.name);
      expect(mkdocs.plugins).toContain('techdocs-core');
      // nav: a list of { title: page } or { title: [ ...nested ] }.
      const pages: string[] = [];
      const collect = (items: unknown[]) => {
        for (const item of items) {
          for (const target of Object.values(item as Record<string, unknown>)) {
            if (Array.isArray(target)) collect(target);
            else pages.push(String(target));
          }
        }
      };
      collect(mkdocs.nav);
      expect(pages).toEqual(
        expect.arrayContaining([
          'index.md',
          'operations/deploy.md',
          'operations/rollback.md',
          'operations/restore-database.md',
          'operations/rotate-secrets.md',
          'operations/drift.md',
          'api.md',
          'troubleshooting.md',
        ]),
      );
      for (const page of pages) {
        await expect(access(join(dir, 'docs', page))).resolves.toBeUndefined();
      }

      const readme = await readFile(join(dir, 'README.md'), 'utf8');
      expect(readme).toMatch(new RegExp(`^# ${values.name}\\n`));
      expect(readme).toContain(values.description);

      const docs = (await readdir(join(dir, 'docs'), { recursive: true }))
        .filter(f => f.endsWith('.md'))
        .map(f => join('docs', f));
      expect(docs.sort()).toEqual(pages.map(p => join('docs', p)).sort());
      for (const file of ['README.md', 'mkdocs.yml', ...docs]) {
        const text = await readFile(join(dir, file), 'utf8');
        // Nothing left for Nunjucks: no value placeholders, raw blocks or other tags.
        expect({
          file,
          unrendered: text.match(
            /\$\{\{\s*values\.|\{%-?\s*(end)?raw|\{%|%\}/g,
          ),
        }).toEqual({
          file,
          unrendered: null,
        });
        expect(text).toContain(values.name);
      }
      // Pages describe the service as generated: no item routes without a database.
      const api = await readFile(join(dir, 'docs', 'api.md'), 'utf8');
      expect(api.includes('/api/items')).toBe(values.databaseEnabled);
    },
    60_000,
  );
});
