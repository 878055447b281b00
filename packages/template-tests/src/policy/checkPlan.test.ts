import { checkPlan } from './checkPlan';
import { EXCEPTIONS } from './exceptions';
import { RULES } from './rules';

interface Res {
  type: string;
  name: string;
  values: Record<string, unknown>;
  mode?: 'managed' | 'data';
  index?: number | string;
  /** after_unknown for the resource */
  unknown?: Record<string, unknown>;
  /** attribute -> references in the configuration, e.g. { bucket: ['aws_s3_bucket.b.id', 'aws_s3_bucket.b'] } */
  refs?: Record<string, string[]>;
}

/** A minimal `terraform show -json` document holding the given resources in the root module. */
function plan(...resources: Res[]) {
  const managed = resources.filter(r => (r.mode ?? 'managed') === 'managed');
  const data = resources.filter(r => r.mode === 'data');
  const address = (r: Res) =>
    `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}${
      r.index === undefined ? '' : `[${JSON.stringify(r.index)}]`
    }`;
  const toValue = (r: Res) => ({
    address: address(r),
    mode: r.mode ?? 'managed',
    type: r.type,
    name: r.name,
    index: r.index,
    values: r.values,
  });
  return {
    format_version: '1.2',
    planned_values: { root_module: { resources: managed.map(toValue) } },
    prior_state: { values: { root_module: { resources: data.map(toValue) } } },
    resource_changes: managed.map(r => ({
      address: address(r),
      type: r.type,
      change: {
        actions: ['create'],
        after: r.values,
        after_unknown: r.unknown ?? {},
      },
    })),
    configuration: {
      root_module: {
        resources: resources.map(r => ({
          address: `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`,
          type: r.type,
          name: r.name,
          expressions: Object.fromEntries(
            Object.entries(r.refs ?? {}).map(([k, v]) => [
              k,
              { references: v },
            ]),
          ),
        })),
      },
    },
  };
}

const ruleIds = (p: unknown, stack?: 'platform' | 'aws-ecs-service') =>
  checkPlan(p, { stack }).map(f => f.ruleId);

// -------------------------------------------------------------------------------------------------
// Building blocks
// -------------------------------------------------------------------------------------------------

/** Companions reference the bucket only through configuration (its id is unknown at plan). */
const bucketRef = (name: string) => ({
  bucket: [`aws_s3_bucket.${name}.id`, `aws_s3_bucket.${name}`],
});

function hardenedBucket(name = 'state'): Res[] {
  return [
    { type: 'aws_s3_bucket', name, values: { bucket: `acme-${name}` } },
    {
      type: 'aws_s3_bucket_public_access_block',
      name,
      values: {
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
      unknown: { bucket: true },
      refs: bucketRef(name),
    },
    {
      type: 'aws_s3_bucket_versioning',
      name,
      values: { versioning_configuration: [{ status: 'Enabled' }] },
      unknown: { bucket: true },
      refs: bucketRef(name),
    },
    {
      type: 'aws_s3_bucket_server_side_encryption_configuration',
      name,
      values: {
        rule: [
          {
            apply_server_side_encryption_by_default: [
              { sse_algorithm: 'aws:kms' },
            ],
          },
        ],
      },
      unknown: {
        bucket: true,
        rule: [
          {
            apply_server_side_encryption_by_default: [
              { kms_master_key_id: true },
            ],
          },
        ],
      },
      refs: bucketRef(name),
    },
    {
      type: 'aws_s3_bucket_logging',
      name,
      values: { target_bucket: 'acme-logs', target_prefix: 'x/' },
      unknown: { bucket: true },
      refs: bucketRef(name),
    },
  ];
}

function without(resources: Res[], type: string): Res[] {
  return resources.filter(r => r.type !== type);
}

function withValues(
  resources: Res[],
  type: string,
  values: Record<string, unknown>,
): Res[] {
  return resources.map(r =>
    r.type === type ? { ...r, values: { ...r.values, ...values } } : r,
  );
}

const policy = (statement: object | object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statement });

const sg = (values: Record<string, unknown>): Res => ({
  type: 'aws_security_group',
  name: 'web',
  values: { description: 'Web tasks', ingress: [], egress: [], ...values },
});

const githubTrust = (condition?: object) =>
  policy({
    Effect: 'Allow',
    Principal: {
      Federated:
        'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition ? { Condition: condition } : {}),
  });

// -------------------------------------------------------------------------------------------------
// What a user notices
// -------------------------------------------------------------------------------------------------

describe('checkPlan on S3 buckets', () => {
  it('passes a versioned, KMS-encrypted, logged bucket with all four public access blocks', () => {
    expect(checkPlan(plan(...hardenedBucket()))).toEqual([]);
  });

  it('flags a public bucket', () => {
    const findings = checkPlan(
      plan(
        ...withValues(hardenedBucket(), 'aws_s3_bucket_public_access_block', {
          block_public_acls: false,
          block_public_policy: false,
          ignore_public_acls: false,
          restrict_public_buckets: false,
        }),
        {
          type: 'aws_s3_bucket_acl',
          name: 'state',
          values: { acl: 'public-read' },
          refs: bucketRef('state'),
        },
      ),
    );
    expect(findings.map(f => f.ruleId).sort()).toEqual([
      'AWS-0086',
      'AWS-0087',
      'AWS-0091',
      'AWS-0092',
      'AWS-0093',
    ]);
    expect(findings[0].address).toBe('aws_s3_bucket_public_access_block.state');
  });

  it('flags a bucket with no companion resources at all', () => {
    expect(
      ruleIds(
        plan({
          type: 'aws_s3_bucket',
          name: 'bare',
          values: { bucket: 'acme-bare' },
        }),
      ).sort(),
    ).toEqual([
      'AWS-0086',
      'AWS-0087',
      'AWS-0088',
      'AWS-0089',
      'AWS-0090',
      'AWS-0091',
      'AWS-0093',
      'AWS-0094',
    ]);
  });

  it('matches companions to their own bucket, not to a neighbour', () => {
    const ids = checkPlan(
      plan(...hardenedBucket('a'), {
        type: 'aws_s3_bucket',
        name: 'b',
        values: { bucket: 'acme-b' },
      }),
    );
    expect(new Set(ids.map(f => f.address))).toEqual(
      new Set(['aws_s3_bucket.b']),
    );
  });

  it('matches companions by a known bucket name as well as by reference', () => {
    const resources = hardenedBucket().map(r =>
      r.type === 'aws_s3_bucket'
        ? r
        : { ...r, refs: {}, values: { ...r.values, bucket: 'acme-state' } },
    );
    expect(checkPlan(plan(...resources))).toEqual([]);
  });

  it('flags SSE-S3 as missing a customer-managed key but not as unencrypted', () => {
    const ids = ruleIds(
      plan(
        ...withValues(
          hardenedBucket(),
          'aws_s3_bucket_server_side_encryption_configuration',
          {
            rule: [
              {
                apply_server_side_encryption_by_default: [
                  { sse_algorithm: 'AES256' },
                ],
              },
            ],
          },
        ).map(r =>
          r.type === 'aws_s3_bucket_server_side_encryption_configuration'
            ? { ...r, unknown: { bucket: true } }
            : r,
        ),
      ),
    );
    expect(ids).toEqual(['AWS-0132']);
  });

  it('flags a bucket name with dots', () => {
    expect(
      ruleIds(
        plan(
          ...withValues(hardenedBucket(), 'aws_s3_bucket', {
            bucket: 'acme.state',
          }),
        ),
      ),
    ).toEqual(['AWS-0320']);
  });

  it('flags suspended versioning', () => {
    expect(
      ruleIds(
        plan(
          ...withValues(hardenedBucket(), 'aws_s3_bucket_versioning', {
            versioning_configuration: [{ status: 'Suspended' }],
          }),
        ),
      ),
    ).toEqual(['AWS-0090']);
  });
});

// -------------------------------------------------------------------------------------------------
// Every rule fires on a bad resource and stays quiet on a good one
// -------------------------------------------------------------------------------------------------

const cases: Array<[ruleId: string, bad: Res[], good: Res[]]> = [
  [
    'AWS-0094',
    without(hardenedBucket(), 'aws_s3_bucket_public_access_block'),
    hardenedBucket(),
  ],
  [
    'AWS-0088',
    without(
      hardenedBucket(),
      'aws_s3_bucket_server_side_encryption_configuration',
    ),
    hardenedBucket(),
  ],
  [
    'AWS-0089',
    without(hardenedBucket(), 'aws_s3_bucket_logging'),
    hardenedBucket(),
  ],
  [
    'AWS-0090',
    without(hardenedBucket(), 'aws_s3_bucket_versioning'),
    hardenedBucket(),
  ],
  [
    'AWS-0092',
    withValues(hardenedBucket(), 'aws_s3_bucket', { acl: 'public-read-write' }),
    withValues(hardenedBucket(), 'aws_s3_bucket', { acl: 'private' }),
  ],
  [
    'AWS-0010',
    [
      {
        type: 'aws_cloudfront_distribution',
        name: 'cdn',
        values: { logging_config: [] },
      },
    ],
    [
      {
        type: 'aws_cloudfront_distribution',
        name: 'cdn',
        values: { logging_config: [{ bucket: 'logs.s3.amazonaws.com' }] },
      },
    ],
  ],
  [
    'AWS-0011',
    [
      {
        type: 'aws_cloudfront_distribution',
        name: 'cdn',
        values: { web_acl_id: null },
      },
    ],
    [
      {
        type: 'aws_cloudfront_distribution',
        name: 'cdn',
        values: {},
        unknown: { web_acl_id: true },
      },
    ],
  ],
  [
    'AWS-0012',
    [
      {
        type: 'aws_cloudfront_distribution',
        name: 'cdn',
        values: {
          default_cache_behavior: [{ viewer_protocol_policy: 'allow-all' }],
        },
      },
    ],
    [
      {
        type: 'aws_cloudfront_distribution',
        name: 'cdn',
        values: {
          default_cache_behavior: [
            { viewer_protocol_policy: 'redirect-to-https' },
          ],
        },
      },
    ],
  ],
  [
    'AWS-0013',
    [
      {
        type: 'aws_cloudfront_distribution',
        name: 'cdn',
        values: { viewer_certificate: [{ minimum_protocol_version: 'TLSv1' }] },
      },
    ],
    [
      {
        type: 'aws_cloudfront_distribution',
        name: 'cdn',
        values: {
          viewer_certificate: [{ minimum_protocol_version: 'TLSv1.2_2021' }],
        },
      },
    ],
  ],
  [
    'AWS-0053',
    [
      {
        type: 'aws_lb',
        name: 'web',
        values: { internal: false, load_balancer_type: 'application' },
      },
    ],
    [
      {
        type: 'aws_lb',
        name: 'web',
        values: { internal: true, load_balancer_type: 'application' },
      },
    ],
  ],
  [
    'AWS-0052',
    [
      {
        type: 'aws_lb',
        name: 'web',
        values: { internal: true, drop_invalid_header_fields: false },
      },
    ],
    [
      {
        type: 'aws_lb',
        name: 'web',
        values: { internal: true, drop_invalid_header_fields: true },
      },
    ],
  ],
  [
    'AWS-0054',
    [
      {
        type: 'aws_lb_listener',
        name: 'http',
        values: { protocol: 'HTTP', default_action: [{ type: 'forward' }] },
      },
    ],
    [
      {
        type: 'aws_lb_listener',
        name: 'http',
        values: { protocol: 'HTTP', default_action: [{ type: 'redirect' }] },
      },
    ],
  ],
  [
    'AWS-0047',
    [
      {
        type: 'aws_lb_listener',
        name: 'https',
        values: { protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-2016-08' },
      },
    ],
    [
      {
        type: 'aws_lb_listener',
        name: 'https',
        values: {
          protocol: 'HTTPS',
          ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        },
      },
    ],
  ],
  [
    'AWS-0036',
    [
      {
        type: 'aws_ecs_task_definition',
        name: 'app',
        values: {
          container_definitions: JSON.stringify([
            {
              name: 'app',
              environment: [{ name: 'DB_PASSWORD', value: 'hunter2' }],
            },
          ]),
        },
      },
    ],
    [
      {
        type: 'aws_ecs_task_definition',
        name: 'app',
        values: {
          container_definitions: JSON.stringify([
            {
              name: 'app',
              environment: [{ name: 'PORT', value: '8080' }],
              secrets: [
                {
                  name: 'DB_PASSWORD',
                  valueFrom: 'arn:aws:secretsmanager:eu-west-1:1:secret:db',
                },
              ],
            },
          ]),
        },
      },
    ],
  ],
  [
    'AWS-0035',
    [
      {
        type: 'aws_ecs_task_definition',
        name: 'app',
        values: {
          volume: [
            {
              name: 'data',
              efs_volume_configuration: [{ transit_encryption: 'DISABLED' }],
            },
          ],
        },
      },
    ],
    [
      {
        type: 'aws_ecs_task_definition',
        name: 'app',
        values: {
          volume: [
            {
              name: 'data',
              efs_volume_configuration: [{ transit_encryption: 'ENABLED' }],
            },
          ],
        },
      },
    ],
  ],
  [
    'AWS-0034',
    [{ type: 'aws_ecs_cluster', name: 'c', values: { setting: [] } }],
    [
      {
        type: 'aws_ecs_cluster',
        name: 'c',
        values: { setting: [{ name: 'containerInsights', value: 'enabled' }] },
      },
    ],
  ],
  [
    'AWS-0030',
    [
      {
        type: 'aws_ecr_repository',
        name: 'r',
        values: { image_scanning_configuration: [{ scan_on_push: false }] },
      },
    ],
    [
      {
        type: 'aws_ecr_repository',
        name: 'r',
        values: { image_scanning_configuration: [{ scan_on_push: true }] },
      },
    ],
  ],
  [
    'AWS-0031',
    [
      {
        type: 'aws_ecr_repository',
        name: 'r',
        values: { image_tag_mutability: 'MUTABLE' },
      },
    ],
    [
      {
        type: 'aws_ecr_repository',
        name: 'r',
        values: { image_tag_mutability: 'IMMUTABLE' },
      },
    ],
  ],
  [
    'AWS-0033',
    [
      {
        type: 'aws_ecr_repository',
        name: 'r',
        values: { encryption_configuration: [{ encryption_type: 'AES256' }] },
      },
    ],
    [
      {
        type: 'aws_ecr_repository',
        name: 'r',
        values: { encryption_configuration: [{ encryption_type: 'KMS' }] },
        unknown: { encryption_configuration: [{ kms_key: true }] },
      },
    ],
  ],
  [
    'AWS-0017',
    [
      {
        type: 'aws_cloudwatch_log_group',
        name: 'l',
        values: { kms_key_id: null },
      },
    ],
    [
      {
        type: 'aws_cloudwatch_log_group',
        name: 'l',
        values: {},
        unknown: { kms_key_id: true },
      },
    ],
  ],
  [
    'AWS-0057',
    [
      {
        type: 'aws_iam_policy',
        name: 'p',
        values: {
          policy: policy({
            Effect: 'Allow',
            Action: 'ecs:*',
            Resource: 'arn:aws:ecs:*:1:service/x',
          }),
        },
      },
    ],
    [
      {
        type: 'aws_iam_policy',
        name: 'p',
        values: {
          policy: policy([
            {
              Effect: 'Allow',
              Action: 'ecs:UpdateService',
              Resource: 'arn:aws:ecs:eu-west-1:1:service/c/x',
            },
            {
              Effect: 'Allow',
              Action: 'ecr:GetAuthorizationToken',
              Resource: '*',
            },
          ]),
        },
      },
    ],
  ],
  [
    'AWS-0345',
    [
      {
        type: 'aws_iam_role_policy_attachment',
        name: 'a',
        values: { policy_arn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' },
      },
    ],
    [
      {
        type: 'aws_iam_role_policy_attachment',
        name: 'a',
        values: {
          policy_arn:
            'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
        },
      },
    ],
  ],
  [
    'AWS-0342',
    [
      {
        type: 'aws_iam_role_policy',
        name: 'deploy',
        values: {
          policy: policy({
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: '*',
          }),
        },
      },
    ],
    [
      {
        type: 'aws_iam_role_policy',
        name: 'deploy',
        values: {
          policy: policy({
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: 'arn:aws:iam::123456789012:role/web-task',
            Condition: {
              StringEquals: {
                'iam:PassedToService': 'ecs-tasks.amazonaws.com',
              },
            },
          }),
        },
      },
    ],
  ],
  [
    'CKV_AWS_358',
    [
      {
        type: 'aws_iam_role',
        name: 'deploy',
        values: {
          assume_role_policy: githubTrust({
            StringLike: {
              'token.actions.githubusercontent.com:sub': 'repo:acme/*',
            },
          }),
        },
      },
    ],
    [
      {
        type: 'aws_iam_role',
        name: 'deploy',
        values: {
          assume_role_policy: githubTrust({
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub':
                'repo:acme/web:environment:production',
            },
          }),
        },
      },
    ],
  ],
  [
    'AWS-0099',
    [sg({ description: 'Managed by Terraform' })],
    [sg({ description: 'Web tasks' })],
  ],
  [
    'AWS-0124',
    [
      sg({
        ingress: [
          {
            protocol: 'tcp',
            from_port: 8080,
            to_port: 8080,
            security_groups: ['sg-1'],
          },
        ],
      }),
    ],
    [
      sg({
        ingress: [
          {
            protocol: 'tcp',
            from_port: 8080,
            to_port: 8080,
            security_groups: ['sg-1'],
            description: 'From ALB',
          },
        ],
      }),
    ],
  ],
  [
    'AWS-0107',
    [
      {
        type: 'aws_vpc_security_group_ingress_rule',
        name: 'ssh',
        values: {
          cidr_ipv4: '0.0.0.0/0',
          ip_protocol: 'tcp',
          from_port: 22,
          to_port: 22,
          description: 'SSH',
        },
      },
    ],
    [
      {
        type: 'aws_vpc_security_group_ingress_rule',
        name: 'https',
        values: {
          cidr_ipv4: '0.0.0.0/0',
          ip_protocol: 'tcp',
          from_port: 443,
          to_port: 443,
          description: 'HTTPS',
        },
      },
    ],
  ],
  [
    'AWS-0104',
    [
      {
        type: 'aws_vpc_security_group_egress_rule',
        name: 'all',
        values: {
          cidr_ipv4: '0.0.0.0/0',
          ip_protocol: '-1',
          description: 'All',
        },
      },
    ],
    [
      {
        type: 'aws_vpc_security_group_egress_rule',
        name: 'db',
        values: {
          cidr_ipv4: '10.0.0.0/16',
          ip_protocol: 'tcp',
          from_port: 5432,
          to_port: 5432,
          description: 'DB',
        },
      },
    ],
  ],
  [
    'AWS-0173',
    [
      {
        type: 'aws_default_security_group',
        name: 'd',
        values: { ingress: [{ protocol: '-1', self: true }], egress: [] },
      },
    ],
    [
      {
        type: 'aws_default_security_group',
        name: 'd',
        values: { ingress: [], egress: [] },
      },
    ],
  ],
  [
    'AWS-0102',
    [
      {
        type: 'aws_network_acl_rule',
        name: 'n',
        values: {
          protocol: '-1',
          rule_action: 'allow',
          cidr_block: '10.0.0.0/8',
          egress: false,
        },
      },
    ],
    [
      {
        type: 'aws_network_acl_rule',
        name: 'n',
        values: {
          protocol: 'tcp',
          rule_action: 'allow',
          cidr_block: '10.0.0.0/8',
          egress: false,
        },
      },
    ],
  ],
  [
    'AWS-0105',
    [
      {
        type: 'aws_network_acl_rule',
        name: 'n',
        values: {
          protocol: 'tcp',
          rule_action: 'allow',
          cidr_block: '0.0.0.0/0',
          egress: false,
        },
      },
    ],
    [
      {
        type: 'aws_network_acl_rule',
        name: 'n',
        values: {
          protocol: 'tcp',
          rule_action: 'allow',
          cidr_block: '0.0.0.0/0',
          egress: true,
        },
      },
    ],
  ],
  [
    'AWS-0164',
    [
      {
        type: 'aws_subnet',
        name: 's',
        values: { map_public_ip_on_launch: true },
      },
    ],
    [
      {
        type: 'aws_subnet',
        name: 's',
        values: { map_public_ip_on_launch: false },
      },
    ],
  ],
  [
    'AWS-0009',
    [
      {
        type: 'aws_instance',
        name: 'i',
        values: { associate_public_ip_address: true },
      },
    ],
    [
      {
        type: 'aws_instance',
        name: 'i',
        values: { associate_public_ip_address: false },
      },
    ],
  ],
  [
    'AWS-0178',
    [{ type: 'aws_vpc', name: 'main', values: { cidr_block: '10.0.0.0/16' } }],
    [
      { type: 'aws_vpc', name: 'main', values: { cidr_block: '10.0.0.0/16' } },
      {
        type: 'aws_flow_log',
        name: 'main',
        values: {},
        unknown: { vpc_id: true },
        refs: { vpc_id: ['aws_vpc.main.id', 'aws_vpc.main'] },
      },
    ],
  ],
  [
    'AWS-0065',
    [
      {
        type: 'aws_kms_key',
        name: 'k',
        values: { enable_key_rotation: false },
      },
    ],
    [
      { type: 'aws_kms_key', name: 'k', values: { enable_key_rotation: true } },
      {
        type: 'aws_kms_key',
        name: 'sign',
        values: {
          key_usage: 'SIGN_VERIFY',
          customer_master_key_spec: 'ECC_NIST_P256',
        },
      },
    ],
  ],
  [
    'AWS-0023',
    [
      {
        type: 'aws_dax_cluster',
        name: 'd',
        values: { server_side_encryption: [] },
      },
    ],
    [
      {
        type: 'aws_dax_cluster',
        name: 'd',
        values: { server_side_encryption: [{ enabled: true }] },
      },
    ],
  ],
  [
    'AWS-0024',
    [
      {
        type: 'aws_dynamodb_table',
        name: 't',
        values: { point_in_time_recovery: [{ enabled: false }] },
      },
    ],
    [
      {
        type: 'aws_dynamodb_table',
        name: 't',
        values: {
          point_in_time_recovery: [{ enabled: true }],
          server_side_encryption: [{ enabled: true }],
        },
        unknown: { server_side_encryption: [{ kms_key_arn: true }] },
      },
    ],
  ],
  [
    'AWS-0025',
    [
      {
        type: 'aws_dynamodb_table',
        name: 't',
        values: {
          point_in_time_recovery: [{ enabled: true }],
          server_side_encryption: [],
        },
      },
    ],
    [
      {
        type: 'aws_dynamodb_table',
        name: 't',
        values: {
          point_in_time_recovery: [{ enabled: true }],
          server_side_encryption: [
            { enabled: true, kms_key_arn: 'arn:aws:kms:eu-west-1:1:key/k' },
          ],
        },
      },
    ],
  ],
  [
    'AWS-0098',
    [
      {
        type: 'aws_secretsmanager_secret',
        name: 's',
        values: { kms_key_id: null },
      },
    ],
    [
      {
        type: 'aws_secretsmanager_secret',
        name: 's',
        values: {},
        unknown: { kms_key_id: true },
      },
    ],
  ],
  [
    'AWS-0077',
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { backup_retention_period: 0 },
      },
    ],
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { backup_retention_period: 7 },
      },
    ],
  ],
  [
    'AWS-0080',
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { storage_encrypted: false },
      },
    ],
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { storage_encrypted: true },
      },
    ],
  ],
  [
    'AWS-0079',
    [
      {
        type: 'aws_rds_cluster',
        name: 'c',
        values: { storage_encrypted: false },
      },
    ],
    [
      {
        type: 'aws_rds_cluster',
        name: 'c',
        values: { storage_encrypted: true },
      },
    ],
  ],
  [
    'AWS-0180',
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { publicly_accessible: true },
      },
    ],
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { publicly_accessible: false },
      },
    ],
  ],
  [
    'AWS-0133',
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { performance_insights_enabled: false },
      },
    ],
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { performance_insights_enabled: true },
        unknown: { performance_insights_kms_key_id: true },
      },
    ],
  ],
  [
    'AWS-0078',
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: {
          performance_insights_enabled: true,
          performance_insights_kms_key_id: '',
        },
      },
    ],
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { performance_insights_enabled: true },
        unknown: { performance_insights_kms_key_id: true },
      },
    ],
  ],
  [
    'AWS-0176',
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { iam_database_authentication_enabled: false },
      },
    ],
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { iam_database_authentication_enabled: true },
      },
    ],
  ],
  [
    'AWS-0177',
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { deletion_protection: false },
      },
    ],
    [
      {
        type: 'aws_db_instance',
        name: 'db',
        values: { deletion_protection: true },
      },
    ],
  ],
  [
    'AWS-0343',
    [
      {
        type: 'aws_rds_cluster',
        name: 'c',
        values: { deletion_protection: false },
      },
    ],
    [
      {
        type: 'aws_rds_cluster',
        name: 'c',
        values: { deletion_protection: true },
      },
    ],
  ],
];

describe('each rule', () => {
  it.each(cases)(
    '%s fires on the bad resource and not on the good one',
    (ruleId, bad, good) => {
      expect(ruleIds(plan(...bad))).toContain(ruleId);
      expect(ruleIds(plan(...good))).not.toContain(ruleId);
    },
  );

  it('has a case for every rule that checkPlan runs', () => {
    const covered = new Set([
      ...cases.map(c => c[0]),
      'AWS-0086',
      'AWS-0087',
      'AWS-0091',
      'AWS-0093',
      'AWS-0132',
      'AWS-0320',
    ]);
    expect(RULES.map(r => r.id).filter(id => !covered.has(id))).toEqual([]);
  });
});

describe('IAM details', () => {
  it('flags a wildcard action and a wildcard resource in an aws_iam_policy_document data source', () => {
    const findings = checkPlan(
      plan({
        type: 'aws_iam_policy_document',
        name: 'deploy',
        mode: 'data',
        values: {
          statement: [{ effect: 'Allow', actions: ['*'], resources: ['*'] }],
        },
      }),
    );
    expect(findings.map(f => f.ruleId).sort()).toEqual([
      'AWS-0057',
      'AWS-0057',
      'AWS-0342',
      'AWS-0345',
    ]);
    expect(findings[0].address).toBe('data.aws_iam_policy_document.deploy');
  });

  it('flags a GitHub OIDC trust with no sub condition at all', () => {
    const findings = checkPlan(
      plan({
        type: 'aws_iam_role',
        name: 'deploy',
        values: {
          assume_role_policy: githubTrust({
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            },
          }),
        },
      }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: 'CKV_AWS_358',
        address: 'aws_iam_role.deploy',
      }),
    ]);
  });

  it('checks a GitHub trust built with aws_iam_policy_document, not as an identity policy', () => {
    const trustDoc = (values: string[]) =>
      plan({
        type: 'aws_iam_policy_document',
        name: 'github_trust',
        mode: 'data',
        values: {
          statement: [
            {
              effect: 'Allow',
              actions: ['sts:AssumeRoleWithWebIdentity'],
              principals: [
                {
                  type: 'Federated',
                  identifiers: [
                    'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
                  ],
                },
              ],
              condition: [
                {
                  test: 'StringLike',
                  variable: 'token.actions.githubusercontent.com:sub',
                  values,
                },
              ],
            },
          ],
        },
      });
    expect(ruleIds(trustDoc(['repo:acme/web:*']))).toEqual(['CKV_AWS_358']);
    expect(ruleIds(trustDoc(['repo:acme/web:environment:production']))).toEqual(
      [],
    );
    // A read-only plan role for one repository's pull requests is pinned too.
    expect(ruleIds(trustDoc(['repo:acme/web:pull_request']))).toEqual([]);
    expect(ruleIds(trustDoc(['repo:acme/*:pull_request']))).toEqual([
      'CKV_AWS_358',
    ]); // One branch (drift detection, CI image pushes) is pinned; a branch wildcard is not.
    expect(ruleIds(trustDoc(['repo:acme/web:ref:refs/heads/main']))).toEqual(
      [],
    );
    expect(ruleIds(trustDoc(['repo:acme/web:ref:refs/heads/*']))).toEqual([
      'CKV_AWS_358',
    ]);
  });

  it('does not treat a deny with a wildcard as a grant', () => {
    expect(
      checkPlan(
        plan({
          type: 'aws_iam_policy',
          name: 'p',
          values: {
            policy: policy({ Effect: 'Deny', Action: '*', Resource: '*' }),
          },
        }),
      ),
    ).toEqual([]);
  });
});

describe('exceptions', () => {
  const publicAlb: Res[] = [
    {
      type: 'aws_lb',
      name: 'web',
      values: {
        internal: false,
        load_balancer_type: 'application',
        drop_invalid_header_fields: true,
      },
    },
  ];

  it('keeps the finding without a stack', () => {
    expect(ruleIds(plan(...publicAlb))).toEqual(['AWS-0053']);
  });

  it('drops an accepted finding for its stack only', () => {
    expect(ruleIds(plan(...publicAlb), 'aws-ecs-service')).toEqual([]);
    expect(ruleIds(plan(...publicAlb), 'platform')).toEqual(['AWS-0053']);
  });

  it('gives every accepted exception a reason and a valid pattern', () => {
    for (const list of Object.values(EXCEPTIONS)) {
      for (const e of list) {
        expect(e.reason.length).toBeGreaterThan(30);
        expect(() => new RegExp(e.addressPattern)).not.toThrow();
        expect(RULES.map(r => r.id)).toContain(e.ruleId);
      }
    }
  });

  it('accepts SSE-S3 and no self-logging only on the platform log bucket', () => {
    const logs = withValues(
      without(hardenedBucket('logs'), 'aws_s3_bucket_logging'),
      'aws_s3_bucket_server_side_encryption_configuration',
      {
        rule: [
          {
            apply_server_side_encryption_by_default: [
              { sse_algorithm: 'AES256' },
            ],
          },
        ],
      },
    ).map(r =>
      r.type === 'aws_s3_bucket_server_side_encryption_configuration'
        ? { ...r, unknown: { bucket: true } }
        : r,
    );
    expect(ruleIds(plan(...logs)).sort()).toEqual(['AWS-0089', 'AWS-0132']);
    expect(ruleIds(plan(...logs), 'platform')).toEqual([]);
  });
});
