/*
 * A local GitHub REST API for tests and the local demo. See ../README.md.
 */
export * from './FakeGithub';
export {
  seedDemoRepo,
  DEMO_GITHUB_HOST,
  DEMO_GITHUB_TOKEN,
  DEMO_WORKFLOW_TOKEN,
  DEMO_ACCOUNTS,
} from './seedDemoRepos';
export type { Accounts } from './accounts';
export type { HostedRepo } from './repositoryRoutes';
