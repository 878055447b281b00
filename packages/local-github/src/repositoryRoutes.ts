import type { components } from '@octokit/openapi-types';
import {
  Accounts,
  accountType,
  publicUser,
  simpleUser,
  teamFull,
  teamId,
  teamMembers,
  userId,
} from './accounts';
import type { FakeAnswer, FakeRepo, RecordedRequest } from './FakeGithub';
import { emptyRepo } from './FakeGithub';
import { GitHost } from './gitHost';

type FullRepository = components['schemas']['full-repository'];
type Environment = components['schemas']['environment'];
type ActionsVariable = components['schemas']['actions-variable'];
type GitTree = components['schemas']['git-tree'];
type Blob = components['schemas']['blob'];
type ContentFile = components['schemas']['content-file'];
type DeploymentBranchPolicy = components['schemas']['deployment-branch-policy'];

/** A reviewer as `PUT .../environments/{name}` takes it. */
export interface ReviewerRef {
  type: 'User' | 'Team';
  id: number;
}

/** What GitHub stores about one environment of a repository. */
export interface EnvironmentRecord {
  /** As `GET .../environments/{name}` answers it. */
  environment: Environment;
  reviewers: ReviewerRef[];
  variables: Map<string, ActionsVariable>;
  branchPolicies: DeploymentBranchPolicy[];
}

/** What GitHub stores about a repository created through the API. */
export interface HostedRepo {
  id: number;
  owner: string;
  ownerType: 'User' | 'Organization';
  name: string;
  description: string | null;
  private: boolean;
  createdAt: string;
  variables: Map<string, ActionsVariable>;
  /** The body of the last `PUT .../branches/{branch}/protection`, by branch. */
  protection: Map<string, unknown>;
  /** Teams of the organisation given access (`PUT /orgs/{org}/teams/{team}/repos/...`), by slug. */
  teamPermissions: Map<string, string>;
  /** The OIDC subject claim template (`PUT .../actions/oidc/customization/sub`). */
  oidcSubject: { use_default: boolean; include_claim_keys?: string[] };
  /** The same map as the repository's `FakeRepo.environments`. */
  environments: Map<string, EnvironmentRecord>;
}

export interface HostingContext {
  accounts: Accounts;
  /** The login the request's token acts as. */
  login: string;
  git?: GitHost;
  repos: Map<string, FakeRepo>;
  /** The API's loopback origin, e.g. http://127.0.0.1:4567. */
  url: string;
  /** The web host name GitHub Enterprise would have, e.g. github.local. */
  webHost: string;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
let nextId = 70000;

const notFound: FakeAnswer = { status: 404, body: { message: 'Not Found' } };
const validationFailed = (
  message: string,
  errors: unknown[] = [],
): FakeAnswer => ({
  status: 422,
  body: {
    message,
    errors,
    documentation_url: 'https://docs.github.com/rest',
  },
});

/** `GET /repos/{owner}/{repo}` of a hosted repository, with every URL GitHub gives. */
export function fullRepository(
  ctx: HostingContext,
  repo: HostedRepo,
  defaultBranch: string,
): FullRepository {
  const slug = `${repo.owner}/${repo.name}`;
  const api = `${ctx.url}/api/v3/repos/${slug}`;
  const web = `https://${ctx.webHost}/${slug}`;
  const urls = Object.fromEntries(
    [
      'assignees',
      'blobs',
      'branches',
      'collaborators',
      'comments',
      'commits',
      'compare',
      'contents',
      'contributors',
      'deployments',
      'downloads',
      'events',
      'forks',
      'git_commits',
      'git_refs',
      'git_tags',
      'issue_comment',
      'issue_events',
      'issues',
      'keys',
      'labels',
      'languages',
      'merges',
      'milestones',
      'notifications',
      'pulls',
      'releases',
      'stargazers',
      'statuses',
      'subscribers',
      'subscription',
      'tags',
      'teams',
      'hooks',
    ].map(n => [`${n}_url`, `${api}/${n.replace('_', '/')}`]),
  );
  return {
    ...(urls as Pick<FullRepository, 'assignees_url'>),
    ...urls,
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: slug,
    owner: simpleUser(repo.owner, repo.ownerType),
    private: repo.private,
    visibility: repo.private ? 'private' : 'public',
    html_url: web,
    description: repo.description,
    fork: false,
    url: api,
    // The URL templates the catalog's GitHub reader fills in (archive, trees).
    archive_url: `${api}/{archive_format}{/ref}`,
    trees_url: `${api}/git/trees{/sha}`,
    git_url: `git://${ctx.webHost}/${slug}.git`,
    ssh_url: `git@${ctx.webHost}:${slug}.git`,
    // Where git clones and pushes: the smart-HTTP git host on the same loopback port.
    clone_url: `${ctx.url}/${slug}.git`,
    svn_url: web,
    mirror_url: null,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: defaultBranch,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    permissions: {
      admin: true,
      maintain: true,
      push: true,
      triage: true,
      pull: true,
    },
    network_count: 0,
    subscribers_count: 0,
  } as FullRepository;
}

const teamOf = (accounts: Accounts, org: string, slug: string) =>
  teamFull(org, slug, teamMembers(accounts, org, slug).length);
const teamOfId = (ctx: HostingContext, org: string, id: number) => {
  const slug = (ctx.accounts.orgs[org] ?? []).find(t => teamId(org, t) === id);
  return slug ? teamOf(ctx.accounts, org, slug) : undefined;
};
const loginOfId = (ctx: HostingContext, id: number) =>
  ctx.accounts.users.find(u => userId(u) === id);

function environmentOf(
  ctx: HostingContext,
  slug: string,
  name: string,
  id: number,
  body: any,
  reviewers: ReviewerRef[],
  created: string,
): Environment {
  const [org] = slug.split('/');
  const rules: NonNullable<Environment['protection_rules']> = [];
  if (body?.wait_timer) {
    rules.push({
      id: id * 10 + 1,
      node_id: `GA_${id}_1`,
      type: 'wait_timer',
      wait_timer: body.wait_timer,
    });
  }
  if (reviewers.length) {
    rules.push({
      id: id * 10 + 2,
      node_id: `GA_${id}_2`,
      type: 'required_reviewers',
      prevent_self_review: Boolean(body?.prevent_self_review),
      reviewers: reviewers.map(r => ({
        type: r.type,
        reviewer:
          r.type === 'Team'
            ? (teamOfId(ctx, org, r.id) as any)
            : simpleUser(loginOfId(ctx, r.id) ?? 'unknown'),
      })),
    });
  }
  if (body?.deployment_branch_policy) {
    rules.push({
      id: id * 10 + 3,
      node_id: `GA_${id}_3`,
      type: 'branch_policy',
    });
  }
  return {
    id,
    node_id: `EN_${id}`,
    name,
    url: `${ctx.url}/api/v3/repos/${slug}/environments/${name}`,
    html_url: `https://${ctx.webHost}/${slug}/deployments/activity_log?environments_filter=${name}`,
    created_at: created,
    updated_at: now(),
    protection_rules: rules,
    deployment_branch_policy: body?.deployment_branch_policy ?? null,
  };
}

function variable(name: string, value: string): ActionsVariable {
  const at = now();
  return { name, value, created_at: at, updated_at: at };
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates and stores one Actions variable as GitHub does (409 when it exists). */
function createVariable(
  store: Map<string, ActionsVariable>,
  body: any,
): FakeAnswer {
  const name = String(body?.name ?? '');
  if (!VARIABLE_NAME.test(name) || name.toUpperCase().startsWith('GITHUB_')) {
    return validationFailed(
      `Variable name ${name} is invalid: use letters, digits and _, not starting with a digit or GITHUB_.`,
    );
  }
  if (typeof body?.value !== 'string') {
    return validationFailed('Invalid request: "value" is not a string.');
  }
  if ([...store.keys()].some(k => k.toUpperCase() === name.toUpperCase())) {
    return { status: 409, body: { message: 'Already exists' } };
  }
  store.set(name.toUpperCase(), variable(name.toUpperCase(), body.value));
  return { status: 201, body: {} };
}

const REPO_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

async function createRepo(
  ctx: HostingContext,
  owner: string,
  ownerType: 'User' | 'Organization',
  body: any,
): Promise<FakeAnswer> {
  const name = String(body?.name ?? '');
  if (!REPO_NAME.test(name) || name === '.' || name === '..') {
    return validationFailed('Repository creation failed.', [
      {
        resource: 'Repository',
        code: 'custom',
        field: 'name',
        message: 'name is invalid',
      },
    ]);
  }
  const slug = `${owner}/${name}`;
  if (ctx.repos.has(slug)) {
    return validationFailed('Repository creation failed.', [
      {
        resource: 'Repository',
        code: 'custom',
        field: 'name',
        message: 'name already exists on this account',
      },
    ]);
  }
  if (!ctx.git) {
    return {
      status: 501,
      body: {
        message:
          'This local GitHub was started without a git folder (gitRoot), so it cannot host repositories.',
      },
    };
  }
  const hosted: HostedRepo = {
    id: nextId++,
    owner,
    ownerType,
    name,
    description: body?.description ?? null,
    private: body?.private === true || body?.visibility === 'private',
    createdAt: now(),
    variables: new Map(),
    protection: new Map(),
    teamPermissions: new Map(),
    oidcSubject: { use_default: true },
    environments: new Map(),
  };
  // GitHub's default branch for new repositories; `git push` of the scaffolder sets its own.
  await ctx.git.create(slug, 'main');
  const repo = emptyRepo();
  repo.workflows = [];
  repo.environments = hosted.environments;
  repo.hosted = hosted;
  ctx.repos.set(slug, repo);
  return { status: 201, body: fullRepository(ctx, hosted, repo.defaultBranch) };
}

/**
 * `PUT /repos/{owner}/{repo}/actions/oidc/customization/sub`: with `use_default: false`, the
 * claim keys the subject is made of (letters, digits and underscores); GitHub answers 201 with an
 * empty object.
 */
function putOidcSubject(hosted: HostedRepo, body: any): FakeAnswer {
  if (typeof body?.use_default !== 'boolean') {
    return validationFailed('Invalid request: "use_default" is not a boolean.');
  }
  const keys = body.include_claim_keys;
  if (body.use_default === false) {
    const valid =
      Array.isArray(keys) &&
      keys.length > 0 &&
      keys.every((k: unknown) => typeof k === 'string' && /^\w+$/.test(k));
    if (!valid) {
      return validationFailed(
        'Invalid request: "include_claim_keys" must be a non-empty array of claim keys when "use_default" is false.',
      );
    }
  }
  hosted.oidcSubject = body.use_default
    ? { use_default: true }
    : { use_default: false, include_claim_keys: keys };
  return { status: 201, body: {} };
}

const TEAM_PERMISSIONS = ['pull', 'triage', 'push', 'maintain', 'admin'];

/**
 * `PUT /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}`: gives a team of the organisation
 * access to one of its repositories (GitHub answers 204; an unknown team or a repository of
 * another owner is a 404, an unknown permission a 422).
 */
function putTeamRepository(
  ctx: HostingContext,
  org: string,
  team: string,
  slug: string,
  body: any,
): FakeAnswer {
  const hosted = ctx.repos.get(slug)?.hosted;
  if (
    !hosted ||
    hosted.owner !== org ||
    !(ctx.accounts.orgs[org] ?? []).includes(team)
  ) {
    return notFound;
  }
  const permission = body?.permission ?? 'push';
  if (!TEAM_PERMISSIONS.includes(permission)) {
    return validationFailed(
      `permission must be one of ${TEAM_PERMISSIONS.join(', ')}`,
    );
  }
  hosted.teamPermissions.set(team, permission);
  return { status: 204 };
}

/**
 * `PUT /repos/{owner}/{repo}/environments/{name}`. Reviewers are checked as GitHub checks them:
 * at most six, each a user of this host or a team of the repository's organisation (which, for a
 * hosted repository, must have access to it); anything else is a 422 and changes nothing.
 */
export function putEnvironment(
  ctx: Pick<HostingContext, 'accounts' | 'url' | 'webHost'>,
  slug: string,
  repo: FakeRepo,
  name: string,
  body: any,
): FakeAnswer {
  const hosted = repo.hosted;
  const owner = slug.split('/')[0];
  const ownerType = hosted?.ownerType ?? accountType(ctx.accounts, owner);
  const context = ctx as HostingContext;
  const reviewers: ReviewerRef[] = Array.isArray(body?.reviewers)
    ? body.reviewers
    : [];
  if (reviewers.length > 6) {
    return validationFailed('Validation Failed', [
      {
        resource: 'Environment',
        field: 'reviewers',
        code: 'invalid',
        message: 'at most 6 reviewers',
      },
    ]);
  }
  for (const reviewer of reviewers) {
    const team =
      reviewer?.type === 'Team' && ownerType === 'Organization'
        ? teamOfId(context, owner, Number(reviewer.id))
        : undefined;
    // GitHub: an environment's reviewers must have at least read access to the repository.
    if (team && hosted && !hosted.teamPermissions.has(team.slug)) {
      return validationFailed('Validation Failed', [
        {
          resource: 'Environment',
          field: 'reviewers',
          code: 'invalid',
          message: `team ${team.slug} has no access to ${slug}; reviewers need at least read access to the repository`,
        },
      ]);
    }
    const known =
      reviewer?.type === 'Team'
        ? Boolean(team)
        : reviewer?.type === 'User' &&
          Boolean(loginOfId(context, Number(reviewer.id)));
    if (!known) {
      return validationFailed('Validation Failed', [
        {
          resource: 'Environment',
          field: 'reviewers',
          code: 'invalid',
          message: `${reviewer?.type ?? 'reviewer'} ${
            reviewer?.id
          } is not a user or a team of ${owner} that can review deployments`,
        },
      ]);
    }
  }
  const policy = body?.deployment_branch_policy;
  if (policy && policy.protected_branches === policy.custom_branch_policies) {
    return validationFailed(
      'Exactly one of protected_branches and custom_branch_policies must be true.',
    );
  }
  if (
    body?.wait_timer !== undefined &&
    !(
      Number.isInteger(body.wait_timer) &&
      body.wait_timer >= 0 &&
      body.wait_timer <= 43200
    )
  ) {
    return validationFailed(
      'Invalid request: "wait_timer" must be a number of minutes from 0 to 43200.',
    );
  }
  const existing = repo.environments.get(name);
  const id = existing?.environment.id ?? nextId++;
  const environment = environmentOf(
    context,
    slug,
    name,
    id,
    body,
    reviewers,
    existing?.environment.created_at ?? now(),
  );
  repo.environments.set(name, {
    environment,
    reviewers,
    variables: existing?.variables ?? new Map(),
    branchPolicies: existing?.branchPolicies ?? [],
  });
  return { status: 200, body: environment };
}

/**
 * The calls of Backstage's `publish:github`, `github:environment:create`, `catalog:register` and
 * the catalog's GitHub URL reader that are not about a repository's runs and deployments:
 * accounts, repository creation, variables, branch protection, environments, contents, trees,
 * blobs and tarballs. Answers undefined for paths it does not model.
 */
export async function answerHosting(
  ctx: HostingContext,
  req: RecordedRequest,
): Promise<FakeAnswer | undefined> {
  const path = req.path.replace(/^\/api\/v3/, '');
  const on = (method: string, route: RegExp) =>
    req.method === method ? route.exec(path) : null;
  let m: RegExpExecArray | null;

  m = on('GET', /^\/users\/([^/]+)$/);
  if (m) {
    const type = accountType(ctx.accounts, m[1]);
    return type ? { status: 200, body: publicUser(m[1], type) } : notFound;
  }
  if (req.method === 'GET' && path === '/user') {
    // The user the token belongs to, as GitHub answers it (the web flow's sign-in reads this).
    return { status: 200, body: publicUser(ctx.login, 'User') };
  }
  if (req.method === 'GET' && path === '/user/emails') {
    const email: components['schemas']['email'] = {
      email: `${ctx.login}@example.test`,
      primary: true,
      verified: true,
      visibility: 'private',
    };
    return { status: 200, body: [email] };
  }
  if (req.method === 'GET' && path === '/user/teams') {
    const teams = Object.entries(ctx.accounts.orgs).flatMap(([org, slugs]) =>
      slugs
        .filter(t => teamMembers(ctx.accounts, org, t).includes(ctx.login))
        .map(t => teamOf(ctx.accounts, org, t)),
    );
    return { status: 200, body: teams };
  }
  m = on('GET', /^\/orgs\/([^/]+)\/teams\/([^/]+)$/);
  if (m) {
    return (ctx.accounts.orgs[m[1]] ?? []).includes(m[2])
      ? { status: 200, body: teamOf(ctx.accounts, m[1], m[2]) }
      : notFound;
  }
  m = on('GET', /^\/orgs\/([^/]+)\/teams\/([^/]+)\/members$/);
  if (m) {
    if (!(ctx.accounts.orgs[m[1]] ?? []).includes(m[2])) return notFound;
    return {
      status: 200,
      body: teamMembers(ctx.accounts, m[1], m[2]).map(u => simpleUser(u)),
    };
  }
  m = on('GET', /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/);
  if (m) {
    // GitHub answers 404 both for an unknown team and for a user who is not a member.
    if (!teamMembers(ctx.accounts, m[1], m[2]).includes(m[3])) return notFound;
    const membership: components['schemas']['team-membership'] = {
      url: `${ctx.url}/api/v3/organizations/${m[1]}/team/${teamId(
        m[1],
        m[2],
      )}/memberships/${m[3]}`,
      role: 'member',
      state: 'active',
    };
    return { status: 200, body: membership };
  }
  m = on('PUT', /^\/orgs\/([^/]+)\/teams\/([^/]+)\/repos\/([^/]+)\/([^/]+)$/);
  if (m) {
    return putTeamRepository(ctx, m[1], m[2], `${m[3]}/${m[4]}`, req.body);
  }
  m = on('POST', /^\/orgs\/([^/]+)\/repos$/);
  if (m) {
    if (accountType(ctx.accounts, m[1]) !== 'Organization') return notFound;
    return createRepo(ctx, m[1], 'Organization', req.body);
  }
  if (req.method === 'POST' && path === '/user/repos') {
    return createRepo(ctx, ctx.login, 'User', req.body);
  }

  const repoMatch = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(path);
  const repo = repoMatch ? ctx.repos.get(repoMatch[1]) : undefined;
  if (!repoMatch || !repo) return undefined;
  const slug = repoMatch[1];
  const sub = repoMatch[2] ?? '/';
  const at = (method: string, route: RegExp) =>
    req.method === method ? route.exec(sub) : null;

  // Environments: of every repository, seeded or hosted.
  m = at('PUT', /^\/environments\/([^/]+)$/);
  if (m) {
    return putEnvironment(ctx, slug, repo, decodeURIComponent(m[1]), req.body);
  }
  m = at('GET', /^\/environments\/([^/]+)$/);
  if (m) {
    const env = repo.environments.get(decodeURIComponent(m[1]));
    return env ? { status: 200, body: env.environment } : notFound;
  }
  if (req.method === 'GET' && sub === '/environments') {
    const environments = [...repo.environments.values()].map(
      e => e.environment,
    );
    return {
      status: 200,
      body: { total_count: environments.length, environments },
    };
  }

  const hosted = repo.hosted;
  if (!hosted) return undefined;
  const git = ctx.git!;

  if (req.method === 'GET' && sub === '/') {
    return {
      status: 200,
      body: fullRepository(ctx, hosted, repo.defaultBranch),
    };
  }
  if (req.method === 'POST' && sub === '/actions/variables') {
    return createVariable(hosted.variables, req.body);
  }
  if (sub === '/actions/oidc/customization/sub') {
    if (req.method === 'GET') return { status: 200, body: hosted.oidcSubject };
    if (req.method === 'PUT') return putOidcSubject(hosted, req.body);
  }
  if (req.method === 'GET' && sub === '/actions/variables') {
    const variables = [...hosted.variables.values()];
    return { status: 200, body: { total_count: variables.length, variables } };
  }
  m = at('PUT', /^\/branches\/([^/]+)\/protection$/);
  if (m) {
    if (!(await git.resolve(slug, m[1]))) {
      return { status: 404, body: { message: 'Branch not found' } };
    }
    hosted.protection.set(m[1], req.body);
    return {
      status: 200,
      body: { url: `${ctx.url}/api/v3${path}`, ...req.body },
    };
  }
  m = at('GET', /^\/branches\/([^/]+)\/protection$/);
  if (m) {
    const protection = hosted.protection.get(m[1]);
    return protection
      ? { status: 200, body: protection }
      : { status: 404, body: { message: 'Branch not protected' } };
  }
  m = at('POST', /^\/environments\/([^/]+)\/variables$/);
  if (m) {
    const env = hosted.environments.get(decodeURIComponent(m[1]));
    return env ? createVariable(env.variables, req.body) : notFound;
  }
  m = at('GET', /^\/environments\/([^/]+)\/variables$/);
  if (m) {
    const env = hosted.environments.get(decodeURIComponent(m[1]));
    if (!env) return notFound;
    const variables = [...env.variables.values()];
    return { status: 200, body: { total_count: variables.length, variables } };
  }
  m = at('POST', /^\/environments\/([^/]+)\/deployment-branch-policies$/);
  if (m) {
    const env = hosted.environments.get(decodeURIComponent(m[1]));
    if (!env) return notFound;
    if (!env.environment.deployment_branch_policy?.custom_branch_policies) {
      return validationFailed(
        'Custom deployment branch policies are not enabled for this environment.',
      );
    }
    const policy: DeploymentBranchPolicy = {
      id: nextId++,
      node_id: `DBP_${nextId}`,
      name: String(req.body?.name ?? ''),
      type: req.body?.type === 'tag' ? 'tag' : 'branch',
    };
    env.branchPolicies.push(policy);
    return { status: 200, body: policy };
  }

  // Contents, trees, blobs and tarballs: read from the bare repository with git.
  m = at('GET', /^\/contents\/(.+)$/);
  if (m) {
    const ref = req.query.ref ?? repo.defaultBranch;
    const commit = await git.resolve(slug, ref);
    const file =
      commit && (await git.file(slug, commit, decodeURIComponent(m[1])));
    if (!file) return notFound;
    const accept = String(req.headers.accept ?? '');
    if (accept.includes('raw')) {
      return {
        status: 200,
        headers: {
          'content-type': 'application/vnd.github.raw; charset=utf-8',
        },
        raw: file.content,
        etag: `"${file.sha}"`,
      };
    }
    const name = decodeURIComponent(m[1]).split('/').pop() ?? '';
    const content: ContentFile = {
      type: 'file',
      encoding: 'base64',
      size: file.content.byteLength,
      name,
      path: decodeURIComponent(m[1]),
      content: file.content.toString('base64'),
      sha: file.sha,
      url: `${ctx.url}/api/v3${path}`,
      git_url: `${ctx.url}/api/v3/repos/${slug}/git/blobs/${file.sha}`,
      html_url: `https://${ctx.webHost}/${slug}/blob/${ref}/${m[1]}`,
      download_url: null,
      _links: { self: '', git: null, html: null },
    };
    return { status: 200, body: content };
  }
  m = at('GET', /^\/commits\/([^/]+)\/status$/);
  if (m) {
    const sha = await git.resolve(slug, decodeURIComponent(m[1]));
    if (!sha)
      return {
        status: 422,
        body: { message: `No commit found for SHA: ${m[1]}` },
      };
    return {
      status: 200,
      body: {
        state: 'pending',
        sha,
        total_count: 0,
        statuses: [],
        repository: fullRepository(ctx, hosted, repo.defaultBranch),
        commit_url: `${ctx.url}/api/v3/repos/${slug}/commits/${sha}`,
        url: `${ctx.url}/api/v3/repos/${slug}/commits/${sha}/status`,
      } as components['schemas']['combined-commit-status'],
    };
  }
  m = at('GET', /^\/git\/trees\/([^/]+)$/);
  if (m) {
    // GitHub takes a tree's sha, or a commit or ref whose tree it answers with its own sha.
    const treeSha = await git.resolve(slug, decodeURIComponent(m[1]), 'tree');
    const entries =
      treeSha &&
      (await git.tree(slug, treeSha, req.query.recursive !== undefined));
    if (!entries) return notFound;
    const tree: GitTree = {
      sha: treeSha!,
      url: `${ctx.url}/api/v3/repos/${slug}/git/trees/${treeSha}`,
      truncated: false,
      tree: entries.map(e => ({
        path: e.path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        size: e.size,
        url: `${ctx.url}/api/v3/repos/${slug}/git/${e.type}s/${e.sha}`,
      })),
    };
    return { status: 200, body: tree };
  }
  m = at('GET', /^\/git\/blobs\/([0-9a-f]{40})$/);
  if (m) {
    const content = await git.blob(slug, m[1]);
    if (!content) return notFound;
    const blob: Blob = {
      content: content.toString('base64'),
      encoding: 'base64',
      url: `${ctx.url}/api/v3${path}`,
      sha: m[1],
      size: content.byteLength,
      node_id: `B_${m[1]}`,
    };
    return { status: 200, body: blob };
  }
  m = at('GET', /^\/tarball(?:\/(.+))?$/);
  if (m) {
    const sha = await git.resolve(
      slug,
      decodeURIComponent(m[1] ?? repo.defaultBranch),
    );
    if (!sha) return notFound;
    return {
      status: 200,
      headers: {
        'content-type': 'application/x-gzip',
        'content-disposition': `attachment; filename=${hosted.owner}-${
          hosted.name
        }-${sha.slice(0, 7)}.tar.gz`,
      },
      raw: await git.tarball(
        slug,
        sha,
        `${hosted.owner}-${hosted.name}-${sha.slice(0, 7)}`,
      ),
    };
  }
  return undefined;
}
