/*
 * The local GitHub of `./scripts/start`: a GitHub Enterprise-shaped REST API on a given loopback
 * port with the demo services' repositories (runs, jobs, deployments, a drift report), so the
 * Deployment tab's pipeline and drift cards have data without GitHub.
 *
 * Run: node --require @backstage/cli/config/nodeTransform.cjs packages/local-github/src/demo.ts <port>
 * Prints one JSON line `{"ready":true,...}`; stops on SIGTERM/SIGINT.
 */
import { FakeGithub } from './FakeGithub';
import {
  DEMO_GITHUB_HOST,
  DEMO_GITHUB_TOKEN,
  seedDemoRepo,
} from './seedDemoRepos';

async function main() {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error('usage: demo.ts <port>');
  }
  const github = new FakeGithub(DEMO_GITHUB_HOST, DEMO_GITHUB_TOKEN);
  await github.start(port);
  const shutdown = () => {
    github.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  for (const service of ['demo-web', 'demo-payments']) {
    seedDemoRepo(github, `acme/${service}`, {
      cluster: 'demo',
      service,
      region: 'us-east-1',
      account: '123456789012',
    });
  }
  process.stdout.write(
    `${JSON.stringify({ ready: true, apiBaseUrl: `${github.url}/api/v3` })}\n`,
  );
}

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  });
}
