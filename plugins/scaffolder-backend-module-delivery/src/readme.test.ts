import { mockServices } from '@backstage/backend-test-utils';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDriftCheckAction } from './actions/driftCheck';
import { createEcsRollbackAction } from './actions/ecsRollback';
import { createGithubEnvironmentReviewersAction } from './actions/githubEnvironmentReviewers';
import { createGithubPreflightAction } from './actions/githubPreflight';
import { createGithubRepositoryIdsAction } from './actions/githubRepositoryIds';
import { ScmIntegrations } from '@backstage/integration';
import { ConfigReader } from '@backstage/config';

const readme = readFileSync(resolve(__dirname, '../README.md'), 'utf8');

/** The README's table rows of one action's section: first-column names. */
function documentedFields(actionId: string): string[] {
  const start = readme.indexOf(`### \`${actionId}\``);
  const end = readme.indexOf('\n### ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([A-Za-z]+)`\s*\|/gm)].map(m => m[1]);
}

describe('the README', () => {
  const deps = {
    discovery: mockServices.discovery(),
    auth: mockServices.auth(),
  };
  it.each(
    [
      createEcsRollbackAction(deps),
      createDriftCheckAction(deps),
      createGithubPreflightAction({
        integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
      }),
      createGithubRepositoryIdsAction({
        integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
      }),
      createGithubEnvironmentReviewersAction({
        integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
      }),
    ].map(action => [action.id, action]),
  )(
    'documents every input and output of %s, and nothing else',
    (_id, action) => {
      const schema = action.schema as any;
      const fields = [
        ...Object.keys(schema.input.properties),
        ...Object.keys(schema.output.properties),
      ];
      expect(documentedFields(action.id).sort()).toEqual(fields.sort());
    },
  );
});
