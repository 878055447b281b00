import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `delivery:github:repository-ids`, shown in the scaffolder's action list and run by a test. */
export const githubRepositoryIdsExamples: TemplateExample[] = [
  {
    description:
      "After github:repo:create, read the repository's and its owner's ids for the AWS roles' OIDC trust.",
    example: stringify({
      steps: [
        {
          id: 'ids',
          action: 'delivery:github:repository-ids',
          name: 'Read the repository ids',
          input: {
            repoUrl: 'github.example.com?owner=acme&repo=taken',
          },
        },
      ],
    }),
  },
];
