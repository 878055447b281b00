import { InputError } from '@backstage/errors';
import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_ECS_SERVICE_ARN } from '@cicd-aws/plugin-delivery-common';

/** The parts of an ECS service ARN. */
export interface EcsServiceRef {
  arn: string;
  region: string;
  accountId: string;
  cluster: string;
  service: string;
}

const ARN_PATTERN =
  /^arn:(aws[a-z-]*):ecs:([a-z0-9-]+):(\d{12}):service\/([A-Za-z0-9_-]{1,255})\/([A-Za-z0-9_-]{1,255})$/;

/** Reads and parses the entity's ECS service ARN annotation (400 when missing or malformed). */
export function ecsServiceRefOf(entity: Entity): EcsServiceRef {
  const arn = entity.metadata.annotations?.[ANNOTATION_ECS_SERVICE_ARN]?.trim();
  if (!arn) {
    throw new InputError(
      `Entity has no ${ANNOTATION_ECS_SERVICE_ARN} annotation; set it to arn:aws:ecs:<region>:<account>:service/<cluster>/<service>`,
    );
  }
  const match = ARN_PATTERN.exec(arn);
  if (!match) {
    throw new InputError(
      `Annotation ${ANNOTATION_ECS_SERVICE_ARN} is malformed ('${arn}'); expected arn:aws:ecs:<region>:<account>:service/<cluster>/<service>`,
    );
  }
  return {
    arn,
    region: match[2],
    accountId: match[3],
    cluster: match[4],
    service: match[5],
  };
}

/** `family` and `revision` of a task definition ARN or `family:revision`. */
export function parseTaskDefinition(
  arnOrFamilyRevision: string,
): { family: string; revision: number } | undefined {
  const match = /(?:task-definition\/)?([A-Za-z0-9_-]+):(\d+)$/.exec(
    arnOrFamilyRevision,
  );
  return match ? { family: match[1], revision: Number(match[2]) } : undefined;
}
