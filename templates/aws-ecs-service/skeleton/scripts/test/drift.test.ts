import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildReport } from '../src/commands/driftReport.ts';
import { changedAttributes, reportFromPlan, reportMarkdown } from '../src/drift/report.ts';
import { runInfo } from '../src/lib/run.ts';

const context = { checkedAt: '2026-11-25T06:00:00.000Z', commit: '0123456789abcdef0123456789abcdef01234567' };

// Shaped like `terraform show -json` of Terraform 1.11 (format 1.2), trimmed to what matters.
const checkRead = {
  address: 'data.aws_ecs_service.this',
  mode: 'data',
  type: 'aws_ecs_service',
  name: 'this',
  action_reason: 'read_because_check_nested',
  change: { actions: ['read'], before: null, after: {}, after_unknown: {} },
};
const unchanged = {
  address: 'aws_s3_bucket.frontend',
  mode: 'managed',
  type: 'aws_s3_bucket',
  name: 'frontend',
  change: { actions: ['no-op'], before: { bucket: 'b' }, after: { bucket: 'b' }, after_unknown: {} },
};
const service = {
  address: 'aws_ecs_service.rolling[0]',
  mode: 'managed',
  type: 'aws_ecs_service',
  name: 'rolling',
  index: 0,
  change: {
    actions: ['update'],
    before: { desired_count: 3, tags: { Team: 'a' }, network_configuration: [{ assign_public_ip: false, subnets: ['s1'] }] },
    after: { desired_count: 2, tags: { Team: 'b' }, network_configuration: [{ assign_public_ip: false, subnets: ['s1'] }] },
    after_unknown: {},
  },
};
const secret = {
  address: 'aws_secretsmanager_secret_version.api',
  mode: 'managed',
  type: 'aws_secretsmanager_secret_version',
  name: 'api',
  change: {
    actions: ['update'],
    before: { secret_string: 'hunter2-old' },
    after: { secret_string: 'hunter2-new' },
    after_unknown: {},
    before_sensitive: { secret_string: true },
    after_sensitive: { secret_string: true },
  },
};

describe('reportFromPlan', () => {
  it('reports in-sync when only check-block data sources are read (the plan exits 2 for them)', () => {
    const report = reportFromPlan({ format_version: '1.2', resource_changes: [checkRead, unchanged] }, context);
    assert.equal(report.status, 'in-sync');
    assert.deepEqual(report.resources, []);
  });

  it('names each drifted resource with its actions and changed attribute paths', () => {
    const report = reportFromPlan(
      {
        format_version: '1.2',
        terraform_version: '1.11.4',
        resource_changes: [checkRead, unchanged, service],
        resource_drift: [
          {
            ...service,
            change: { actions: ['update'], before: { desired_count: 2, tags: null }, after: { desired_count: 3, tags: {} } },
          },
        ],
      },
      { ...context, directory: 'infrastructure/terraform' },
    );
    assert.equal(report.status, 'drifted');
    assert.deepEqual(report.terraform, { version: '1.11.4', directory: 'infrastructure/terraform' });
    assert.deepEqual(report.resources, [
      {
        address: 'aws_ecs_service.rolling[0]',
        type: 'aws_ecs_service',
        name: 'rolling',
        actions: ['update'],
        changedAttributes: ['desired_count', 'tags.Team'],
        changedOutsideTerraform: true,
      },
    ]);
  });

  it('does not call a change "outside Terraform" when the refresh only saw other attributes move', () => {
    const report = reportFromPlan(
      {
        format_version: '1.2',
        resource_changes: [service],
        resource_drift: [{ ...service, change: { actions: ['update'], before: { arn: 'x' }, after: { arn: 'y' } } }],
      },
      context,
    );
    assert.equal(report.resources[0].changedOutsideTerraform, undefined);
  });

  it('reports a resource deleted outside Terraform as to be created, changed outside', () => {
    const bucket = { ...unchanged, change: { actions: ['create'], before: null, after: { bucket: 'b' }, after_unknown: { arn: true } } };
    const report = reportFromPlan(
      {
        format_version: '1.2',
        resource_changes: [bucket],
        resource_drift: [{ ...unchanged, change: { actions: ['delete'], before: { bucket: 'b' }, after: null } }],
      },
      context,
    );
    assert.deepEqual(report.resources[0].actions, ['create']);
    assert.deepEqual(report.resources[0].changedAttributes, []);
    assert.equal(report.resources[0].changedOutsideTerraform, true);
  });

  it('keeps replacements and their reason', () => {
    const replaced = {
      ...service,
      action_reason: 'replace_because_cannot_update',
      change: { ...service.change, actions: ['delete', 'create'] },
    };
    const report = reportFromPlan({ format_version: '1.2', resource_changes: [replaced] }, context);
    assert.deepEqual(report.resources[0].actions, ['delete', 'create']);
    assert.equal(report.resources[0].actionReason, 'replace_because_cannot_update');
  });

  it('never copies attribute values, secret or not, into the report', () => {
    const report = reportFromPlan({ format_version: '1.2', resource_changes: [secret, service] }, context);
    const text = JSON.stringify(report) + reportMarkdown(report);
    assert.ok(report.resources.some(r => r.changedAttributes.includes('secret_string')));
    for (const value of ['hunter2', '"a"', '"b"', 's1']) assert.ok(!text.includes(value), `report contains ${value}`);
  });
});

describe('changedAttributes', () => {
  it('marks values known only after apply as changed', () => {
    assert.deepEqual(changedAttributes({ arn: 'a', name: 'n' }, { arn: null, name: 'n' }, { arn: true }), ['arn']);
  });

  it('treats null, {} and [] as the same absent value', () => {
    assert.deepEqual(changedAttributes({ tags: null, list: [] }, { tags: {}, list: null }, {}), []);
  });

  it('stops at a readable depth instead of listing every leaf of a nested document', () => {
    const before = { a: { b: { c: { d: 1 } } } };
    const after = { a: { b: { c: { d: 2 } } } };
    assert.deepEqual(changedAttributes(before, after, {}), ['a.b.c']);
  });
});

describe('buildReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drift-'));

  it('is an error report when terraform plan failed', () => {
    const report = buildReport({ exitCode: 1, context });
    assert.equal(report.status, 'error');
    assert.match(report.error?.message ?? '', /exit code 1/);
  });

  it('is an error report when the plan file is missing or not JSON', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, 'Error: Failed to load plugin schemas');
    assert.match(buildReport({ planFile: broken, exitCode: 2, context }).error?.message ?? '', /cannot read the plan JSON/);
    assert.equal(buildReport({ planFile: join(dir, 'none.json'), exitCode: 0, context }).status, 'error');
  });

  it('is an error report for JSON that is not a plan', () => {
    const other = join(dir, 'state.json');
    writeFileSync(other, JSON.stringify({ version: 4, resources: [] }));
    assert.equal(buildReport({ planFile: other, exitCode: 0, context }).status, 'error');
  });

  it('carries the message given with --error', () => {
    const report = buildReport({ exitCode: 0, error: 'terraform init failed', context });
    assert.deepEqual(report.error, { message: 'terraform init failed' });
  });
});

describe('runInfo', () => {
  it('links the GitHub Actions run', () => {
    assert.deepEqual(
      runInfo({
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/orders-api',
        GITHUB_RUN_ID: '42',
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_WORKFLOW: 'Drift',
      }),
      { id: 42, attempt: 2, url: 'https://github.com/acme/orders-api/actions/runs/42', workflow: 'Drift' },
    );
    assert.equal(runInfo({}), undefined);
  });
});
