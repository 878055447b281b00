/** Version of the plan summary format this package describes. @public */
export const PLAN_SUMMARY_SCHEMA_VERSION = 1;

/** Name of the artifact the deploy workflow's plan job uploads the summary in. @public */
export const PLAN_SUMMARY_ARTIFACT_NAME = 'plan-summary';

/** File name of the summary inside that artifact. @public */
export const PLAN_SUMMARY_FILE_NAME = 'plan-summary.json';
