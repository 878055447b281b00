import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_ECS_SERVICE_ARN,
  ANNOTATION_GITHUB_PROJECT_SLUG,
} from '@cicd-aws/plugin-delivery-common';
import Grid from '@material-ui/core/Grid';
import { makeStyles } from '@material-ui/core/styles';
import { isDeliveryAvailable } from '../../conditions';
import { EcsStateProvider } from '../../hooks/useEcsState';
import { DriftCard } from '../DriftCard';
import { EcsServiceCard } from '../EcsServiceCard';
import { PendingApprovalsCard } from '../PendingApprovalsCard';
import { PipelineRunsCard } from '../PipelineRunsCard';
import { RollbackCard } from '../RollbackCard';

const useStyles = makeStyles({
  // The approvals card renders nothing while nothing waits; its cell then takes no space.
  collapsible: { '&:empty': { display: 'none' } },
});

/**
 * The Deployment tab: runs waiting for approval (only while one waits), ECS service and rollback (one shared ECS state, so the ECS card shows the
 * deployment a rollback starts), pipeline runs and Terraform drift. Each card loads and fails on
 * its own.
 */
export function EntityDeliveryContent() {
  const { entity } = useEntity();
  const classes = useStyles();
  if (!isDeliveryAvailable(entity)) {
    // Four cards each naming a missing annotation would say less than this one panel.
    return (
      <MissingAnnotationEmptyState
        annotation={[
          ANNOTATION_ECS_SERVICE_ARN,
          ANNOTATION_GITHUB_PROJECT_SLUG,
        ]}
      />
    );
  }
  return (
    // Keyed by entity so nothing of one service's state or form survives into another's.
    <EcsStateProvider
      key={`${entity.kind}:${entity.metadata.namespace}/${entity.metadata.name}`}
    >
      <Grid container spacing={3} alignItems="stretch">
        <Grid item xs={12} className={classes.collapsible}>
          <PendingApprovalsCard />
        </Grid>
        <Grid item xs={12}>
          <EcsServiceCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <RollbackCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <DriftCard />
        </Grid>
        <Grid item xs={12}>
          <PipelineRunsCard />
        </Grid>
      </Grid>
    </EcsStateProvider>
  );
}
