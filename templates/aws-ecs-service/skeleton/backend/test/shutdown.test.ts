import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { createGracefulShutdown } from '../src/shutdown.ts';

/** A server on a loopback port whose /slow answers after `delayMs`. */
async function slowServer(delayMs: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const timer = setTimeout(() => res.end('done'), req.url === '/slow' ? delayMs : 0);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('graceful shutdown', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('lets an in-flight request finish, refuses new ones, cleans up and exits 0', async () => {
    const slow = await slowServer(300);
    server = slow.server;
    let cleanedUp = false;
    const started = Date.now();
    const inFlight = fetch(`${slow.url}/slow`).then(async res => `${res.status} ${await res.text()}`);
    await new Promise(resolve => slow.server.once('request', resolve));

    const exits: number[] = [];
    const shutdown = createGracefulShutdown({
      server: slow.server,
      logger: pino({ level: 'silent' }),
      drainTimeoutMs: 5000,
      cleanup: () => {
        cleanedUp = true;
        return Promise.resolve();
      },
      exit: code => exits.push(code),
    });
    const done = shutdown.shutdown('SIGTERM');
    assert.equal(shutdown.isShuttingDown(), true);
    const newRequest = fetch(`${slow.url}/`).then(
      () => 'answered',
      () => 'refused',
    );

    assert.equal(await inFlight, '200 done');
    assert.equal(await newRequest, 'refused');
    await done;
    assert.deepEqual(exits, [0]);
    assert.equal(cleanedUp, true);
    // fetch keeps its connection alive for 4 s after the answer: exiting well before means the
    // shutdown closed it instead of waiting for the client.
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('cuts off requests still running when the drain window ends, and exits 1', async () => {
    const slow = await slowServer(10_000);
    server = slow.server;
    let cleanedUp = false;
    const started = Date.now();
    const request = fetch(`${slow.url}/slow`).then(
      () => 'answered',
      () => 'cut off',
    );
    await new Promise(resolve => slow.server.once('request', resolve));
    const exitCode = await new Promise<number>(resolve => {
      void createGracefulShutdown({
        server: slow.server,
        logger: pino({ level: 'silent' }),
        drainTimeoutMs: 200,
        cleanup: () => {
          cleanedUp = true;
          return Promise.resolve();
        },
        exit: resolve,
      }).shutdown('SIGTERM');
    });
    assert.equal(exitCode, 1);
    assert.equal(await request, 'cut off');
    assert.equal(cleanedUp, true);
    assert.ok(Date.now() - started < 5000, 'the drain window bounds the shutdown');
  });
});
