import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { FakeGithub } from '@internal/local-github';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The local GitHub as the portal's GitHub Enterprise host `github.example.com` (organisation
 * `acme` with the team `platform-team`, user `alice`, an existing repository `acme/taken`), and
 * the integrations that reach it, for the GitHub actions' tests. Call `start` in beforeAll and
 * `stop` in afterAll.
 */
export function fakeGithubHost(token: string) {
  const gitRoot = mkdtempSync(join(tmpdir(), 'delivery-actions-git-'));
  const github = new FakeGithub('github.example.com', token, {
    accounts: { orgs: { acme: ['platform-team'] }, users: ['alice'] },
    gitRoot,
  });
  return {
    github,
    integrations: () =>
      ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: {
            github: [
              {
                host: 'github.example.com',
                apiBaseUrl: `${github.url}/api/v3`,
                token,
              },
            ],
          },
        }),
      ),
    /** Starts the host and creates `acme/taken`; answers GitHub's payload of it. */
    async start(): Promise<{ id: number; owner: { id: number } }> {
      await github.start();
      return (
        await fetch(`${github.url}/api/v3/orgs/acme/repos`, {
          method: 'POST',
          headers: { authorization: `token ${token}` },
          body: JSON.stringify({ name: 'taken' }),
        })
      ).json();
    },
    async stop() {
      await github.stop();
      rmSync(gitRoot, { recursive: true, force: true });
    },
  };
}
