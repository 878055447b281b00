import { ecsClient } from '../ecs/client.ts';
import { runMigration } from '../ecs/migration.ts';
import { describeService } from '../ecs/service.ts';
import { describeTaskDefinition } from '../ecs/taskDefinition.ts';
import { UsageError } from '../lib/errors.ts';
import { parseOptions, requiredString, stringOption } from '../lib/options.ts';
import { log, printResult, setOutputs } from '../lib/output.ts';
import { SERVICE_OPTIONS, serviceRef, waitOptions } from './serviceOptions.ts';

export const usage = `migrate --cluster C --service S --task-definition ARN [--container NAME]
        [--command "npm run migrate"] [--timeout-seconds 900] [--poll-seconds 6]
  Runs the database migrations as a one-off ECS task of the given task definition (the new
  image), in the service's subnets and security groups, and waits for its exit code. Fails
  unless the container exits 0; the error names the CloudWatch log stream.`;

export async function run(argv: string[]): Promise<void> {
  const values = parseOptions(
    argv,
    { ...SERVICE_OPTIONS, 'task-definition': { type: 'string' }, command: { type: 'string' } },
    ['cluster', 'service', 'task-definition'],
  );
  const ref = serviceRef(values);
  const command = (stringOption(values, 'command') ?? 'npm run migrate').split(/\s+/).filter(Boolean);
  if (command.length === 0) throw new UsageError('--command is empty');
  const ecs = ecsClient();
  const service = await describeService(ecs, ref);
  const { taskDefinition } = await describeTaskDefinition(ecs, requiredString(values, 'task-definition'));
  const result = await runMigration(
    ecs,
    ref,
    service,
    taskDefinition,
    command,
    stringOption(values, 'container'),
    waitOptions(values, 900, 6),
  );
  log(`migration task ${result.taskArn} exited 0`);
  setOutputs({ task_arn: result.taskArn });
  printResult(result);
}
