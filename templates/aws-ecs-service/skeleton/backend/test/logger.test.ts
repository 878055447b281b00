import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../src/logger.ts';

describe('createLogger', () => {
  it('writes one JSON object per line with level name, time, service and environment, and hides passwords', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: 'info', service: 'orders-api', environment: 'prod' }, sink);
    logger.debug('not at info level');
    logger.info({ db: { host: 'db', password: 's3cret' } }, 'connected');

    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(entry.level, 'info');
    assert.equal(entry.msg, 'connected');
    assert.equal(entry.service, 'orders-api');
    assert.equal(entry.environment, 'prod');
    assert.match(String(entry.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(entry.db, { host: 'db', password: '[redacted]' });
  });
});
