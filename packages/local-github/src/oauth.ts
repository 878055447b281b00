/*
 * GitHub's OAuth web application flow as GitHub Enterprise Server serves it
 * (`/login/oauth/authorize`, `/login/oauth/access_token`), so Backstage's GitHub sign-in
 * (passport-github2 with `enterpriseInstanceUrl`) can sign demo users in without GitHub.
 */
import { randomBytes } from 'node:crypto';
import type { FakeAnswer, RecordedRequest } from './FakeGithub';

/** An OAuth app registered on the local GitHub. */
export interface OAuthApp {
  secret: string;
  /**
   * The app's registered callback URL. Without it any http(s) `redirect_uri` is accepted; with
   * it GitHub's rule applies: same host and port, a path at or under the callback's path.
   */
  callbackUrl?: string;
}

/** OAuth apps by client id: the client secret, or the app with its callback URL. */
export type OAuthApps = Record<string, string | OAuthApp>;

interface Grant {
  clientId: string;
  login: string;
  scopes: string[];
  redirectUri?: string;
  expiresAt: number;
}

/** GitHub's authorization codes last ten minutes. */
const CODE_LIFETIME_MS = 10 * 60_000;

const TOKEN_ERRORS = {
  incorrect_client_credentials: {
    error_description:
      'The client_id and/or client_secret passed are incorrect.',
    error_uri:
      '/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials',
  },
  redirect_uri_mismatch: {
    error_description:
      'The redirect_uri MUST match the registered callback URL for this application.',
    error_uri:
      '/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch2',
  },
  bad_verification_code: {
    error_description: 'The code passed is incorrect or expired.',
    error_uri:
      '/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
  },
} as const;

const AUTHORIZE_ERRORS = {
  access_denied: {
    error_description: 'The user has denied your application access.',
    error_uri:
      '/apps/building-integrations/setting-up-and-registering-oauth-apps/troubleshooting-authorization-request-errors/#access-denied',
  },
  redirect_uri_mismatch: {
    error_description:
      'The redirect_uri MUST match the registered callback URL for this application.',
    error_uri:
      '/apps/building-integrations/setting-up-and-registering-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch',
  },
} as const;

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );

/** GitHub takes scopes separated by spaces (its docs) or commas (passport-github2 sends those). */
const scopesOf = (scope: unknown) => [
  ...new Set(
    String(scope ?? '')
      .split(/[\s,]+/)
      .filter(Boolean),
  ),
];

const page = (status: number, title: string, body: string): FakeAnswer => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  raw: Buffer.from(
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #1f2328; }
  h1 { font-size: 1.5rem; }
  .note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .75rem 1rem; }
  form { display: grid; gap: .5rem; margin-top: 1.5rem; }
  button { font: inherit; padding: .6rem 1rem; border-radius: 6px; border: 1px solid #1f883d; background: #1f883d; color: #fff; cursor: pointer; text-align: left; }
  button.cancel { background: #f6f8fa; color: #1f2328; border-color: #d0d7de; }
</style>
</head>
<body>
${body}
</body>
</html>
`,
  ),
});

/** Whether GitHub would send the user to `redirectUri` for an app registered with `callbackUrl`. */
function redirectAllowed(redirectUri: string, callbackUrl?: string): boolean {
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return false;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return false;
  if (!callbackUrl) return true;
  const registered = new URL(callbackUrl);
  const base = registered.pathname.replace(/\/$/, '');
  return (
    target.protocol === registered.protocol &&
    target.host === registered.host &&
    (target.pathname === registered.pathname ||
      target.pathname.startsWith(`${base}/`))
  );
}

function withParams(url: string, params: Record<string, string | undefined>) {
  const target = new URL(url);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined) target.searchParams.set(k, v);
  }
  return target.toString();
}

/**
 * The web flow: an authorize page with a button per user, one-time codes, and their exchange
 * for a new token bound to the user and the granted scopes.
 */
export class OAuthWebFlow {
  private readonly codes = new Map<string, Grant>();

  constructor(
    private readonly apps: OAuthApps,
    private readonly users: () => string[],
    /** Makes a new token acting as `login` with `scopes`; answers it. */
    private readonly issueToken: (login: string, scopes: string[]) => string,
  ) {}

  private app(clientId: unknown): OAuthApp | undefined {
    const app =
      typeof clientId === 'string' && Object.hasOwn(this.apps, clientId)
        ? this.apps[clientId]
        : undefined;
    return typeof app === 'string' ? { secret: app } : app;
  }

  /** Answers `/login/oauth/...`, or undefined for other paths. */
  answer(req: RecordedRequest): FakeAnswer | undefined {
    if (req.path === '/login/oauth/authorize') {
      if (req.method === 'GET') return this.authorizePage(req.query);
      if (req.method === 'POST') return this.authorize(req.body ?? {});
    }
    if (req.path === '/login/oauth/access_token' && req.method === 'POST') {
      return this.accessToken(req);
    }
    return undefined;
  }

  /** The app and where to send the user, or the page GitHub shows instead. */
  private check(params: Record<string, unknown>) {
    const clientId = String(params.client_id ?? '');
    const app = this.app(clientId);
    if (!app) {
      return {
        refusal: page(
          404,
          'Unknown OAuth app',
          `<h1>Unknown OAuth app</h1><p>The local GitHub has no OAuth app with the client id <code>${escapeHtml(
            clientId,
          )}</code>. See packages/local-github/README.md for the demo's client id.</p>`,
        ),
      };
    }
    const given =
      typeof params.redirect_uri === 'string' && params.redirect_uri
        ? params.redirect_uri
        : undefined;
    const redirectUri = given ?? app.callbackUrl;
    if (!redirectUri) {
      return {
        refusal: page(
          400,
          'No redirect_uri',
          '<h1>No redirect_uri</h1><p>This OAuth app has no registered callback URL, so the request must give <code>redirect_uri</code>.</p>',
        ),
      };
    }
    if (!redirectAllowed(redirectUri, app.callbackUrl)) {
      if (app.callbackUrl) {
        // GitHub sends the user to the registered callback URL with the error.
        return {
          refusal: {
            status: 302,
            headers: {
              location: withParams(app.callbackUrl, {
                error: 'redirect_uri_mismatch',
                ...AUTHORIZE_ERRORS.redirect_uri_mismatch,
                state: params.state as string | undefined,
              }),
            },
          } as FakeAnswer,
        };
      }
      return {
        refusal: page(
          400,
          'Bad redirect_uri',
          `<h1>Bad redirect_uri</h1><p><code>${escapeHtml(
            redirectUri,
          )}</code> is not an http(s) URL.</p>`,
        ),
      };
    }
    return { clientId, app, redirectUri, given };
  }

  private authorizePage(query: Record<string, string>): FakeAnswer {
    const checked = this.check(query);
    if (checked.refusal) return checked.refusal;
    const scopes = scopesOf(query.scope);
    const hidden = (name: string, value: string | undefined) =>
      value === undefined
        ? ''
        : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
    const users = this.users();
    const suggested = users.includes(query.login) ? query.login : undefined;
    const ordered = suggested
      ? [suggested, ...users.filter(u => u !== suggested)]
      : users;
    return page(
      200,
      'Sign in to the local GitHub',
      `<main>
<h1>Sign in to the local GitHub</h1>
<p class="note">This is the local demo's GitHub, not github.com: there are no passwords. Choose who you are; the app <code>${escapeHtml(
        checked.clientId!,
      )}</code> then gets a token of that user${
        scopes.length
          ? ` with the scopes <code>${escapeHtml(scopes.join(', '))}</code>`
          : ''
      }.</p>
<form method="post" action="/login/oauth/authorize" aria-label="Choose a demo user">
${hidden('client_id', checked.clientId)}
${hidden('redirect_uri', checked.given)}
${hidden('state', query.state)}
${hidden('scope', query.scope)}
${ordered
  .map(
    u =>
      `<button type="submit" name="login" value="${escapeHtml(
        u,
      )}">Sign in as ${escapeHtml(u)}</button>`,
  )
  .join('\n')}
<button type="submit" name="deny" value="1" class="cancel">Cancel</button>
</form>
</main>`,
    );
  }

  private authorize(form: Record<string, unknown>): FakeAnswer {
    const checked = this.check(form);
    if (checked.refusal) return checked.refusal;
    const state = typeof form.state === 'string' ? form.state : undefined;
    if (form.deny) {
      return {
        status: 302,
        headers: {
          location: withParams(checked.redirectUri!, {
            error: 'access_denied',
            ...AUTHORIZE_ERRORS.access_denied,
            state,
          }),
        },
      };
    }
    const login = String(form.login ?? '');
    if (!this.users().includes(login)) {
      return page(
        400,
        'Unknown user',
        `<h1>Unknown user</h1><p>The local GitHub has no user <code>${escapeHtml(
          login,
        )}</code>.</p>`,
      );
    }
    const code = randomBytes(10).toString('hex');
    this.codes.set(code, {
      clientId: checked.clientId!,
      login,
      scopes: scopesOf(form.scope),
      redirectUri: checked.given,
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    return {
      status: 302,
      headers: {
        location: withParams(checked.redirectUri!, { code, state }),
      },
    };
  }

  /**
   * `POST /login/oauth/access_token`: parameters in the body (form or JSON) or the query; the
   * answer is JSON for `Accept: application/json`, XML for `application/xml`, else form-encoded,
   * and errors are answered with status 200 as GitHub does.
   */
  private accessToken(req: RecordedRequest): FakeAnswer {
    const params: Record<string, unknown> = {
      ...req.query,
      ...(typeof req.body === 'object' ? req.body : {}),
    };
    const reply = (fields: Record<string, string>): FakeAnswer => {
      const accept = String(req.headers.accept ?? '');
      if (accept.includes('application/json')) {
        return { status: 200, body: fields };
      }
      if (accept.includes('application/xml')) {
        const xml = Object.entries(fields)
          .map(([k, v]) => `<${k}>${escapeHtml(v)}</${k}>`)
          .join('');
        return {
          status: 200,
          headers: { 'content-type': 'application/xml; charset=utf-8' },
          raw: Buffer.from(`<OAuth>${xml}</OAuth>`),
        };
      }
      return {
        status: 200,
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        },
        raw: Buffer.from(new URLSearchParams(fields).toString()),
      };
    };
    const refuse = (error: keyof typeof TOKEN_ERRORS) =>
      reply({ error, ...TOKEN_ERRORS[error] });

    const clientId = String(params.client_id ?? '');
    const app = this.app(clientId);
    if (!app || params.client_secret !== app.secret) {
      return refuse('incorrect_client_credentials');
    }
    const code = String(params.code ?? '');
    const grant = this.codes.get(code);
    if (!grant || grant.clientId !== clientId || grant.expiresAt < Date.now()) {
      return refuse('bad_verification_code');
    }
    const redirectUri =
      typeof params.redirect_uri === 'string' && params.redirect_uri
        ? params.redirect_uri
        : undefined;
    if (
      redirectUri &&
      (grant.redirectUri
        ? redirectUri !== grant.redirectUri
        : !redirectAllowed(redirectUri, app.callbackUrl))
    ) {
      return refuse('redirect_uri_mismatch');
    }
    // A code is good for one exchange.
    this.codes.delete(code);
    return reply({
      access_token: this.issueToken(grant.login, grant.scopes),
      token_type: 'bearer',
      scope: grant.scopes.join(','),
    });
  }
}
