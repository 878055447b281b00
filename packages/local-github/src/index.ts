/*
 * A local GitHub REST API for tests and the local demo. See ../README.md.
 */
export * from './FakeGithub';
export {
  seedDemoRepo,
  DEMO_GITHUB_HOST,
  DEMO_GITHUB_TOKEN,
} from './seedDemoRepos';
