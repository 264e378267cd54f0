/**
 * The bot's HTTP server: liveness and readiness, a read-only status page, Prometheus metrics,
 * and token-guarded trading-state changes. Binds 127.0.0.1 unless told otherwise (and warns when
 * told otherwise); answers only requests whose `Host` header names it (DNS rebinding); every
 * body passes through the secret redactor.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  TransientError,
  ValidationError,
  createRedactor,
  systemClock,
  type BotControl,
  type Clock,
  type Logger,
  type Order,
  type SymbolId,
  type SymbolPause,
  type PositionAdjustment,
  type Redactor,
  type TradingState,
} from '@lumenlink/core';
import type { FeedHealth } from './optional-feeds.js';
import type { LoopHealth } from './scheduler.js';
import type { TradingMode } from './trading-mode.js';

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
  /**
   * Lifts a symbol's pause (`POST /resume` with `{ "symbol": "BTC-USDT" }`), writing off first
   * what of its position the exchange no longer holds (`writtenOff`, or `null`).
   */
  resumeSymbol(
    symbol: SymbolId,
    reason: string,
    resumedBy: string,
  ): Promise<SymbolPause & { readonly writtenOff: PositionAdjustment | null }>;
}

/** The loops' health as the scheduler reports it (`scheduler.health()`). */
export type HealthReport = readonly LoopHealth[];

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Address to listen on (default `127.0.0.1`: local only); any other is warned about. */
  readonly host?: string;
  /**
   * `HTTP_ALLOWED_HOSTS`: `Host` header values answered besides `localhost`, `127.0.0.1`,
   * `[::1]` and `host` itself on the bound port. An entry with a port matches that port only;
   * one without matches any. Every other `Host` gets 403 on every route but `/health` and
   * `/ready` (so a web page on another site cannot read `/status` through DNS rebinding).
   */
  readonly allowedHosts?: readonly string[];
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /** When `port` is taken, listen on a free one instead of failing (warned about). */
  readonly portFallback?: boolean;
  /** `HTTP_TOKEN`: without it the state-changing endpoints answer 403. */
  readonly token?: string | undefined;
  readonly control: HttpBotControl;
  readonly health: () => HealthReport;
  /**
   * The optional feeds' health (`node.feeds()`): shown by `/status` in full and by `/health` by
   * name and status; never part of readiness. Default: one per enabled optional loop of `health`.
   */
  readonly feeds?: () => readonly FeedHealth[];
  /** The trading mode (`node.tradingMode`), shown by `/status`. */
  readonly tradingMode?: TradingMode;
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
/** Longest reason, in characters (the trading state machine's cap). */
const maxReasonLength = 200;
/** Longest part of a refused `Host` header quoted back. */
const maxQuotedHostLength = 100;
/** Routes answered whatever the `Host`: orchestrators probe them by the container's address. */
const anyHostRoutes: ReadonlySet<string> = new Set(['/health', '/ready']);
/** Addresses that listen on every interface. */
const wildcardHosts: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]', '']);
/** Names of this machine that a DNS rebinding page cannot claim. */
const loopbackNames = ['localhost', '127.0.0.1', '[::1]'] as const;
/**
 * Characters a reason may not hold: C0 and C1 controls, Unicode line and paragraph separators,
 * bidirectional overrides (the trading state machine refuses the same).
 */
const controlCharacter = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
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
 * The health of every enabled loop readiness depends on: healthy when its last success is at
 * most its max age old. Disabled loops (reconcile in paper mode) and optional ones (sentiment,
 * a feed: see {@link HttpServerOptions.feeds}) are left out.
 */
export function loopReadiness(
  loops: HealthReport,
  now: number,
  maxAgeMs: Readonly<Record<string, number>> = {},
): LoopReadiness[] {
  return loops
    .filter((loop) => loop.enabled && !loop.optional)
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
 *   `{ status: 'ok' | 'degraded', loops: [{ name, ageMs, maxAgeMs, healthy }], feeds: [{ name,
 *   status, parts: [{ name, status }] }] }`; `status` and readiness follow the core loops only.
 * - `GET /ready` or `GET /health?ready=1`: the same body, 503 when any enabled core loop's last
 *   success is older than its max age (or it never succeeded). An optional feed (sentiment)
 *   failing is `degraded` under `feeds` and never makes it 503.
 * - `GET /status`: mode, the trading mode (`tradingMode`: `paper`, `live-dry-run` or `live`, and
 *   `tradingModeText`), trading state, the strategy (key, label, source, parameters), positions,
 *   P&L, open orders, the latest decisions with their reasons, loop health, the optional feeds
 *   with their last errors; balances only with a valid bearer token.
 * - `GET /metrics`: Prometheus text format 0.0.4.
 * - `POST /halt`, `/reduce`, `/resume` with `Authorization: Bearer <HTTP_TOKEN>` and an
 *   optional JSON body `{ "reason": "..." }`: changes the trading state through
 *   `control.setTradingState(state, reason, 'http')`. 403 without a configured token, 401 for a
 *   wrong or missing one, 409 when the bot refuses (the config kill switch), 413 for a body over
 *   the cap.
 * - Other methods 405, other paths 404. No response ever holds a configured secret.
 * - A request whose `Host` header is not `localhost`, `127.0.0.1` or `[::1]` on the bound port,
 *   `host` itself, or one of `allowedHosts` is answered 403 and does nothing (DNS rebinding
 *   guard), except `/health` and `/ready`.
 * - A reason with a control character or over 200 characters is 400, naming `reason`.
 *
 * Listening on an address that is not loopback (`HTTP_HOST=0.0.0.0`) logs a warning: the
 * control API is then reachable from the network and `HTTP_TOKEN` is what protects it.
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
 * @throws the listen error (address in use without `portFallback`, permission denied).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const token = options.token === '' ? undefined : options.token;
  const tokenDigest = token === undefined ? undefined : digest(token);
  const redact = createRedactor([...(options.secrets ?? []), token]);
  // The metrics exposition carries no message text: whole secrets only, so a token that starts
  // with an ordinary word (e.g. `lumenlink...`) never cuts metric names apart.
  const redactMetrics = createRedactor([...(options.secrets ?? []), token], { cutForms: false });
  const context: RequestContext = {
    options,
    clock,
    logger,
    tokenDigest,
    redact,
    redactMetrics,
    maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
    // Set once the port is known; nothing is answered before.
    hostAllowed: () => false,
    allowedHostsText: '',
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
  const listen = (port: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(options.port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (options.portFallback !== true || code !== 'EADDRINUSE') throw error;
    logger.warn(`port ${options.port} is taken; the HTTP server listens on a free port instead`);
    await listen(0);
  }
  server.on('error', (error) => logger.error('http server error', { error }));
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  const names = hostNames(host, address.port, options.allowedHosts ?? []);
  context.hostAllowed = names.allows;
  context.allowedHostsText = names.text;
  logger.info('http server listening', { url, stateChanges: token !== undefined });
  if (!isLoopbackAddress(address.address)) {
    logger.warn(
      `HTTP_HOST=${host} is not a loopback address: the control API is reachable from the network, and HTTP_TOKEN is what protects it` +
        (token === undefined
          ? ' (unset: state changes are disabled, but /status and /metrics are open to anyone who reaches the port)'
          : ' (balances and state changes need it; /status and /metrics do not)') +
        `. Requests must name ${names.text} in their Host header. Keep HTTP_HOST=127.0.0.1 unless a firewall or a reverse proxy stands in front.`,
      { url, allowedHosts: names.text },
    );
  }
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
  /** Whole secrets only (see `createRedactor`'s `cutForms`): for the metrics exposition. */
  readonly redactMetrics: Redactor;
  readonly maxBodyBytes: number;
  /** Whether a `Host` header names this server (see {@link hostNames}). */
  hostAllowed: (header: string | undefined) => boolean;
  /** The allowed hosts in words, for errors and the warning. */
  allowedHostsText: string;
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
  if (!anyHostRoutes.has(path) && !context.hostAllowed(request.headers.host)) {
    refuseHost(context, request, response);
    return;
  }
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
      const text = context.redactMetrics(await context.options.metrics());
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
  const report = context.options.health();
  const loops = loopReadiness(report, context.clock.now(), context.options.maxAgeMs);
  const healthy = loops.every((loop) => loop.healthy);
  const status = readiness && !healthy ? 503 : 200;
  // Feeds by name and status only: /health answers any Host, error texts stay in /status.
  const feeds = feedsOf(context.options, report).map((feed) => ({
    name: feed.name,
    status: feed.status,
    parts: feed.parts.map((part) => ({ name: part.name, status: part.status })),
  }));
  sendJson(response, context.redact, status, {
    status: healthy ? 'ok' : 'degraded',
    loops,
    feeds,
  });
}

/** The optional feeds: the node's, or one per enabled optional loop. */
function feedsOf(options: HttpServerOptions, loops: HealthReport): readonly FeedHealth[] {
  if (options.feeds !== undefined) return options.feeds();
  return loops
    .filter((loop) => loop.enabled && loop.optional)
    .map((loop) => ({
      name: loop.name,
      status:
        loop.consecutiveFailures > 0 ? 'degraded' : loop.lastSuccessAt === null ? 'starting' : 'ok',
      why: 'an optional loop',
      lastSuccessAt: loop.lastSuccessAt,
      lastErrorAt: loop.lastErrorAt,
      lastError: loop.lastError,
      consecutiveFailures: loop.consecutiveFailures,
      parts: [],
    }));
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
  const loops = context.options.health();
  const tradingMode = context.options.tradingMode;
  sendJson(response, context.redact, 200, {
    mode: status.mode,
    // What happens to orders: paper, live-dry-run (MODE=live without ALLOW_LIVE_TRADING) or live.
    tradingMode: tradingMode?.kind ?? null,
    tradingModeText: tradingMode?.text ?? null,
    exchange: status.exchange,
    symbols: status.symbols,
    tradingState: status.tradingState,
    circuitOpen: status.circuitOpen,
    lastCandleAt: status.lastCandleAt,
    startedAt: status.startedAt,
    // Symbols paused alone (entries blocked) until an operator resumes them, with why.
    pausedSymbols: status.pausedSymbols ?? [],
    // The strategy run: key, label, source (file path and SHA-256) and parameters.
    strategy: status.strategy ?? null,
    positions,
    pnl,
    openOrders,
    decisions,
    loops,
    // Optional feeds (sentiment): degraded with their last error, never a readiness matter.
    feeds: feedsOf(context.options, loops),
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
  if (parsed.symbol !== undefined) {
    if (path !== '/resume') {
      sendJson(response, redact, 400, {
        error: `symbol is only taken by POST /resume (it lifts one symbol's pause); ${path} changes the whole bot`,
      });
      return;
    }
    await resumeSymbol(context, response, parsed.symbol, reason);
    return;
  }
  try {
    const record = await context.options.control.setTradingState(state, reason, 'http');
    logger.info('trading state changed over http', { state: record.state, reason, path });
    sendJson(response, redact, 200, { tradingState: record });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn('http state change refused by the bot', { path, state, error });
    const status = TransientError.isInstance(error)
      ? 503
      : ValidationError.isInstance(error)
        ? 400
        : 409;
    sendJson(response, redact, status, { error: message });
  }
}

/** `POST /resume` with a symbol: lifts that symbol's pause only. */
async function resumeSymbol(
  context: RequestContext,
  response: ServerResponse,
  symbol: string,
  reason: string,
): Promise<void> {
  const { redact, logger } = context;
  try {
    const lifted = await context.options.control.resumeSymbol(symbol as SymbolId, reason, 'http');
    logger.info('symbol resumed over http', { symbol: lifted.symbol, reason });
    sendJson(response, redact, 200, { resumed: lifted });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn('http symbol resume refused by the bot', { symbol, error });
    sendJson(response, redact, TransientError.isInstance(error) ? 503 : 400, { error: message });
  }
}

/** `{}`, an empty body, or `{ "reason": "text", "symbol": "BTC-USDT" }` (both optional). */
function parseReason(
  body: string,
): { ok: true; reason: string | undefined; symbol?: string } | { ok: false; error: string } {
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
  const unknown = Object.keys(value).filter((key) => key !== 'reason' && key !== 'symbol');
  if (unknown.length > 0) {
    // A misspelt "symbol" must not resume the whole bot.
    return {
      ok: false,
      error: `unknown field ${unknown.map((key) => JSON.stringify(key)).join(', ')}: the body takes "reason" and, on /resume, "symbol"`,
    };
  }
  const symbolValue = (value as Record<string, unknown>)['symbol'];
  if (
    symbolValue !== undefined &&
    (typeof symbolValue !== 'string' || !/^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/.test(symbolValue))
  ) {
    return { ok: false, error: 'symbol must be a traded symbol such as "BTC-USDT"' };
  }
  const symbol = symbolValue === undefined ? {} : { symbol: symbolValue };
  const reason = (value as Record<string, unknown>)['reason'];
  if (reason === undefined || reason === null) return { ok: true, reason: undefined, ...symbol };
  if (typeof reason !== 'string') return { ok: false, error: 'reason must be a string' };
  const control = controlCharacter.exec(reason);
  if (control !== null) {
    const code = (control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    const position = [...reason.slice(0, control.index)].length + 1;
    return {
      ok: false,
      error: `reason holds a control character (U+${code}) at position ${position}; a reason is one line of text: remove it`,
    };
  }
  const text = reason.trim();
  const length = [...text].length;
  if (length > maxReasonLength) {
    return {
      ok: false,
      error: `reason is ${length} characters long; at most ${maxReasonLength} are allowed: shorten it`,
    };
  }
  return { ok: true, reason: text === '' ? undefined : text, ...symbol };
}

/** A `Host` header or an allowed-host entry, lower-cased, without a trailing dot. */
interface HostName {
  readonly host: string;
  /** `null` when the header names no port. */
  readonly port: number | null;
}

/** Parses `name`, `name:port`, `1.2.3.4:port`, `[v6]:port`; `null` when malformed. */
function parseHostName(text: string): HostName | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]/@\s]+?)\.?(?::(\d{1,5}))?$/.exec(
    text.trim().toLowerCase(),
  );
  const host = match?.[1];
  if (match === null || host === undefined) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  return { host, port };
}

/** A listen address as a `Host` names it: IPv6 in brackets; `null` for a wildcard. */
function hostOfAddress(address: string): string | null {
  const lower = address.toLowerCase();
  if (wildcardHosts.has(lower)) return null;
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

/**
 * The `Host` headers this server answers: the loopback names and the listen address itself
 * (unless a wildcard) on the bound port (or with no port when it is 80), and the configured
 * extra hosts (with their port, or any port when they name none).
 */
function hostNames(
  listenHost: string,
  port: number,
  extra: readonly string[],
): { allows: (header: string | undefined) => boolean; text: string } {
  const own = new Set<string>(loopbackNames);
  const listen = hostOfAddress(listenHost);
  if (listen !== null) own.add(listen);
  const entries = extra
    .map((entry) => parseHostName(entry))
    .filter((entry): entry is HostName => entry !== null);
  const allows = (header: string | undefined): boolean => {
    if (header === undefined) return false;
    const name = parseHostName(header);
    if (name === null) return false;
    if (own.has(name.host) && (name.port === port || (name.port === null && port === 80))) {
      return true;
    }
    return entries.some(
      (entry) => entry.host === name.host && (entry.port === null || entry.port === name.port),
    );
  };
  const text = `${[...own].join(', ')} on port ${port}${extra.length === 0 ? ' (HTTP_ALLOWED_HOSTS adds more)' : `, or ${extra.join(', ')} (HTTP_ALLOWED_HOSTS)`}`;
  return { allows, text };
}

/** Whether a bound address only accepts connections from this machine. */
function isLoopbackAddress(address: string): boolean {
  const lower = address.toLowerCase();
  return (
    lower === '::1' || lower === 'localhost' || /^127\./.test(lower) || /^::ffff:127\./.test(lower)
  );
}

/** 403 for a request that names another host: nothing is read or changed. */
function refuseHost(
  context: RequestContext,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const given = request.headers.host;
  const quoted =
    given === undefined
      ? 'no Host header'
      : `Host ${JSON.stringify(given.slice(0, maxQuotedHostLength))}`;
  context.logger.warn('http request refused: Host header not allowed (DNS rebinding guard)', {
    host: given?.slice(0, maxQuotedHostLength) ?? null,
    path: request.url?.slice(0, maxQuotedHostLength),
    remoteAddress: request.socket.remoteAddress,
  });
  response.setHeader('Connection', 'close');
  sendJson(response, context.redact, 403, {
    error: `${quoted} is not a name of this server: it answers ${context.allowedHostsText}. Add the name clients use to HTTP_ALLOWED_HOSTS.`,
  });
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
