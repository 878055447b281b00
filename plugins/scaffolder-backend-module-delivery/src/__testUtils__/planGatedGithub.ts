import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** What github.com answers such a PUT (the message quoted in backstage/backstage#28977). */
export const PLAN_REFUSAL = {
  message:
    'Failed to create the environment protection rule. Please ensure the billing plan supports the required reviewers protection rule.',
  documentation_url:
    'https://docs.github.com/rest/deployments/environments#create-or-update-an-environment',
  status: '422',
};

// GitHub refuses these fields on such plans even with default values (alchemy-run/alchemy#1373).
const GATED_FIELDS = ['reviewers', 'wait_timer', 'prevent_self_review'];

/**
 * The local GitHub behind a loopback proxy that answers as GitHub does for a private repository
 * on a plan without required reviewers (GitHub Free, Pro, Team): an environment PUT carrying a
 * protection-rule field gets the 422 above and changes nothing; every other request goes through.
 */
export async function planGatedGithub(upstream: string) {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const isEnvironmentPut =
      req.method === 'PUT' &&
      /^\/api\/v3\/repos\/[^/]+\/[^/]+\/environments\/[^/]+$/.test(
        new URL(req.url ?? '/', 'http://proxy').pathname,
      );
    const fields = isEnvironmentPut
      ? Object.keys(JSON.parse(body.toString() || '{}'))
      : [];
    if (fields.some(f => GATED_FIELDS.includes(f))) {
      res
        .writeHead(422, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify(PLAN_REFUSAL));
      return;
    }
    const answer = await fetch(`${upstream}${req.url}`, {
      method: req.method,
      headers: {
        ...(req.headers.authorization
          ? { authorization: req.headers.authorization }
          : {}),
        'content-type': req.headers['content-type'] ?? 'application/json',
      },
      body: body.length > 0 ? body : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    res
      .writeHead(answer.status, {
        'content-type':
          answer.headers.get('content-type') ?? 'application/json',
      })
      .end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}
