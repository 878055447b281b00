import { gitHubContext } from '../github/client.ts';
import {
  type DeploymentState,
  createDeployment,
  lastEnvironmentUrl,
  runUrl,
  setDeploymentStatus,
} from '../github/deployments.ts';
import { parseRevision } from '../ecs/taskDefinition.ts';
import { UsageError } from '../lib/errors.ts';
import { parseOptions, requiredString, stringOption } from '../lib/options.ts';
import { log, printResult, setOutputs } from '../lib/output.ts';

export const usage = `github-deployment create --environment E --ref SHA --task-definition-arn ARN --cluster C --service S
                         [--image IMAGE] [--rollback-from ARN] [--description TEXT]
github-deployment status --deployment-id N --state in_progress|success|failure|error [--environment-url URL] [--description TEXT]
github-deployment environment-url --environment E
  Records deploys and rollbacks as GitHub Deployments (payload: task definition, revision, image)
  with statuses, the history the developer portal shows. Needs GITHUB_TOKEN (deployments: write).`;

const STATES: DeploymentState[] = ['queued', 'in_progress', 'success', 'failure', 'error', 'inactive'];

export async function run(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const context = gitHubContext();
  if (action === 'create') {
    const values = parseOptions(
      rest,
      {
        environment: { type: 'string' },
        ref: { type: 'string' },
        'task-definition-arn': { type: 'string' },
        cluster: { type: 'string' },
        service: { type: 'string' },
        image: { type: 'string' },
        'rollback-from': { type: 'string' },
        description: { type: 'string' },
      },
      ['environment', 'ref', 'task-definition-arn', 'cluster', 'service'],
    );
    const arn = requiredString(values, 'task-definition-arn');
    const revision = parseRevision(arn);
    if (!revision) throw new UsageError(`--task-definition-arn is not a task-definition ARN: "${arn}"`);
    const rollbackFrom = stringOption(values, 'rollback-from');
    const id = await createDeployment(context, {
      ref: requiredString(values, 'ref'),
      environment: requiredString(values, 'environment'),
      description:
        stringOption(values, 'description') ??
        `${rollbackFrom ? 'Rollback' : 'Deploy'} ${revision.family}:${revision.revision}`,
      payload: {
        taskDefinitionArn: arn,
        family: revision.family,
        revision: revision.revision,
        cluster: requiredString(values, 'cluster'),
        service: requiredString(values, 'service'),
        ...(stringOption(values, 'image') ? { image: stringOption(values, 'image') } : {}),
        ...(rollbackFrom ? { rollbackFrom } : {}),
      },
    });
    await setDeploymentStatus(context, id, { state: 'in_progress', logUrl: runUrl() });
    log(`GitHub deployment ${id} created`);
    setOutputs({ deployment_id: id });
    printResult({ deploymentId: id });
    return;
  }
  if (action === 'status') {
    const values = parseOptions(
      rest,
      {
        'deployment-id': { type: 'string' },
        state: { type: 'string' },
        'environment-url': { type: 'string' },
        description: { type: 'string' },
      },
      ['deployment-id', 'state'],
    );
    const id = Number(requiredString(values, 'deployment-id'));
    const state = requiredString(values, 'state') as DeploymentState;
    if (!Number.isInteger(id) || id <= 0) throw new UsageError('--deployment-id must be a positive integer');
    if (!STATES.includes(state)) throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
    await setDeploymentStatus(context, id, {
      state,
      description: stringOption(values, 'description'),
      environmentUrl: stringOption(values, 'environment-url'),
      logUrl: runUrl(),
    });
    log(`GitHub deployment ${id}: ${state}`);
    printResult({ deploymentId: id, state });
    return;
  }
  if (action === 'environment-url') {
    const values = parseOptions(rest, { environment: { type: 'string' } }, ['environment']);
    const url = await lastEnvironmentUrl(context, requiredString(values, 'environment'));
    setOutputs({ url: url ?? '' });
    printResult({ url: url ?? null });
    return;
  }
  throw new UsageError('github-deployment needs an action: create, status or environment-url');
}
