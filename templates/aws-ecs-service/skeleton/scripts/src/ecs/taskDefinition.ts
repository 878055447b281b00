import {
  DescribeTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { PipelineError, UsageError, isAwsError } from '../lib/errors.ts';

/** family:revision of a task definition. */
export interface Revision {
  family: string;
  revision: number;
}

const ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/([A-Za-z0-9_-]{1,255}):(\d+)$/;
const FAMILY_REVISION = /^([A-Za-z0-9_-]{1,255}):(\d+)$/;

/** Parses a task-definition ARN or `family:revision`. */
export function parseRevision(ref: string): Revision | undefined {
  const match = ARN.exec(ref) ?? FAMILY_REVISION.exec(ref);
  return match ? { family: match[1], revision: Number(match[2]) } : undefined;
}

export function formatRevision(r: Revision): string {
  return `${r.family}:${r.revision}`;
}

// Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept.
const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

/**
 * The container whose image a deploy replaces: the one named, else the only one, else the one
 * named like the family (the template's convention).
 */
export function pickContainer(td: TaskDefinition, name?: string): ContainerDefinition {
  const containers = td.containerDefinitions ?? [];
  const names = containers.map(c => c.name).join(', ');
  if (name) {
    const named = containers.find(c => c.name === name);
    if (!named) {
      throw new UsageError(`task definition ${td.family}:${td.revision} has no container "${name}" (it has: ${names})`);
    }
    return named;
  }
  if (containers.length === 1) return containers[0];
  const byFamily = containers.find(c => c.name === td.family);
  if (byFamily) return byFamily;
  throw new UsageError(
    `task definition ${td.family}:${td.revision} has ${containers.length} containers (${names}); say which with --container`,
  );
}

/** Input that registers a copy of `td` with `image` in the chosen container. */
export function copyWithImage(
  td: TaskDefinition,
  tags: Tag[] | undefined,
  image: string,
  containerName?: string,
): RegisterTaskDefinitionCommandInput {
  const target = pickContainer(td, containerName).name;
  const input: Record<string, unknown> = { ...td };
  for (const field of READ_ONLY_FIELDS) delete input[field];
  input.containerDefinitions = (td.containerDefinitions ?? []).map(c =>
    c.name === target ? { ...c, image } : c,
  );
  if (tags && tags.length > 0) input.tags = tags;
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

/** Describes a task definition; a missing one is a clear error, not a ClientException. */
export async function describeTaskDefinition(
  ecs: ECSClient,
  ref: string,
): Promise<{ taskDefinition: TaskDefinition; tags?: Tag[] }> {
  try {
    const answer = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }));
    if (!answer.taskDefinition) throw new PipelineError(`task definition ${ref} does not exist`);
    return { taskDefinition: answer.taskDefinition, tags: answer.tags };
  } catch (error) {
    if (isAwsError(error, 'ClientException')) {
      throw new PipelineError(`task definition ${ref} does not exist (or is not readable): ${(error as Error).message}`);
    }
    throw error;
  }
}

/** Registers a new revision: `base` (a family for its latest ACTIVE revision, or an ARN) with `image`. */
export async function registerWithImage(
  ecs: ECSClient,
  base: string,
  image: string,
  containerName?: string,
): Promise<TaskDefinition> {
  const { taskDefinition, tags } = await describeTaskDefinition(ecs, base);
  const answer = await ecs.send(
    new RegisterTaskDefinitionCommand(copyWithImage(taskDefinition, tags, image, containerName)),
  );
  if (!answer.taskDefinition?.taskDefinitionArn) {
    throw new PipelineError(`RegisterTaskDefinition for family ${taskDefinition.family} returned no task definition`);
  }
  return answer.taskDefinition;
}

/** Revision numbers of the family's ACTIVE task definitions, ascending (ECS's order is not relied on). */
export async function activeRevisions(ecs: ECSClient, family: string): Promise<number[]> {
  const revisions: number[] = [];
  let nextToken: string | undefined;
  // 100 pages of 100 is more than ECS keeps for one family in practice; the bound stops a loop.
  for (let page = 0; page < 100; page++) {
    const answer = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', nextToken }),
    );
    for (const arn of answer.taskDefinitionArns ?? []) {
      const parsed = parseRevision(arn);
      // ECS filters by the full family name; checking again keeps an emulator's looser match out.
      if (parsed && parsed.family === family) revisions.push(parsed.revision);
    }
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  return revisions.sort((a, b) => a - b);
}
