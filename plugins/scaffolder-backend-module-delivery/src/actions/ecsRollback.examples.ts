import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `delivery:ecs:rollback`, shown in the scaffolder's action list and run by a test. */
export const ecsRollbackExamples: TemplateExample[] = [
  {
    description:
      'Roll a service back to the revision before the running one and wait until ECS reports the rollout COMPLETED.',
    example: stringify({
      steps: [
        {
          id: 'rollback',
          action: 'delivery:ecs:rollback',
          name: 'Roll back',
          input: {
            entityRef: 'component:default/orders-api',
            revision: 'previous',
            reason: 'Release 42 returns 500 on checkout',
          },
        },
      ],
    }),
  },
  {
    description:
      'Roll back to task-definition revision 7 and return as soon as ECS accepted the update.',
    example: stringify({
      steps: [
        {
          id: 'rollback',
          action: 'delivery:ecs:rollback',
          name: 'Roll back to revision 7',
          input: {
            entityRef: 'component:default/orders-api',
            revision: 7,
            reason: 'Back to the last release before the schema change',
            waitForCompletion: false,
          },
        },
      ],
    }),
  },
  {
    description:
      'Wait at most 5 minutes for the rollout, then fail the step so the task shows it.',
    example: stringify({
      steps: [
        {
          id: 'rollback',
          action: 'delivery:ecs:rollback',
          name: 'Roll back',
          input: {
            entityRef: 'component:default/orders-api',
            revision: 'previous',
            reason: 'Memory leak in the new release',
            timeoutMinutes: 5,
          },
        },
      ],
    }),
  },
];
