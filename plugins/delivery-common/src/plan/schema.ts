import { PLAN_SUMMARY_SCHEMA_VERSION } from './constants';

// Limits keep a malformed or hostile artifact from costing the reader unbounded work; they are far
// above what a real stack produces (the template's full stack has about 120 resources).
const MAX_RESOURCES = 5000;
const MAX_ATTRIBUTES = 1000;
const MAX_TEXT = 4000;

const count = { type: 'integer', minimum: 0, maximum: MAX_RESOURCES } as const;

/**
 * JSON Schema (draft 2020-12) of {@link PlanSummary}. The deploy workflow of generated
 * repositories writes summaries in this format for its approval gate; the delivery backend reads
 * them. The schema cannot compare `totals` with `resources`; {@link validatePlanSummary} does.
 *
 * @public
 */
export const planSummarySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://cicd-aws.dev/schemas/plan-summary/v1.json',
  title: 'Terraform plan summary',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'createdAt', 'commit', 'totals', 'resources'],
  properties: {
    schemaVersion: { const: PLAN_SUMMARY_SCHEMA_VERSION },
    createdAt: { type: 'string', format: 'date-time' },
    commit: { type: 'string', pattern: '^[0-9a-f]{7,40}$' },
    run: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        id: { type: 'integer', minimum: 1 },
        attempt: { type: 'integer', minimum: 1 },
        url: { type: 'string', format: 'uri', maxLength: MAX_TEXT },
        workflow: { type: 'string', maxLength: MAX_TEXT },
      },
    },
    terraform: {
      type: 'object',
      additionalProperties: false,
      properties: {
        version: { type: 'string', maxLength: 100 },
        directory: { type: 'string', maxLength: MAX_TEXT },
      },
    },
    totals: {
      type: 'object',
      additionalProperties: false,
      required: ['add', 'change', 'replace', 'destroy'],
      properties: {
        add: count,
        change: count,
        replace: count,
        destroy: count,
      },
    },
    resources: {
      type: 'array',
      maxItems: MAX_RESOURCES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address', 'type', 'action', 'changedAttributes'],
        properties: {
          address: { type: 'string', minLength: 1, maxLength: MAX_TEXT },
          type: { type: 'string', pattern: '^[a-zA-Z0-9_-]+$', maxLength: 200 },
          moduleAddress: { type: 'string', maxLength: MAX_TEXT },
          action: {
            type: 'string',
            enum: ['create', 'update', 'replace', 'delete'],
          },
          actionReason: { type: 'string', maxLength: 200 },
          changedAttributes: {
            type: 'array',
            maxItems: MAX_ATTRIBUTES,
            uniqueItems: true,
            items: { type: 'string', minLength: 1, maxLength: MAX_TEXT },
          },
        },
      },
    },
  },
} as const;
