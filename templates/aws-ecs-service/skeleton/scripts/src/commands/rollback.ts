import { deployWithCodeDeploy } from '../ecs/codedeploy.ts';
import { ecsClient } from '../ecs/client.ts';
import { updateServiceAndWait } from '../ecs/rollout.ts';
import { deploymentController, describeService } from '../ecs/service.ts';
import { activeRevisions, describeTaskDefinition, formatRevision, parseRevision, type Revision } from '../ecs/taskDefinition.ts';
import { PipelineError, UsageError } from '../lib/errors.ts';
import { parseOptions, requiredString, stringOption } from '../lib/options.ts';
import { log, printResult, setOutputs } from '../lib/output.ts';
import { SERVICE_OPTIONS, codeDeployTarget, serviceRef, waitOptions } from './serviceOptions.ts';

export const usage = `rollback --cluster C --service S --to previous|REVISION|FAMILY:REVISION|ARN [--dry-run]
         [--codedeploy-app A --codedeploy-group G] [--timeout-seconds 1800] [--poll-seconds 10]
  Puts the service back on an earlier task-definition revision of its own family and waits for
  the rollout. "previous" is the newest ACTIVE revision older than the running one. A revision of
  another family is refused. --dry-run only resolves and checks the target. Outputs
  task_definition_arn, revision, from_task_definition_arn.`;

/** The revision `to` names, checked to belong to the service's family. */
export function resolveTarget(to: string, current: Revision, active: number[]): Revision {
  if (to === 'previous') {
    const older = active.filter(r => r < current.revision);
    if (older.length === 0) {
      throw new PipelineError(
        `no ACTIVE revision of ${current.family} older than the running ${formatRevision(current)}; nothing to roll back to`,
      );
    }
    return { family: current.family, revision: older[older.length - 1] };
  }
  const target = /^\d+$/.test(to) ? { family: current.family, revision: Number(to) } : parseRevision(to);
  if (!target) {
    throw new UsageError(`--to must be "previous", a revision number, FAMILY:REVISION or a task-definition ARN; got "${to}"`);
  }
  if (target.family !== current.family) {
    throw new PipelineError(
      `refusing to roll back to ${formatRevision(target)}: it belongs to family "${target.family}", but the service runs family "${current.family}"`,
    );
  }
  return target;
}

export async function run(argv: string[]): Promise<void> {
  const values = parseOptions(
    argv,
    { ...SERVICE_OPTIONS, to: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
    ['cluster', 'service', 'to'],
  );
  const ref = serviceRef(values);
  const wait = waitOptions(values, 1800, 10);
  const ecs = ecsClient();
  const service = await describeService(ecs, ref);
  const current = parseRevision(service.taskDefinition ?? '');
  if (!current) throw new PipelineError(`service ${ref.service} runs no recognisable task definition (${service.taskDefinition})`);

  const to = requiredString(values, 'to');
  const target = resolveTarget(to, current, to === 'previous' ? await activeRevisions(ecs, current.family) : []);
  // Also proves the revision exists and is readable before the service is touched.
  const { taskDefinition: td } = await describeTaskDefinition(ecs, formatRevision(target));
  if (td.status && td.status !== 'ACTIVE') {
    throw new PipelineError(`task definition ${formatRevision(target)} is ${td.status}; only ACTIVE revisions can be deployed`);
  }
  const targetArn = td.taskDefinitionArn ?? '';
  setOutputs({ task_definition_arn: targetArn, revision: target.revision, family: target.family, from_task_definition_arn: service.taskDefinition });
  if (values['dry-run']) {
    log(`would roll ${ref.service} back from ${formatRevision(current)} to ${formatRevision(target)}`);
    printResult({ taskDefinitionArn: targetArn, revision: target.revision, state: 'DRY_RUN' });
    return;
  }
  if (targetArn === service.taskDefinition) {
    log(`${ref.service} already runs ${formatRevision(target)}; nothing to do`);
    printResult({ taskDefinitionArn: targetArn, revision: target.revision, state: 'UNCHANGED' });
    return;
  }
  log(`rolling ${ref.cluster}/${ref.service} back from ${formatRevision(current)} to ${formatRevision(target)}`);
  const result =
    deploymentController(service) === 'CODE_DEPLOY'
      ? await deployWithCodeDeploy(codeDeployTarget(values, ref.service), td, stringOption(values, 'container'), wait)
      : await updateServiceAndWait(ecs, ref, targetArn, wait);
  setOutputs({ deployment_id: result.deploymentId });
  if (result.state !== 'COMPLETED') {
    throw new PipelineError(`rollback of ${ref.service} to ${formatRevision(target)} failed: ${result.reason ?? 'no reason given'}`);
  }
  log(`rollback COMPLETED: ${ref.service} runs ${formatRevision(target)}`);
  printResult({ ...result, revision: target.revision, fromTaskDefinitionArn: service.taskDefinition });
}
