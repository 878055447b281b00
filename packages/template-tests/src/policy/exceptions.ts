/** Stacks whose plans are checked; each has its own accepted exceptions. */
export type Stack = 'platform' | 'aws-ecs-service';

/** A finding accepted by design, with the reason written down (see docs/iac-security.md). */
export interface PolicyException {
  ruleId: string;
  /** Regular expression (source) matched against the whole resource address. */
  addressPattern: string;
  reason: string;
}

export const EXCEPTIONS: Record<Stack, PolicyException[]> = {
  platform: [
    {
      ruleId: 'AWS-0132',
      addressPattern: '^aws_s3_bucket\\.logs$',
      reason:
        'S3 server access logging can only deliver to a bucket encrypted with SSE-S3 (AES256); SSE-KMS on the log bucket would stop log delivery. The log bucket holds access logs only, never state.',
    },
    {
      ruleId: 'AWS-0089',
      addressPattern: '^aws_s3_bucket\\.logs$',
      reason:
        'The log bucket is the access-log target; logging it to itself would log its own log writes in a loop, and a third bucket would only move the problem.',
    },
  ],
  'aws-ecs-service': [
    {
      ruleId: 'AWS-0057',
      addressPattern: '^aws_iam_role_policy_attachment\\.apply_power_user$',
      reason:
        "The apply role runs terraform apply of the reviewed plan and must create every kind of resource the stack has; PowerUserAccess (no IAM) plus IAM limited to the stack's own roles. Only jobs in the protected GitHub environment, approved by its reviewers, can assume it.",
    },
    {
      ruleId: 'AWS-0054',
      addressPattern:
        '^aws_lb_listener\\.(http|http_blue_green|test)(\\[0\\])?$',
      reason:
        'Only for a service created without domain_name: no certificate can exist, so port 80 (and a blue/green test listener on 8080) forwards. With a domain, port 80 redirects to HTTPS and the rule passes (the blue/green test case has a domain).',
    },
    {
      ruleId: 'AWS-0132',
      addressPattern: '^aws_s3_bucket\\.logs$',
      reason:
        'ALB access logs can only be delivered to a bucket encrypted with SSE-S3 (AES256); the bucket holds access logs only.',
    },
    {
      ruleId: 'AWS-0089',
      addressPattern: '^aws_s3_bucket\\.logs$',
      reason:
        'The log bucket is the access-log target itself; logging it to itself would loop.',
    },
    {
      ruleId: 'AWS-0011',
      addressPattern: '^aws_cloudfront_distribution\\.',
      reason:
        'Known gap, accepted for now: a CloudFront web ACL must be created in us-east-1 and is usually shared per account, so the stack attaches the one passed in cloudfront_web_acl_arn and creates none itself. Until the platform stack provides one, the static frontend (public, read-only assets) has no WAF; the API behind the ALB is not served through CloudFront.',
    },
    {
      ruleId: 'AWS-0053',
      addressPattern: '^(module\\.[^.]+\\.)*aws_(lb|alb)\\.[^.]+$',
      reason:
        'A public web service needs an internet-facing ALB; it only listens on 443 (80 redirects), drops invalid headers and uses a TLS 1.2+ policy.',
    },
    {
      ruleId: 'AWS-0104',
      addressPattern:
        '^(module\\.[^.]+\\.)*aws_(security_group|security_group_rule|vpc_security_group_egress_rule)\\.[^.]+$',
      reason:
        'Fargate tasks without VPC interface endpoints reach ECR, CloudWatch Logs, Secrets Manager and STS over HTTPS through the NAT gateway, which needs egress to 0.0.0.0/0.',
    },
  ],
};

/** True when the exception covers the finding. */
export function matchesException(
  exception: PolicyException,
  finding: { ruleId: string; address: string },
): boolean {
  return (
    exception.ruleId === finding.ruleId &&
    new RegExp(exception.addressPattern).test(finding.address)
  );
}
