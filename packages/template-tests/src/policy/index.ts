export { checkPlan } from './checkPlan';
export type { CheckPlanOptions } from './checkPlan';
export { EXCEPTIONS, matchesException } from './exceptions';
export type { PolicyException, Stack } from './exceptions';
export { RULES } from './rules';
export type { Finding, Rule } from './rules';
