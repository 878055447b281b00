import { Link } from '@backstage/core-components';
import {
  EcsDeployment,
  EcsRollbackTarget,
} from '@cicd-aws/plugin-delivery-common';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { ReactNode } from 'react';
import { DeploymentHistory } from '../../hooks/useDeploymentHistory';
import { DeliveryTable, useTableStyles } from '../common/DeliveryTable';
import { messageOf } from '../common/DeliveryErrorPanel';
import { relativeTime, timeTitle } from '../common/time';
import { deployOf, imagesText, revisionText } from './rollback';

/** Who deployed a revision and from which commit, from GitHub; or why that is not known. */
function useHistoryCells(history: DeploymentHistory) {
  const unknown = history.error
    ? `unknown (deployment history: ${messageOf(history.error)})`
    : history.unavailable ?? (history.loading ? 'loading…' : 'not recorded');
  const deployer = (revision?: number): ReactNode => {
    const d = deployOf(history.deployments, revision);
    if (!d) return unknown;
    return `${d.creator?.login ?? 'unknown'}${
      d.createdAt ? `, ${relativeTime(d.createdAt)}` : ''
    }`;
  };
  const commit = (revision?: number): ReactNode => {
    const d = deployOf(history.deployments, revision);
    if (!d) return unknown;
    const short = <code>{d.sha.slice(0, 7)}</code>;
    // The backend knows the repository's host (github.com or GitHub Enterprise); without its
    // URL the SHA stays plain text rather than a guessed link.
    return d.commitUrl ? <Link to={d.commitUrl}>{short}</Link> : short;
  };
  return { deployer, commit };
}

/** The running revision next to the chosen target: revision, images, times, deployer, commit. */
export function RevisionComparison(props: {
  current?: EcsDeployment;
  target: EcsRollbackTarget;
  history: DeploymentHistory;
}) {
  const { current, target, history } = props;
  const { deployer, commit } = useHistoryCells(history);
  const classes = useTableStyles();
  const rows: [string, ReactNode, ReactNode][] = [
    [
      'Revision',
      revisionText(current?.revision, '–'),
      `revision ${target.revision}`,
    ],
    [
      'Images',
      current ? imagesText(current.images) : '–',
      imagesText(target.images),
    ],
    [
      'Registered / deployed',
      current?.createdAt ? (
        <span {...timeTitle(current.createdAt)}>
          deployed {relativeTime(current.createdAt)}
        </span>
      ) : (
        '–'
      ),
      target.registeredAt ? (
        <span {...timeTitle(target.registeredAt)}>
          registered {relativeTime(target.registeredAt)}
        </span>
      ) : (
        '–'
      ),
    ],
    ['Deployed by', deployer(current?.revision), deployer(target.revision)],
    ['Commit', commit(current?.revision), commit(target.revision)],
  ];
  return (
    <DeliveryTable aria-label="Current and target revision">
      <TableHead>
        <TableRow>
          <TableCell />
          <TableCell>Current</TableCell>
          <TableCell>Target</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(([label, a, b]) => (
          <TableRow key={label}>
            <TableCell component="th" scope="row" className={classes.nowrap}>
              {label}
            </TableCell>
            <TableCell>{a}</TableCell>
            <TableCell>{b}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </DeliveryTable>
  );
}
