import type { PlanSummary } from './types';
import { validatePlanSummary } from './validate';

const changes: PlanSummary = {
  schemaVersion: 1,
  createdAt: '2026-11-25T06:00:00Z',
  commit: '3d3c42e5aac5ba805825da76410c181273ba90b1',
  run: {
    id: 123456,
    attempt: 2,
    url: 'https://github.com/acme/orders-api/actions/runs/123456',
    workflow: 'Deploy',
  },
  terraform: { version: '1.11.4', directory: 'infrastructure/terraform' },
  totals: { add: 1, change: 1, replace: 1, destroy: 1 },
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
      changedAttributes: ['cidr_block'],
    },
    {
      address: 'aws_sns_topic.alerts',
      type: 'aws_sns_topic',
      action: 'create',
      changedAttributes: [],
    },
    {
      address: 'aws_s3_bucket.old',
      type: 'aws_s3_bucket',
      action: 'delete',
      actionReason: 'delete_because_no_resource_config',
      changedAttributes: [],
    },
  ],
};

const noChanges: PlanSummary = {
  schemaVersion: 1,
  createdAt: '2026-11-25T06:00:00.123+01:00',
  commit: '3d3c42e',
  totals: { add: 0, change: 0, replace: 0, destroy: 0 },
  resources: [],
};

describe('validatePlanSummary', () => {
  it.each([
    ['with every kind of change', changes],
    ['of a plan with no changes', noChanges],
  ])('accepts a summary %s and returns it typed', (_, summary) => {
    const result = validatePlanSummary(JSON.parse(JSON.stringify(summary)));
    expect(result).toEqual({ valid: true, summary, errors: [] });
  });

  it.each<[string, unknown, string[]]>([
    [
      'a summary without commit',
      { ...noChanges, commit: undefined },
      ["/: must have required property 'commit'"],
    ],
    [
      'a commit that is not a SHA',
      { ...noChanges, commit: 'main' },
      ['/commit: must match pattern "^[0-9a-f]{7,40}$"'],
    ],
    [
      'a createdAt that is not a date-time',
      { ...noChanges, createdAt: 'yesterday' },
      ['/createdAt: must match format "date-time"'],
    ],
    [
      'another schema version',
      { ...noChanges, schemaVersion: 2 },
      ['/schemaVersion: must be equal to constant'],
    ],
    [
      'a summary without totals',
      { ...noChanges, totals: undefined },
      ["/: must have required property 'totals'"],
    ],
    [
      'totals with a missing count and a negative one',
      { ...noChanges, totals: { add: 0, change: -1, replace: 0 } },
      [
        "/totals: must have required property 'destroy'",
        '/totals/change: must be >= 0',
      ],
    ],
    [
      "Terraform's own action list instead of one action",
      {
        ...changes,
        resources: [{ ...changes.resources[1], action: ['delete', 'create'] }],
      },
      ['/resources/0/action: must be string'],
    ],
    [
      'an action the summary does not know',
      {
        ...changes,
        resources: [{ ...changes.resources[0], action: 'no-op' }],
      },
      ['/resources/0/action: must be equal to one of the allowed values'],
    ],
    [
      'a resource without changed attributes',
      {
        ...changes,
        resources: [
          {
            address: 'aws_s3_bucket.a',
            type: 'aws_s3_bucket',
            action: 'update',
          },
        ],
      },
      ["/resources/0: must have required property 'changedAttributes'"],
    ],
    [
      'an attribute value smuggled into the summary',
      {
        ...changes,
        resources: [{ ...changes.resources[0], after: { desired_count: 2 } }],
      },
      ['/resources/0: must NOT have additional properties'],
    ],
    [
      'the same attribute named twice',
      {
        ...changes,
        resources: [
          {
            ...changes.resources[0],
            changedAttributes: ['desired_count', 'desired_count'],
          },
        ],
      },
      [
        '/resources/0/changedAttributes: must NOT have duplicate items (items ## 1 and 0 are identical)',
      ],
    ],
    [
      'a run without its link',
      { ...noChanges, run: { id: 1 } },
      ["/run: must have required property 'url'"],
    ],
    ['something that is not an object', 'changes', ['/: must be object']],
  ])('rejects %s', (_, value, errors) => {
    const result = validatePlanSummary(JSON.parse(JSON.stringify(value)));
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(expect.arrayContaining(errors));
  });

  it('rejects totals that disagree with the listed resources, naming both numbers', () => {
    const result = validatePlanSummary({
      ...changes,
      totals: { add: 3, change: 1, replace: 0, destroy: 1 },
    });
    expect(result).toEqual({
      valid: false,
      errors: [
        '/totals/add: says 3 but the resources have 1 with action "create"',
        '/totals/replace: says 0 but the resources have 1 with action "replace"',
      ],
    });
  });

  it('rejects a resource listed twice (its change would count twice)', () => {
    const result = validatePlanSummary({
      ...changes,
      totals: { ...changes.totals, change: 2 },
      resources: [...changes.resources, changes.resources[0]],
    });
    expect(result.errors).toEqual([
      '/resources/4/address: aws_ecs_service.rolling[0] is listed more than once',
    ]);
  });

  it('rejects more resources than a reader should have to process', () => {
    const many = Array.from({ length: 5001 }, (_, i) => ({
      address: `aws_s3_bucket.b${i}`,
      type: 'aws_s3_bucket',
      action: 'update',
      changedAttributes: ['tags'],
    }));
    const result = validatePlanSummary({
      ...changes,
      totals: { add: 0, change: 5001, replace: 0, destroy: 0 },
      resources: many,
    });
    expect(result.errors).toEqual(
      expect.arrayContaining([
        '/resources: must NOT have more than 5000 items',
        '/totals/change: must be <= 5000',
      ]),
    );
  });
});
