/*
 * A local GitHub REST API for tests and the local demo. See ../README.md.
 */
export * from './FakeGithub';
export {
  seedDemoRepo,
  seedWaitingDeploy,
  demoPlanSummary,
  DEMO_GITHUB_HOST,
  DEMO_GITHUB_TOKEN,
  DEMO_WORKFLOW_TOKEN,
  DEMO_ACCOUNTS,
  DEMO_OAUTH_CLIENT_ID,
  DEMO_OAUTH_CLIENT_SECRET,
} from './seedDemoRepos';
export type { Accounts } from './accounts';
export type { HostedRepo, EnvironmentRecord } from './repositoryRoutes';
export type { PendingGate, WaitingRunJob, WaitingRunSpec } from './approvals';
export { ApprovalSetupError } from './approvals';
export type { OAuthApp, OAuthApps } from './oauth';
