/**
 * A fake Telegram Bot API on 127.0.0.1 for grammy's real client: routes `/bot<token>/<method>`,
 * records every call, and can answer 429 with `retry_after`, 500, or hang.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded Bot API call. */
interface BotApiCall {
  readonly token: string;
  readonly method: string;
  readonly body: Record<string, unknown>;
}

/** What the next call of a method gets instead of success. */
type BotApiFault =
  | { readonly kind: 'ok' }
  | { readonly kind: 'rate_limit'; readonly retryAfter: number }
  | { readonly kind: 'server_error' }
  | { readonly kind: 'hang' };

/** A running fake Bot API. */
export interface FakeBotApi {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly apiRoot: string;
  readonly calls: BotApiCall[];
  /** Faults consumed one per call, in order, before calls succeed again. */
  readonly faults: BotApiFault[];
  /** Fault used for every call while set (an outage). */
  persistentFault: BotApiFault | null;
  /** Updates handed out by getUpdates. */
  readonly updates: Record<string, unknown>[];
  callsOf(method: string): BotApiCall[];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text.length === 0 ? {} : (JSON.parse(text) as Record<string, unknown>));
      } catch {
        resolve({ raw: text });
      }
    });
  });
}

let nextMessageId = 1;

function resultOf(method: string, body: Record<string, unknown>): unknown {
  switch (method) {
    case 'getMe':
      return { id: 42, is_bot: true, first_name: 'LumenLink', username: 'lumenlink_bot' };
    case 'sendMessage':
      return {
        message_id: nextMessageId++,
        date: 1,
        chat: { id: body['chat_id'], type: 'private' },
        text: body['text'],
      };
    default:
      return true;
  }
}

/** Starts a fake Bot API on a free port. */
export async function startFakeBotApi(): Promise<FakeBotApi> {
  const hanging = new Set<ServerResponse>();
  const fake: FakeBotApi = {
    apiRoot: '',
    calls: [],
    faults: [],
    persistentFault: null,
    updates: [],
    callsOf: (method) => fake.calls.filter((call) => call.method === method),
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(request.url ?? '');
      const body = await readBody(request);
      if (match === null) {
        response.writeHead(404).end();
        return;
      }
      const [, token = '', method = ''] = match;
      fake.calls.push({ token, method, body });
      const reply = (status: number, payload: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      if (method === 'getUpdates') {
        const updates = fake.updates.splice(0);
        if (updates.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
        reply(200, { ok: true, result: updates });
        return;
      }
      const fault = fake.faults.shift() ?? fake.persistentFault;
      if (fault?.kind === 'hang') {
        hanging.add(response);
        return;
      }
      if (fault?.kind === 'rate_limit') {
        reply(429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${fault.retryAfter}`,
          parameters: { retry_after: fault.retryAfter },
        });
        return;
      }
      if (fault?.kind === 'server_error') {
        reply(500, { ok: false, error_code: 500, description: 'Internal Server Error' });
        return;
      }
      reply(200, { ok: true, result: resultOf(method, body) });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (fake as { apiRoot: string }).apiRoot = `http://127.0.0.1:${port}`;
  return fake;
}
