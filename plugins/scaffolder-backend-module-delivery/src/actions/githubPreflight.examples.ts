import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `delivery:github:preflight`, shown in the scaffolder's action list and run by a test. */
export const githubPreflightExamples: TemplateExample[] = [
  {
    description:
      'Before publish:github, check the repository can be created and the owning team can approve its production deploys.',
    example: stringify({
      steps: [
        {
          id: 'preflight',
          action: 'delivery:github:preflight',
          name: 'Check the repository can be created',
          input: {
            repoUrl: 'github.example.com?owner=acme&repo=orders-api',
            reviewers: ['group:default/platform-team'],
          },
        },
      ],
    }),
  },
];
