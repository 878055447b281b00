import { PendingPlan } from '@cicd-aws/plugin-delivery-common';
import Box from '@material-ui/core/Box';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  BreakAfterSlashes,
  DeliveryTable,
  useTableStyles,
} from '../common/DeliveryTable';
import { StatusKind, StatusLabel } from '../common/StatusLabel';

type Action = NonNullable<PendingPlan['resources']>[number]['action'];

const ACTIONS: Record<Action, { text: string; kind: StatusKind }> = {
  delete: { text: 'destroy', kind: 'error' },
  replace: { text: 'replace', kind: 'warning' },
  update: { text: 'update', kind: 'pending' },
  create: { text: 'create', kind: 'ok' },
};

/** "2 to add, 1 to change, 1 to replace, 1 to destroy", as Terraform counts them. */
export function totalsText(totals: NonNullable<PendingPlan['totals']>): string {
  return `${totals.add} to add, ${totals.change} to change, ${totals.replace} to replace, ${totals.destroy} to destroy`;
}

/**
 * The Terraform plan a run would apply: its counts, then every resource with the names of its
 * changed attributes. The backend sorts destroys and replaces first; they are marked here.
 */
export function PlanSummary({ plan }: { plan: PendingPlan }) {
  const classes = useTableStyles();
  if (plan.status !== 'ok' || !plan.totals || !plan.resources) {
    return (
      <Alert severity="warning" style={{ marginBottom: 8 }}>
        {plan.message ?? 'The plan of this run cannot be shown.'}
      </Alert>
    );
  }
  const { totals, resources } = plan;
  const destructive = totals.destroy + totals.replace;
  return (
    <Box mb={1}>
      <Typography variant="subtitle2" component="p">
        Terraform plan: {totalsText(totals)}
      </Typography>
      {destructive > 0 && (
        <Alert severity="warning" style={{ margin: '8px 0' }}>
          This plan destroys or replaces {destructive} resource
          {destructive === 1 ? '' : 's'}: read them before approving.
        </Alert>
      )}
      {resources.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No infrastructure changes: approving only releases the new application
          version.
        </Typography>
      ) : (
        <DeliveryTable aria-label="Planned resource changes" wrapHeaders>
          <TableHead>
            <TableRow>
              <TableCell>Apply will</TableCell>
              <TableCell>Resource</TableCell>
              <TableCell>Type</TableCell>
              <TableCell>Changed attributes</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {resources.map(r => (
              <TableRow key={r.address}>
                <TableCell className={classes.nowrap}>
                  <StatusLabel kind={ACTIONS[r.action].kind}>
                    {ACTIONS[r.action].text}
                  </StatusLabel>
                </TableCell>
                <TableCell>
                  <code>
                    <BreakAfterSlashes text={r.address} dots />
                  </code>
                  {r.actionReason && (
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      {r.actionReason.replace(/_/g, ' ')}
                    </Typography>
                  )}
                </TableCell>
                <TableCell className={classes.nowrap}>{r.type}</TableCell>
                <TableCell>
                  {r.changedAttributes.length > 0
                    ? r.changedAttributes.join(', ')
                    : '–'}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </DeliveryTable>
      )}
    </Box>
  );
}
