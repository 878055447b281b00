import { createHash } from 'node:crypto';
import { Request, Response } from 'express';

interface Serialised {
  body: string;
  etag: string;
}

// The caches hand out the same object until a refresh replaces it, so an unchanged answer is
// serialised and hashed once, not on every poll of every viewer.
const serialised = new WeakMap<object, Serialised>();
const timings = new WeakMap<object, string[]>();

function serialise(value: object): Serialised {
  let done = serialised.get(value);
  if (!done) {
    const body = JSON.stringify(value);
    const hash = createHash('sha1').update(body).digest('base64url');
    done = { body, etag: `"${hash}"` };
    serialised.set(value, done);
  }
  return done;
}

/**
 * Runs `work` and reports its duration in the answer's `Server-Timing` header under `name`
 * (`auth`, `catalog`, `state`, ...), so where a request's time goes can be read from outside.
 */
export async function timed<T>(
  req: Request<any, any, any, any>,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const entries = timings.get(req) ?? [];
    entries.push(`${name};dur=${(performance.now() - started).toFixed(2)}`);
    timings.set(req, entries);
  }
}

/**
 * Whether `If-None-Match` names `etag` (RFC 9110 13.1.2: weak comparison, a list or `*`).
 * Compared here rather than by Express's `req.fresh`, which ignores the header when the request
 * also says `Cache-Control: no-cache`, as fetch() adds to any request with `If-None-Match`.
 */
function matchesIfNoneMatch(header: string | undefined, etag: string) {
  if (!header) {
    return false;
  }
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return (
    header.trim() === '*' ||
    header.split(',').some(tag => opaque(tag) === opaque(etag))
  );
}

/**
 * Sends `value` as JSON with a strong `ETag`; a request whose `If-None-Match` carries it gets a
 * 304 without a body, so polling cards and browsers' HTTP caches revalidate cheaply. `no-cache`
 * makes browsers ask every time instead of guessing a lifetime.
 */
export function sendJson<T extends object>(
  req: Request<any, any, any, any>,
  res: Response<T>,
  value: T,
): void {
  const started = performance.now();
  const { body, etag } = serialise(value);
  const entries = timings.get(req) ?? [];
  entries.push(`serialise;dur=${(performance.now() - started).toFixed(2)}`);
  res.set('ETag', etag);
  res.set('Cache-Control', 'private, no-cache');
  res.set('Server-Timing', entries.join(', '));
  if (matchesIfNoneMatch(req.header('if-none-match'), etag)) {
    res.status(304).end();
    return;
  }
  (res as Response).type('application/json').send(body);
}
