/**
 * A local HTTP server (node:http on 127.0.0.1, port 0) that plays a provider: each path answers
 * with a queue of scripted responders, the last one repeating. Records every request.
 */
import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

/** Answers one request. */
export type Responder = (request: IncomingMessage, response: ServerResponse) => void;

/** Ready-made responders. */
export const reply = {
  /** `body` as JSON with `status`. */
  json(body: unknown, status = 200, headers: Record<string, string> = {}): Responder {
    return reply.text(JSON.stringify(body), status, headers);
  },
  /** `body` verbatim, typed as JSON (use it for malformed bodies). */
  text(body: string, status = 200, headers: Record<string, string> = {}): Responder {
    return (_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    };
  },
  /** A recorded or written fixture file from this folder, verbatim. */
  file(name: string, status = 200): Responder {
    return reply.text(fixtureText(name), status);
  },
  /** An error status with a short body. */
  status(status: number, headers: Record<string, string> = {}): Responder {
    return reply.text(JSON.stringify({ error: `status ${status}` }), status, headers);
  },
  /** Never answers. */
  hang(): Responder {
    return () => undefined;
  },
  /** Sends the headers and half a body, then stalls. */
  stallBody(): Responder {
    return (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data": [');
    };
  },
};

/** A fixture file's text. */
function fixtureText(name: string): string {
  return readFileSync(new URL(name, import.meta.url), 'utf8');
}

/** A fixture file parsed as JSON, to derive drifted variants from. */
export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** The scripted provider. */
export class FeedServer {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #routes = new Map<string, Responder[]>();
  #url = '';

  private constructor() {
    this.#server = createServer((request, response) => this.#handle(request, response));
  }

  /** Starts a server on 127.0.0.1 with a free port. */
  static async start(): Promise<FeedServer> {
    const server = new FeedServer();
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    const { port } = server.#server.address() as AddressInfo;
    server.#url = `http://127.0.0.1:${port}`;
    return server;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.#url;
  }

  /** Answers `path` with `responders` in turn; the last one answers every later request. */
  route(path: string, ...responders: Responder[]): this {
    this.#routes.set(path, responders);
    return this;
  }

  /** The requests made to `path`. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Stops the server, cutting hanging connections. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.#server.close((error) => (error === undefined ? resolve() : reject(error))),
    );
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.#url);
    this.requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
    });
    const queue = this.#routes.get(url.pathname);
    const responder = queue === undefined ? undefined : queue.length > 1 ? queue.shift() : queue[0];
    if (responder === undefined) {
      reply.status(404)(request, response);
      return;
    }
    responder(request, response);
  }
}
