import type { DriftReport } from './types';
import { validateDriftReport } from './validate';

const drifted: DriftReport = {
  schemaVersion: 1,
  checkedAt: '2026-11-25T06:00:00Z',
  commit: '3d3c42e5aac5ba805825da76410c181273ba90b1',
  status: 'drifted',
  run: {
    id: 123456,
    attempt: 1,
    url: 'https://github.com/acme/orders-api/actions/runs/123456',
    workflow: 'Drift',
  },
  terraform: { version: '1.11.4', directory: 'infrastructure/terraform' },
  resources: [
    {
      address: 'aws_ecs_service.rolling[0]',
      type: 'aws_ecs_service',
      name: 'rolling',
      actions: ['update'],
      changedAttributes: ['desired_count'],
      changedOutsideTerraform: true,
    },
    {
      address: 'module.net.aws_subnet.private[1]',
      type: 'aws_subnet',
      moduleAddress: 'module.net',
      actions: ['delete', 'create'],
      actionReason: 'replace_because_cannot_update',
      changedAttributes: ['cidr_block'],
    },
  ],
};

const inSync: DriftReport = {
  schemaVersion: 1,
  checkedAt: '2026-11-25T06:00:00.123+01:00',
  commit: '3d3c42e',
  status: 'in-sync',
  resources: [],
};

const failed: DriftReport = {
  schemaVersion: 1,
  checkedAt: '2026-11-25T06:00:00Z',
  commit: '3d3c42e5aac5ba805825da76410c181273ba90b1',
  status: 'error',
  error: { message: 'terraform plan exited 1: AccessDenied on s3:GetObject' },
  resources: [],
};

describe('validateDriftReport', () => {
  it.each([
    ['drifted', drifted],
    ['in-sync', inSync],
    ['error', failed],
  ])('accepts a valid %s report and returns it typed', (_, report) => {
    const result = validateDriftReport(JSON.parse(JSON.stringify(report)));
    expect(result).toEqual({ valid: true, report, errors: [] });
  });

  it.each<[string, unknown, string[]]>([
    [
      'a report without commit',
      { ...inSync, commit: undefined },
      ["/: must have required property 'commit'"],
    ],
    [
      'a commit that is not a SHA',
      { ...inSync, commit: 'main' },
      ['/commit: must match pattern "^[0-9a-f]{7,40}$"'],
    ],
    [
      'an unknown status',
      { ...inSync, status: 'unknown' },
      ['/status: must be equal to one of the allowed values'],
    ],
    [
      'a checkedAt that is not a date-time',
      { ...inSync, checkedAt: 'yesterday' },
      ['/checkedAt: must match format "date-time"'],
    ],
    [
      'another schema version',
      { ...inSync, schemaVersion: 2 },
      ['/schemaVersion: must be equal to constant'],
    ],
    [
      'an error report without a message',
      { ...failed, error: undefined },
      ["/: must have required property 'error'"],
    ],
    [
      'an in-sync report with an error',
      { ...inSync, error: { message: 'x' } },
      ['/: must NOT be valid'],
    ],
    [
      'a drifted report without resources',
      { ...drifted, resources: [] },
      ['/resources: must NOT have fewer than 1 items'],
    ],
    [
      'an in-sync report that names a resource',
      { ...inSync, resources: drifted.resources },
      ['/resources: must NOT have more than 0 items'],
    ],
    [
      'a resource without changed attributes and with an unknown action',
      {
        ...drifted,
        resources: [
          {
            address: 'aws_s3_bucket.a',
            type: 'aws_s3_bucket',
            actions: ['move'],
          },
        ],
      },
      [
        "/resources/0: must have required property 'changedAttributes'",
        '/resources/0/actions/0: must be equal to one of the allowed values',
      ],
    ],
    [
      'an attribute value smuggled into the report',
      {
        ...drifted,
        resources: [{ ...drifted.resources[0], before: { desired_count: 2 } }],
      },
      ['/resources/0: must NOT have additional properties'],
    ],
    ['something that is not an object', 'drifted', ['/: must be object']],
  ])('rejects %s', (_, value, errors) => {
    const result = validateDriftReport(JSON.parse(JSON.stringify(value)));
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(expect.arrayContaining(errors));
  });

  it('rejects more resources than a reader should have to process', () => {
    const many = Array.from({ length: 5001 }, (_, i) => ({
      address: `aws_s3_bucket.b${i}`,
      type: 'aws_s3_bucket',
      actions: ['update'],
      changedAttributes: ['tags'],
    }));
    const result = validateDriftReport({ ...drifted, resources: many });
    expect(result.errors).toContain(
      '/resources: must NOT have more than 5000 items',
    );
  });
});
