import { mockApis } from '@backstage/frontend-test-utils';
import { ScmAuth } from '@backstage/integration-react';
import { githubSignInHost } from './githubHosts';

const config = (githubHost?: string) =>
  mockApis.config({ data: { app: { signIn: { githubHost } } } });

describe('githubSignInHost', () => {
  it('is github.com unless configured', () => {
    expect(githubSignInHost(mockApis.config())).toBe('github.com');
  });

  it('is the configured GitHub Enterprise host', () => {
    expect(githubSignInHost(config('GHE.acme.test'))).toBe('ghe.acme.test');
  });

  it('refuses a URL where a host belongs, saying what to write', () => {
    expect(() => githubSignInHost(config('https://ghe.acme.test/'))).toThrow(
      "app.signIn.githubHost must be a host name such as ghe.example.com, without scheme or path; got 'https://ghe.acme.test/'",
    );
  });

  it('never hands the GitHub Enterprise token to a github.com repository', async () => {
    const github = { getAccessToken: jest.fn(async () => 'ghe-token') };
    const scmAuth = ScmAuth.forGithub(github as any, {
      host: githubSignInHost(config('ghe.acme.test')),
    });
    await expect(
      scmAuth.getCredentials({ url: 'https://ghe.acme.test/acme/web' }),
    ).resolves.toMatchObject({ token: 'ghe-token' });
    expect(scmAuth.isUrlSupported(new URL('https://github.com/acme/web'))).toBe(
      false,
    );
  });
});
