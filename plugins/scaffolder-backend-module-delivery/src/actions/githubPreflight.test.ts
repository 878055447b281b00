import { fakeGithubHost } from '../__testUtils__/fakeGithubHost';
import { mockActionContext } from '../__testUtils__/mockActionContext';
import { createGithubPreflightAction } from './githubPreflight';
import { githubPreflightExamples } from './githubPreflight.examples';
import { parse } from 'yaml';

const host = fakeGithubHost('preflight-token');
const { github } = host;

const action = () =>
  createGithubPreflightAction({ integrations: host.integrations() });

const check = (input: { repoUrl: string; reviewers?: string[] }) => {
  const run = mockActionContext({ input: { reviewers: [], ...input } });
  return { run, done: action().handler(run.ctx) };
};

beforeAll(() => host.start());
afterAll(() => host.stop());

describe('delivery:github:preflight', () => {
  it('passes a free name in an organisation whose team exists, and says what it checked', async () => {
    const { run, done } = check({
      repoUrl: 'github.example.com?owner=acme&repo=orders-api',
      reviewers: ['group:default/platform-team'],
    });
    await done;
    expect(run.outputs.ownerType).toBe('Organization');
    expect(run.logLines.join('\n')).toContain(
      'github.example.com/acme/orders-api can be created',
    );
    // Nothing is created by the check itself.
    expect(github.repos.has('acme/orders-api')).toBe(false);
  });

  it.each([
    [
      'a name that exists',
      { repoUrl: 'github.example.com?owner=acme&repo=taken' },
      'github.example.com/acme/taken already exists; choose another repository name',
    ],
    [
      'github.com, which has no credentials here',
      { repoUrl: 'github.com?owner=acme&repo=orders-api' },
      'github.com is not a GitHub host this portal can create repositories on (integrations.github has credentials for github.example.com)',
    ],
    [
      'a host that is not under integrations.github',
      { repoUrl: 'ghe.other.example?owner=acme&repo=orders-api' },
      'ghe.other.example is not a GitHub host this portal can create repositories on',
    ],
    [
      'an owner team the host does not know',
      {
        repoUrl: 'github.example.com?owner=acme&repo=orders-api',
        reviewers: ['group:default/payments-team'],
      },
      'acme on github.example.com has no team "payments-team"',
    ],
    [
      'an owner that does not exist',
      { repoUrl: 'github.example.com?owner=nobody&repo=orders-api' },
      'nobody is neither an organisation nor a user on github.example.com',
    ],
    [
      'a team as reviewer of a user-owned repository',
      {
        repoUrl: 'github.example.com?owner=alice&repo=orders-api',
        reviewers: ['group:default/platform-team'],
      },
      'and alice on github.example.com is a user; choose an organisation as the owner',
    ],
  ])(
    'stops on %s with one message saying what to change',
    async (_, input, message) => {
      const { done } = check(input);
      await expect(done).rejects.toThrow(message);
      await expect(check(input).done).rejects.toThrow('Nothing was created');
    },
  );

  it('checks only the host in a dry run (no GitHub calls)', async () => {
    const before = github.requests.length;
    const run = mockActionContext({
      input: {
        repoUrl: 'github.example.com?owner=acme&repo=taken',
        reviewers: [],
      },
      isDryRun: true,
    });
    await action().handler(run.ctx);
    expect(github.requests.length).toBe(before);
  });

  it('passes its own example (the fake has the same host, organisation and team)', async () => {
    const step = parse(githubPreflightExamples[0].example).steps[0];
    expect(step.action).toBe('delivery:github:preflight');
    const run = mockActionContext({ input: step.input });
    await action().handler(run.ctx);
    expect(run.outputs.ownerType).toBe('Organization');
  });
});
