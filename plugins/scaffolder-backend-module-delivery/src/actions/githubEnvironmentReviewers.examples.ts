import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `delivery:github:environment-reviewers`, shown in the scaffolder's action list and run by a test. */
export const githubEnvironmentReviewersExamples: TemplateExample[] = [
  {
    description:
      'After github:environment:create (without reviewers), make the owning team approve each production deploy; the output says so when the account cannot have required reviewers.',
    example: stringify({
      steps: [
        {
          id: 'reviewers',
          action: 'delivery:github:environment-reviewers',
          name: 'Require an approval for production deploys',
          input: {
            repoUrl: 'github.example.com?owner=acme&repo=taken',
            environment: 'production',
            reviewers: ['group:default/platform-team'],
          },
        },
      ],
      output: {
        text: [
          {
            title: 'Production deploys are not reviewed',
            if: "${{ not steps['reviewers'].output.requiredReviewers }}",
            content: "${{ steps['reviewers'].output.message }}",
          },
        ],
      },
    }),
  },
];
