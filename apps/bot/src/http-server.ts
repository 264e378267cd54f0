/**
 * The bot's HTTP server: liveness and readiness, a read-only status page, Prometheus metrics,
 * and token-guarded trading-state changes. Binds 127.0.0.1 unless told otherwise; every body
 * passes through the secret redactor.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotControl } from '@lumenlink/alerts';
import {
  TransientError,
  systemClock,
  type Clock,
  type Logger,
  type Order,
  type TradingState,
} from '@lumenlink/core';
import { createRedactor, type Redactor } from '@lumenlink/core/logging';
import type { LoopHealth } from './scheduler.js';

/**
 * What the server reads from and changes in the running bot: the Telegram commands' `BotControl`
 * (same data, same audited `setTradingState`), plus the open orders.
 */
export interface HttpBotControl extends Pick<
  BotControl,
  'status' | 'positions' | 'balance' | 'pnl' | 'why' | 'setTradingState'
> {
  /** Orders not yet final (open, partially filled, pending, unknown), newest first. */
  openOrders(): Promise<readonly Order[]>;
}

/** The loops' health as the scheduler reports it (`scheduler.health()`). */
export type HealthReport = readonly LoopHealth[];

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Address to listen on (default `127.0.0.1`: local only). */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /** `HTTP_TOKEN`: without it the state-changing endpoints answer 403. */
  readonly token?: string | undefined;
  readonly control: HttpBotControl;
  readonly health: () => HealthReport;
  /** The Prometheus text exposition (`metricsRegistry.exposition`). */
  readonly metrics: () => Promise<string>;
  readonly logger: Logger;
  /** The time loop ages are measured against (default the wall clock). */
  readonly clock?: Clock;
  /**
   * Oldest last success, in ms, at which a loop still counts as healthy, by loop name (default
   * {@link defaultMaxAgeFactor} x the loop's interval).
   */
  readonly maxAgeMs?: Readonly<Record<string, number>>;
  /** Secret values never sent in a response (`configSecrets(config)`); the token is added. */
  readonly secrets?: Iterable<string | null | undefined>;
  /** Largest accepted request body, in bytes (default 16 KiB). */
  readonly maxBodyBytes?: number;
  /** Latest decisions listed per symbol by `/status` (default 3). */
  readonly decisionsPerSymbol?: number;
}

/** A running server. */
export interface HttpServerHandle {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  readonly url: string;
  /** The address and port actually bound. */
  readonly address: { readonly host: string; readonly port: number };
  /** Stops accepting connections and resolves when open ones are closed. */
  close(): Promise<void>;
}

/** A loop's line in `/health`. */
export interface LoopReadiness {
  readonly name: string;
  /** Ms since the loop's last success; `null` before its first. */
  readonly ageMs: number | null;
  readonly maxAgeMs: number;
  readonly healthy: boolean;
}

/** Default readiness age limit of a loop, as a multiple of its interval. */
export const defaultMaxAgeFactor = 5;
const defaultMaxBodyBytes = 16 * 1024;
const defaultDecisionsPerSymbol = 3;
const maxReasonLength = 500;
const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** Routes by path: the one method each accepts. */
const routes: Readonly<Record<string, 'GET' | 'POST'>> = {
  '/health': 'GET',
  '/ready': 'GET',
  '/status': 'GET',
  '/metrics': 'GET',
  '/halt': 'POST',
  '/reduce': 'POST',
  '/resume': 'POST',
};

/** The trading state each POST route asks for. */
const stateRoutes: Readonly<Record<string, TradingState>> = {
  '/halt': 'halted',
  '/reduce': 'reducing',
  '/resume': 'active',
};

/**
 * The health of every enabled loop: healthy when its last success is at most its max age old.
 * Disabled loops (reconcile in paper mode) are left out.
 */
export function loopReadiness(
  loops: HealthReport,
  now: number,
  maxAgeMs: Readonly<Record<string, number>> = {},
): LoopReadiness[] {
  return loops
    .filter((loop) => loop.enabled)
    .map((loop) => {
      const limit = maxAgeMs[loop.name] ?? loop.intervalMs * defaultMaxAgeFactor;
      const ageMs = loop.lastSuccessAt === null ? null : Math.max(0, now - loop.lastSuccessAt);
      return { name: loop.name, ageMs, maxAgeMs: limit, healthy: ageMs !== null && ageMs <= limit };
    });
}

/**
 * Starts the bot's HTTP server.
 *
 * - `GET /health`: liveness, always 200 while the process answers, with
 *   `{ status: 'ok' | 'degraded', loops: [{ name, ageMs, maxAgeMs, healthy }] }`.
 * - `GET /ready` or `GET /health?ready=1`: the same body, 503 when any enabled loop's last
 *   success is older than its max age (or it never succeeded).
 * - `GET /status`: mode, trading state, positions, P&L, open orders, the latest decisions with
 *   their reasons, loop health; balances only with a valid bearer token.
 * - `GET /metrics`: Prometheus text format 0.0.4.
 * - `POST /halt`, `/reduce`, `/resume` with `Authorization: Bearer <HTTP_TOKEN>` and an
 *   optional JSON body `{ "reason": "..." }`: changes the trading state through
 *   `control.setTradingState(state, reason, 'http')`. 403 without a configured token, 401 for a
 *   wrong or missing one, 409 when the bot refuses (the config kill switch), 413 for a body over
 *   the cap.
 * - Other methods 405, other paths 404. No response ever holds a configured secret.
 *
 * @example
 * ```ts
 * const server = await startHttpServer({
 *   port: config.http.port, host: config.http.host, token: config.http.token,
 *   control, health: () => scheduler.health(), metrics: () => registry.exposition(),
 *   logger, secrets: configSecrets(config),
 * });
 * // ...
 * await server.close();
 * ```
 * @throws the listen error (address in use, permission denied).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const token = options.token === '' ? undefined : options.token;
  const tokenDigest = token === undefined ? undefined : digest(token);
  const redact = createRedactor([...(options.secrets ?? []), token]);
  const context: RequestContext = {
    options,
    clock,
    logger,
    tokenDigest,
    redact,
    maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
  };

  const server = createServer((request, response) => {
    handle(context, request, response).catch((error: unknown) => {
      logger.error('http request failed', { path: request.url, error });
      if (!response.headersSent) {
        const message = error instanceof Error ? error.message : String(error);
        sendJson(response, redact, 500, { error: message });
      } else {
        response.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error('http server error', { error }));
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  logger.info('http server listening', { url, stateChanges: token !== undefined });
  return {
    url,
    address: { host: address.address, port: address.port },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeIdleConnections();
      }),
  };
}

/** Everything a request handler needs. */
interface RequestContext {
  readonly options: HttpServerOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tokenDigest: Buffer | undefined;
  readonly redact: Redactor;
  readonly maxBodyBytes: number;
}

async function handle(
  context: RequestContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { redact } = context;
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const method = request.method ?? 'GET';
  const allowed = routes[path];
  if (allowed === undefined) {
    sendJson(response, redact, 404, { error: `no route ${path}` });
    return;
  }
  if (method !== allowed) {
    response.setHeader('Allow', allowed);
    sendJson(response, redact, 405, { error: `${path} accepts ${allowed} only` });
    return;
  }
  switch (path) {
    case '/health':
      sendHealth(context, response, isTruthy(url.searchParams.get('ready')));
      return;
    case '/ready':
      sendHealth(context, response, true);
      return;
    case '/status':
      await sendStatus(context, request, response);
      return;
    case '/metrics': {
      const text = redact(await context.options.metrics());
      response.writeHead(200, {
        'Content-Type': metricsContentType,
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      });
      response.end(text);
      return;
    }
    default:
      await changeState(context, request, response, path);
  }
}

function isTruthy(value: string | null): boolean {
  return value !== null && ['1', 'true', 'yes', ''].includes(value.toLowerCase());
}

function sendHealth(context: RequestContext, response: ServerResponse, readiness: boolean): void {
  const loops = loopReadiness(
    context.options.health(),
    context.clock.now(),
    context.options.maxAgeMs,
  );
  const healthy = loops.every((loop) => loop.healthy);
  const status = readiness && !healthy ? 503 : 200;
  sendJson(response, context.redact, status, { status: healthy ? 'ok' : 'degraded', loops });
}

async function sendStatus(
  context: RequestContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { control } = context.options;
  const perSymbol = context.options.decisionsPerSymbol ?? defaultDecisionsPerSymbol;
  const authorised = isAuthorised(context, request);
  const [status, positions, pnl, openOrders, balance] = await Promise.all([
    control.status(),
    control.positions(),
    control.pnl(),
    control.openOrders(),
    authorised ? control.balance() : Promise.resolve(null),
  ]);
  const decisionLists = await Promise.all(status.symbols.map((symbol) => control.why(symbol)));
  const decisions = decisionLists
    .flatMap((list) => list.slice(0, perSymbol))
    .sort((a, b) => b.decidedAt - a.decidedAt);
  sendJson(response, context.redact, 200, {
    mode: status.mode,
    exchange: status.exchange,
    symbols: status.symbols,
    tradingState: status.tradingState,
    circuitOpen: status.circuitOpen,
    lastCandleAt: status.lastCandleAt,
    startedAt: status.startedAt,
    positions,
    pnl,
    openOrders,
    decisions,
    loops: context.options.health(),
    // Balances only for the token holder (reliability plan, row 18).
    balance,
  });
}

async function changeState(
  context: RequestContext,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<void> {
  const { redact, logger } = context;
  const state = stateRoutes[path];
  if (state === undefined) {
    sendJson(response, redact, 404, { error: `no route ${path}` });
    return;
  }
  if (context.tokenDigest === undefined) {
    sendJson(response, redact, 403, {
      error: 'state changes over HTTP are disabled: set HTTP_TOKEN to enable',
    });
    return;
  }
  if (!isAuthorised(context, request)) {
    logger.warn('http state change refused: bad or missing token', {
      path,
      remoteAddress: request.socket.remoteAddress,
    });
    response.setHeader('WWW-Authenticate', 'Bearer realm="lumenlink"');
    sendJson(response, redact, 401, {
      // Worded so the body's own redaction (which cuts `Authorization: <value>`) leaves it whole.
      error:
        'send HTTP_TOKEN as a bearer token in the Authorization header to change the trading state',
    });
    return;
  }
  const body = await readBody(request, context.maxBodyBytes);
  if (body === null) {
    response.setHeader('Connection', 'close');
    sendJson(response, redact, 413, {
      error: `request body over ${context.maxBodyBytes} bytes`,
    });
    return;
  }
  const parsed = parseReason(body);
  if (!parsed.ok) {
    sendJson(response, redact, 400, { error: parsed.error });
    return;
  }
  const reason = parsed.reason ?? `${path.slice(1)} over HTTP`;
  try {
    const record = await context.options.control.setTradingState(state, reason, 'http');
    logger.info('trading state changed over http', { state: record.state, reason, path });
    sendJson(response, redact, 200, { tradingState: record });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn('http state change refused by the bot', { path, state, error });
    sendJson(response, redact, error instanceof TransientError ? 503 : 409, { error: message });
  }
}

/** `{}`, an empty body, or `{ "reason": "text" }`. */
function parseReason(
  body: string,
): { ok: true; reason: string | undefined } | { ok: false; error: string } {
  if (body.trim() === '') return { ok: true, reason: undefined };
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    return { ok: false, error: 'the body must be JSON: {"reason": "..."}' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'the body must be a JSON object: {"reason": "..."}' };
  }
  const reason = (value as Record<string, unknown>)['reason'];
  if (reason === undefined || reason === null) return { ok: true, reason: undefined };
  if (typeof reason !== 'string') return { ok: false, error: 'reason must be a string' };
  const text = reason.trim();
  if (text.length > maxReasonLength) {
    return { ok: false, error: `reason must be at most ${maxReasonLength} characters` };
  }
  return { ok: true, reason: text === '' ? undefined : text };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A valid `Authorization: Bearer <token>`, compared in constant time over equal-length digests. */
function isAuthorised(context: RequestContext, request: IncomingMessage): boolean {
  if (context.tokenDigest === undefined) return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '');
  const given = match?.[1];
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), context.tokenDigest);
}

/** The body as text, or `null` when it is larger than `limit` bytes (reading stops there). */
function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise<string | null>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        request.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

function sendJson(response: ServerResponse, redact: Redactor, status: number, body: unknown): void {
  const text = JSON.stringify(redact(body));
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(text);
}
