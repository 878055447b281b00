import { Link } from '@backstage/core-components';
import { deliveryEcsRollbackPermission } from '@cicd-aws/plugin-delivery-common';
import { RollbackBlocker, workflowUrl } from './rollback';

/** Why the user cannot roll this service back here, and what to do instead. */
export function RollbackBlockedReason(props: {
  blocker: RollbackBlocker;
  entityRef: string;
  /** The repository's page on its GitHub host, when the backend named it. */
  repositoryUrl?: string;
  rollbackWorkflow: string;
}) {
  const { blocker, entityRef, rollbackWorkflow } = props;
  switch (blocker) {
    case 'checking-permission':
      return <>Checking whether you may roll back this service…</>;
    case 'denied':
      return (
        <>
          You cannot roll back this service: that needs the{' '}
          <code>{deliveryEcsRollbackPermission.name}</code> permission on{' '}
          {entityRef}, which the portal gives to the entity's owners. Ask an
          owner to roll back, or to grant you access.
        </>
      );
    case 'code-deploy': {
      const url = workflowUrl(props.repositoryUrl, rollbackWorkflow);
      return (
        <>
          This is a blue/green service deployed by CodeDeploy; ECS cannot switch
          its revision directly. Roll back with the{' '}
          {url ? (
            <Link to={url}>{rollbackWorkflow} workflow</Link>
          ) : (
            <>
              <code>{rollbackWorkflow}</code> workflow of its repository
            </>
          )}{' '}
          instead.
        </>
      );
    }
    default:
      return (
        <>
          This service uses an external deployment controller; roll it back with
          the tool that deploys it.
        </>
      );
  }
}
