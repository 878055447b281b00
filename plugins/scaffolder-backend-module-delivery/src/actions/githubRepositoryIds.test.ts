import { parse } from 'yaml';
import { fakeGithubHost } from '../__testUtils__/fakeGithubHost';
import { mockActionContext } from '../__testUtils__/mockActionContext';
import { createGithubRepositoryIdsAction } from './githubRepositoryIds';
import { githubRepositoryIdsExamples } from './githubRepositoryIds.examples';

const TOKEN = 'ids-token';
const host = fakeGithubHost(TOKEN);
const { github } = host;

const action = () =>
  createGithubRepositoryIdsAction({ integrations: host.integrations() });

let created: { id: number; owner: { id: number } };

beforeAll(async () => {
  created = await host.start();
});
afterAll(() => host.stop());

describe('delivery:github:repository-ids', () => {
  it('outputs the ids GitHub gave the repository and its owner (its example runs as written)', async () => {
    const step = parse(githubRepositoryIdsExamples[0].example).steps[0];
    const run = mockActionContext({ input: step.input });
    await action().handler(run.ctx);
    expect(run.outputs).toEqual({
      repositoryId: String(created.id),
      ownerId: String(created.owner.id),
    });
    const owner = await (
      await fetch(`${github.url}/api/v3/users/acme`, {
        headers: { authorization: `token ${TOKEN}` },
      })
    ).json();
    expect(run.outputs.ownerId).toBe(String(owner.id));
  });

  it('says the step must follow github:repo:create when the repository does not exist', async () => {
    const run = mockActionContext({
      input: { repoUrl: 'github.example.com?owner=acme&repo=not-yet' },
    });
    await expect(action().handler(run.ctx)).rejects.toThrow(
      'github.example.com/acme/not-yet does not exist; this step reads the ids of the repository github:repo:create made, so it must come after that step.',
    );
    expect(run.outputs).toEqual({});
  });

  it('refuses a host without credentials, naming the ones that have them', async () => {
    const run = mockActionContext({
      input: { repoUrl: 'github.com?owner=acme&repo=taken' },
    });
    await expect(action().handler(run.ctx)).rejects.toThrow(
      /github\.com is not a GitHub host this portal can create repositories on \(integrations\.github has credentials for github\.example\.com\)/,
    );
  });

  it('outputs empty ids in a dry run, where nothing was created', async () => {
    const run = mockActionContext({
      input: { repoUrl: 'github.example.com?owner=acme&repo=orders-api' },
      isDryRun: true,
    });
    await action().handler(run.ctx);
    expect(run.outputs).toEqual({ repositoryId: '', ownerId: '' });
  });
});
