import type { components } from '@octokit/openapi-types';

type PublicUser = components['schemas']['public-user'];
type SimpleUser = components['schemas']['simple-user'];
type TeamFull = components['schemas']['team-full'];

/** The organisations, their teams and the users the local GitHub knows. */
export interface Accounts {
  /** Organisation login → team slugs. */
  orgs: Record<string, string[]>;
  /** User logins. The first is the owner of the token (the authenticated user). */
  users: string[];
  /**
   * Members of each team, by `org/team-slug` (e.g. `'acme/platform-team': ['riley']`). A team
   * left out has no members, so it approves nothing as an environment's reviewer.
   */
  teamMembers?: Record<string, string[]>;
}

/** Stable small ids, so a reviewer id the scaffolder looked up stays valid. */
const idOf = (kind: string, name: string) =>
  [...`${kind}/${name}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1e7, 7) +
  1;

export const teamId = (org: string, slug: string) =>
  idOf('Team', `${org}/${slug}`);
export const userId = (login: string) => idOf('User', login);

export function simpleUser(
  login: string,
  type: 'User' | 'Organization' = 'User',
): SimpleUser {
  return {
    login,
    id: idOf(type, login),
    node_id: `${type === 'User' ? 'U' : 'O'}_${login}`,
    avatar_url: `https://avatars.example.test/${login}`,
    gravatar_id: null,
    url: '',
    html_url: '',
    followers_url: '',
    following_url: '',
    gists_url: '',
    starred_url: '',
    subscriptions_url: '',
    organizations_url: '',
    repos_url: '',
    events_url: '',
    received_events_url: '',
    type,
    site_admin: false,
  };
}

/** `GET /users/{username}`: a user, or an organisation (GitHub answers both there). */
export function publicUser(
  login: string,
  type: 'User' | 'Organization',
): PublicUser {
  return {
    ...simpleUser(login, type),
    name: login,
    company: null,
    blog: null,
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

/** The members of a team of an organisation (none when the accounts do not say). */
export const teamMembers = (accounts: Accounts, org: string, slug: string) =>
  accounts.teamMembers?.[`${org}/${slug}`] ?? [];

export function teamFull(
  org: string,
  slug: string,
  membersCount = 1,
): TeamFull {
  return {
    id: teamId(org, slug),
    node_id: `T_${org}_${slug}`,
    url: '',
    html_url: '',
    name: slug,
    slug,
    description: null,
    permission: 'pull',
    members_url: '',
    repositories_url: '',
    members_count: membersCount,
    repos_count: 0,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    organization: {
      ...publicUser(org, 'Organization'),
      name: org,
      company: undefined,
      blog: undefined,
      location: undefined,
      email: undefined,
      html_url: '',
      has_organization_projects: true,
      has_repository_projects: true,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      type: 'Organization',
      description: null,
      repos_url: '',
      events_url: '',
      hooks_url: '',
      issues_url: '',
      members_url: '',
      public_members_url: '',
      archived_at: null,
    },
  };
}

/** What an account login is on this host, if anything. */
export function accountType(
  accounts: Accounts,
  login: string,
): 'User' | 'Organization' | undefined {
  if (Object.keys(accounts.orgs).includes(login)) return 'Organization';
  if (accounts.users.includes(login)) return 'User';
  return undefined;
}
