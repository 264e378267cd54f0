import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake server received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
}

/** What a route answers: JSON `body` (or raw text), `status` 200 unless set. */
export interface FakeReply {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route handler; `undefined` hangs (never answers). */
export type FakeRoute = (request: RecordedRequest) => FakeReply | undefined;

/** A small exchange-shaped HTTP server on 127.0.0.1 for ccxt's real classes to talk to. */
export interface FakeExchangeServer {
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Replaces (or adds) the route of `METHOD /path`. */
  route(key: string, handler: FakeRoute): void;
  /** Forgets the requests received and puts `routes` back (changed routes included). */
  reset(routes: Readonly<Record<string, FakeRoute>>): void;
  /** Requests received for `METHOD /path`. */
  requestsTo(key: string): RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a fake exchange answering `routes` (keyed `GET /api/v3/time`); other requests get a 404
 * with a JSON body naming the route, so a test sees what ccxt asked for.
 */
export async function startFakeExchangeServer(
  routes: Readonly<Record<string, FakeRoute>>,
): Promise<FakeExchangeServer> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const request: RecordedRequest = {
        method: incoming.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        body: Buffer.concat(chunks).toString('utf8'),
        headers: incoming.headers,
      };
      requests.push(request);
      const handler = table.get(`${request.method} ${request.path}`);
      if (handler === undefined) {
        send(response, {
          status: 404,
          body: { error: `no route ${request.method} ${request.path}` },
        });
        return;
      }
      const reply = handler(request);
      if (reply !== undefined) send(response, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (key, handler) => table.set(key, handler),
    reset(routes) {
      requests.length = 0;
      table.clear();
      for (const [key, handler] of Object.entries(routes)) table.set(key, handler);
    },
    requestsTo: (key) => requests.filter((request) => `${request.method} ${request.path}` === key),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function send(response: ServerResponse, reply: FakeReply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  response.writeHead(reply.status ?? 200, {
    'Content-Type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
    ...reply.headers,
  });
  response.end(text);
}
