import { mockServices } from '@backstage/backend-test-utils';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the fake backend received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization?: string;
  /** The `Idempotency-Key` header, when sent. */
  idempotencyKey?: string;
  body?: any;
}

type Handler = (
  request: ReceivedRequest,
) =>
  | { status: number; body: unknown }
  | Promise<{ status: number; body: unknown }>;

/**
 * The delivery backend faked at the HTTP boundary (`/api/delivery/v1/...`), answering with the
 * shapes of its OpenAPI document, so the actions run through the real client and fetch.
 */
export async function startFakeDeliveryBackend(
  routes: Record<string, Handler>,
) {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer(
    async (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').replace(/^\/api\/delivery/, '');
      const request: ReceivedRequest = {
        method: req.method ?? 'GET',
        path,
        authorization: req.headers.authorization,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        body: text ? JSON.parse(text) : undefined,
      };
      received.push(request);
      const handler = routes[`${request.method} ${path.split('?')[0]}`];
      const answer = handler
        ? await handler(request)
        : {
            status: 404,
            body: {
              error: { name: 'NotFoundError', message: `no route ${path}` },
            },
          };
      // Error answers get Backstage's full error body, as the real backend's error handler writes it.
      const body =
        answer.status >= 400
          ? {
              ...(answer.body as object),
              request: { method: request.method, url: path },
              response: { statusCode: answer.status },
            }
          : answer.body;
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    },
  );
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${
    (server.address() as AddressInfo).port
  }/api/delivery`;
  return {
    received,
    deps: {
      discovery: mockServices.discovery.mock({
        getBaseUrl: async () => baseUrl,
      }),
      auth: mockServices.auth(),
    },
    stop: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
