import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `delivery:drift:check`, shown in the scaffolder's action list and run by a test. */
export const driftCheckExamples: TemplateExample[] = [
  {
    description:
      "Start the service's drift workflow now and return the run's link.",
    example: stringify({
      steps: [
        {
          id: 'drift',
          action: 'delivery:drift:check',
          name: 'Check for drift',
          input: { entityRef: 'component:default/orders-api' },
        },
      ],
    }),
  },
  {
    description:
      'Start the drift workflow and wait up to 20 minutes for its report (in-sync, drifted or error).',
    example: stringify({
      steps: [
        {
          id: 'drift',
          action: 'delivery:drift:check',
          name: 'Check for drift and wait',
          input: {
            entityRef: 'component:default/orders-api',
            waitForReport: true,
            timeoutMinutes: 20,
          },
        },
      ],
    }),
  },
];
