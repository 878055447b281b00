import Table from '@material-ui/core/Table';
import { makeStyles } from '@material-ui/core/styles';
import { Fragment, ReactNode } from 'react';

/**
 * Backstage's theme gives every table cell `word-break: break-word`, which lets the browser size a
 * column down to a single letter ("revisi|on 3", "bo|b") as soon as one wide column wants the
 * room. The cards' tables undo that: words break only where they may, short values never wrap,
 * and a table wider than its card scrolls sideways instead of squeezing its columns.
 */
export const useTableStyles = makeStyles(theme => ({
  scroll: {
    overflowX: 'auto',
    maxWidth: '100%',
  },
  table: {
    '& th, & td': {
      wordBreak: 'normal',
      overflowWrap: 'break-word',
      // Denser than the theme's 20px + 16px per cell, so nine columns fit a desktop card.
      paddingLeft: theme.spacing(1.5),
      paddingRight: theme.spacing(1),
    },
  },
  /** Column names on one line (the default; `wrapHeaders` lets them wrap between words). */
  nowrapHeaders: {
    '& thead th': {
      whiteSpace: 'nowrap',
    },
  },
  /** Short values (revision, counts, state, time, actor): on one line. */
  nowrap: {
    whiteSpace: 'nowrap',
  },
  /** Sentences (commit messages, stop reasons): wrap between words, never into a sliver. */
  prose: {
    minWidth: theme.spacing(20),
  },
  visuallyHidden: {
    position: 'absolute',
    width: 1,
    height: 1,
    padding: 0,
    margin: -1,
    overflow: 'hidden',
    clip: 'rect(0, 0, 0, 0)',
    whiteSpace: 'nowrap',
    border: 0,
  },
}));

/** A small table in a horizontally scrollable box, with the word-breaking fixed. */
export function DeliveryTable(props: {
  'aria-label': string;
  /** Let multi-word column names wrap between words (for tables in half-width cards). */
  wrapHeaders?: boolean;
  children: ReactNode;
}) {
  const classes = useTableStyles();
  return (
    <div className={classes.scroll}>
      <Table
        size="small"
        aria-label={props['aria-label']}
        className={`${classes.table} ${
          props.wrapHeaders ? '' : classes.nowrapHeaders
        }`}
      >
        {props.children}
      </Table>
    </div>
  );
}

/**
 * A path-like value (an image, a deployment id, a branch) that may wrap after its slashes (and,
 * with `dots`, after its dots), but never inside a name: `public.ecr.aws/nginx/` + `nginx:1.27.3`,
 * never `ngi` + `nx:1.27.3`.
 */
export function BreakAfterSlashes(props: { text: string; dots?: boolean }) {
  const parts = props.text.split(props.dots ? /(?<=[/.])/ : /(?<=\/)/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </>
  );
}

/** Characters of an ECS task id shown in a table; the full id is in the title and read aloud. */
export const SHORT_ID_LENGTH = 12;

/**
 * A long id (an ECS task id is 32 hex digits) shortened to its first characters, with the full
 * id as the tooltip (title) and as the text a screen reader reads.
 */
export function ShortId(props: { id: string }) {
  const classes = useTableStyles();
  const { id } = props;
  if (id.length <= SHORT_ID_LENGTH) {
    return <code className={classes.nowrap}>{id}</code>;
  }
  return (
    <code className={classes.nowrap} title={id}>
      <span aria-hidden="true">{id.slice(0, SHORT_ID_LENGTH)}…</span>
      <span className={classes.visuallyHidden}>{id}</span>
    </code>
  );
}
