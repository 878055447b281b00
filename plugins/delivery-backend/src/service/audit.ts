import {
  AuditorService,
  AuditorServiceEvent,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { ErrorRequestHandler, RequestHandler, Response } from 'express';

/** The audit event of the mutation a request asks for, kept on `res.locals`. */
interface PendingAudit {
  event: AuditorServiceEvent;
  finished: boolean;
}

/** Fields of a mutation's request body that go into its audit event (untrusted, so trimmed). */
const AUDITED_BODY_FIELDS = ['revision', 'reason', 'force'] as const;

function auditedRequest(body: unknown): JsonObject {
  const meta: JsonObject = {};
  const record = (body ?? {}) as Record<string, unknown>;
  for (const field of AUDITED_BODY_FIELDS) {
    const value = record[field];
    if (typeof value === 'string') {
      meta[field] = value.slice(0, 1000);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      meta[field] = value;
    } else {
      meta[field] = null;
    }
  }
  return meta;
}

/**
 * Starts the audit event of a mutation before its request is validated, so that every attempt,
 * malformed, denied, failed or successful, is audited exactly once. `eventIds` maps a route
 * suffix (`/ecs/rollback`, `/pipeline-runs/:runId/rerun-failed`) to the auditor's event id.
 */
export function startMutationAudit(
  auditor: AuditorService,
  eventIds: Record<string, string>,
): RequestHandler {
  // `:name` segments in a suffix (`/pipeline-runs/:runId/rerun-failed`) match one path segment.
  const suffixes = Object.entries(eventIds).map(
    ([suffix, id]) =>
      [new RegExp(`^${suffix.replace(/:[^/]+/g, '[^/]+')}$`), id] as const,
  );
  return async (req, res, next) => {
    if (req.method !== 'POST') {
      next();
      return;
    }
    const match = /^\/v1\/entities\/([^/]+)\/([^/]+)\/([^/]+)(\/.*)$/.exec(
      req.path,
    );
    const eventId = match && suffixes.find(([s]) => s.test(match[4]))?.[1];
    if (!match || !eventId) {
      next();
      return;
    }
    const [, namespace, kind, name] = match.map(p =>
      decodeURIComponent(p ?? ''),
    );
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'high',
      request: req,
      meta: {
        entityRef: `${kind}:${namespace}/${name}`.toLocaleLowerCase('en-US'),
        ...auditedRequest(req.body),
      },
    });
    res.locals.audit = { event, finished: false } satisfies PendingAudit;
    next();
  };
}

/** Records the mutation's success with what it did. */
export async function auditSuccess(
  res: Response,
  meta: JsonObject,
): Promise<void> {
  const audit = res.locals.audit as PendingAudit | undefined;
  if (audit && !audit.finished) {
    audit.finished = true;
    await audit.event.success({ meta });
  }
}

/** Records the mutation's failure, with what is known of it so far, then rethrows. */
export async function auditFailure(
  res: Response,
  error: unknown,
  meta: JsonObject = {},
): Promise<void> {
  const audit = res.locals.audit as PendingAudit | undefined;
  if (audit && !audit.finished) {
    audit.finished = true;
    await audit.event.fail({ error: error as Error, meta });
  }
}

/** Fails a started audit event for errors raised before the handler ran (e.g. validation). */
export const failUnfinishedAudit: ErrorRequestHandler = async (
  error,
  _req,
  res,
  next,
) => {
  await auditFailure(res, error).catch(() => undefined);
  next(error);
};
