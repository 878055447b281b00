import { deployWithCodeDeploy } from '../ecs/codedeploy.ts';
import { ecsClient } from '../ecs/client.ts';
import { type RolloutResult, takenOverBy, updateServiceAndWait, waitForDeployment } from '../ecs/rollout.ts';
import { deploymentController, describeService } from '../ecs/service.ts';
import { describeTaskDefinition, parseRevision, registerWithImage } from '../ecs/taskDefinition.ts';
import { PipelineError, TimeoutError, UsageError } from '../lib/errors.ts';
import { parseOptions, stringOption } from '../lib/options.ts';
import { log, printResult, setOutputs } from '../lib/output.ts';
import { SERVICE_OPTIONS, codeDeployTarget, serviceRef, waitOptions } from './serviceOptions.ts';

export const usage = `deploy --cluster C --service S (--image IMAGE | --task-definition ARN) [--container NAME]
       [--codedeploy-app A --codedeploy-group G] [--timeout-seconds 1800] [--poll-seconds 10] [--no-rollback]
  Rolls the service out to a new task definition (registered from IMAGE, or the given one) and
  waits until the rollout COMPLETED or FAILED. Rolling services: ECS's circuit breaker stops a
  failing rollout; then (unless --no-rollback) the service is put back on the revision it ran
  before and the command fails. Blue/green services: a CodeDeploy deployment, which rolls back by
  itself. Outputs task_definition_arn, revision, previous_task_definition_arn, deployment_id.`;

function name(arn: string | undefined): string {
  const parsed = parseRevision(arn ?? '');
  return parsed ? `${parsed.family}:${parsed.revision}` : (arn ?? 'unknown');
}

async function failedBecauseOfTime(rollout: () => Promise<RolloutResult>, taskDefinitionArn: string): Promise<RolloutResult> {
  try {
    return await rollout();
  } catch (error) {
    // A rollout that never settles is a failed deployment too: roll it back like one.
    if (error instanceof TimeoutError) {
      return { deploymentId: '', taskDefinitionArn, state: 'FAILED', reason: error.message };
    }
    throw error;
  }
}

export async function run(argv: string[]): Promise<void> {
  const values = parseOptions(
    argv,
    {
      ...SERVICE_OPTIONS,
      image: { type: 'string' },
      'task-definition': { type: 'string' },
      'no-rollback': { type: 'boolean', default: false },
    },
    ['cluster', 'service'],
  );
  const ref = serviceRef(values);
  const image = stringOption(values, 'image');
  const given = stringOption(values, 'task-definition');
  if (!image === !given) throw new UsageError('pass exactly one of --image and --task-definition');
  const wait = waitOptions(values, 1800, 10);
  const container = stringOption(values, 'container');
  const ecs = ecsClient();

  const service = await describeService(ecs, ref);
  const controller = deploymentController(service);
  const previous = service.taskDefinition;
  const family = parseRevision(previous ?? '')?.family;
  const td = image
    ? await registerWithImage(ecs, family ?? previous ?? '', image, container)
    : (await describeTaskDefinition(ecs, given ?? '')).taskDefinition;
  const target = td.taskDefinitionArn ?? '';
  if (family && td.family !== family) {
    throw new PipelineError(`task definition ${name(target)} is not of family "${family}", which service ${ref.service} runs`);
  }
  log(`deploying ${name(target)} to ${ref.cluster}/${ref.service} (${controller === 'CODE_DEPLOY' ? 'blue/green' : 'rolling'}), was ${name(previous)}`);
  setOutputs({
    task_definition_arn: target,
    revision: td.revision,
    family: td.family,
    image: image ?? td.containerDefinitions?.[0]?.image,
    previous_task_definition_arn: previous,
  });

  const result =
    controller === 'CODE_DEPLOY'
      ? await failedBecauseOfTime(() => deployWithCodeDeploy(codeDeployTarget(values, ref.service), td, container, wait), target)
      : await failedBecauseOfTime(() => updateServiceAndWait(ecs, ref, target, wait), target);
  setOutputs({ deployment_id: result.deploymentId });

  if (result.state === 'COMPLETED') {
    log(`deployment ${result.deploymentId} COMPLETED: ${ref.service} runs ${name(target)}`);
    printResult({ ...result, revision: td.revision, previousTaskDefinitionArn: previous });
    return;
  }
  const failure = `deployment of ${name(target)} to ${ref.service} failed: ${result.reason ?? 'no reason given'}`;
  if (controller !== 'ECS' || values['no-rollback'] || !previous || previous === target) {
    throw new PipelineError(failure);
  }
  // The circuit breaker (with rollback on) may already have started a deployment of the previous revision.
  const current = await describeService(ecs, ref);
  const other = takenOverBy(current.deployments, target, previous);
  if (other) {
    throw new PipelineError(
      `${failure}. ${ref.service} now runs ${name(other)}, deployed by someone else during this rollout (a rollback?); leaving it as it is.`,
    );
  }
  const alreadyBack = current.deployments?.find(d => d.status === 'PRIMARY' && d.taskDefinition === previous);
  log(`${failure}; rolling back to ${name(previous)}${alreadyBack ? ' (started by the circuit breaker)' : ''}`);
  const back = alreadyBack?.id
    ? await waitForDeployment(ecs, ref, alreadyBack.id, wait)
    : await updateServiceAndWait(ecs, ref, previous, wait);
  setOutputs({ rolled_back_to: previous });
  throw new PipelineError(`${failure}. Rolled back to ${name(previous)}: rollout ${back.state}${back.reason ? ` (${back.reason})` : ''}.`);
}
