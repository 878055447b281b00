import { DRIFT_REPORT_SCHEMA_VERSION } from './constants';

// Limits keep a malformed or hostile artifact from costing the reader unbounded work; they are far
// above what a real stack produces (the template's full stack has about 120 resources).
const MAX_RESOURCES = 5000;
const MAX_ATTRIBUTES = 1000;
const MAX_TEXT = 4000;

const actionSchema = {
  type: 'string',
  enum: ['create', 'read', 'update', 'delete', 'no-op', 'forget'],
} as const;

/**
 * JSON Schema (draft 2020-12) of {@link DriftReport}. The drift workflow of generated
 * repositories writes reports in this format; the delivery backend reads them.
 *
 * @public
 */
export const driftReportSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://cicd-aws.dev/schemas/drift-report/v1.json',
  title: 'Terraform drift report',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'checkedAt', 'commit', 'status', 'resources'],
  properties: {
    schemaVersion: { const: DRIFT_REPORT_SCHEMA_VERSION },
    checkedAt: { type: 'string', format: 'date-time' },
    commit: { type: 'string', pattern: '^[0-9a-f]{7,40}$' },
    status: { type: 'string', enum: ['in-sync', 'drifted', 'error'] },
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['message'],
      properties: {
        message: { type: 'string', minLength: 1, maxLength: MAX_TEXT },
      },
    },
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
    resources: {
      type: 'array',
      maxItems: MAX_RESOURCES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address', 'type', 'actions', 'changedAttributes'],
        properties: {
          address: { type: 'string', minLength: 1, maxLength: MAX_TEXT },
          type: { type: 'string', pattern: '^[a-zA-Z0-9_-]+$', maxLength: 200 },
          name: { type: 'string', maxLength: MAX_TEXT },
          moduleAddress: { type: 'string', maxLength: MAX_TEXT },
          actions: {
            type: 'array',
            minItems: 1,
            maxItems: 2,
            items: actionSchema,
          },
          actionReason: { type: 'string', maxLength: 200 },
          changedAttributes: {
            type: 'array',
            maxItems: MAX_ATTRIBUTES,
            uniqueItems: true,
            items: { type: 'string', minLength: 1, maxLength: MAX_TEXT },
          },
          changedOutsideTerraform: { type: 'boolean' },
        },
      },
    },
  },
  allOf: [
    {
      // An error report explains itself; other reports carry no error.
      if: { properties: { status: { const: 'error' } } },
      then: { required: ['error'] },
      else: { not: { required: ['error'] } },
    },
    {
      // "drifted" names at least one resource; "in-sync" and "error" name none.
      if: { properties: { status: { const: 'drifted' } } },
      then: { properties: { resources: { type: 'array', minItems: 1 } } },
      else: { properties: { resources: { type: 'array', maxItems: 0 } } },
    },
  ],
} as const;
