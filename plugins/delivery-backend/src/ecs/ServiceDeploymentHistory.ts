import {
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { EcsServiceRef, parseTaskDefinition } from './serviceArn';

/** ListServiceDeployments pages read (20 service deployments each) before giving up on finding one. */
export const MAX_HISTORY_PAGES = 3;

/**
 * Errors that mean this account, region or emulator cannot serve the service-deployment history
 * (the API is newer than some partitions and emulators, or the portal's role lacks just these
 * actions). The state is complete without it, so they are not worth more than one debug line.
 */
const UNAVAILABLE = new Set([
  'UnknownOperationException',
  'UnsupportedOperation',
  'InvalidAction',
  'InvalidParameterException',
  'UnsupportedFeatureException',
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
]);

function isUnavailable(error: unknown): boolean {
  if (!isError(error)) {
    return false;
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } })
    .$metadata?.httpStatusCode;
  return UNAVAILABLE.has(error.name) || status === 501;
}

const key = (family: string, revision: number) => `${family}:${revision}`;

/**
 * Finds, in ECS's service-deployment history, which earlier revision last completed a rollout:
 * ListServiceDeployments (SUCCESSFUL, newest first) and DescribeServiceRevisions, which maps each
 * deployment's target service revision to its task definition.
 */
export class ServiceDeploymentHistory {
  private readonly reported = new Set<string>();

  constructor(private readonly logger: LoggerService) {}

  /**
   * The task definition, among `candidates`, of the newest SUCCESSFUL service deployment; undefined
   * when none is in the history or the history cannot be read (never throws). `candidates` may
   * still be loading: the first page is fetched meanwhile.
   */
  async lastCompleted(
    ecs: ECSClient,
    ref: EcsServiceRef,
    candidates: Promise<string[]>,
  ): Promise<string | undefined> {
    try {
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
        const listed = await ecs.send(
          new ListServiceDeploymentsCommand({
            cluster: ref.cluster,
            service: ref.service,
            status: ['SUCCESSFUL'],
            nextToken,
          }),
        );
        const briefs = newestFirst(listed.serviceDeployments ?? []);
        const revisionArns = [
          ...new Set(
            briefs.flatMap(b =>
              b.targetServiceRevisionArn ? [b.targetServiceRevisionArn] : [],
            ),
          ),
        ];
        const taskDefinitionOf = await this.describeRevisions(
          ecs,
          revisionArns,
        );
        const wanted = new Map<string, string>();
        for (const arn of await candidates) {
          const parsed = parseTaskDefinition(arn);
          if (parsed) {
            wanted.set(key(parsed.family, parsed.revision), arn);
          }
        }
        for (const brief of briefs) {
          const td = taskDefinitionOf.get(brief.targetServiceRevisionArn ?? '');
          const parsed = td ? parseTaskDefinition(td) : undefined;
          const match =
            parsed && wanted.get(key(parsed.family, parsed.revision));
          if (match) {
            return match;
          }
        }
        nextToken = listed.nextToken;
        if (!nextToken) {
          return undefined;
        }
      }
      return undefined;
    } catch (error) {
      this.report(ref, error);
      return undefined;
    }
  }

  private async describeRevisions(
    ecs: ECSClient,
    arns: string[],
  ): Promise<Map<string, string>> {
    const batches: string[][] = [];
    // DescribeServiceRevisions takes at most 20 ARNs.
    for (let i = 0; i < arns.length; i += 20) {
      batches.push(arns.slice(i, i + 20));
    }
    const results = await Promise.all(
      batches.map(serviceRevisionArns =>
        ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns })),
      ),
    );
    const map = new Map<string, string>();
    for (const revision of results.flatMap(r => r.serviceRevisions ?? [])) {
      if (revision.serviceRevisionArn && revision.taskDefinition) {
        map.set(revision.serviceRevisionArn, revision.taskDefinition);
      }
    }
    return map;
  }

  private report(ref: EcsServiceRef, error: unknown) {
    const name = isError(error) ? error.name : 'Error';
    const message = `ECS service-deployment history unavailable for ${ref.arn} (${name}); rollback targets carry no lastCompleted. Grant ecs:ListServiceDeployments and ecs:DescribeServiceRevisions to show it.`;
    if (!isUnavailable(error)) {
      this.logger.warn(message, isError(error) ? error : undefined);
      return;
    }
    // Once per account, region and error: it will not change until the account or role does.
    const seen = `${ref.accountId}/${ref.region}/${name}`;
    if (!this.reported.has(seen)) {
      this.reported.add(seen);
      this.logger.debug(message);
    }
  }
}

/** ECS documents no order for ListServiceDeployments; the newest finished deployment comes first here. */
function newestFirst(briefs: ServiceDeploymentBrief[]) {
  const at = (b: ServiceDeploymentBrief) =>
    (b.finishedAt ?? b.startedAt ?? b.createdAt)?.getTime() ?? 0;
  return [...briefs].sort((a, b) => at(b) - at(a));
}
