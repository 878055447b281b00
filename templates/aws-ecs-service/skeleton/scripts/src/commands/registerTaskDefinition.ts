import { ecsClient } from '../ecs/client.ts';
import { describeService } from '../ecs/service.ts';
import { parseRevision, registerWithImage } from '../ecs/taskDefinition.ts';
import { parseOptions, requiredString, stringOption } from '../lib/options.ts';
import { log, printResult, setOutputs } from '../lib/output.ts';
import { SERVICE_OPTIONS, serviceRef } from './serviceOptions.ts';

export const usage = `register-task-definition --cluster C --service S --image IMAGE [--container NAME] [--base FAMILY|ARN]
  Registers a new revision of the service's task-definition family with IMAGE. The copy is made
  of --base, by default the family's latest ACTIVE revision (which includes what Terraform last
  changed). Outputs task_definition_arn, family, revision, image.`;

export async function run(argv: string[]): Promise<void> {
  const values = parseOptions(argv, { ...SERVICE_OPTIONS, image: { type: 'string' }, base: { type: 'string' } }, [
    'cluster',
    'service',
    'image',
  ]);
  const ref = serviceRef(values);
  const ecs = ecsClient();
  const service = await describeService(ecs, ref);
  const family = parseRevision(service.taskDefinition ?? '')?.family;
  const base = stringOption(values, 'base') ?? family ?? service.taskDefinition ?? '';
  const image = requiredString(values, 'image');
  const td = await registerWithImage(ecs, base, image, stringOption(values, 'container'));
  log(`registered ${td.family}:${td.revision} with ${image}`);
  const result = { taskDefinitionArn: td.taskDefinitionArn, family: td.family, revision: td.revision, image };
  setOutputs({ task_definition_arn: td.taskDefinitionArn, family: td.family, revision: td.revision, image });
  printResult(result);
}
