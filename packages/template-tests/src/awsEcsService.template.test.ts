/* eslint-disable @typescript-eslint/no-explicit-any */
import { access, readFile, readdir, writeFile } from 'node:fs/promises';
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
import { dryRunTemplate, repoRoot, stopScaffolder } from './render';
import { runTerraform } from './support/terraform';

afterAll(() => stopScaffolder());

/** template.yaml of the aws-ecs-service template, parsed. */
async function templateDocument() {
  return parse(
    await readFile(
      join(repoRoot, 'templates', 'aws-ecs-service', 'template.yaml'),
      'utf8',
    ),
  );
}

describe('aws-ecs-service template: form validation', () => {
  // Each case breaks one field; the scaffolder must refuse before any step runs and name that field.
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['an upper-case service name', { name: 'Orders_API' }, 'name'],
    [
      'a service name longer than AWS load balancer names allow',
      { name: 'a-very-long-service-name-x' },
      'name',
    ],
    // Names AWS refuses although they fit the length and characters (RDS: "--"; ALB: an
    // "internal-" prefix; S3: "xn--" and "sthree-" prefixes).
    [
      'a service name with two hyphens in a row',
      { name: 'orders--api' },
      'name',
    ],
    ['a service name starting internal-', { name: 'internal-api' }, 'name'],
    ['a service name starting xn--', { name: 'xn--orders' }, 'name'],
    ['a service name starting sthree-', { name: 'sthree-orders' }, 'name'],
    ['a service name starting sg-', { name: 'sg-orders' }, 'name'],
    // It names the database too, and RDS refuses PostgreSQL's reserved words there.
    ['a service name PostgreSQL reserves', { name: 'user' }, 'name'],
    [
      'a service name starting amzn-s3-demo-',
      { name: 'amzn-s3-demo-shop' },
      'name',
    ],
    ['an 11-digit account id', { awsAccountId: '12345678901' }, 'awsAccountId'],
    [
      'a state KMS key given by its alias',
      { stateKmsKeyArn: 'alias/acme-terraform-state' },
      'stateKmsKeyArn',
    ],
    ['no state KMS key', { stateKmsKeyArn: undefined }, 'stateKmsKeyArn'],
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
    // With a database the validator checks its settings on their own, so it names the field.
    [
      'backup retention beyond 35 days',
      { dbBackupRetentionDays: 36 },
      'dbBackupRetentionDays',
    ],
    [
      'database storage below 20 GiB',
      { dbAllocatedStorage: 10 },
      'dbAllocatedStorage',
    ],
    // The form fills in its default; a request without one is refused rather than guessed.
    [
      'a database without its instance class',
      { dbInstanceClass: undefined },
      'dbInstanceClass',
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
    expect(messages).toContain('github:repo:create');
    expect(messages).toContain('github:repo:push');
    expect(messages).toContain('github:environment:create');
    expect(messages).toContain(
      'arn:aws:iam::123456789012:role/checkout-web-live-deploy',
    );
    expect(messages).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
  }, 60_000);

  it('gives the owning team read access, which GitHub requires of an environment reviewer', async () => {
    const template = await templateDocument();
    const step = (id: string) =>
      template.spec.steps.find((s: { id: string }) => s.id === id).input;
    expect(step('reviewers').reviewers).toEqual(['${{ parameters.owner }}']);
    expect(step('create').collaborators).toEqual([
      { team: '${{ parameters.owner }}', access: 'pull' },
    ]);
  });

  it('creates the environment without the fields GitHub refuses on plans without required reviewers, and says in its output when they could not be added', async () => {
    const template = await templateDocument();
    const step = (id: string) =>
      template.spec.steps.find((s: { id: string }) => s.id === id).input;
    // On a private repository outside GitHub Enterprise GitHub answers 422 to any of these, and
    // github:environment:create would fail the task before the environment's variables exist.
    for (const field of ['reviewers', 'waitTimer', 'preventSelfReview']) {
      expect({ field, given: field in step('environment') }).toEqual({
        field,
        given: false,
      });
    }
    expect(step('reviewers')).toMatchObject({
      repoUrl: '${{ parameters.repoUrl }}',
      environment: step('environment').name,
    });
    expect(template.spec.output.text).toEqual([
      {
        title: 'Production deploys are not reviewed',
        if: "${{ not steps['reviewers'].output.requiredReviewers }}",
        content: "${{ steps['reviewers'].output.message }}",
      },
    ]);
    // A dry run sets no reviewers and has nothing to warn about: only the links.
    const result = await dryRunTemplate(
      'aws-ecs-service',
      rollingWithoutDomain,
    );
    expect(result.status).toBe(200);
    expect(result.output?.text ?? []).toEqual([]);
    const messages = (result.log ?? []).map(l => l.body.message).join('\n');
    expect(messages).toContain(
      'Dry run: the reviewers of production of github.com/acme/orders-api are not set (group:default/platform-team).',
    );
  }, 60_000);

  it('renders the Terraform after the repository exists, so the roles can trust its ids', async () => {
    const template = await templateDocument();
    const ids = template.spec.steps.map((s: { id: string; action: string }) => [
      s.id,
      s.action,
    ]);
    // publish:github in three steps: create, read the ids, render, push.
    expect(ids.slice(0, 7)).toEqual([
      ['preflight', 'delivery:github:preflight'],
      ['create', 'github:repo:create'],
      ['ids', 'delivery:github:repository-ids'],
      ['fetch', 'fetch:template'],
      ['publish', 'github:repo:push'],
      ['environment', 'github:environment:create'],
      ['reviewers', 'delivery:github:environment-reviewers'],
    ]);
    const values = template.spec.steps[3].input.values;
    expect(values.githubOwnerId).toBe("${{ steps['ids'].output.ownerId }}");
    expect(values.githubRepositoryId).toBe(
      "${{ steps['ids'].output.repositoryId }}",
    );
    // A dry run creates nothing: the ids are empty, and the stack trusts the names alone.
    const result = await dryRunTemplate(
      'aws-ecs-service',
      rollingWithoutDomain,
    );
    expect(result.status).toBe(200);
    const tfvars = await readFile(
      join(result.dir!, 'infrastructure', 'terraform', 'production.tfvars'),
      'utf8',
    );
    expect(tfvars).toContain('github_owner_id      = ""');
    expect(tfvars).toContain('github_repository_id = ""');
  }, 60_000);

  it("stores the state with the platform stack's KMS key, in the key's region (not the service's)", async () => {
    const result = await dryRunTemplate(
      'aws-ecs-service',
      rollingWithoutDomain,
    );
    expect(result.status).toBe(200);
    const stateTf = await readFile(
      join(result.dir!, 'infrastructure', 'terraform', 'state.tf'),
      'utf8',
    );
    expect(rollingWithoutDomain.awsRegion).toBe('eu-west-1');
    expect(stateTf).toMatch(/^\s+region\s+= "eu-central-1"$/m);
    expect(stateTf).toContain(
      `kms_key_id   = "${rollingWithoutDomain.stateKmsKeyArn}"`,
    );
    expect(stateTf).toMatch(/^\s+encrypt\s+= true$/m);
    const tfvars = await readFile(
      join(result.dir!, 'infrastructure', 'terraform', 'production.tfvars'),
      'utf8',
    );
    expect(tfvars).toContain(
      `state_kms_key_arn = "${rollingWithoutDomain.stateKmsKeyArn}"`,
    );
    expect(tfvars).toContain('github_host       = "github.com"');
  }, 60_000);

  it('says in the form what the budget alerts are, as costs.tf sets them', async () => {
    const template = await templateDocument();
    const costs = await readFile(
      join(
        repoRoot,
        'templates/aws-ecs-service/skeleton/infrastructure/terraform/costs.tf',
      ),
      'utf8',
    );
    const notifications = [
      ...costs.matchAll(
        /threshold\s+= (\d+)[\s\S]*?notification_type\s+= "(\w+)"/g,
      ),
    ].map(m => `${m[1]} ${m[2]}`);
    expect(notifications.sort()).toEqual(['100 FORECASTED', '80 ACTUAL']);
    const budget = template.spec.parameters
      .flatMap((p: any) => Object.entries(p.properties ?? {}))
      .find(([name]: [string]) => name === 'monthlyBudgetUsd')[1];
    expect(budget.description).toMatch(/actual spend passes 80 %/);
    expect(budget.description).toMatch(/forecast spend passes 100 %/);
  });

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

/** The form values without the database settings (databaseEnabled stays). */
const {
  dbInstanceClass: _dbInstanceClass,
  dbAllocatedStorage: _dbAllocatedStorage,
  dbMultiAz: _dbMultiAz,
  dbBackupRetentionDays: _dbBackupRetentionDays,
  ...withoutDatabaseSettings
} = rollingWithoutDomain;

/**
 * The rendered stack's input variables after production.tfvars, as real Terraform sees them,
 * offline. `terraform console` checks every variable against its validation rules before it
 * answers, so a value the stack refuses (which fails `terraform plan` before anything is created)
 * is reported in `errors`; console answers and exits 0 all the same. Console needs an initialised
 * backend, so a test-only override replaces the generated S3 backend (which needs AWS) by a local
 * one.
 */
async function terraformVariables(
  renderedDir: string,
  names: string[],
): Promise<{ variables: Record<string, unknown>; errors: string }> {
  const dir = join(renderedDir, 'infrastructure', 'terraform');
  // Also proves the conditional lines leave the file as `terraform fmt` writes it.
  await runTerraform(dir, ['fmt', '-check', '-no-color', 'production.tfvars'], {
    timeoutMs: 60_000,
  });
  await writeFile(
    join(dir, 'backend_override.tf'),
    '# Test-only: written by packages/template-tests, never part of a generated repository.\n' +
      'terraform {\n  backend "local" {}\n}\n',
  );
  await runTerraform(dir, ['init', '-input=false', '-no-color'], {
    timeoutMs: 120_000,
  });
  // Piped in, console prints only the last expression's value: ask for all of them in one.
  const { stdout, stderr } = await runTerraform(
    dir,
    ['console', '-var-file=production.tfvars', '-no-color'],
    {
      input: `jsonencode({ ${names
        .map(n => `${n} = var.${n}`)
        .join(', ')} })\n`,
      timeoutMs: 120_000,
    },
  );
  // The answer is a quoted string holding the JSON.
  const answer = stdout.trim();
  return {
    variables: answer ? JSON.parse(JSON.parse(answer)) : {},
    errors: stderr,
  };
}

describe('aws-ecs-service template: optional choices in production.tfvars', () => {
  it('renders no system into production.tfvars without one, so the stack takes its default', async () => {
    const { system: _system, ...withoutSystem } = rollingWithoutDomain;
    const result = await dryRunTemplate('aws-ecs-service', withoutSystem);
    expect(result.status).toBe(200);
    const tfvars = await readFile(
      join(result.dir!, 'infrastructure', 'terraform', 'production.tfvars'),
      'utf8',
    );
    expect(tfvars).not.toContain('system       = ""');
    expect(tfvars).not.toMatch(/^system\s*=/m);

    const { variables, errors } = await terraformVariables(result.dir!, [
      'system',
      'owner',
    ]);
    expect(errors).not.toMatch(/Error/);
    expect(variables).toEqual({
      system: 'unassigned',
      owner: 'group:default/platform-team',
    });
  }, 180_000);

  it('renders the chosen system and database settings into production.tfvars', async () => {
    const result = await dryRunTemplate('aws-ecs-service', {
      ...blueGreenWithDomain,
      dbInstanceClass: 'db.m7g.large',
      dbAllocatedStorage: 100,
    });
    expect(result.status).toBe(200);
    const tfvars = await readFile(
      join(result.dir!, 'infrastructure', 'terraform', 'production.tfvars'),
      'utf8',
    );
    expect(tfvars).toContain(
      [
        'owner        = "group:default/platform-team"',
        'system       = "system:default/cicd-aws"',
        'environment  = "live"',
      ].join('\n'),
    );
    expect(tfvars).toContain(
      [
        'database_enabled         = true',
        'db_instance_class        = "db.m7g.large"',
        'db_allocated_storage     = 100',
        'db_multi_az              = true',
        'db_backup_retention_days = 14',
      ].join('\n'),
    );
  }, 60_000);

  it('accepts a service without a database and none of its settings, and its stack validates', async () => {
    const result = await dryRunTemplate('aws-ecs-service', {
      ...withoutDatabaseSettings,
      databaseEnabled: false,
    });
    expect(result.status).toBe(200);
    const tfvars = await readFile(
      join(result.dir!, 'infrastructure', 'terraform', 'production.tfvars'),
      'utf8',
    );
    expect(tfvars).toMatch(/^database_enabled {9}= false$/m);

    const { variables, errors } = await terraformVariables(result.dir!, [
      'database_enabled',
      'db_instance_class',
      'db_allocated_storage',
      'db_multi_az',
      'db_backup_retention_days',
    ]);
    expect(errors).not.toMatch(/Error/);
    // The settings' defaults, the same in the form and in variables.tf.
    expect(variables).toEqual({
      database_enabled: false,
      db_instance_class: 'db.t4g.micro',
      db_allocated_storage: 20,
      db_multi_az: false,
      db_backup_retention_days: 7,
    });

    // The restore runbook, rendered also without a database, shows the same defaults.
    const runbook = await readFile(
      join(result.dir!, 'docs', 'operations', 'restore-database.md'),
      'utf8',
    );
    expect(runbook).toContain('--db-instance-class db.t4g.micro \\');
    expect(runbook).toContain('| 7 days (`db_backup_retention_days`)');
  }, 180_000);

  it('ignores database settings typed before the database was switched off', async () => {
    // The wizard keeps the values of fields it no longer shows and sends them along.
    const result = await dryRunTemplate('aws-ecs-service', {
      ...rollingWithoutDomain,
      databaseEnabled: false,
      dbInstanceClass: 'db.r7g.large',
      dbMultiAz: true,
      dbBackupRetentionDays: 36,
    });
    expect(result.status).toBe(200);
    const tfvars = await readFile(
      join(result.dir!, 'infrastructure', 'terraform', 'production.tfvars'),
      'utf8',
    );
    expect(tfvars).toContain(
      [
        'database_enabled         = false',
        'db_instance_class        = "db.t4g.micro"',
        'db_allocated_storage     = 20',
        'db_multi_az              = false',
        'db_backup_retention_days = 7',
      ].join('\n'),
    );
  }, 60_000);

  it('shows the database settings, each with its default, only with a database', async () => {
    // The wizard (react-jsonschema-form) shows a dependency's fields only while its oneOf branch
    // matches: the step itself holds nothing but the switch.
    interface Branch {
      properties: Record<string, { const?: unknown; default?: unknown }>;
      required?: string[];
    }
    const template = await templateDocument();
    const step = (
      template.spec.parameters as Array<{
        title: string;
        properties: Record<string, unknown>;
        required: string[];
        dependencies: { databaseEnabled: { oneOf: Branch[] } };
      }>
    ).find(p => p.title === 'Database')!;
    expect(Object.keys(step.properties)).toEqual(['databaseEnabled']);
    expect(step.required).toEqual(['databaseEnabled']);

    const branch = (enabled: boolean) =>
      step.dependencies.databaseEnabled.oneOf.find(
        b => b.properties.databaseEnabled.const === enabled,
      )!;
    expect(Object.keys(branch(false).properties)).toEqual(['databaseEnabled']);
    expect(branch(false).required ?? []).toEqual([]);

    const { databaseEnabled: _switch, ...settings } = branch(true).properties;
    expect(
      Object.fromEntries(
        Object.entries(settings).map(([key, field]) => [key, field.default]),
      ),
    ).toEqual({
      dbInstanceClass: 'db.t4g.micro',
      dbAllocatedStorage: 20,
      dbMultiAz: false,
      dbBackupRetentionDays: 7,
    });
    expect(branch(true).required).toEqual([
      'dbInstanceClass',
      'dbAllocatedStorage',
      'dbBackupRetentionDays',
    ]);
  });
});
