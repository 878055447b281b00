import {
  block,
  blocks,
  companionsOf,
  isSet,
  isUnknown,
  Json,
  PlanResource,
} from './plan';

/** One violation of an IaC security rule. */
export interface Finding {
  /** Trivy AWS check id (e.g. AWS-0086) or Checkov id for rules Trivy lacks (CKV_AWS_358). */
  ruleId: string;
  /** Terraform resource address. */
  address: string;
  message: string;
}

export interface RuleContext {
  resources: PlanResource[];
  ofType(...types: string[]): PlanResource[];
  /** Public ingress to these TCP ports is not a finding of AWS-0107 (default 80 and 443). */
  allowedPublicIngressPorts: number[];
}

export interface Rule {
  id: string;
  title: string;
  check(ctx: RuleContext): Finding[];
}

const PUBLIC_CIDRS = ['0.0.0.0/0', '::/0'];

function finding(ruleId: string, res: PlanResource, message: string): Finding {
  return { ruleId, address: res.address, message };
}

function rule(
  id: string,
  title: string,
  check: (ctx: RuleContext) => Finding[],
): Rule {
  return { id, title, check };
}

// ---------------------------------------------------------------------------------------------
// S3
// ---------------------------------------------------------------------------------------------

const BUCKET_COMPANION_KEYS = ['bucket', 'id'];

function bucketCompanions(
  ctx: RuleContext,
  bucket: PlanResource,
  type: string,
) {
  return companionsOf(
    bucket,
    ctx.ofType(type),
    'bucket',
    BUCKET_COMPANION_KEYS,
  );
}

function publicAccessBlockRule(id: string, attr: string, what: string): Rule {
  return rule(id, `S3 public access block sets ${attr}`, ctx =>
    ctx.ofType('aws_s3_bucket').flatMap(bucket => {
      const pabs = bucketCompanions(
        ctx,
        bucket,
        'aws_s3_bucket_public_access_block',
      );
      if (pabs.length === 0) {
        return [
          finding(
            id,
            bucket,
            `Bucket has no public access block, so ${what} is not enforced.`,
          ),
        ];
      }
      return pabs
        .filter(pab => pab.values[attr] !== true)
        .map(pab =>
          finding(
            id,
            pab,
            `Public access block does not set ${attr} = true (${what}).`,
          ),
        );
    }),
  );
}

/** AWS-0086: public ACLs on the bucket are blocked. */
export const s3BlockPublicAcls = publicAccessBlockRule(
  'AWS-0086',
  'block_public_acls',
  'public ACLs can be set',
);
/** AWS-0087: public bucket policies are blocked. */
export const s3BlockPublicPolicy = publicAccessBlockRule(
  'AWS-0087',
  'block_public_policy',
  'a public bucket policy can be attached',
);
/** AWS-0091: existing public ACLs are ignored. */
export const s3IgnorePublicAcls = publicAccessBlockRule(
  'AWS-0091',
  'ignore_public_acls',
  'public ACLs take effect',
);
/** AWS-0093: public buckets are restricted. */
export const s3NoPublicBuckets = publicAccessBlockRule(
  'AWS-0093',
  'restrict_public_buckets',
  'a public policy grants anonymous access',
);

/** AWS-0094: every bucket has a public access block. */
export const s3SpecifyPublicAccessBlock = rule(
  'AWS-0094',
  'S3 bucket has a public access block',
  ctx =>
    ctx
      .ofType('aws_s3_bucket')
      .filter(
        b =>
          bucketCompanions(ctx, b, 'aws_s3_bucket_public_access_block')
            .length === 0,
      )
      .map(b =>
        finding(
          'AWS-0094',
          b,
          'Bucket has no aws_s3_bucket_public_access_block.',
        ),
      ),
);

function bucketSseRules(ctx: RuleContext, bucket: PlanResource): Json[] {
  const companions = bucketCompanions(
    ctx,
    bucket,
    'aws_s3_bucket_server_side_encryption_configuration',
  );
  const inline = blocks(
    block(bucket.values, 'server_side_encryption_configuration'),
    'rule',
  );
  return [
    ...companions.flatMap(c =>
      blocks(c.values, 'rule').map((r, idx) => ({ res: c, rule: r, idx })),
    ),
    ...inline.map((r, idx) => ({ res: bucket, rule: r, idx, inline: true })),
  ];
}

/** AWS-0088: the bucket has default server-side encryption configured. */
export const s3EnableBucketEncryption = rule(
  'AWS-0088',
  'S3 bucket has server-side encryption',
  ctx =>
    ctx
      .ofType('aws_s3_bucket')
      .filter(b => bucketSseRules(ctx, b).length === 0)
      .map(b =>
        finding(
          'AWS-0088',
          b,
          'Bucket has no server-side encryption configuration.',
        ),
      ),
);

/** AWS-0132: the bucket is encrypted with a customer-managed KMS key. */
export const s3EncryptionCustomerKey = rule(
  'AWS-0132',
  'S3 bucket encrypted with a customer-managed KMS key',
  ctx =>
    ctx.ofType('aws_s3_bucket').flatMap(bucket => {
      const rules = bucketSseRules(ctx, bucket);
      if (rules.length === 0) return []; // AWS-0088 reports it.
      const ok = rules.some(({ rule: r, res, idx, inline }) => {
        const def = block(r, 'apply_server_side_encryption_by_default');
        const keyUnknown = inline
          ? isUnknown(
              res,
              'server_side_encryption_configuration',
              0,
              'rule',
              idx,
              'apply_server_side_encryption_by_default',
              0,
              'kms_master_key_id',
            )
          : isUnknown(
              res,
              'rule',
              idx,
              'apply_server_side_encryption_by_default',
              0,
              'kms_master_key_id',
            );
        return (
          typeof def?.sse_algorithm === 'string' &&
          def.sse_algorithm.startsWith('aws:kms') &&
          (keyUnknown ||
            (typeof def.kms_master_key_id === 'string' &&
              def.kms_master_key_id !== ''))
        );
      });
      return ok
        ? []
        : [
            finding(
              'AWS-0132',
              bucket,
              'Bucket is not encrypted with a customer-managed KMS key (SSE-KMS with kms_master_key_id).',
            ),
          ];
    }),
);

/** AWS-0089: server access logging is enabled. */
export const s3EnableLogging = rule(
  'AWS-0089',
  'S3 bucket access logging',
  ctx =>
    ctx
      .ofType('aws_s3_bucket')
      .filter(
        b =>
          bucketCompanions(ctx, b, 'aws_s3_bucket_logging').length === 0 &&
          !block(b.values, 'logging')?.target_bucket,
      )
      .map(b => finding('AWS-0089', b, 'Bucket has no server access logging.')),
);

/** AWS-0090: versioning is enabled. */
export const s3EnableVersioning = rule(
  'AWS-0090',
  'S3 bucket versioning',
  ctx =>
    ctx.ofType('aws_s3_bucket').flatMap(b => {
      const companions = bucketCompanions(ctx, b, 'aws_s3_bucket_versioning');
      const enabled =
        companions.some(
          c =>
            block(c.values, 'versioning_configuration')?.status === 'Enabled',
        ) || block(b.values, 'versioning')?.enabled === true;
      return enabled
        ? []
        : [finding('AWS-0090', b, 'Bucket versioning is not enabled.')];
    }),
);

const PUBLIC_ACLS = [
  'public-read',
  'public-read-write',
  'website',
  'authenticated-read',
];

/** AWS-0092: no canned ACL that grants public access. */
export const s3NoPublicAccessWithAcl = rule(
  'AWS-0092',
  'S3 bucket has no public ACL',
  ctx => [
    ...ctx
      .ofType('aws_s3_bucket')
      .filter(b => PUBLIC_ACLS.includes(b.values.acl))
      .map(b =>
        finding(
          'AWS-0092',
          b,
          `Bucket ACL ${b.values.acl} grants public access.`,
        ),
      ),
    ...ctx
      .ofType('aws_s3_bucket_acl')
      .filter(a => PUBLIC_ACLS.includes(a.values.acl))
      .map(a =>
        finding(
          'AWS-0092',
          a,
          `Bucket ACL ${a.values.acl} grants public access.`,
        ),
      ),
  ],
);

/** AWS-0320: bucket names are DNS-compliant (no dots, lower case, 3-63). */
export const s3DnsCompliantName = rule(
  'AWS-0320',
  'S3 bucket name is DNS-compliant',
  ctx =>
    ctx
      .ofType('aws_s3_bucket')
      .filter(b => typeof b.values.bucket === 'string')
      .filter(b => !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(b.values.bucket))
      .map(b =>
        finding(
          'AWS-0320',
          b,
          `Bucket name "${b.values.bucket}" is not DNS-compliant (3-63 lower-case letters, digits, hyphens; no dots).`,
        ),
      ),
);

// ---------------------------------------------------------------------------------------------
// CloudFront
// ---------------------------------------------------------------------------------------------

/** AWS-0010: access logging. */
export const cloudfrontEnableLogging = rule(
  'AWS-0010',
  'CloudFront access logging',
  ctx =>
    ctx
      .ofType('aws_cloudfront_distribution')
      .filter(
        d =>
          !block(d.values, 'logging_config')?.bucket &&
          !isUnknown(d, 'logging_config', 0, 'bucket'),
      )
      .map(d =>
        finding(
          'AWS-0010',
          d,
          'Distribution has no access logging (logging_config).',
        ),
      ),
);

/** AWS-0011: a WAF web ACL is attached. */
export const cloudfrontEnableWaf = rule('AWS-0011', 'CloudFront WAF', ctx =>
  ctx
    .ofType('aws_cloudfront_distribution')
    .filter(d => !isSet(d, 'web_acl_id'))
    .map(d =>
      finding('AWS-0011', d, 'Distribution has no WAF web ACL (web_acl_id).'),
    ),
);

/** AWS-0012: viewers must use HTTPS. */
export const cloudfrontEnforceHttps = rule(
  'AWS-0012',
  'CloudFront enforces HTTPS',
  ctx =>
    ctx
      .ofType('aws_cloudfront_distribution')
      .flatMap(d =>
        [
          ...blocks(d.values, 'default_cache_behavior'),
          ...blocks(d.values, 'ordered_cache_behavior'),
        ]
          .filter(b => b.viewer_protocol_policy === 'allow-all')
          .map(b =>
            finding(
              'AWS-0012',
              d,
              `Cache behavior ${
                b.path_pattern ?? '(default)'
              } allows plain HTTP (viewer_protocol_policy = allow-all).`,
            ),
          ),
      ),
);

/** AWS-0013: TLSv1.2_2021 minimum for custom certificates. */
export const cloudfrontSecureTlsPolicy = rule(
  'AWS-0013',
  'CloudFront TLS policy',
  ctx =>
    ctx.ofType('aws_cloudfront_distribution').flatMap(d => {
      const cert = block(d.values, 'viewer_certificate');
      if (!cert || cert.cloudfront_default_certificate === true) return [];
      return cert.minimum_protocol_version === 'TLSv1.2_2021'
        ? []
        : [
            finding(
              'AWS-0013',
              d,
              `Viewer certificate minimum_protocol_version is ${cert.minimum_protocol_version}, not TLSv1.2_2021.`,
            ),
          ];
    }),
);

// ---------------------------------------------------------------------------------------------
// ELB
// ---------------------------------------------------------------------------------------------

const LB_TYPES = ['aws_lb', 'aws_alb'];
const LISTENER_TYPES = ['aws_lb_listener', 'aws_alb_listener'];

function isApplicationLb(lb: PlanResource) {
  return (lb.values.load_balancer_type ?? 'application') === 'application';
}

/** AWS-0053: load balancers are internal. */
export const elbAlbNotPublic = rule(
  'AWS-0053',
  'Load balancer is not internet-facing',
  ctx =>
    ctx
      .ofType(...LB_TYPES)
      .filter(
        lb =>
          lb.values.load_balancer_type !== 'gateway' &&
          lb.values.internal !== true,
      )
      .map(lb =>
        finding(
          'AWS-0053',
          lb,
          'Load balancer is internet-facing (internal = false).',
        ),
      ),
);

/** AWS-0052: ALBs drop invalid HTTP headers. */
export const elbDropInvalidHeaders = rule(
  'AWS-0052',
  'ALB drops invalid headers',
  ctx =>
    ctx
      .ofType(...LB_TYPES)
      .filter(
        lb =>
          isApplicationLb(lb) && lb.values.drop_invalid_header_fields !== true,
      )
      .map(lb =>
        finding(
          'AWS-0052',
          lb,
          'ALB does not drop invalid header fields (drop_invalid_header_fields).',
        ),
      ),
);

/** AWS-0054: HTTP listeners only redirect to HTTPS. */
export const elbHttpNotUsed = rule(
  'AWS-0054',
  'Listener does not serve plain HTTP',
  ctx =>
    ctx
      .ofType(...LISTENER_TYPES)
      .filter(
        l =>
          l.values.protocol === 'HTTP' &&
          !blocks(l.values, 'default_action').some(a => a.type === 'redirect'),
      )
      .map(l =>
        finding(
          'AWS-0054',
          l,
          'HTTP listener serves traffic instead of redirecting to HTTPS.',
        ),
      ),
);

const SECURE_ELB_POLICY =
  /^ELBSecurityPolicy-(TLS13-1-2|TLS13-1-3|TLS-1-2|FS-1-2)/;

/** AWS-0047: HTTPS/TLS listeners use a TLS 1.2+ policy. */
export const elbSecureTlsPolicy = rule(
  'AWS-0047',
  'Listener uses a TLS 1.2+ policy',
  ctx =>
    ctx
      .ofType(...LISTENER_TYPES)
      .filter(l => ['HTTPS', 'TLS'].includes(l.values.protocol))
      .filter(l => !SECURE_ELB_POLICY.test(l.values.ssl_policy ?? ''))
      .map(l =>
        finding(
          'AWS-0047',
          l,
          `Listener ssl_policy ${
            l.values.ssl_policy ?? '(default)'
          } allows TLS below 1.2.`,
        ),
      ),
);

// ---------------------------------------------------------------------------------------------
// ECS / ECR / CloudWatch Logs
// ---------------------------------------------------------------------------------------------

const SECRET_NAME =
  /(secret|passw(or)?d|passwd|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)/i;
const SECRET_VALUE = [
  /AKIA[0-9A-Z]{16}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /gh[pousr]_[A-Za-z0-9]{36}/,
  /xox[baprs]-[A-Za-z0-9-]{10,}/,
  /:\/\/[^/\s:@]+:[^/\s@]+@/, // credentials in a URL
];

/** AWS-0036: no secrets in plaintext container environment variables. */
export const ecsNoPlaintextSecrets = rule(
  'AWS-0036',
  'ECS task has no plaintext secrets',
  ctx =>
    ctx.ofType('aws_ecs_task_definition').flatMap(td => {
      let containers: Json[] = [];
      try {
        containers = JSON.parse(td.values.container_definitions ?? '[]');
      } catch {
        return [];
      }
      return containers.flatMap(c =>
        (c.environment ?? [])
          .filter(
            (e: Json) =>
              typeof e?.value === 'string' &&
              e.value !== '' &&
              (SECRET_NAME.test(e.name ?? '') ||
                SECRET_VALUE.some(re => re.test(e.value))),
          )
          .map((e: Json) =>
            finding(
              'AWS-0036',
              td,
              `Container ${c.name} has a plaintext secret in environment variable ${e.name}; use "secrets" with Secrets Manager or SSM.`,
            ),
          ),
      );
    }),
);

/** AWS-0035: EFS volumes use in-transit encryption. */
export const ecsInTransitEncryption = rule(
  'AWS-0035',
  'ECS EFS volume in-transit encryption',
  ctx =>
    ctx.ofType('aws_ecs_task_definition').flatMap(td =>
      blocks(td.values, 'volume')
        .filter(v => block(v, 'efs_volume_configuration'))
        .filter(
          v =>
            block(v, 'efs_volume_configuration').transit_encryption !==
            'ENABLED',
        )
        .map(v =>
          finding(
            'AWS-0035',
            td,
            `EFS volume ${v.name} does not enable transit_encryption.`,
          ),
        ),
    ),
);

/** AWS-0034: Container Insights on ECS clusters. */
export const ecsContainerInsights = rule(
  'AWS-0034',
  'ECS cluster Container Insights',
  ctx =>
    ctx
      .ofType('aws_ecs_cluster')
      .filter(
        c =>
          !blocks(c.values, 'setting').some(
            s =>
              s.name === 'containerInsights' &&
              ['enabled', 'enhanced'].includes(s.value),
          ),
      )
      .map(c =>
        finding('AWS-0034', c, 'Cluster does not enable Container Insights.'),
      ),
);

/** AWS-0030: ECR scans images on push. */
export const ecrEnableImageScans = rule('AWS-0030', 'ECR scan on push', ctx =>
  ctx
    .ofType('aws_ecr_repository')
    .filter(
      r =>
        block(r.values, 'image_scanning_configuration')?.scan_on_push !== true,
    )
    .map(r =>
      finding('AWS-0030', r, 'Repository does not scan images on push.'),
    ),
);

/** AWS-0031: ECR tags are immutable. */
export const ecrImmutableTags = rule('AWS-0031', 'ECR immutable tags', ctx =>
  ctx
    .ofType('aws_ecr_repository')
    .filter(
      r =>
        !String(r.values.image_tag_mutability ?? 'MUTABLE').startsWith(
          'IMMUTABLE',
        ),
    )
    .map(r => finding('AWS-0031', r, 'Repository image tags are mutable.')),
);

/** AWS-0033: ECR encrypted with a customer-managed KMS key. */
export const ecrCustomerKey = rule(
  'AWS-0033',
  'ECR customer-managed key',
  ctx =>
    ctx
      .ofType('aws_ecr_repository')
      .filter(r => {
        const enc = block(r.values, 'encryption_configuration');
        return (
          enc?.encryption_type !== 'KMS' ||
          !isSet(r, 'encryption_configuration', 0, 'kms_key')
        );
      })
      .map(r =>
        finding(
          'AWS-0033',
          r,
          'Repository is not encrypted with a customer-managed KMS key.',
        ),
      ),
);

/** AWS-0017: log groups encrypted with a customer-managed KMS key. */
export const logGroupCustomerKey = rule(
  'AWS-0017',
  'CloudWatch log group KMS key',
  ctx =>
    ctx
      .ofType('aws_cloudwatch_log_group')
      .filter(l => !isSet(l, 'kms_key_id'))
      .map(l =>
        finding(
          'AWS-0017',
          l,
          'Log group is not encrypted with a customer-managed KMS key (kms_key_id).',
        ),
      ),
);

// ---------------------------------------------------------------------------------------------
// IAM
// ---------------------------------------------------------------------------------------------

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: Json;
  Condition?: Record<string, Record<string, string | string[]>>;
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined || v === null) return [];
  // Values unknown at plan time come through as null: they cannot be judged, so skip them.
  return (Array.isArray(v) ? v : [v]).filter(
    (x): x is string => typeof x === 'string',
  );
}

function parseStatements(doc: unknown): Statement[] {
  if (typeof doc !== 'string' || doc === '') return [];
  try {
    const parsed = JSON.parse(doc);
    const st = parsed?.Statement;
    if (Array.isArray(st)) return st;
    return st ? [st] : [];
  } catch {
    return [];
  }
}

/** aws_iam_policy_document statement blocks in the JSON policy shape. */
function documentStatements(res: PlanResource): Statement[] {
  if (typeof res.values.json === 'string' && res.values.json !== '') {
    return parseStatements(res.values.json);
  }
  return blocks(res.values, 'statement').map(s => {
    const principals = blocks(s, 'principals');
    const conditions = blocks(s, 'condition');
    const condition: Statement['Condition'] = {};
    for (const c of conditions) {
      condition[c.test] = {
        ...condition[c.test],
        [c.variable]: c.values ?? [],
      };
    }
    return {
      Effect: s.effect ?? 'Allow',
      Action: s.actions ?? [],
      NotAction: s.not_actions?.length ? s.not_actions : undefined,
      Resource: s.resources ?? [],
      NotResource: s.not_resources?.length ? s.not_resources : undefined,
      Principal: principals.length
        ? Object.fromEntries(principals.map(p => [p.type, p.identifiers]))
        : undefined,
      Condition: conditions.length ? condition : undefined,
    };
  });
}

const IDENTITY_POLICY_TYPES = [
  'aws_iam_policy',
  'aws_iam_role_policy',
  'aws_iam_user_policy',
  'aws_iam_group_policy',
];

interface PolicyDoc {
  res: PlanResource;
  statements: Statement[];
}

/** Identity-based policies: managed and inline policies, inline blocks on roles, documents. */
function identityPolicies(ctx: RuleContext): PolicyDoc[] {
  return [
    ...ctx.ofType(...IDENTITY_POLICY_TYPES).map(res => ({
      res,
      statements: parseStatements(res.values.policy),
    })),
    ...ctx.ofType('aws_iam_role').map(res => ({
      res,
      statements: blocks(res.values, 'inline_policy').flatMap(p =>
        parseStatements(p.policy),
      ),
    })),
    ...ctx
      .ofType('aws_iam_policy_document')
      .filter(r => r.mode === 'data')
      .filter(r => !documentStatements(r).some(s => s.Principal)) // trust/resource policies
      .map(res => ({ res, statements: documentStatements(res) })),
  ];
}

/**
 * Actions that do not support resource-level permissions, so `Resource: "*"` is required
 * (IAM Service Authorization Reference). Wildcard resources are accepted only for these.
 */
const RESOURCE_STAR_ONLY = [
  /^ecr:GetAuthorizationToken$/,
  /^sts:GetCallerIdentity$/,
  /^ec2:Describe[A-Za-z]*$/,
  /^ec2:(Create|Delete)NetworkInterface$/,
  /^ecs:(RegisterTaskDefinition|DeregisterTaskDefinition|DescribeTaskDefinition|ListTaskDefinitions|ListTaskDefinitionFamilies|ListClusters|CreateCluster|DiscoverPollEndpoint)$/,
  /^logs:DescribeLogGroups$/,
  /^cloudwatch:(PutMetricData|GetMetricData|ListMetrics|DescribeAlarms)$/,
  /^xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)$/,
  /^kms:(ListAliases|ListKeys|CreateKey)$/,
  /^s3:(ListAllMyBuckets|GetAccountPublicAccessBlock)$/,
  /^ssmmessages:(CreateControlChannel|CreateDataChannel|OpenControlChannel|OpenDataChannel)$/,
  /^elasticloadbalancing:Describe[A-Za-z]*$/,
  /^iam:(ListRoles|ListPolicies|GetAccountSummary)$/,
  /^rds:Describe(DBEngineVersions|OrderableDBInstanceOptions)$/,
  /^acm:ListCertificates$/,
  /^route53:(ListHostedZones|GetChange)$/,
  /^cloudfront:(ListDistributions|CreateOriginAccessControl)$/,
  /^application-autoscaling:Describe[A-Za-z]*$/,
];

function isWildcardAction(a: string) {
  return a === '*' || /^[a-z0-9-]+:\*$/i.test(a);
}

/** AWS-0057: no wildcard actions, and wildcard resources only where the action requires it. */
export const iamNoPolicyWildcards = rule(
  'AWS-0057',
  'IAM policy without wildcards',
  ctx => {
    const out: Finding[] = [];
    for (const { res, statements } of identityPolicies(ctx)) {
      for (const s of statements) {
        if ((s.Effect ?? 'Allow') !== 'Allow') continue;
        const actions = list(s.Action);
        const wild = actions.filter(isWildcardAction);
        if (wild.length) {
          out.push(
            finding(
              'AWS-0057',
              res,
              `Policy allows wildcard action(s) ${wild.join(', ')}.`,
            ),
          );
        }
        if (s.NotAction || s.NotResource) {
          out.push(
            finding(
              'AWS-0057',
              res,
              'Policy allows with NotAction/NotResource, which grants everything else.',
            ),
          );
        }
        if (
          list(s.Resource).includes('*') &&
          !actions.every(a => RESOURCE_STAR_ONLY.some(re => re.test(a)))
        ) {
          const scoped = actions.filter(
            a => !RESOURCE_STAR_ONLY.some(re => re.test(a)),
          );
          out.push(
            finding(
              'AWS-0057',
              res,
              `Policy allows ${scoped.join(', ')} on Resource "*".`,
            ),
          );
        }
      }
    }
    for (const att of ctx.ofType(
      'aws_iam_role_policy_attachment',
      'aws_iam_user_policy_attachment',
      'aws_iam_group_policy_attachment',
      'aws_iam_policy_attachment',
    )) {
      if (
        /:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/.test(
          att.values.policy_arn ?? '',
        )
      ) {
        out.push(
          finding(
            'AWS-0057',
            att,
            `Attaches ${att.values.policy_arn}, which allows "*".`,
          ),
        );
      }
    }
    return out;
  },
);

/** AWS-0345: no s3:* (or broader) grants. */
export const iamNoS3FullAccess = rule(
  'AWS-0345',
  'IAM policy without S3 full access',
  ctx => {
    const out: Finding[] = [];
    for (const { res, statements } of identityPolicies(ctx)) {
      for (const s of statements) {
        if ((s.Effect ?? 'Allow') !== 'Allow') continue;
        if (list(s.Action).some(a => a === '*' || a.toLowerCase() === 's3:*')) {
          out.push(
            finding(
              'AWS-0345',
              res,
              'Policy grants full S3 access (s3:* or *).',
            ),
          );
        }
      }
    }
    for (const att of ctx.ofType(
      'aws_iam_role_policy_attachment',
      'aws_iam_user_policy_attachment',
      'aws_iam_group_policy_attachment',
      'aws_iam_policy_attachment',
    )) {
      if (
        /:iam::aws:policy\/AmazonS3FullAccess$/.test(
          att.values.policy_arn ?? '',
        )
      ) {
        out.push(finding('AWS-0345', att, 'Attaches AmazonS3FullAccess.'));
      }
    }
    return out;
  },
);

/** AWS-0342: iam:PassRole is scoped to named roles or filtered by iam:PassedToService. */
export const iamFilterPassRole = rule(
  'AWS-0342',
  'iam:PassRole is filtered',
  ctx => {
    const out: Finding[] = [];
    for (const { res, statements } of identityPolicies(ctx)) {
      for (const s of statements) {
        if ((s.Effect ?? 'Allow') !== 'Allow') continue;
        const passes = list(s.Action).some(a =>
          ['*', 'iam:*', 'iam:passrole', 'iam:pass*'].includes(a.toLowerCase()),
        );
        if (!passes) continue;
        const broad = list(s.Resource).some(
          r => r === '*' || /:role\/\*$/.test(r) || r.endsWith(':*'),
        );
        const filtered = Object.values(s.Condition ?? {}).some(c =>
          Object.keys(c).some(k => k.toLowerCase() === 'iam:passedtoservice'),
        );
        if (broad && !filtered) {
          out.push(
            finding(
              'AWS-0342',
              res,
              'iam:PassRole on any role without an iam:PassedToService condition.',
            ),
          );
        }
      }
    }
    return out;
  },
);

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
// One repository and either one environment (deploy roles) or its pull requests (read-only plan
// roles: GitHub issues pull-request jobs a sub of exactly repo:OWNER/REPO:pull_request).
const PINNED_SUB =
  /^repo:[^*?/:]+\/[^*?/:]+:(environment:[^*?:]+|pull_request|ref:refs\/heads\/[^*?:]+)$/;

function trustsGithub(s: Statement): boolean {
  const federated = list(s.Principal?.Federated);
  const actions = list(s.Action).map(a => a.toLowerCase());
  return (
    (s.Effect ?? 'Allow') === 'Allow' &&
    federated.some(f => f.includes(GITHUB_OIDC_HOST)) &&
    actions.some(
      a => a === 'sts:assumerolewithwebidentity' || a === 'sts:*' || a === '*',
    )
  );
}

/**
 * CKV_AWS_358: a role trusted by GitHub Actions OIDC pins `sub` to one repository and
 * environment (StringEquals/StringLike with repo:OWNER/REPO:environment:NAME, no wildcards), to
 * the repository's pull requests (repo:OWNER/REPO:pull_request), or to one branch
 * (repo:OWNER/REPO:ref:refs/heads/NAME).
 */
export const githubOidcPinnedSub = rule(
  'CKV_AWS_358',
  'GitHub OIDC trust pins sub',
  ctx => {
    const out: Finding[] = [];
    const trustDocs = [
      ...ctx.ofType('aws_iam_role').map(res => ({
        res,
        statements: parseStatements(res.values.assume_role_policy),
      })),
      ...ctx
        .ofType('aws_iam_policy_document')
        .filter(r => r.mode === 'data')
        .map(res => ({ res, statements: documentStatements(res) })),
    ];
    for (const { res: role, statements } of trustDocs) {
      for (const s of statements.filter(trustsGithub)) {
        const subs = Object.entries(s.Condition ?? {})
          .filter(([op]) =>
            /^(ForAllValues:|ForAnyValue:)?String(Equals|Like)$/.test(op),
          )
          .flatMap(([, kv]) => list(kv[`${GITHUB_OIDC_HOST}:sub`]));
        if (subs.length === 0) {
          out.push(
            finding(
              'CKV_AWS_358',
              role,
              'GitHub OIDC trust has no token.actions.githubusercontent.com:sub condition: any repository could assume the role.',
            ),
          );
        } else {
          const loose = subs.filter(v => !PINNED_SUB.test(v));
          if (loose.length) {
            out.push(
              finding(
                'CKV_AWS_358',
                role,
                `GitHub OIDC sub condition ${loose.join(
                  ', ',
                )} is not pinned to repo:OWNER/REPO:environment:NAME.`,
              ),
            );
          }
        }
      }
    }
    return out;
  },
);

// ---------------------------------------------------------------------------------------------
// EC2 / VPC networking
// ---------------------------------------------------------------------------------------------

interface SgRule {
  res: PlanResource;
  direction: 'ingress' | 'egress';
  cidrs: string[];
  fromPort?: number;
  toPort?: number;
  protocol?: string;
  description?: string;
}

function securityGroupRules(ctx: RuleContext): SgRule[] {
  const out: SgRule[] = [];
  for (const sg of ctx.ofType(
    'aws_security_group',
    'aws_default_security_group',
  )) {
    for (const direction of ['ingress', 'egress'] as const) {
      for (const r of blocks(sg.values, direction)) {
        out.push({
          res: sg,
          direction,
          cidrs: [...(r.cidr_blocks ?? []), ...(r.ipv6_cidr_blocks ?? [])],
          fromPort: r.from_port,
          toPort: r.to_port,
          protocol: String(r.protocol),
          description: r.description,
        });
      }
    }
  }
  for (const r of ctx.ofType('aws_security_group_rule')) {
    out.push({
      res: r,
      direction: r.values.type,
      cidrs: [
        ...(r.values.cidr_blocks ?? []),
        ...(r.values.ipv6_cidr_blocks ?? []),
      ],
      fromPort: r.values.from_port,
      toPort: r.values.to_port,
      protocol: String(r.values.protocol),
      description: r.values.description,
    });
  }
  for (const direction of ['ingress', 'egress'] as const) {
    for (const r of ctx.ofType(`aws_vpc_security_group_${direction}_rule`)) {
      out.push({
        res: r,
        direction,
        cidrs: [r.values.cidr_ipv4, r.values.cidr_ipv6].filter(Boolean),
        fromPort: r.values.from_port ?? undefined,
        toPort: r.values.to_port ?? undefined,
        protocol: String(r.values.ip_protocol),
        description: r.values.description,
      });
    }
  }
  return out;
}

/** AWS-0099: security groups have a meaningful description. */
export const sgDescription = rule(
  'AWS-0099',
  'Security group description',
  ctx =>
    ctx
      .ofType('aws_security_group')
      .filter(
        sg =>
          !sg.values.description ||
          sg.values.description === 'Managed by Terraform',
      )
      .map(sg =>
        finding(
          'AWS-0099',
          sg,
          'Security group has no description of its own.',
        ),
      ),
);

/** AWS-0124: security group rules have a description. */
export const sgRuleDescription = rule(
  'AWS-0124',
  'Security group rule description',
  ctx =>
    securityGroupRules(ctx)
      .filter(r => r.res.type !== 'aws_default_security_group')
      .filter(r => !r.description)
      .map(r =>
        finding('AWS-0124', r.res, `A ${r.direction} rule has no description.`),
      ),
);

/** AWS-0107: no ingress from the internet except to the allowed ports (80/443 by default). */
export const sgNoPublicIngress = rule('AWS-0107', 'No public ingress', ctx =>
  securityGroupRules(ctx)
    .filter(
      r =>
        r.direction === 'ingress' &&
        r.cidrs.some(c => PUBLIC_CIDRS.includes(c)),
    )
    .filter(r => {
      const tcp = r.protocol === 'tcp' || r.protocol === '6';
      const single = r.fromPort !== undefined && r.fromPort === r.toPort;
      return !(
        tcp &&
        single &&
        ctx.allowedPublicIngressPorts.includes(r.fromPort!)
      );
    })
    .map(r =>
      finding(
        'AWS-0107',
        r.res,
        `Ingress from the internet to ${r.protocol} ${r.fromPort ?? 'all'}-${
          r.toPort ?? 'all'
        } (only ${ctx.allowedPublicIngressPorts.join('/')} are allowed).`,
      ),
    ),
);

/** AWS-0104: no egress to the internet. */
export const sgNoPublicEgress = rule('AWS-0104', 'No public egress', ctx =>
  securityGroupRules(ctx)
    .filter(
      r =>
        r.direction === 'egress' && r.cidrs.some(c => PUBLIC_CIDRS.includes(c)),
    )
    .map(r =>
      finding('AWS-0104', r.res, 'Egress to the internet (0.0.0.0/0 or ::/0).'),
    ),
);

/** AWS-0173: the default security group allows nothing. */
export const defaultSgRestrictAll = rule(
  'AWS-0173',
  'Default security group restricts all',
  ctx =>
    ctx
      .ofType('aws_default_security_group')
      .filter(
        sg =>
          blocks(sg.values, 'ingress').length +
            blocks(sg.values, 'egress').length >
          0,
      )
      .map(sg =>
        finding(
          'AWS-0173',
          sg,
          'Default security group has rules; it should allow nothing.',
        ),
      ),
);

function naclRules(ctx: RuleContext) {
  return [
    ...ctx
      .ofType('aws_network_acl_rule')
      .map(r => ({ res: r, ...r.values, ingress: r.values.egress !== true })),
    ...ctx.ofType('aws_network_acl', 'aws_default_network_acl').flatMap(acl => [
      ...blocks(acl.values, 'ingress').map(r => ({
        res: acl,
        ...r,
        rule_action: r.action,
        ingress: true,
      })),
      ...blocks(acl.values, 'egress').map(r => ({
        res: acl,
        ...r,
        rule_action: r.action,
        ingress: false,
      })),
    ]),
  ];
}

/** AWS-0102: network ACL rules do not allow all protocols/ports. */
export const naclNoExcessivePorts = rule(
  'AWS-0102',
  'NACL rule is not all-ports',
  ctx =>
    naclRules(ctx)
      .filter(
        r =>
          r.rule_action === 'allow' &&
          ['-1', 'all'].includes(String(r.protocol)),
      )
      .map(r =>
        finding(
          'AWS-0102',
          r.res,
          'Network ACL rule allows all protocols and ports.',
        ),
      ),
);

/** AWS-0105: network ACLs do not allow ingress from the internet. */
export const naclNoPublicIngress = rule(
  'AWS-0105',
  'NACL has no public ingress',
  ctx =>
    naclRules(ctx)
      .filter(r => r.ingress && r.rule_action === 'allow')
      .filter(
        r =>
          PUBLIC_CIDRS.includes(r.cidr_block) ||
          PUBLIC_CIDRS.includes(r.ipv6_cidr_block),
      )
      .map(r =>
        finding(
          'AWS-0105',
          r.res,
          'Network ACL allows ingress from the internet.',
        ),
      ),
);

/** AWS-0164: subnets do not hand out public IPs. */
export const subnetNoPublicIp = rule(
  'AWS-0164',
  'Subnet does not map public IPs',
  ctx =>
    ctx
      .ofType('aws_subnet')
      .filter(s => s.values.map_public_ip_on_launch === true)
      .map(s =>
        finding(
          'AWS-0164',
          s,
          'Subnet assigns public IPs on launch (map_public_ip_on_launch).',
        ),
      ),
);

/** AWS-0009: instances and launch templates do not get public IPs. */
export const ec2NoPublicIp = rule(
  'AWS-0009',
  'Instance has no public IP',
  ctx => [
    ...ctx
      .ofType('aws_instance', 'aws_launch_configuration')
      .filter(i => i.values.associate_public_ip_address === true)
      .map(i =>
        finding(
          'AWS-0009',
          i,
          'Instance gets a public IP (associate_public_ip_address).',
        ),
      ),
    ...ctx
      .ofType('aws_launch_template')
      .filter(t =>
        blocks(t.values, 'network_interfaces').some(
          n => String(n.associate_public_ip_address) === 'true',
        ),
      )
      .map(t =>
        finding('AWS-0009', t, 'Launch template gives instances a public IP.'),
      ),
  ],
);

/** AWS-0178: every VPC has flow logs. */
export const vpcFlowLogs = rule('AWS-0178', 'VPC flow logs', ctx =>
  ctx
    .ofType('aws_vpc')
    .filter(
      vpc =>
        companionsOf(vpc, ctx.ofType('aws_flow_log'), 'vpc_id', ['id'])
          .length === 0,
    )
    .map(vpc =>
      finding(
        'AWS-0178',
        vpc,
        'VPC has no flow log (aws_flow_log with vpc_id).',
      ),
    ),
);

// ---------------------------------------------------------------------------------------------
// KMS / DynamoDB / Secrets Manager
// ---------------------------------------------------------------------------------------------

/** AWS-0065: symmetric encryption keys rotate. */
export const kmsAutoRotate = rule('AWS-0065', 'KMS key rotation', ctx =>
  ctx
    .ofType('aws_kms_key')
    .filter(
      k => (k.values.key_usage ?? 'ENCRYPT_DECRYPT') === 'ENCRYPT_DECRYPT',
    )
    .filter(
      k =>
        (k.values.customer_master_key_spec ?? 'SYMMETRIC_DEFAULT') ===
        'SYMMETRIC_DEFAULT',
    )
    .filter(k => k.values.enable_key_rotation !== true)
    .map(k =>
      finding('AWS-0065', k, 'KMS key does not rotate (enable_key_rotation).'),
    ),
);

/** AWS-0023: DAX clusters encrypt at rest (DynamoDB tables always do). */
export const daxEncryption = rule('AWS-0023', 'DAX encryption at rest', ctx =>
  ctx
    .ofType('aws_dax_cluster')
    .filter(c => block(c.values, 'server_side_encryption')?.enabled !== true)
    .map(c => finding('AWS-0023', c, 'DAX cluster is not encrypted at rest.')),
);

/** AWS-0024: DynamoDB point-in-time recovery. */
export const dynamodbRecovery = rule(
  'AWS-0024',
  'DynamoDB point-in-time recovery',
  ctx =>
    ctx
      .ofType('aws_dynamodb_table')
      .filter(t => block(t.values, 'point_in_time_recovery')?.enabled !== true)
      .map(t => finding('AWS-0024', t, 'Table has no point-in-time recovery.')),
);

/** AWS-0025: DynamoDB encrypted with a customer-managed key. */
export const dynamodbCustomerKey = rule(
  'AWS-0025',
  'DynamoDB customer-managed key',
  ctx =>
    ctx
      .ofType('aws_dynamodb_table')
      .filter(t => {
        const sse = block(t.values, 'server_side_encryption');
        return (
          sse?.enabled !== true ||
          !isSet(t, 'server_side_encryption', 0, 'kms_key_arn')
        );
      })
      .map(t =>
        finding(
          'AWS-0025',
          t,
          'Table is not encrypted with a customer-managed KMS key.',
        ),
      ),
);

/** AWS-0098: Secrets Manager secrets use a customer-managed key. */
export const secretCustomerKey = rule(
  'AWS-0098',
  'Secret customer-managed key',
  ctx =>
    ctx
      .ofType('aws_secretsmanager_secret')
      .filter(s => !isSet(s, 'kms_key_id'))
      .map(s =>
        finding(
          'AWS-0098',
          s,
          'Secret is not encrypted with a customer-managed KMS key.',
        ),
      ),
);

// ---------------------------------------------------------------------------------------------
// RDS
// ---------------------------------------------------------------------------------------------

function isReplica(db: PlanResource) {
  return isSet(db, 'replicate_source_db');
}

/** AWS-0077: automated backups are kept. */
export const rdsBackupRetention = rule(
  'AWS-0077',
  'RDS backup retention',
  ctx =>
    ctx
      .ofType('aws_db_instance', 'aws_rds_cluster')
      .filter(db => !isReplica(db) && !isUnknown(db, 'backup_retention_period'))
      .filter(db => !(Number(db.values.backup_retention_period) > 1))
      .map(db =>
        finding(
          'AWS-0077',
          db,
          `backup_retention_period is ${
            db.values.backup_retention_period ?? 'unset'
          }; keep at least 2 days.`,
        ),
      ),
);

/** AWS-0080: instance storage is encrypted. */
export const rdsInstanceEncryption = rule(
  'AWS-0080',
  'RDS instance storage encryption',
  ctx =>
    ctx
      .ofType('aws_db_instance')
      .filter(db => !isReplica(db) && db.values.storage_encrypted !== true)
      .map(db =>
        finding('AWS-0080', db, 'DB instance storage is not encrypted.'),
      ),
);

/** AWS-0079: cluster storage is encrypted. */
export const rdsClusterEncryption = rule(
  'AWS-0079',
  'RDS cluster storage encryption',
  ctx =>
    ctx
      .ofType('aws_rds_cluster')
      .filter(c => c.values.storage_encrypted !== true)
      .map(c => finding('AWS-0079', c, 'DB cluster storage is not encrypted.')),
);

/** AWS-0180: databases are not publicly accessible. */
export const rdsNotPublic = rule(
  'AWS-0180',
  'RDS not publicly accessible',
  ctx =>
    ctx
      .ofType('aws_db_instance', 'aws_rds_cluster_instance')
      .filter(db => db.values.publicly_accessible === true)
      .map(db => finding('AWS-0180', db, 'Database is publicly accessible.')),
);

/** AWS-0133: Performance Insights enabled. */
export const rdsPerformanceInsights = rule(
  'AWS-0133',
  'RDS Performance Insights',
  ctx =>
    ctx
      .ofType('aws_db_instance', 'aws_rds_cluster_instance')
      .filter(db => db.values.performance_insights_enabled !== true)
      .map(db =>
        finding('AWS-0133', db, 'Performance Insights is not enabled.'),
      ),
);

/** AWS-0078: Performance Insights data encrypted with a customer-managed key. */
export const rdsPerformanceInsightsKey = rule(
  'AWS-0078',
  'RDS Performance Insights KMS key',
  ctx =>
    ctx
      .ofType('aws_db_instance', 'aws_rds_cluster_instance')
      .filter(db => db.values.performance_insights_enabled === true)
      .filter(db => !isSet(db, 'performance_insights_kms_key_id'))
      .map(db =>
        finding(
          'AWS-0078',
          db,
          'Performance Insights is not encrypted with a customer-managed KMS key.',
        ),
      ),
);

/** AWS-0176: IAM database authentication. */
export const rdsIamAuth = rule('AWS-0176', 'RDS IAM authentication', ctx =>
  ctx
    .ofType('aws_db_instance', 'aws_rds_cluster')
    .filter(
      db =>
        !isReplica(db) &&
        db.values.iam_database_authentication_enabled !== true,
    )
    .map(db =>
      finding('AWS-0176', db, 'IAM database authentication is not enabled.'),
    ),
);

/** AWS-0177: instance deletion protection. */
export const rdsDeletionProtection = rule(
  'AWS-0177',
  'RDS instance deletion protection',
  ctx =>
    ctx
      .ofType('aws_db_instance')
      .filter(db => db.values.deletion_protection !== true)
      .map(db =>
        finding('AWS-0177', db, 'DB instance has no deletion protection.'),
      ),
);

/** AWS-0343: cluster deletion protection. */
export const rdsClusterDeletionProtection = rule(
  'AWS-0343',
  'RDS cluster deletion protection',
  ctx =>
    ctx
      .ofType('aws_rds_cluster')
      .filter(c => c.values.deletion_protection !== true)
      .map(c =>
        finding('AWS-0343', c, 'DB cluster has no deletion protection.'),
      ),
);

/** Every rule checkPlan runs, in report order. */
export const RULES: Rule[] = [
  ec2NoPublicIp,
  cloudfrontEnableLogging,
  cloudfrontEnableWaf,
  cloudfrontEnforceHttps,
  cloudfrontSecureTlsPolicy,
  logGroupCustomerKey,
  daxEncryption,
  dynamodbRecovery,
  dynamodbCustomerKey,
  ecrEnableImageScans,
  ecrImmutableTags,
  ecrCustomerKey,
  ecsContainerInsights,
  ecsInTransitEncryption,
  ecsNoPlaintextSecrets,
  elbSecureTlsPolicy,
  elbDropInvalidHeaders,
  elbAlbNotPublic,
  elbHttpNotUsed,
  iamNoPolicyWildcards,
  kmsAutoRotate,
  rdsBackupRetention,
  rdsPerformanceInsightsKey,
  rdsClusterEncryption,
  rdsInstanceEncryption,
  s3BlockPublicAcls,
  s3BlockPublicPolicy,
  s3EnableBucketEncryption,
  s3EnableLogging,
  s3EnableVersioning,
  s3IgnorePublicAcls,
  s3NoPublicAccessWithAcl,
  s3NoPublicBuckets,
  s3SpecifyPublicAccessBlock,
  secretCustomerKey,
  sgDescription,
  naclNoExcessivePorts,
  sgNoPublicEgress,
  naclNoPublicIngress,
  sgNoPublicIngress,
  sgRuleDescription,
  s3EncryptionCustomerKey,
  rdsPerformanceInsights,
  subnetNoPublicIp,
  defaultSgRestrictAll,
  rdsIamAuth,
  rdsDeletionProtection,
  vpcFlowLogs,
  rdsNotPublic,
  s3DnsCompliantName,
  iamFilterPassRole,
  rdsClusterDeletionProtection,
  iamNoS3FullAccess,
  githubOidcPinnedSub,
];
