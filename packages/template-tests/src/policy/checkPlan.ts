import {
  EXCEPTIONS,
  matchesException,
  PolicyException,
  Stack,
} from './exceptions';
import { Json, readPlan } from './plan';
import { Finding, RULES, RuleContext } from './rules';

export interface CheckPlanOptions {
  /** Drops the findings accepted for this stack in exceptions.ts. Without it nothing is dropped. */
  stack?: Stack;
  /** Extra accepted exceptions, e.g. for a one-off test. */
  exceptions?: PolicyException[];
  /** TCP ports that may be open to 0.0.0.0/0 without an AWS-0107 finding; default [80, 443]. */
  allowedPublicIngressPorts?: number[];
}

/**
 * Checks the JSON of `terraform show -json <planfile>` against the IaC security rules
 * (Trivy AWS ids, listed in docs/iac-security.md) and returns the findings that no accepted
 * exception covers.
 */
export function checkPlan(
  planJson: Json,
  options: CheckPlanOptions = {},
): Finding[] {
  const plan = typeof planJson === 'string' ? JSON.parse(planJson) : planJson;
  const resources = readPlan(plan);
  const ctx: RuleContext = {
    resources,
    ofType: (...types) =>
      resources.filter(
        r =>
          types.includes(r.type) &&
          (r.mode === 'managed' || r.type === 'aws_iam_policy_document'),
      ),
    allowedPublicIngressPorts: options.allowedPublicIngressPorts ?? [80, 443],
  };
  const accepted = [
    ...(options.stack ? EXCEPTIONS[options.stack] : []),
    ...(options.exceptions ?? []),
  ];
  return RULES.flatMap(r => r.check(ctx)).filter(
    f => !accepted.some(e => matchesException(e, f)),
  );
}
