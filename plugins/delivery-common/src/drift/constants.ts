/** Version of the drift report format this package describes. @public */
export const DRIFT_REPORT_SCHEMA_VERSION = 1;

/** Name of the artifact the drift workflow uploads the report in (fixed, so a reader can find it). @public */
export const DRIFT_REPORT_ARTIFACT_NAME = 'drift-report';

/** File name of the report inside that artifact. @public */
export const DRIFT_REPORT_FILE_NAME = 'drift-report.json';

/** Label of the one issue the drift workflow keeps open while drift persists. @public */
export const DRIFT_ISSUE_LABEL = 'drift';
