import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const production = readFileSync(
  resolve(__dirname, '../../../app-config.production.yaml'),
  'utf8',
);

// The Deployment tab approves a pending deploy with the user's own GitHub token, read without a
// popup: the sign-in session must already carry ScmAuth's GitHub scopes (repo read:org
// read:user), or every reviewer is sent to GitHub instead.
describe('the production GitHub sign-in', () => {
  const provider = /\n {4}github:\n {6}production:\n((?: {8}.*\n|\s*\n)+)/.exec(
    production,
  )?.[1];

  it('is configured', () => {
    expect(provider).toBeDefined();
  });

  it('asks the repo and read:org scopes at sign-in', () => {
    const scopes = /\n {8}additionalScopes: \[([^\]]*)\]/.exec(
      `\n${provider}`,
    )?.[1];
    expect(scopes?.split(',').map(s => s.trim())).toEqual(
      expect.arrayContaining(['repo', 'read:org']),
    );
  });
});
