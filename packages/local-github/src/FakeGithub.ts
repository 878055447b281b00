import type { components } from '@octokit/openapi-types';
import { zipSync } from 'fflate';
import { createHash, randomBytes } from 'node:crypto';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { Accounts, simpleUser, teamId, userId } from './accounts';
import {
  ApprovalHost,
  approvalsOf,
  ApprovalSetupError,
  createWaitingRun,
  PendingGate,
  pendingDeployments,
  reviewPendingDeployments,
  WaitingRunSpec,
} from './approvals';
import { GitHost } from './gitHost';
import { OAuthApps, OAuthWebFlow } from './oauth';
import {
  answerHosting,
  EnvironmentRecord,
  HostedRepo,
  putEnvironment,
} from './repositoryRoutes';

export type WorkflowRun = components['schemas']['workflow-run'];
export type Job = components['schemas']['job'];
export type Deployment = components['schemas']['deployment'];
export type DeploymentStatus = components['schemas']['deployment-status'];
export type Artifact = components['schemas']['artifact'];
export type Environment = components['schemas']['environment'];
type SimpleUser = components['schemas']['simple-user'];
type EnvironmentApproval = components['schemas']['environment-approvals'];
type MinimalRepository = components['schemas']['minimal-repository'];

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body?: any;
}

/** What a test can make the fake answer instead of its model. */
export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Bytes sent as they are instead of a JSON body (raw file contents, tarballs). */
  raw?: Buffer;
  /** ETag of a raw answer (JSON answers get one from their body). */
  etag?: string;
}

/** Options of a local GitHub that also hosts repositories. */
export interface FakeGithubOptions {
  /** Organisations with their teams, and users; the first user owns the token. */
  accounts?: Accounts;
  /** Folder of the bare repositories; without it repositories cannot be created. */
  gitRoot?: string;
  /** More accepted tokens and the login each acts as (e.g. a workflow's `github-actions[bot]`). */
  tokens?: Record<string, string>;
  /**
   * OAuth apps the web flow (`/login/oauth/...`) serves, by client id: the client secret, or
   * `{ secret, callbackUrl }` to check `redirect_uri` against a registered callback URL.
   */
  oauthApps?: OAuthApps;
  /** How long an approved deploying job runs before it completes (default 5000 ms). */
  deployDurationMs?: number;
}

/** Reviewers and rules of `FakeGithub.environment` (names instead of GitHub's ids). */
export interface EnvironmentSpec {
  /** Team slugs of the repository's organisation. */
  teams?: string[];
  /** User logins. */
  users?: string[];
  /** Minutes a job waits before it may start (GitHub's `wait_timer`). */
  waitTimer?: number;
  /** Whether the run's author may not approve it (GitHub's `prevent_self_review`). */
  preventSelfReview?: boolean;
}

/** A repository of the fake: what GitHub would know about it. */
export interface FakeRepo {
  defaultBranch: string;
  /** Workflow files that exist (others answer 404). */
  workflows: string[];
  runs: WorkflowRun[];
  jobs: Record<number, Job[]>;
  deployments: Deployment[];
  statuses: Record<number, DeploymentStatus[]>;
  artifacts: Record<number, Artifact[]>;
  /** Artifact zips by artifact id, served by the blob server after a redirect. */
  zips: Record<number, Uint8Array>;
  /** Answers before the model, e.g. rate limits or outages. */
  override?: (req: RecordedRequest) => FakeAnswer | undefined;
  /** Set for repositories created through the API, which git hosts. */
  hosted?: HostedRepo;
  /** Environments by name (for a hosted repository, the same map as `hosted.environments`). */
  environments: Map<string, EnvironmentRecord>;
  /** Jobs waiting for an environment's protection rules, by run id. */
  gates: Record<number, PendingGate[]>;
  /** Reviews of pending deployments, by run id, oldest first. */
  approvals: Record<number, EnvironmentApproval[]>;
}

export const emptyRepo = (): FakeRepo => ({
  defaultBranch: 'main',
  workflows: ['ci.yml', 'deploy.yml', 'drift.yml'],
  runs: [],
  jobs: {},
  deployments: [],
  statuses: {},
  artifacts: {},
  zips: {},
  environments: new Map(),
  gates: {},
  approvals: {},
});

/** A user as GitHub embeds it (the same id as `GET /users/{login}` and reviewer ids). */
export const user = (login: string): SimpleUser => simpleUser(login);

// The run's repository is not read by the plugin; a typed stub keeps the payload's shape.
const repository = { id: 1, name: 'web' } as MinimalRepository;

let ids = 1000;

/** A new id for a run, job, deployment, status or artifact (unique in this process). */
export const newId = () => ids++;

/** A workflow run as GitHub's REST API returns it. */
export function workflowRun(
  webHost: string,
  slug: string,
  overrides: Partial<WorkflowRun> & { workflowFile?: string } = {},
): WorkflowRun {
  const id = overrides.id ?? ids++;
  const { workflowFile = 'ci.yml', ...rest } = overrides;
  return {
    id,
    name: workflowFile === 'drift.yml' ? 'Drift' : 'CI',
    node_id: `WFR_${id}`,
    check_suite_id: id,
    head_branch: 'main',
    head_sha: '0123456789abcdef0123456789abcdef01234567',
    path: `.github/workflows/${workflowFile}`,
    display_title: 'Add the orders endpoint',
    run_number: id - 999,
    run_attempt: 1,
    event: 'push',
    status: 'completed',
    conclusion: 'success',
    workflow_id: workflowFile.length,
    url: '',
    html_url: `https://${webHost}/${slug}/actions/runs/${id}`,
    pull_requests: [],
    created_at: '2026-03-01T10:00:00Z',
    updated_at: '2026-03-01T10:04:10Z',
    run_started_at: '2026-03-01T10:00:05Z',
    actor: user('alice'),
    triggering_actor: user('bob'),
    jobs_url: '',
    logs_url: '',
    check_suite_url: '',
    artifacts_url: '',
    cancel_url: '',
    rerun_url: '',
    workflow_url: '',
    head_commit: {
      id: '0123456789abcdef0123456789abcdef01234567',
      tree_id: 'feedbeef',
      message: 'Add the orders endpoint\n\nWith tests.',
      timestamp: '2026-03-01T09:59:00Z',
      author: { name: 'Alice', email: 'alice@example.test' },
      committer: { name: 'Alice', email: 'alice@example.test' },
    },
    repository,
    head_repository: repository,
    ...rest,
  };
}

/** An artifact entry of `GET .../runs/{id}/artifacts`. */
export function artifact(
  runId: number,
  overrides: Partial<Artifact> = {},
): Artifact {
  const id = overrides.id ?? ids++;
  return {
    id,
    node_id: `A_${id}`,
    name: 'drift-report',
    size_in_bytes: 512,
    url: '',
    archive_download_url: '',
    expired: false,
    created_at: '2026-03-01T10:04:00Z',
    expires_at: '2026-05-30T10:04:00Z',
    updated_at: '2026-03-01T10:04:00Z',
    digest: null,
    workflow_run: {
      id: runId,
      repository_id: 1,
      head_repository_id: 1,
      head_branch: 'main',
      head_sha: '0123456789abcdef0123456789abcdef01234567',
    },
    ...overrides,
  };
}

/** A GitHub Deployment of the repository's deploy workflow. */
export function deployment(
  overrides: Partial<Deployment> & { id: number },
): Deployment {
  return {
    node_id: `D_${overrides.id}`,
    url: '',
    sha: '0123456789abcdef0123456789abcdef01234567',
    ref: 'main',
    task: 'deploy:ecs-service',
    payload: {},
    environment: 'production',
    description: null,
    creator: user('deployer'),
    created_at: '2026-03-01T12:00:00Z',
    updated_at: '2026-03-01T12:00:00Z',
    statuses_url: '',
    repository_url: '',
    ...overrides,
  };
}

/** A status of a Deployment. */
export function deploymentStatus(
  overrides: Partial<DeploymentStatus> & { id: number },
): DeploymentStatus {
  return {
    node_id: `S_${overrides.id}`,
    state: 'success',
    creator: user('deployer'),
    description: '',
    environment: 'production',
    target_url: '',
    created_at: '2026-03-01T12:05:00Z',
    updated_at: '2026-03-01T12:05:00Z',
    deployment_url: '',
    repository_url: '',
    url: '',
    ...overrides,
  };
}

/** A job of a run, with steps named `[name, conclusion]`. */
export function job(
  runId: number,
  overrides: Partial<Job> & { id: number; name: string },
  steps: Array<[string, 'success' | 'failure' | 'skipped']> = [],
): Job {
  return {
    run_id: runId,
    run_url: '',
    node_id: `J_${overrides.id}`,
    head_sha: '0123456789abcdef0123456789abcdef01234567',
    url: '',
    html_url: null,
    status: 'completed',
    conclusion: steps.some(([, c]) => c === 'failure') ? 'failure' : 'success',
    created_at: '2026-03-01T10:00:05Z',
    started_at: '2026-03-01T10:00:10Z',
    completed_at: '2026-03-01T10:03:50Z',
    check_run_url: '',
    labels: ['ubuntu-24.04'],
    runner_id: 1,
    runner_name: 'GitHub Actions 1',
    runner_group_id: 1,
    runner_group_name: 'GitHub Actions',
    workflow_name: 'CI',
    head_branch: 'main',
    steps: steps.map(([name, conclusion], i) => ({
      name,
      status: 'completed' as const,
      conclusion,
      number: i + 1,
      started_at: '2026-03-01T10:00:10Z',
      completed_at: '2026-03-01T10:01:10Z',
    })),
    ...overrides,
  };
}

/** A zip like upload-artifact's, holding the given files. */
export const zipOf = (files: Record<string, string>) =>
  zipSync(
    Object.fromEntries(
      Object.entries(files).map(([n, c]) => [n, new TextEncoder().encode(c)]),
    ),
  );

/** A job of `POST /_local-github/.../runs`: its name, status and steps `[name, conclusion]`. */
interface ControlJob {
  name: string;
  status?: 'queued' | 'in_progress' | 'completed';
  steps?: Array<[string, 'success' | 'failure' | 'skipped']>;
}

/** A call the local GitHub does not model: never a silent 200. */
const notModelled = (req: RecordedRequest): FakeAnswer => ({
  status: 501,
  body: {
    message: `The local GitHub does not model ${req.method} ${req.path}; see packages/local-github/README.md for what it serves.`,
  },
});

const etagOf = (body: string) =>
  `W/"${createHash('sha1').update(body).digest('hex')}"`;

/** Default time an approved deploying job runs before it completes. */
const DEPLOY_DURATION_MS = 5000;

/** Body of a request: form-encoded or JSON, as the request's content type says. */
function parseBody(text: string, contentType: string | undefined): any {
  if (!text) return undefined;
  if (/application\/x-www-form-urlencoded/i.test(contentType ?? '')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return JSON.parse(text);
}

/**
 * A loopback stand-in for GitHub's REST API under `/api/v3` (GitHub Enterprise's layout), with
 * ETags and 304s, rate-limit headers, `Link` pagination and artifact downloads that redirect to a
 * separate "blob storage" server, as github.com does; environments with required reviewers and
 * the runs waiting for them; and GitHub's OAuth web flow under `/login/oauth`. `token <token>`
 * and `Bearer <token>` are accepted.
 */
export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  /** Requests the blob server received (to check no GitHub token leaks there). */
  readonly blobRequests: RecordedRequest[] = [];
  readonly repos = new Map<string, FakeRepo>();
  url = '';
  private blobUrl = '';
  private readonly server: Server;
  private readonly blob: Server;
  readonly accounts: Accounts;
  readonly git?: GitHost;
  private readonly tokens: Record<string, string>;
  /** Scopes of the tokens the OAuth web flow (or `userToken` with scopes) issued. */
  private readonly tokenScopes = new Map<string, string[]>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly oauth: OAuthWebFlow;
  private readonly deployDurationMs: number;

  constructor(
    readonly webHost: string,
    token: string,
    options: FakeGithubOptions = {},
  ) {
    this.accounts = options.accounts ?? { orgs: {}, users: ['octocat'] };
    this.git = options.gitRoot ? new GitHost(options.gitRoot) : undefined;
    this.tokens = { [token]: this.accounts.users[0], ...options.tokens };
    this.deployDurationMs = options.deployDurationMs ?? DEPLOY_DURATION_MS;
    this.oauth = new OAuthWebFlow(
      options.oauthApps ?? {},
      () => this.accounts.users,
      (login, scopes) => this.userToken(login, scopes),
    );
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(error => {
        if (!res.headersSent) {
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ message: String(error) }));
        }
      });
    });
    this.blob = createServer((req, res) => this.serveBlob(req, res));
  }

  /** Listens on loopback: `port` for the API (default: a free one), a free port for blobs. */
  async start(port = 0): Promise<void> {
    for (const [server, p] of [
      [this.server, port],
      [this.blob, 0],
    ] as const) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(p, '127.0.0.1', () => resolve());
      });
    }
    this.url = `http://127.0.0.1:${
      (this.server.address() as AddressInfo).port
    }`;
    this.blobUrl = `http://127.0.0.1:${
      (this.blob.address() as AddressInfo).port
    }`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const server of [this.server, this.blob]) {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  }

  repo(slug: string): FakeRepo {
    let repo = this.repos.get(slug);
    if (!repo) {
      repo = emptyRepo();
      this.repos.set(slug, repo);
    }
    return repo;
  }

  run(slug: string, overrides: Parameters<typeof workflowRun>[2] = {}) {
    return workflowRun(this.webHost, slug, overrides);
  }

  /** Accepts `token` for `login` from now on (a personal access token: no scope checks). */
  addToken(token: string, login: string): void {
    this.tokens[token] = login;
  }

  /**
   * A new token of `login`, as the OAuth web flow issues one. With `scopes` it is an OAuth
   * token: API answers carry `x-oauth-scopes`, and repositories need the `repo` scope (else
   * 404, as GitHub answers for a private repository the token may not see).
   */
  userToken(login: string, scopes?: string[]): string {
    const token = `gho_${randomBytes(18).toString('hex')}`;
    this.tokens[token] = login;
    if (scopes) this.tokenScopes.set(token, scopes);
    return token;
  }

  /**
   * Creates or replaces an environment of `slug` with required reviewers (teams of its
   * organisation, users) and a wait timer, as `PUT .../environments/{name}` does.
   */
  environment(
    slug: string,
    name: string,
    spec: EnvironmentSpec = {},
  ): Environment {
    const [owner] = slug.split('/');
    const answer = putEnvironment(
      this.hostingBase(),
      slug,
      this.repo(slug),
      name,
      this.environmentBody(owner, spec),
    );
    if (answer.status !== 200) {
      throw new ApprovalSetupError(
        `environment ${name} of ${slug}: ${JSON.stringify(answer.body)}`,
      );
    }
    return answer.body as Environment;
  }

  /**
   * Records a run whose deploying jobs (those with `environment`) wait for their environments'
   * reviewers or wait timers, as GitHub does when a workflow reaches them. Answers the run.
   */
  waitingRun(slug: string, spec: WaitingRunSpec): WorkflowRun {
    return createWaitingRun(this.approvalHost(), slug, this.repo(slug), spec);
  }

  private environmentBody(owner: string, spec: EnvironmentSpec) {
    return {
      wait_timer: spec.waitTimer,
      prevent_self_review: spec.preventSelfReview,
      reviewers: [
        ...(spec.teams ?? []).map(t => ({
          type: 'Team',
          id: teamId(owner, t),
        })),
        ...(spec.users ?? []).map(u => ({ type: 'User', id: userId(u) })),
      ],
    };
  }

  private hostingBase() {
    return { accounts: this.accounts, url: this.url, webHost: this.webHost };
  }

  private approvalHost(): ApprovalHost {
    return {
      accounts: this.accounts,
      webHost: this.webHost,
      url: this.url,
      deployDurationMs: this.deployDurationMs,
      schedule: (fn, ms) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          fn();
        }, Math.max(0, ms));
        timer.unref();
        this.timers.add(timer);
      },
    };
  }

  /** Requests for one repository's API paths (after `/api/v3/repos/<slug>`). */
  requestsFor(slug: string, method = 'GET'): RecordedRequest[] {
    const prefix = `/api/v3/repos/${slug}`;
    return this.requests
      .filter(r => r.method === method && r.path.startsWith(prefix))
      .map(r => ({ ...r, path: r.path.slice(prefix.length) || '/' }));
  }

  /** The login a request's `Authorization` acts as (GitHub takes `token` and `Bearer`). */
  private loginOf(authorization: string | undefined): string | undefined {
    const m = /^(?:token|bearer) (.+)$/i.exec(authorization ?? '');
    return m ? this.tokens[m[1]] : undefined;
  }

  /**
   * Git over smart HTTP at `/<owner>/<repo>.git/...`, as GitHub serves it: a private
   * repository needs basic auth whose password is an accepted token.
   */
  private serveGit(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    slug: string,
    rest: string,
  ) {
    const basic = /^basic (.+)$/i.exec(req.headers.authorization ?? '');
    const [, password] = basic
      ? Buffer.from(basic[1], 'base64').toString().split(/:(.*)/s)
      : [];
    const login = password ? this.tokens[password] : undefined;
    if (!login) {
      res
        .writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"' })
        .end('Authentication failed: use an accepted token as the password.\n');
      return;
    }
    if (!this.git || !this.repos.get(slug)?.hosted) {
      res.writeHead(404).end('Repository not found.\n');
      return;
    }
    this.git.serve(req, res, `/${slug}.git${rest}`, url.search.slice(1), login);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const gitPath = /^\/([^/]+\/[^/]+?)\.git(\/.*)$/.exec(url.pathname);
    if (gitPath) {
      this.serveGit(req, res, url, gitPath[1], gitPath[2]);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: any;
    try {
      parsed = parseBody(text, req.headers['content-type']);
    } catch {
      res
        .writeHead(400, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify({ message: 'Problems parsing JSON' }));
      return;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: parsed,
    };
    this.requests.push(recorded);
    const answer = this.oauth.answer(recorded) ?? (await this.answer(recorded));
    const resetAt = Math.floor(Date.now() / 1000) + 3600;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(resetAt),
      ...this.scopeHeaders(req.headers.authorization),
      ...answer.headers,
    };
    if (answer.status === 302 || answer.status === 204) {
      res.writeHead(answer.status, headers).end();
      return;
    }
    if (answer.raw) {
      if (answer.etag) headers.etag = answer.etag;
      if (answer.etag && req.headers['if-none-match'] === answer.etag) {
        res.writeHead(304, headers).end();
        return;
      }
      headers['content-length'] = String(answer.raw.byteLength);
      res.writeHead(answer.status, headers).end(answer.raw);
      return;
    }
    const body = JSON.stringify(answer.body ?? {});
    if (recorded.method === 'GET' && answer.status === 200) {
      const etag = etagOf(body);
      headers.etag = etag;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
      }
    }
    res.writeHead(answer.status, headers).end(body);
  }

  private tokenOf(authorization: string | undefined) {
    return /^(?:token|bearer) (.+)$/i.exec(authorization ?? '')?.[1];
  }

  /** GitHub tells an OAuth token's scopes on every API answer. */
  private scopeHeaders(
    authorization: string | undefined,
  ): Record<string, string> {
    const scopes = this.tokenScopes.get(this.tokenOf(authorization) ?? '');
    return scopes ? { 'x-oauth-scopes': scopes.join(', ') } : {};
  }

  /**
   * What GitHub answers an OAuth token without the scope a call needs: `repo` for a private
   * repository (404, as if it did not exist), `user:email` for the user's emails.
   */
  private scopeRefusal(req: RecordedRequest): FakeAnswer | undefined {
    const scopes = this.tokenScopes.get(
      this.tokenOf(req.headers.authorization) ?? '',
    );
    if (!scopes) return undefined;
    const repoMatch = /^\/api\/v3\/repos\/([^/]+\/[^/]+)/.exec(req.path);
    let needed: string[] | undefined;
    if (repoMatch) {
      // Seeded repositories count as private, as the template creates them.
      const isPublic = this.repos.get(repoMatch[1])?.hosted?.private === false;
      if (!isPublic) needed = ['repo'];
      else if (req.method !== 'GET') needed = ['repo', 'public_repo'];
    } else if (req.path === '/api/v3/user/emails') {
      needed = ['user', 'user:email'];
    }
    if (!needed || needed.some(s => scopes.includes(s))) return undefined;
    return {
      status: 404,
      headers: { 'x-accepted-oauth-scopes': needed.join(', ') },
      body: {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
      },
    };
  }

  private async answer(req: RecordedRequest): Promise<FakeAnswer> {
    const login = this.loginOf(req.headers.authorization);
    if (!login) {
      return { status: 401, body: { message: 'Bad credentials' } };
    }
    if (req.path.startsWith('/_local-github/')) {
      return this.control(req);
    }
    const refused = this.scopeRefusal(req);
    if (refused) return refused;
    const match = /^\/api\/v3\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(req.path);
    const repo = match ? this.repos.get(match[1]) : undefined;
    // A test's override answers before everything else the repository has.
    const overridden = repo?.override?.(req);
    if (overridden) {
      return overridden;
    }
    const hosting = await answerHosting(
      {
        accounts: this.accounts,
        login,
        git: this.git,
        repos: this.repos,
        url: this.url,
        webHost: this.webHost,
      },
      req,
    );
    if (hosting) return hosting;
    if (!match) return notModelled(req);
    if (!repo) {
      return { status: 404, body: { message: 'Not Found' } };
    }
    if (repo.hosted && this.git) {
      // GitHub knows a hosted repository's workflows from the files on its default branch.
      const files = await this.git.tree(
        match[1],
        `${repo.defaultBranch}:.github/workflows`,
        false,
      );
      for (const file of files ?? []) {
        if (/\.ya?ml$/.test(file.path) && !repo.workflows.includes(file.path)) {
          repo.workflows.push(file.path);
        }
      }
    }
    const path = match[2] ?? '/';
    const q = req.query;
    const page = Number(q.page ?? 1);
    const perPage = Number(q.per_page ?? 30);
    const paged = <T>(items: T[]) => {
      const slice = items.slice((page - 1) * perPage, page * perPage);
      const next = page * perPage < items.length;
      const link = next
        ? `<${this.url}${req.path}?page=${
            page + 1
          }&per_page=${perPage}>; rel="next"`
        : undefined;
      return { slice, headers: link ? { link } : undefined };
    };
    const on = (method: string, route: RegExp) =>
      req.method === method ? route.exec(path) : null;
    let m: RegExpExecArray | null = null;
    if (req.method === 'GET' && path === '/') {
      return {
        status: 200,
        body: { full_name: match[1], default_branch: repo.defaultBranch },
      };
    }
    m = on('GET', /^\/actions(?:\/workflows\/([^/]+))?\/runs$/);
    if (m) {
      if (m[1] && !repo.workflows.includes(m[1])) {
        return { status: 404, body: { message: 'Not Found' } };
      }
      const runs = repo.runs.filter(
        r =>
          (!m![1] || r.path.endsWith(`/${m![1]}`)) &&
          (!q.branch || r.head_branch === q.branch) &&
          (!q.status || r.status === q.status || r.conclusion === q.status),
      );
      const { slice, headers } = paged(runs);
      return {
        status: 200,
        headers,
        body: { total_count: runs.length, workflow_runs: slice },
      };
    }
    m = on('GET', /^\/actions\/runs\/(\d+)$/);
    if (m) {
      const run = repo.runs.find(r => r.id === Number(m![1]));
      return run
        ? { status: 200, body: run }
        : { status: 404, body: { message: 'Not Found' } };
    }
    m = on('GET', /^\/actions\/runs\/(\d+)\/pending_deployments$/);
    if (m) {
      return pendingDeployments(
        this.approvalHost(),
        match[1],
        repo,
        Number(m[1]),
        login,
      );
    }
    m = on('POST', /^\/actions\/runs\/(\d+)\/pending_deployments$/);
    if (m) {
      return reviewPendingDeployments(
        this.approvalHost(),
        match[1],
        repo,
        Number(m[1]),
        login,
        req.body,
      );
    }
    m = on('GET', /^\/actions\/runs\/(\d+)\/approvals$/);
    if (m) return approvalsOf(repo, Number(m[1]));
    m = on('GET', /^\/actions\/runs\/(\d+)\/jobs$/);
    if (m) {
      const jobs = repo.jobs[Number(m[1])];
      if (!jobs) return { status: 404, body: { message: 'Not Found' } };
      const { slice, headers } = paged(jobs);
      return {
        status: 200,
        headers,
        body: { total_count: jobs.length, jobs: slice },
      };
    }
    m = on('POST', /^\/actions\/runs\/(\d+)\/rerun-failed-jobs$/);
    if (m) {
      return repo.runs.some(r => r.id === Number(m![1]))
        ? { status: 201, body: {} }
        : { status: 404, body: { message: 'Not Found' } };
    }
    m = on('GET', /^\/actions\/runs\/(\d+)\/artifacts$/);
    if (m) {
      const artifacts = (repo.artifacts[Number(m[1])] ?? []).filter(
        a => !q.name || a.name === q.name,
      );
      return {
        status: 200,
        body: { total_count: artifacts.length, artifacts },
      };
    }
    m = on('GET', /^\/actions\/artifacts\/(\d+)\/zip$/);
    if (m) {
      return repo.zips[Number(m[1])]
        ? {
            status: 302,
            headers: { location: `${this.blobUrl}/${match[1]}/${m[1]}` },
          }
        : { status: 404, body: { message: 'Not Found' } };
    }
    m = on('POST', /^\/actions\/workflows\/([^/]+)\/dispatches$/);
    if (m) {
      if (!repo.workflows.includes(m[1])) {
        return { status: 404, body: { message: 'Not Found' } };
      }
      if (!req.body?.ref) {
        return { status: 422, body: { message: 'Invalid request' } };
      }
      if (!req.body.return_run_details) {
        return { status: 204 };
      }
      const id = ids++;
      return {
        status: 200,
        body: {
          workflow_run_id: id,
          run_url: `${this.url}/api/v3/repos/${match[1]}/actions/runs/${id}`,
          html_url: `https://${this.webHost}/${match[1]}/actions/runs/${id}`,
        },
      };
    }
    if (req.method === 'GET' && path === '/deployments') {
      const deployments = repo.deployments.filter(
        d =>
          (!q.environment || d.environment === q.environment) &&
          (!q.task || d.task === q.task),
      );
      const { slice, headers } = paged(deployments);
      return { status: 200, headers, body: slice };
    }
    m = on('GET', /^\/deployments\/(\d+)\/statuses$/);
    if (m) {
      const { slice, headers } = paged(repo.statuses[Number(m[1])] ?? []);
      return { status: 200, headers, body: slice };
    }
    if (req.method === 'POST' && path === '/deployments') {
      return this.createDeployment(match[1], repo, req.body, login);
    }
    m = on('POST', /^\/deployments\/(\d+)\/statuses$/);
    if (m) {
      return this.createDeploymentStatus(repo, Number(m[1]), req.body, login);
    }
    return notModelled(req);
  }

  /** `POST /repos/{owner}/{repo}/deployments`: the ref must name a commit of the repository. */
  private async createDeployment(
    slug: string,
    repo: FakeRepo,
    body: any,
    login: string,
  ): Promise<FakeAnswer> {
    if (typeof body?.ref !== 'string' || !body.ref) {
      return {
        status: 422,
        body: { message: 'Invalid request: "ref" is missing.' },
      };
    }
    const sha =
      this.git && repo.hosted
        ? await this.git.resolve(slug, body.ref)
        : body.ref;
    if (!sha) {
      return {
        status: 422,
        body: { message: `No ref found for: ${body.ref}` },
      };
    }
    const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const created = deployment({
      id: ids++,
      sha,
      ref: body.ref,
      task: body.task ?? 'deploy',
      payload: body.payload ?? {},
      environment: body.environment ?? 'production',
      description: body.description ?? null,
      creator: user(login),
      created_at: at,
      updated_at: at,
      // GitHub's defaults: production when the environment is named so, not transient.
      production_environment:
        body.production_environment ??
        (body.environment ?? 'production') === 'production',
      transient_environment: body.transient_environment ?? false,
    });
    // Newest first, as GitHub lists them.
    repo.deployments.unshift(created);
    repo.statuses[created.id] = [];
    return { status: 201, body: created };
  }

  /** `POST .../deployments/{id}/statuses`, with `auto_inactive` as GitHub applies it. */
  private createDeploymentStatus(
    repo: FakeRepo,
    id: number,
    body: any,
    login: string,
  ): FakeAnswer {
    const target = repo.deployments.find(d => d.id === id);
    if (!target) return { status: 404, body: { message: 'Not Found' } };
    const states = [
      'error',
      'failure',
      'inactive',
      'in_progress',
      'queued',
      'pending',
      'success',
    ];
    if (!states.includes(body?.state)) {
      return {
        status: 422,
        body: { message: `Invalid state: ${body?.state}` },
      };
    }
    const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = deploymentStatus({
      id: ids++,
      state: body.state,
      description: body.description ?? '',
      environment: target.environment,
      target_url: body.log_url ?? body.target_url ?? '',
      log_url: body.log_url,
      environment_url: body.environment_url,
      creator: user(login),
      created_at: at,
      updated_at: at,
    });
    repo.statuses[id] = [status, ...(repo.statuses[id] ?? [])];
    if (body.state === 'success' && body.auto_inactive !== false) {
      // Only deployments older than this one (the list is newest first), as GitHub does.
      const older = repo.deployments.slice(
        repo.deployments.findIndex(d => d.id === id) + 1,
      );
      for (const other of older) {
        const latest = repo.statuses[other.id]?.[0];
        if (
          !other.transient_environment &&
          other.environment === target.environment &&
          latest?.state === 'success'
        ) {
          repo.statuses[other.id] = [
            deploymentStatus({
              ...latest,
              id: ids++,
              state: 'inactive',
              created_at: at,
              updated_at: at,
            }),
            ...repo.statuses[other.id],
          ];
        }
      }
    }
    return { status: 201, body: status };
  }

  /**
   * Not GitHub's API: what a workflow runner, or an administrator, would make GitHub record.
   * `POST /_local-github/repos/{owner}/{repo}/runs` starts a workflow run (with its jobs),
   * `PATCH .../runs/{id}` updates it and its jobs, e.g. when it completes; `POST
   * .../waiting-runs` records a run whose deploying jobs wait for their environments; `PUT
   * .../environments/{name}` sets an environment's reviewers by name; `POST
   * /_local-github/tokens` issues a token of a user.
   */
  private control(req: RecordedRequest): FakeAnswer {
    const body = req.body ?? {};
    const setupFailed = (error: unknown): FakeAnswer => {
      if (error instanceof ApprovalSetupError) {
        return { status: 422, body: { message: error.message } };
      }
      throw error;
    };
    if (req.method === 'POST' && req.path === '/_local-github/tokens') {
      const login = String(body.login ?? '');
      if (!this.accounts.users.includes(login)) {
        return {
          status: 422,
          body: { message: `The local GitHub has no user ${login}.` },
        };
      }
      const scopes = Array.isArray(body.scopes) ? body.scopes : undefined;
      return {
        status: 201,
        body: { token: this.userToken(login, scopes), login, scopes },
      };
    }
    const env =
      /^\/_local-github\/repos\/([^/]+\/[^/]+)\/environments\/([^/]+)$/.exec(
        req.path,
      );
    if (env && req.method === 'PUT') {
      if (!this.repos.has(env[1])) {
        return { status: 404, body: { message: 'Not Found' } };
      }
      try {
        return {
          status: 200,
          body: this.environment(env[1], decodeURIComponent(env[2]), body),
        };
      } catch (error) {
        return setupFailed(error);
      }
    }
    const waiting =
      /^\/_local-github\/repos\/([^/]+\/[^/]+)\/waiting-runs$/.exec(req.path);
    if (waiting && req.method === 'POST') {
      if (!this.repos.has(waiting[1])) {
        return { status: 404, body: { message: 'Not Found' } };
      }
      try {
        return { status: 201, body: this.waitingRun(waiting[1], body) };
      } catch (error) {
        return setupFailed(error);
      }
    }
    const m = /^\/_local-github\/repos\/([^/]+\/[^/]+)\/runs(?:\/(\d+))?$/.exec(
      req.path,
    );
    const repo = m ? this.repos.get(m[1]) : undefined;
    if (!m || !repo) return notModelled(req);
    const toJobs = (runId: number, jobs: ControlJob[] = []) =>
      jobs.map((j, i) =>
        job(
          runId,
          {
            id: runId * 100 + i,
            name: j.name,
            workflow_name: body.name,
            head_sha: body.head_sha,
            status: j.status ?? 'completed',
            ...(j.status && j.status !== 'completed'
              ? { conclusion: null, completed_at: null }
              : {}),
            html_url: `https://${this.webHost}/${
              m[1]
            }/actions/runs/${runId}/job/${runId * 100 + i}`,
          },
          j.steps ?? [],
        ),
      );
    if (req.method === 'POST' && !m[2]) {
      const workflowFile = String(body.workflowFile ?? '');
      if (!repo.workflows.includes(workflowFile))
        repo.workflows.push(workflowFile);
      const { jobs, workflowFile: _w, ...fields } = body;
      const run = this.run(m[1], { ...fields, workflowFile, id: ids++ });
      repo.runs.unshift(run);
      repo.jobs[run.id] = toJobs(run.id, jobs);
      return { status: 201, body: run };
    }
    if (req.method === 'PATCH' && m[2]) {
      const run = repo.runs.find(r => r.id === Number(m[2]));
      if (!run) return { status: 404, body: { message: 'Not Found' } };
      const { jobs, ...fields } = body;
      Object.assign(run, fields, { updated_at: new Date().toISOString() });
      if (jobs) repo.jobs[run.id] = toJobs(run.id, jobs);
      return { status: 200, body: run };
    }
    return notModelled(req);
  }

  private serveBlob(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://blob');
    this.blobRequests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: {},
      headers: req.headers,
    });
    const m = /^\/([^/]+\/[^/]+)\/(\d+)$/.exec(url.pathname);
    const zip = m ? this.repos.get(m[1])?.zips[Number(m[2])] : undefined;
    if (!zip) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, {
        'content-type': 'application/zip',
        'content-length': String(zip.byteLength),
      })
      .end(Buffer.from(zip));
  }
}
