import { ConfigReader } from '@backstage/config';
// The portal backend's GitHub sign-in (hoisted from the backend's workspace); declaring it here
// would change the shared yarn.lock.
// eslint-disable-next-line @backstage/no-undeclared-imports
import { githubAuthenticator } from '@backstage/plugin-auth-backend-module-github-provider';
import { FakeGithub } from './FakeGithub';

// Servers on loopback and real HTTP round trips: generous on a busy CI machine, never a speed test.
jest.setTimeout(30_000);

const CLIENT_ID = 'test-oauth-client';
const CLIENT_SECRET = 'test-oauth-secret';
const CALLBACK = 'http://localhost:7007/api/auth/github/handler/frame';

/** The form of the authorize page, filled in as a click on the button named `label` sends it. */
function formOf(html: string, label: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(
    /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
  )) {
    form.set(name, value.replace(/&amp;/g, '&').replace(/&quot;/g, '"'));
  }
  const button = [
    ...html.matchAll(
      /<button[^>]* name="([^"]+)" value="([^"]*)"[^>]*>([^<]*)</g,
    ),
  ].find(([, , , text]) => text === label);
  if (!button) throw new Error(`no button "${label}" on the page`);
  form.set(button[1], button[2]);
  return form;
}

describe("GitHub's OAuth web flow on the local GitHub", () => {
  const github = new FakeGithub('github.local', 'oauth-test-token', {
    accounts: {
      orgs: { acme: ['platform-team'] },
      users: ['guest', 'riley', 'pat'],
    },
    oauthApps: { [CLIENT_ID]: CLIENT_SECRET },
  });
  beforeAll(async () => {
    await github.start();
    github.repo('acme/shop');
  });
  afterAll(() => github.stop());

  /** The authorize page, then the click on "Sign in as <login>": answers the redirect. */
  async function signIn(login: string, query: Record<string, string>) {
    const params = new URLSearchParams({ client_id: CLIENT_ID, ...query });
    const page = await fetch(`${github.url}/login/oauth/authorize?${params}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const posted = await fetch(`${github.url}/login/oauth/authorize`, {
      method: 'POST',
      body: formOf(html, `Sign in as ${login}`),
      redirect: 'manual',
    });
    expect(posted.status).toBe(302);
    return new URL(posted.headers.get('location')!);
  }

  const exchange = (
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${github.url}/login/oauth/access_token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body: new URLSearchParams({
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        ...fields,
      }),
    });

  it('signs riley in: authorize page, code and state back, token, GET /api/v3/user', async () => {
    const page = await fetch(
      `${github.url}/login/oauth/authorize?${new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: CALLBACK,
        state: 'state-1',
      })}`,
    );
    const html = await page.text();
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('<h1>Sign in to the local GitHub</h1>');
    expect(html).toContain("This is the local demo's GitHub");
    for (const login of ['guest', 'riley', 'pat']) {
      expect(html).toContain(`>Sign in as ${login}</button>`);
    }

    const back = await signIn('riley', {
      redirect_uri: CALLBACK,
      state: 'state-1',
      scope: 'read:user repo',
    });
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('state')).toBe('state-1');
    const code = back.searchParams.get('code')!;
    expect(code).toMatch(/^[0-9a-f]{20}$/);

    // As node's `oauth` (passport-oauth2) sends it: form-encoded, no Accept; GitHub answers a form.
    const answer = await exchange({ code, redirect_uri: CALLBACK });
    expect(answer.status).toBe(200);
    const token = new URLSearchParams(await answer.text());
    expect(token.get('token_type')).toBe('bearer');
    expect(token.get('scope')).toBe('read:user,repo');
    const accessToken = token.get('access_token')!;
    expect(accessToken).toMatch(/^gho_/);

    const me = await fetch(`${github.url}/api/v3/user`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect((await me.json()).login).toBe('riley');
    expect(me.headers.get('x-oauth-scopes')).toBe('read:user, repo');
  });

  it('refuses a code used twice, a wrong secret and an unknown client, with the errors GitHub gives and status 200', async () => {
    const code = (
      await signIn('pat', { redirect_uri: CALLBACK })
    ).searchParams.get('code')!;
    const json = { accept: 'application/json' };
    const first = await exchange({ code }, json);
    expect((await first.json()).access_token).toMatch(/^gho_/);
    const reused = await exchange({ code }, json);
    expect(reused.status).toBe(200);
    expect(await reused.json()).toEqual({
      error: 'bad_verification_code',
      error_description: 'The code passed is incorrect or expired.',
      error_uri:
        '/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
    });

    const another = (
      await signIn('pat', { redirect_uri: CALLBACK })
    ).searchParams.get('code')!;
    const wrongSecret = await exchange(
      { code: another, client_secret: 'not-the-secret' },
      json,
    );
    expect(wrongSecret.status).toBe(200);
    expect((await wrongSecret.json()).error).toBe(
      'incorrect_client_credentials',
    );
    // The refused exchange did not use the code up.
    expect((await (await exchange({ code: another }, json)).json()).error).toBe(
      undefined,
    );

    const unknownClient = await fetch(
      `${github.url}/login/oauth/authorize?client_id=someone-else`,
    );
    expect(unknownClient.status).toBe(404);
    const formError = await exchange({
      code: 'made-up',
    });
    expect(new URLSearchParams(await formError.text()).get('error')).toBe(
      'bad_verification_code',
    );
  });

  it('sends the user back with access_denied when they cancel, and refuses a redirect_uri other than the authorized one', async () => {
    const page = await fetch(
      `${github.url}/login/oauth/authorize?${new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: CALLBACK,
        state: 'state-2',
      })}`,
    );
    const cancelled = await fetch(`${github.url}/login/oauth/authorize`, {
      method: 'POST',
      body: formOf(await page.text(), 'Cancel'),
      redirect: 'manual',
    });
    const back = new URL(cancelled.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('state-2');

    const code = (
      await signIn('riley', { redirect_uri: CALLBACK })
    ).searchParams.get('code')!;
    const elsewhere = await exchange(
      { code, redirect_uri: 'http://localhost:9999/elsewhere' },
      { accept: 'application/json' },
    );
    expect((await elsewhere.json()).error).toBe('redirect_uri_mismatch');
  });

  it("gives an OAuth token without the repo scope a 404 for the organisation's repositories, as GitHub does for private ones", async () => {
    const runs = (token: string) =>
      fetch(`${github.url}/api/v3/repos/acme/shop/actions/runs`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const narrow = await runs(github.userToken('riley', ['read:user']));
    expect(narrow.status).toBe(404);
    expect(narrow.headers.get('x-accepted-oauth-scopes')).toBe('repo');
    expect(
      (await runs(github.userToken('riley', ['read:user', 'repo']))).status,
    ).toBe(200);
  });

  it("signs riley in through Backstage's GitHub authenticator with enterpriseInstanceUrl", async () => {
    const ctx = githubAuthenticator.initialize({
      callbackUrl: CALLBACK,
      config: new ConfigReader({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        enterpriseInstanceUrl: github.url,
      }),
    });
    const { url } = await githubAuthenticator.start(
      { req: { query: {} } as any, scope: 'read:user', state: 'nonce-3' },
      ctx,
    );
    const authorize = new URL(url);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(
      `${github.url}/login/oauth/authorize`,
    );
    const back = await signIn(
      'riley',
      Object.fromEntries(authorize.searchParams),
    );
    const { fullProfile, session } = await githubAuthenticator.authenticate(
      {
        req: {
          query: Object.fromEntries(back.searchParams),
          url: `${back.pathname}${back.search}`,
        } as any,
      },
      ctx,
    );
    expect(fullProfile.username).toBe('riley');
    expect(session.scope).toBe('read:user');
    const me = await fetch(`${github.url}/api/v3/user`, {
      headers: { authorization: `token ${session.accessToken}` },
    });
    expect((await me.json()).login).toBe('riley');
  });
});
