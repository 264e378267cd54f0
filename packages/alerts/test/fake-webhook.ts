/**
 * A fake Discord webhook receiver on 127.0.0.1: records posted bodies and can answer 429
 * (with `retry_after` in the body or a `Retry-After` header), 500, or hang.
 */
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the next post gets instead of 204. */
type WebhookFault =
  | { readonly kind: 'rate_limit'; readonly retryAfter: number; readonly via: 'body' | 'header' }
  | { readonly kind: 'server_error' }
  | { readonly kind: 'hang' };

/** A running fake webhook. */
export interface FakeWebhook {
  /** A webhook URL with id and a recognisable token. */
  readonly url: string;
  readonly token: string;
  readonly posts: Record<string, unknown>[];
  readonly faults: WebhookFault[];
  persistentFault: WebhookFault | null;
  close(): Promise<void>;
}

/** Starts a fake webhook on a free port. */
export async function startFakeWebhook(
  token = 'discordWebhookSecretToken_abcdefghijklmnop',
): Promise<FakeWebhook> {
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== `/api/webhooks/123456/${token}`) {
        response.writeHead(404).end();
        return;
      }
      const fault = fake.faults.shift() ?? fake.persistentFault;
      if (fault?.kind === 'hang') {
        hanging.add(response);
        return;
      }
      if (fault?.kind === 'rate_limit') {
        if (fault.via === 'header') {
          response.writeHead(429, { 'retry-after': String(fault.retryAfter) }).end();
        } else {
          response.writeHead(429, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              message: 'You are being rate limited.',
              retry_after: fault.retryAfter,
              global: false,
            }),
          );
        }
        return;
      }
      if (fault?.kind === 'server_error') {
        response.writeHead(500).end();
        return;
      }
      fake.posts.push(
        JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      );
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeWebhook = {
    url: `http://127.0.0.1:${port}/api/webhooks/123456/${token}`,
    token,
    posts: [],
    faults: [],
    persistentFault: null,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
