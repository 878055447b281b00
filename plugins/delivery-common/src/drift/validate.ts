import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { driftReportSchema } from './schema';
import type { DriftReport } from './types';

/** Result of {@link validateDriftReport}. @public */
export type DriftReportValidation =
  | { valid: true; report: DriftReport; errors: [] }
  | { valid: false; errors: string[] };

let compiled: ReturnType<Ajv2020['compile']> | undefined;

function validator() {
  if (!compiled) {
    // allErrors: a producer fixing its output wants every problem at once, not one per run.
    // strictRequired off: the if/then branches require properties declared at the top level.
    const ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
    });
    addFormats(ajv, ['date-time', 'uri']);
    compiled = ajv.compile(driftReportSchema);
  }
  return compiled;
}

/**
 * Checks a parsed drift report against {@link driftReportSchema}. Returns the typed report, or
 * every violation as `<JSON pointer>: <message>` (the pointer is `/` for the report itself).
 *
 * @public
 */
export function validateDriftReport(value: unknown): DriftReportValidation {
  const validate = validator();
  if (validate(value)) {
    return { valid: true, report: value as DriftReport, errors: [] };
  }
  const errors = (validate.errors ?? [])
    // if/then/else add a summary error ("must match then schema") next to the real one.
    .filter(e => e.keyword !== 'if')
    .map(e => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
  return { valid: false, errors: [...new Set(errors)] };
}
