/**
 * The emulator's HTTP server on 127.0.0.1: records each exchange request, applies the injected
 * faults, checks signatures, dispatches to the Binance routes, and serves the `/__emulator`
 * control routes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '@lumenlink/core';
import { EmulatorApiError } from './api-error.js';
import { binanceRoutes, clientOrderIdPattern } from './binance-routes.js';
import {
  FaultBook,
  marketIdOf,
  parseFault,
  wrongSymbolRoutes,
  type TerminalFault,
} from './faults.js';
import { MatchingEngine } from './matching-engine.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { verifySignedRequest } from './signing.js';
import type {
  EmulatorOptions,
  EmulatorOrder,
  EmulatorOrderInput,
  EmulatorRequest,
  ExchangeEmulator,
} from './types.js';
import { invalid, isRecord, nonEmptyString, positiveNumber } from './validate.js';

const jsonType = 'application/json;charset=UTF-8';
const maxBodyBytes = 1_000_000;
const controlPrefix = '/__emulator/';

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function json(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value), contentType: jsonType };
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, {
    'content-type': reply.contentType ?? jsonType,
    ...reply.headers,
  });
  response.end(reply.body);
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > maxBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

/**
 * The answer of a `reject` fault: HTTP 400 `{ code, msg }`, its `msg` followed by the request
 * (query, body, API key header and signature, bare) when the fault echoes it.
 */
function rejectReply(
  fault: Extract<TerminalFault, { kind: 'reject' }>,
  request: IncomingMessage,
  url: URL,
  rawBody: string,
): Reply {
  if (fault.echoRequest !== true) return json(400, { code: fault.code, msg: fault.msg });
  const signed = new URLSearchParams(`${url.search.slice(1)}&${rawBody}`).get('signature') ?? '';
  const apiKey = String(request.headers['x-mbx-apikey'] ?? '');
  const echo = `request ${request.method ?? 'POST'} ${url.pathname}${url.search} body ${rawBody}; headers X-MBX-APIKEY ${apiKey}; signed ${signed}`;
  return json(400, { code: fault.code, msg: `${fault.msg} (${echo})` });
}

/** The answer of a `status` fault: Binance's -1003 JSON for 429/418, an HTML or text page for 5xx. */
function statusReply(fault: Extract<TerminalFault, { kind: 'status' }>, now: number): Reply {
  const headers =
    fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
  switch (fault.status) {
    case 429:
      return {
        ...json(429, {
          code: -1003,
          msg: 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.',
        }),
        headers,
      };
    case 418:
      return {
        ...json(418, {
          code: -1003,
          msg: `Way too many requests; IP(127.0.0.1) banned until ${now + (fault.retryAfterSeconds ?? 120) * 1000}. Please use the websocket for live updates to avoid bans.`,
        }),
        headers,
      };
    case 500:
      return {
        status: 500,
        body: '<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center></body></html>',
        contentType: 'text/html',
        headers,
      };
    case 503:
      return { status: 503, body: 'Service Unavailable.', contentType: 'text/plain', headers };
  }
}

/** `value` with the `symbol` of its object, or of each object of its array, set to `marketId`. */
function relabel(value: unknown, marketId: string): unknown {
  if (Array.isArray(value)) return value.map((item) => relabel(item, marketId));
  return isRecord(value) && 'symbol' in value ? { ...value, symbol: marketId } : value;
}

/**
 * Checks the input of {@link ExchangeEmulator.placeOrder} (possibly JSON from the control route).
 *
 * @throws {ValidationError} naming the field at fault.
 */
function parseOrderInput(value: unknown): EmulatorOrderInput {
  if (!isRecord(value))
    invalid('order', 'an object { symbol, side, type, quantity, price?, clientOrderId }', value);
  const { side, type, price } = value;
  if (side !== 'buy' && side !== 'sell') invalid('order.side', "'buy' or 'sell'", side);
  if (type !== 'market' && type !== 'limit') invalid('order.type', "'market' or 'limit'", type);
  if (type === 'market' && price !== undefined)
    invalid('order.price', 'absent for a market order', price);
  const clientOrderId = nonEmptyString(value['clientOrderId'], 'order.clientOrderId');
  if (!clientOrderIdPattern.test(clientOrderId)) {
    invalid(
      'order.clientOrderId',
      "1 to 36 of A-Z a-z 0-9 . : / _ - (Binance's rule)",
      clientOrderId,
    );
  }
  return {
    symbol: nonEmptyString(value['symbol'], 'order.symbol'),
    side,
    type,
    quantity: positiveNumber(value['quantity'], 'order.quantity'),
    clientOrderId,
    ...(type === 'limit' ? { price: positiveNumber(price, 'order.price') } : {}),
  };
}

/**
 * Starts an exchange emulator on 127.0.0.1 that speaks enough of Binance's spot REST API for
 * ccxt's `binance` class: markets, klines, tickers, depth, balances, orders and fills, with
 * faults injected on demand.
 *
 * @example
 * ```ts
 * import ccxt from 'ccxt';
 * import { pointCcxtAt, startExchangeEmulator } from '@lumenlink/exchanges/testing';
 *
 * const emulator = await startExchangeEmulator({ apiKey: 'key', secret: 'secret' });
 * const exchange = new ccxt.binance({ apiKey: 'key', secret: 'secret', options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false } });
 * pointCcxtAt(exchange, emulator.url);
 * emulator.inject({ kind: 'status', status: 503, times: 1 });
 * await exchange.fetchTicker('BTC/USDT'); // ExchangeNotAvailable, then the next call answers
 * await emulator.close();
 * ```
 * @throws {ValidationError} for a bad option, naming it and what it accepts.
 * @throws {DataIntegrityError} for a malformed candle CSV file.
 */
export async function startExchangeEmulator(
  options: EmulatorOptions = {},
): Promise<ExchangeEmulator> {
  const config = await resolveOptions(options);
  return startServer(config);
}

async function startServer(config: ResolvedOptions): Promise<ExchangeEmulator> {
  const { now } = config;
  const engine = new MatchingEngine(config);
  const faults = new FaultBook();
  const requests: EmulatorRequest[] = [];
  /** Wake-ups of requests delayed by a latency fault, resolved early on close. */
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  let closed = false;

  const marketOf = (symbol: unknown, field: string) => {
    const market = engine.findMarket(nonEmptyString(symbol, field));
    if (market === undefined) {
      invalid(
        field,
        `a listed market (${engine
          .markets()
          .map((listed) => listed.symbol)
          .join(', ')})`,
        symbol,
      );
    }
    return market;
  };

  const emulator = {
    url: '',
    inject(fault) {
      const parsed = parseFault(fault);
      if (parsed.kind === 'price') marketOf(parsed.symbol, 'fault.symbol');
      faults.inject(parsed);
    },
    clearFaults() {
      faults.clear();
    },
    setPrice(symbol, price) {
      engine.setPrice(marketOf(symbol, 'setPrice symbol'), positiveNumber(price, 'setPrice price'));
    },
    price(symbol) {
      return engine.price(marketOf(symbol, 'price symbol'));
    },
    orders: () => engine.orderList().map((order) => MatchingEngine.view(order)),
    trades: () => engine.tradeList().map((trade) => ({ ...trade })),
    balances: () => engine.balances(),
    requests: () =>
      requests.map((request) => ({
        ...request,
        query: { ...request.query },
        body: { ...request.body },
      })),
    placeOrder(input): EmulatorOrder {
      const order = parseOrderInput(input);
      const { order: placed } = engine.place({
        market: marketOf(order.symbol, 'order.symbol'),
        side: order.side,
        type: order.type === 'market' ? 'MARKET' : 'LIMIT',
        quantity: order.quantity,
        clientOrderId: order.clientOrderId,
        ...(order.price === undefined ? {} : { price: order.price, timeInForce: 'GTC' as const }),
      });
      return MatchingEngine.view(placed);
    },
    async close() {
      closed = true;
      for (const [timer, wake] of sleepers) {
        clearTimeout(timer);
        wake();
      }
      sleepers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  } satisfies ExchangeEmulator & { url: string };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
    });

  const control = (method: string, path: string, rawBody: string): Reply => {
    const route = `${method} ${path}`;
    const body = (): unknown => {
      try {
        return rawBody === '' ? undefined : (JSON.parse(rawBody) as unknown);
      } catch (error) {
        throw new ValidationError(
          `${route}: the body must be JSON (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    };
    switch (route) {
      case 'POST /__emulator/fault':
        emulator.inject(body() as never);
        return json(200, { ok: true, faults: faults.list() });
      case 'POST /__emulator/clear':
        emulator.clearFaults();
        return json(200, { ok: true });
      case 'POST /__emulator/price': {
        const input = body();
        if (!isRecord(input)) invalid('price body', 'an object { symbol, price }', input);
        const market = marketOf(input['symbol'], 'price body symbol');
        engine.setPrice(market, positiveNumber(input['price'], 'price body price'));
        return json(200, { symbol: market.symbol, price: engine.price(market) });
      }
      case 'POST /__emulator/order':
        return json(200, emulator.placeOrder(body() as never));
      case 'GET /__emulator/state':
        return json(200, {
          now: now(),
          prices: Object.fromEntries(
            engine.markets().map((market) => [market.symbol, engine.price(market)]),
          ),
          orders: emulator.orders(),
          trades: emulator.trades(),
          balances: emulator.balances(),
          faults: faults.list(),
        });
      case 'GET /__emulator/requests':
        return json(200, emulator.requests());
      default:
        return json(404, {
          error: `no control route ${route}; there are POST /__emulator/fault, POST /__emulator/clear, POST /__emulator/price, POST /__emulator/order, GET /__emulator/state, GET /__emulator/requests`,
        });
    }
  };

  const exchange = async (
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    rawBody: string,
  ): Promise<void> => {
    const method = request.method ?? 'GET';
    const route = `${method} ${url.pathname}`;
    const query = Object.fromEntries(url.searchParams);
    const body = Object.fromEntries(new URLSearchParams(rawBody));
    requests.push({ method, path: url.pathname, query, body, time: now() });

    const delay = faults.takeLatency(route);
    if (delay > 0) await sleep(delay);
    if (closed) return;

    const endpoint = binanceRoutes.get(route);
    const fault = faults.takeTerminal(route, endpoint?.signed ?? false);
    switch (fault?.kind) {
      case 'status':
        return send(response, statusReply(fault, now()));
      case 'hang':
        return;
      case 'malformed':
        return send(response, { status: 200, body: fault.body });
      case 'clock-skew':
        return send(
          response,
          json(400, {
            code: -1021,
            msg: 'Timestamp for this request is outside of the recvWindow.',
          }),
        );
      case 'reject':
        return send(response, rejectReply(fault, request, url, rawBody));
      case 'drop-order':
        request.socket.destroy();
        return;
      case 'lose-response':
      case undefined:
        break;
    }

    let reply: Reply;
    if (endpoint === undefined) {
      reply = {
        status: 404,
        body: `The exchange emulator does not serve ${route}; it serves ${[...binanceRoutes.keys()].join(', ')}.`,
        contentType: 'text/plain',
      };
    } else {
      try {
        const params = { ...query, ...body };
        if (endpoint.signed) {
          verifySignedRequest(
            {
              rawQuery: url.search.slice(1),
              rawBody,
              apiKeyHeader: request.headers['x-mbx-apikey'] as string | undefined,
              params,
            },
            config.credentials,
          );
        }
        const asked = params['symbol'];
        const wrong =
          asked === undefined ? undefined : faults.takeWrongSymbol(route, marketIdOf(asked));
        let answered: { params: Record<string, string>; label?: string } = { params };
        if (wrong !== undefined && asked !== undefined) {
          const askedMarket = engine.findMarket(asked);
          const other =
            wrong.symbol === undefined
              ? engine.markets().find((market) => market !== askedMarket)
              : engine.findMarket(wrong.symbol);
          const otherId = other?.id ?? marketIdOf(wrong.symbol ?? asked);
          answered =
            other !== undefined && wrongSymbolRoutes.get(route) === 'data'
              ? { params: { ...params, symbol: otherId } }
              : { params, label: otherId };
        }
        const value = endpoint.handle({
          params: answered.params,
          engine,
          faults,
          now: now(),
          route,
        });
        reply = json(200, answered.label === undefined ? value : relabel(value, answered.label));
      } catch (error) {
        reply = EmulatorApiError.isInstance(error)
          ? json(error.httpStatus, error.toBody())
          : json(500, {
              code: -1000,
              msg: `An unknown error occurred while processing the request. (emulator: ${error instanceof Error ? error.message : String(error)})`,
            });
      }
    }
    if (fault?.kind === 'lose-response') {
      request.socket.destroy();
      return;
    }
    const hold = faults.takeReplyDelay(route);
    if (hold > 0) await sleep(hold);
    if (closed) return;
    send(response, reply);
  };

  const server = createServer((request, response) => {
    const handle = async (): Promise<void> => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const rawBody = await readBody(request);
      if (rawBody === undefined) {
        send(response, json(413, { code: -1000, msg: `Request body over ${maxBodyBytes} bytes.` }));
        return;
      }
      if (url.pathname.startsWith(controlPrefix)) {
        try {
          send(response, control(request.method ?? 'GET', url.pathname, rawBody));
        } catch (error) {
          send(
            response,
            EmulatorApiError.isInstance(error)
              ? json(error.httpStatus, error.toBody())
              : json(ValidationError.isInstance(error) ? 400 : 500, {
                  error: error instanceof Error ? error.message : String(error),
                }),
          );
        }
        return;
      }
      await exchange(request, response, url, rawBody);
    };
    handle().catch((error: unknown) => {
      if (!response.headersSent && !response.destroyed) {
        send(
          response,
          json(500, { error: error instanceof Error ? error.message : String(error) }),
        );
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  emulator.url = `http://127.0.0.1:${port}`;
  return emulator;
}
