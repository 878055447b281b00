import { PipelineRun } from '@cicd-aws/plugin-delivery-common';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { useState } from 'react';
import { DeliveryTable } from '../common/DeliveryTable';
import { PipelineRunRow } from './PipelineRunRow';

/** The runs of one page; one run at a time is expanded into its jobs. */
export function PipelineRunsTable(props: {
  runs: PipelineRun[];
  entityRef: string;
  rerunDisabled: boolean;
  onRerun: (run: PipelineRun) => void;
}) {
  const [expanded, setExpanded] = useState<number>();
  return (
    <DeliveryTable aria-label="Pipeline runs">
      <TableHead>
        <TableRow>
          <TableCell padding="checkbox" />
          <TableCell>Status</TableCell>
          <TableCell>Workflow</TableCell>
          <TableCell>Branch</TableCell>
          <TableCell>Commit</TableCell>
          <TableCell>Actor</TableCell>
          <TableCell>Started</TableCell>
          <TableCell>Duration</TableCell>
          <TableCell>Actions</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.runs.map(run => (
          <PipelineRunRow
            key={run.id}
            run={run}
            entityRef={props.entityRef}
            open={expanded === run.id}
            onToggle={() =>
              setExpanded(expanded === run.id ? undefined : run.id)
            }
            rerunDisabled={props.rerunDisabled}
            onRerun={props.onRerun}
          />
        ))}
      </TableBody>
    </DeliveryTable>
  );
}
