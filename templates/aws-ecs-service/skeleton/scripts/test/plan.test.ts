import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSummary } from '../src/commands/planSummary.ts';
import { summaryFromPlan, totalsLine } from '../src/plan/summary.ts';

const context = { now: '2026-11-25T06:00:00.000Z', commit: '0123456789abcdef0123456789abcdef01234567' };

// Shaped like `terraform show -json tfplan` of Terraform 1.11 (format 1.2), trimmed to what matters.
const managed = (address: string, actions: string[], change: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  address,
  mode: 'managed',
  type: address.replace(/^module\.[^.]+\./, '').split('.')[0],
  name: address.split('.').pop()!.replace(/\[.*$/, ''),
  change: { actions, before: null, after: {}, after_unknown: {}, ...change },
  ...extra,
});

const service = managed('aws_ecs_service.rolling[0]', ['update'], {
  before: { desired_count: 3, tags: { Team: 'a' }, network_configuration: [{ assign_public_ip: false, subnets: ['s1'] }] },
  after: { desired_count: 2, tags: { Team: 'b' }, network_configuration: [{ assign_public_ip: false, subnets: ['s1'] }] },
});
const subnet = managed(
  'module.net.aws_subnet.private[1]',
  ['delete', 'create'],
  { before: { cidr_block: '10.0.1.0/24', id: 'subnet-1' }, after: { cidr_block: '10.0.9.0/24' }, after_unknown: { id: true } },
  { module_address: 'module.net', action_reason: 'replace_because_cannot_update' },
);
const certificate = managed('aws_acm_certificate.this[0]', ['create', 'delete'], {
  before: { domain_name: 'a.example.com' },
  after: { domain_name: 'b.example.com' },
});
const topic = managed('aws_sns_topic.alerts', ['create'], { after: { name: 'alerts' }, after_unknown: { arn: true } });
const bucket = managed('aws_s3_bucket.old', ['delete'], { before: { bucket: 'old' }, after: null }, { action_reason: 'delete_because_no_resource_config' });
const unchanged = managed('aws_ecr_repository.this', ['no-op'], { before: { name: 'x' }, after: { name: 'x' } });
const checkRead = {
  address: 'data.aws_ecs_service.this',
  mode: 'data',
  type: 'aws_ecs_service',
  name: 'this',
  action_reason: 'read_because_check_nested',
  change: { actions: ['read'], before: null, after: {}, after_unknown: {} },
};
const forgotten = managed('aws_s3_bucket.kept', ['forget'], { before: { bucket: 'kept' }, after: null });

describe('summaryFromPlan', () => {
  it('lists every resource apply changes, with one action each, and counts them', () => {
    const summary = summaryFromPlan(
      {
        format_version: '1.2',
        terraform_version: '1.11.4',
        timestamp: '2026-11-25T05:59:12Z',
        resource_changes: [checkRead, unchanged, service, subnet, certificate, topic, bucket, forgotten],
      },
      { ...context, directory: 'infrastructure/terraform' },
    );
    assert.deepEqual(summary, {
      schemaVersion: 1,
      createdAt: '2026-11-25T05:59:12Z',
      commit: context.commit,
      terraform: { version: '1.11.4', directory: 'infrastructure/terraform' },
      totals: { add: 1, change: 1, replace: 2, destroy: 1 },
      resources: [
        {
          address: 'aws_ecs_service.rolling[0]',
          type: 'aws_ecs_service',
          action: 'update',
          changedAttributes: ['desired_count', 'tags.Team'],
        },
        {
          address: 'module.net.aws_subnet.private[1]',
          type: 'aws_subnet',
          moduleAddress: 'module.net',
          action: 'replace',
          actionReason: 'replace_because_cannot_update',
          changedAttributes: ['cidr_block', 'id'],
        },
        { address: 'aws_acm_certificate.this[0]', type: 'aws_acm_certificate', action: 'replace', changedAttributes: ['domain_name'] },
        { address: 'aws_sns_topic.alerts', type: 'aws_sns_topic', action: 'create', changedAttributes: [] },
        {
          address: 'aws_s3_bucket.old',
          type: 'aws_s3_bucket',
          action: 'delete',
          actionReason: 'delete_because_no_resource_config',
          changedAttributes: [],
        },
      ],
    });
  });

  it('summarises a plan without changes as empty, with zero totals', () => {
    const summary = summaryFromPlan({ format_version: '1.2', resource_changes: [checkRead, unchanged] }, context);
    assert.deepEqual(summary.resources, []);
    assert.deepEqual(summary.totals, { add: 0, change: 0, replace: 0, destroy: 0 });
    assert.equal(totalsLine(summary.totals), 'no changes');
  });

  it('never copies a value into the summary, and names a sensitive attribute without looking inside it', () => {
    const secret = managed('aws_secretsmanager_secret_version.api', ['update'], {
      before: { secret_string: 'hunter2-old', version_stages: ['AWSCURRENT'] },
      after: { secret_string: 'hunter2-new', version_stages: ['AWSCURRENT'] },
      before_sensitive: { secret_string: true },
      after_sensitive: { secret_string: true },
    });
    // A sensitive map: its keys are data, so even they stay out.
    const parameters = managed('aws_ssm_parameter_bundle.db', ['update'], {
      before: { values: { 'hunter2-key': 'a' }, name: 'db' },
      after: { values: { 'hunter2-key': 'b', 'hunter2-other-key': 'c' }, name: 'db' },
      before_sensitive: { values: true },
      after_sensitive: { values: true },
    });
    const summary = summaryFromPlan({ format_version: '1.2', resource_changes: [secret, parameters, service] }, context);
    assert.deepEqual(
      summary.resources.map(r => [r.address, r.changedAttributes]),
      [
        ['aws_secretsmanager_secret_version.api', ['secret_string']],
        ['aws_ssm_parameter_bundle.db', ['values']],
        ['aws_ecs_service.rolling[0]', ['desired_count', 'tags.Team']],
      ],
    );
    const text = JSON.stringify(summary);
    for (const value of ['hunter2', '"a"', '"b"', 's1']) assert.ok(!text.includes(value), `summary contains ${value}`);
  });

  it('tells a deposed object from the current one at the same address', () => {
    const current = managed('aws_lb_target_group.blue', ['create']);
    const deposed = { ...managed('aws_lb_target_group.blue', ['delete'], { before: { name: 'blue' }, after: null }), deposed: '00c7b2a1' };
    const summary = summaryFromPlan({ format_version: '1.2', resource_changes: [current, deposed] }, context);
    assert.deepEqual(
      summary.resources.map(r => `${r.action} ${r.address}`),
      ['create aws_lb_target_group.blue', 'delete aws_lb_target_group.blue (deposed object 00c7b2a1)'],
    );
  });

  it('uses the time of the summary when the plan carries none (Terraform before 1.5)', () => {
    assert.equal(summaryFromPlan({ format_version: '1.0', resource_changes: [] }, context).createdAt, context.now);
    assert.equal(summaryFromPlan({ format_version: '1.2', timestamp: 'soon', resource_changes: [] }, context).createdAt, context.now);
  });

  it('carries the run that planned', () => {
    const run = { id: 42, attempt: 1, url: 'https://github.com/acme/orders-api/actions/runs/42', workflow: 'Deploy' };
    assert.deepEqual(summaryFromPlan({ format_version: '1.2', resource_changes: [] }, { ...context, run }).run, run);
  });

  it('refuses a change it cannot name rather than leave it out of what reviewers approve', () => {
    const odd = managed('aws_s3_bucket.a', ['update', 'delete']);
    assert.throws(() => summaryFromPlan({ format_version: '1.2', resource_changes: [odd] }, context), /actions \[update, delete\]/);
  });
});

describe('buildSummary', () => {
  it('refuses input that is not JSON, saying what to pipe in', () => {
    assert.throws(() => buildSummary('Error: Failed to load plugin schemas', context), /pipe `terraform show -json tfplan`/);
  });

  it('refuses JSON that is not a plan (the state, or terraform output -json)', () => {
    assert.throws(() => buildSummary(JSON.stringify({ version: 4, resources: [] }), context), /not the output of `terraform show -json <planfile>`/);
    assert.throws(() => buildSummary('null', context), /not the output of/);
  });
});
