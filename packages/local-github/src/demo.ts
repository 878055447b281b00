/*
 * The local GitHub of `./scripts/start`: a GitHub Enterprise-shaped REST API on a given loopback
 * port with the demo services' repositories (runs, jobs, deployments, a drift report, a deploy
 * of demo-web waiting for riley's team to approve it), so the Deployment tab's cards have data
 * without GitHub. It also serves GitHub's OAuth web flow for the portal's GitHub sign-in (the
 * OAuth app `local-demo-oauth-client`; users riley, pat and guest).
 *
 * It is also a git host (smart HTTP by the machine's `git http-backend`, bare repositories under
 * `<data dir>/git`), so the scaffolder's `publish:github` can create repositories on it, the catalog
 * can read them, and `yarn demo:deploy` can clone them. `./scripts/start` empties the data folder
 * first, as the rest of the demo (the in-memory catalog, the local AWS) starts empty too.
 *
 * Run: node --require @backstage/cli/config/nodeTransform.cjs packages/local-github/src/demo.ts <port> [data dir]
 * Prints one JSON line `{"ready":true,...}`; stops on SIGTERM/SIGINT.
 */
import { join, resolve } from 'node:path';
import { FakeGithub } from './FakeGithub';
import {
  DEMO_ACCOUNTS,
  DEMO_GITHUB_HOST,
  DEMO_GITHUB_TOKEN,
  DEMO_OAUTH_CLIENT_ID,
  DEMO_OAUTH_CLIENT_SECRET,
  DEMO_WORKFLOW_TOKEN,
  seedDemoRepo,
  seedWaitingDeploy,
} from './seedDemoRepos';

/** Which team reviews each demo service's production deploys (the catalog's owner groups). */
const REVIEWERS: Record<string, string> = {
  'demo-web': 'platform-team',
  'demo-payments': 'payments-team',
};

async function main() {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error('usage: demo.ts <port> [data dir]');
  }
  const data = resolve(process.argv[3] ?? '.local-demo/github');
  const github = new FakeGithub(DEMO_GITHUB_HOST, DEMO_GITHUB_TOKEN, {
    accounts: DEMO_ACCOUNTS,
    gitRoot: join(data, 'git'),
    tokens: { [DEMO_WORKFLOW_TOKEN]: 'github-actions[bot]' },
    oauthApps: { [DEMO_OAUTH_CLIENT_ID]: DEMO_OAUTH_CLIENT_SECRET },
  });
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
      reviewerTeams: [REVIEWERS[service]],
    });
  }
  seedWaitingDeploy(github, 'acme/demo-web');
  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      apiBaseUrl: `${github.url}/api/v3`,
      git: `${github.url}/<owner>/<repo>.git`,
      orgs: DEMO_ACCOUNTS.orgs,
      users: DEMO_ACCOUNTS.users,
      oauth: {
        enterpriseInstanceUrl: github.url,
        clientId: DEMO_OAUTH_CLIENT_ID,
      },
    })}\n`,
  );
}

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  });
}
