/**
 * The acceptance test of the ccxt adapter: ccxt's real binance class, pointed at the exchange
 * emulator through `apiUrl`, for every MarketDataSource and Broker call and every fault the
 * emulator injects, each surfacing as the intended core error class.
 */
import {
  DataIntegrityError,
  ExchangeAuthError,
  ExchangeUnavailableError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
  OrderRejectedError,
  RateLimitError,
  ValidationError,
  type OrderRequest,
} from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@lumenlink/config';
import { CcxtExchange, ccxtExchangeFromConfig } from '../src/index.js';
import { startExchangeEmulator, type ExchangeEmulator } from '../src/testing/index.js';

const apiKey = 'adapter-test-key';
const secret = 'adapter-test-secret';
const minute = 60_000;
/** The emulator's and the adapter's time: a manual clock, so grace windows need no sleeping. */
const startAt = Date.UTC(2025, 0, 6, 12);

let clock: ManualClock;
let emulator: ExchangeEmulator;
let exchange: CcxtExchange;
let nextId = 0;

/** A fresh client order id per order: ids are unique on the exchange as in the bot. */
const clientId = (label: string): string => `ll-${label}-${++nextId}`;
const connect = (overrides: { secret?: string; timeoutMs?: number } = {}): CcxtExchange =>
  new CcxtExchange({
    exchange: 'binance',
    apiKey,
    secret: overrides.secret ?? secret,
    apiUrl: emulator.url,
    // Seconds, not milliseconds: a loaded CI machine is slow to answer even on 127.0.0.1.
    timeoutMs: overrides.timeoutMs ?? 5_000,
    // The emulator enforces no rate limit: at binance's pace ccxt would space every request
    // (200 ms after a myTrades); the pace itself is tested below.
    rateLimitMs: 1,
    clock,
  });
/**
 * A client for the hang faults: it gives up after 2 s rather than 5 (a hang waits the whole
 * timeout), with its markets loaded before the fault.
 */
async function hangingClient(): Promise<CcxtExchange> {
  const client = connect({ timeoutMs: 2_000 });
  await client.loadMarkets();
  return client;
}
const marketBuy = (label: string, quantity = 0.01): OrderRequest => ({
  clientOrderId: clientId(label),
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'market',
  quantity,
});
/** A buy limit far below the market: it rests on the book. */
const restingBuy = (label: string): OrderRequest => ({
  clientOrderId: clientId(label),
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'limit',
  quantity: 0.01,
  limitPrice: Math.round(emulator.price('BTC/USDT') * 0.5),
});
const posts = (clientOrderId: string) =>
  emulator
    .requests()
    .filter(
      (request) =>
        request.method === 'POST' &&
        request.path === '/api/v3/order' &&
        request.body.newClientOrderId === clientOrderId,
    );
async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome))
    throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error;
}

beforeAll(async () => {
  clock = new ManualClock(startAt);
  emulator = await startExchangeEmulator({
    apiKey,
    secret,
    now: () => clock.now(),
    randomWalk: { seed: 7, intervalMs: minute, count: 300, start: startAt - 300 * minute },
  });
  exchange = connect();
});
afterEach(() => emulator.clearFaults());
afterAll(() => emulator.close());

describe('CcxtExchange on binance: market data', () => {
  it('loads the spot markets with one request, precision as steps and Binance filters as minimums', async () => {
    const fresh = connect();
    const before = emulator.requests().length;
    const markets = await fresh.loadMarkets();
    expect([...markets.keys()].sort()).toEqual(['BTC-USDT', 'ETH-USDT', 'SOL-USDT']);
    expect(markets.get('BTC-USDT')).toMatchObject({
      symbol: 'BTC-USDT',
      base: 'BTC',
      quote: 'USDT',
      amountStep: 0.00001,
      priceStep: 0.01,
      minAmount: 0.00001,
      minCost: 5,
      active: true,
    });
    expect(markets.get('SOL-USDT')).toMatchObject({ amountStep: 0.001, minAmount: 0.001 });
    const asked = emulator.requests().slice(before);
    expect(asked.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/v3/exchangeInfo',
    ]);
  });

  it('fetches valid candles in ascending time, honouring since and limit', async () => {
    const latest = await exchange.fetchCandles('BTC-USDT', '1m', { limit: 5 });
    expect(latest).toHaveLength(5);
    for (const [index, candle] of latest.entries()) {
      expect(candle.time % minute).toBe(0);
      expect(candle.low).toBeLessThanOrEqual(Math.min(candle.open, candle.close));
      if (index > 0) expect(candle.time - latest[index - 1]!.time).toBe(minute);
    }
    expect(latest[4]!.time).toBeLessThanOrEqual(startAt);
    const since = startAt - 100 * minute;
    const page = await exchange.fetchCandles('BTC-USDT', '1m', { since, limit: 3 });
    expect(page.map((candle) => candle.time)).toEqual([since, since + minute, since + 2 * minute]);
    const [klines] = emulator
      .requests()
      .filter((request) => request.path === '/api/v3/klines')
      .slice(-1);
    expect(klines?.query).toMatchObject({ symbol: 'BTCUSDT', interval: '1m', limit: '3' });
  });

  it('fetches the ticker and the order book around the emulator price', async () => {
    const price = emulator.price('BTC/USDT');
    const ticker = await exchange.fetchTicker('BTC-USDT');
    expect(ticker.symbol).toBe('BTC-USDT');
    expect(ticker.last).toBeCloseTo(price, 2);
    expect(ticker.bid).not.toBeNull();
    expect(ticker.bid!).toBeLessThan(ticker.ask!);
    expect(ticker.baseVolume24h).toBeGreaterThan(0);
    const book = await exchange.fetchOrderBook('BTC-USDT', 5);
    expect(book.bids).toHaveLength(5);
    expect(book.asks).toHaveLength(5);
    expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
    expect(book.bids[0]![0]).toBeLessThanOrEqual(price);
  });

  it('refuses unknown symbols and bad options before any request', async () => {
    await exchange.loadMarkets();
    const before = emulator.requests().length;
    await expect(exchange.fetchTicker('DOGE-USDT')).rejects.toThrow(
      /binance has no spot market DOGE-USDT/,
    );
    await expect(exchange.fetchCandles('BTC-USDT', '1m', { limit: 0 })).rejects.toThrow(
      ValidationError,
    );
    await expect(exchange.fetchOrderBook('BTC-USDT', Number.NaN)).rejects.toThrow(ValidationError);
    expect(emulator.requests().length).toBe(before);
  });
});

describe('CcxtExchange on binance: orders, fills and balance', () => {
  it('places a market buy under our client id and reports it filled', async () => {
    const request = marketBuy('market');
    const order = await exchange.createOrder(request);
    expect(order).toMatchObject({
      clientOrderId: request.clientOrderId,
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      status: 'filled',
      quantity: 0.01,
      filledQuantity: 0.01,
      feeCurrency: 'BTC',
    });
    expect(order.avgFillPrice).toBeGreaterThan(0);
    expect(order.fee).toBeCloseTo(0.00001, 10);
    const [post] = posts(request.clientOrderId);
    expect(post?.body).toMatchObject({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
    });
    const stored = emulator
      .orders()
      .find((candidate) => candidate.clientOrderId === request.clientOrderId);
    expect(String(stored?.orderId)).toBe(order.exchangeOrderId);
  });

  it('rests a limit order, finds it by id, by client id and among open orders, then cancels it', async () => {
    const request = restingBuy('limit');
    const placed = await exchange.createOrder(request);
    expect(placed).toMatchObject({
      status: 'open',
      filledQuantity: 0,
      limitPrice: request.limitPrice,
    });
    expect(await exchange.fetchOrder('BTC-USDT', placed.exchangeOrderId)).toMatchObject({
      clientOrderId: request.clientOrderId,
      status: 'open',
    });
    expect(await exchange.fetchOrderByClientId('BTC-USDT', request.clientOrderId)).toMatchObject({
      exchangeOrderId: placed.exchangeOrderId,
    });
    const open = await exchange.fetchOpenOrders('BTC-USDT');
    expect(open.map((order) => order.clientOrderId)).toContain(request.clientOrderId);
    const everywhere = await exchange.fetchOpenOrders();
    expect(everywhere.map((order) => order.clientOrderId)).toContain(request.clientOrderId);

    await clock.advance(minute);
    const canceled = await exchange.cancelOrder('BTC-USDT', placed.exchangeOrderId);
    expect(canceled).toMatchObject({ status: 'canceled', filledQuantity: 0 });
    expect(
      (await exchange.fetchOpenOrders('BTC-USDT')).map((order) => order.clientOrderId),
    ).not.toContain(request.clientOrderId);
    const closed = await exchange.fetchClosedOrders('BTC-USDT');
    expect(closed.find((order) => order.clientOrderId === request.clientOrderId)?.status).toBe(
      'canceled',
    );
    expect(
      closed.every((order) => order.status !== 'open' && order.status !== 'partially_filled'),
    ).toBe(true);
    const times = closed.map((order) => order.updatedAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('answers null for a client id the exchange never saw, and OrderNotFoundError for an unknown id', async () => {
    expect(await exchange.fetchOrderByClientId('BTC-USDT', 'll-never-sent')).toBeNull();
    await expect(exchange.fetchOrder('BTC-USDT', '987654321')).rejects.toThrow(OrderNotFoundError);
    await expect(exchange.cancelOrder('BTC-USDT', '987654321')).rejects.toThrow(OrderNotFoundError);
  });

  it("reports fills once per trade, under their order's client id, with their fees", async () => {
    const since = clock.now();
    const request = marketBuy('fills', 0.02);
    const order = await exchange.createOrder(request);
    const fills = (await exchange.fetchFills('BTC-USDT', since)).filter(
      (fill) => fill.clientOrderId === request.clientOrderId,
    );
    const trades = emulator
      .trades()
      .filter((trade) => trade.clientOrderId === request.clientOrderId);
    expect(fills.map((fill) => fill.tradeId)).toEqual(trades.map((trade) => String(trade.id)));
    expect(fills.reduce((sum, fill) => sum + fill.quantity, 0)).toBeCloseTo(
      order.filledQuantity,
      10,
    );
    for (const fill of fills) {
      expect(fill).toMatchObject({
        exchangeOrderId: order.exchangeOrderId,
        side: 'buy',
        feeCurrency: 'BTC',
      });
      expect(fill.price).toBeGreaterThan(0);
    }
    // A fill of an order this instance never saw is named by looking the order up.
    const other = connect();
    const seen = await other.fetchFills('BTC-USDT', since);
    expect(seen.filter((fill) => fill.clientOrderId === request.clientOrderId)).toEqual(fills);
  });

  it('reports the balance per currency as the emulator holds it', async () => {
    const balance = await exchange.fetchBalance();
    const held = emulator.balances();
    for (const [currency, { free, locked }] of Object.entries(held)) {
      expect(balance[currency], currency).toBeDefined();
      expect(balance[currency]!.free).toBeCloseTo(free, 6);
      expect(balance[currency]!.used).toBeCloseTo(locked, 6);
      expect(balance[currency]!.total).toBeCloseTo(free + locked, 6);
    }
  });

  it('lists an order placed outside this process with its own client id', async () => {
    const foreign = emulator.placeOrder({
      symbol: 'ETH/USDT',
      side: 'buy',
      type: 'limit',
      quantity: 0.01,
      price: 1_000,
      clientOrderId: 'web_foreign1',
    });
    const open = await exchange.fetchOpenOrders('ETH-USDT');
    expect(open.find((order) => order.exchangeOrderId === String(foreign.orderId))).toMatchObject({
      clientOrderId: 'web_foreign1',
      symbol: 'ETH-USDT',
      limitPrice: 1_000,
    });
  });

  it('refuses bad order requests before ccxt sees them (NaN never reaches it)', async () => {
    const before = emulator.requests().length;
    const bad: [Partial<OrderRequest>, RegExp][] = [
      [{ quantity: Number.NaN }, /quantity must be a finite number > 0, got NaN/],
      [{ quantity: -1 }, /quantity must be a finite number > 0/],
      [{ quantity: 0.000001 }, /quantity 0.000001 is outside BTC-USDT's limits 0.00001/],
      [{ quantity: 0.012345 }, /quantity 0.012345 is not a multiple of BTC-USDT's step 0.00001/],
      [
        { type: 'limit', limitPrice: 50_000.005 },
        /limitPrice 50000.005 is not a multiple of BTC-USDT's step 0.01/,
      ],
      [
        { type: 'limit' },
        /limitPrice \(required for limit\) must be a finite number > 0, got undefined/,
      ],
      [{ type: 'limit', limitPrice: Number.POSITIVE_INFINITY }, /limitPrice/],
      [{ limitPrice: 50_000 }, /limitPrice is set on a market order/],
      [{ type: 'stop_market' }, /stopPrice \(required for stop_market\)/],
      [{ clientOrderId: 'has space' }, /clientOrderId "has space" must be 1 to 36/],
      [{ clientOrderId: 'x'.repeat(37) }, /clientOrderId/],
      [{ symbol: 'BTCUSDT' as OrderRequest['symbol'] }, /Invalid symbol "BTCUSDT"/],
    ];
    for (const [patch, message] of bad) {
      const error = await failure(exchange.createOrder({ ...marketBuy('bad'), ...patch }));
      expect(error, message.source).toBeInstanceOf(ValidationError);
      expect(error.message).toMatch(message);
    }
    expect(emulator.requests().length).toBe(before);
  });

  it('maps refusals: insufficient funds, a reused client id, a filter failure', async () => {
    const tooBig = await failure(exchange.createOrder(marketBuy('broke', 100)));
    expect(tooBig).toBeInstanceOf(OrderRejectedError);
    expect((tooBig as OrderRejectedError).reason).toBe('insufficient_funds');

    const resting = restingBuy('dup');
    await exchange.createOrder(resting);
    const again = await failure(exchange.createOrder(resting));
    expect((again as OrderRejectedError).reason).toBe('duplicate_client_id');

    emulator.inject({ kind: 'reject', code: -1013, msg: 'Filter failure: PRICE_FILTER', times: 1 });
    const filtered = await failure(exchange.createOrder(marketBuy('filter')));
    expect(filtered).toBeInstanceOf(OrderRejectedError);
    expect((filtered as OrderRejectedError).reason).toBe('invalid_order');
  });

  it('is built from the config: EXCHANGE, the keys and EXCHANGE_API_URL', async () => {
    const fromConfig = ccxtExchangeFromConfig(
      loadConfig({
        EXCHANGE: 'binance',
        EXCHANGE_API_KEY: apiKey,
        EXCHANGE_API_SECRET: secret,
        EXCHANGE_API_URL: emulator.url,
      }),
      { clock, timeoutMs: 1_500 },
    );
    expect(fromConfig.name).toBe('binance');
    expect(Object.keys(await fromConfig.fetchBalance())).toContain('USDT');
  });

  it("spaces requests by their cost at binance's pace, or at rateLimitMs", async () => {
    /**
     * The time four myTrades take once the markets are loaded: each costs 4 (Binance's weight
     * 20), so each after the first waits 4 paces after the one before. The limiter holds at most
     * one unit of credit, so the four take at least 3 x 4 - 1 paces however slow the answers.
     */
    const fourFills = async (client: CcxtExchange): Promise<number> => {
      await client.loadMarkets();
      const start = performance.now();
      for (let call = 0; call < 4; call++) await client.fetchFills('BTC-USDT');
      return performance.now() - start;
    };
    const atBinancePace = new CcxtExchange({
      exchange: 'binance',
      apiKey,
      secret,
      apiUrl: emulator.url,
      timeoutMs: 5_000,
      clock,
    });
    // 11 x 50 ms.
    expect(await fourFills(atBinancePace)).toBeGreaterThanOrEqual(550);
    const paced = new CcxtExchange({
      exchange: 'binance',
      apiKey,
      secret,
      apiUrl: emulator.url,
      timeoutMs: 5_000,
      rateLimitMs: 100,
      clock,
    });
    // 11 x 100 ms.
    expect(await fourFills(paced)).toBeGreaterThanOrEqual(1_100);
    for (const rateLimitMs of [0, -1, Number.NaN]) {
      expect(() => new CcxtExchange({ exchange: 'binance', rateLimitMs })).toThrow(
        new ValidationError(
          `rateLimitMs must be a number of milliseconds above 0, got ${rateLimitMs}`,
        ),
      );
    }
  });

  it('maps refused credentials to ExchangeAuthError, for reads and orders', async () => {
    const wrong = connect({ secret: 'not-the-secret' });
    await expect(wrong.fetchBalance()).rejects.toThrow(ExchangeAuthError);
    await expect(wrong.createOrder(marketBuy('auth'))).rejects.toThrow(ExchangeAuthError);
    expect((await wrong.loadMarkets()).size).toBe(3);
  });
});

describe('CcxtExchange on binance: every injected fault', () => {
  it('latency below the timeout only slows a call down', async () => {
    emulator.inject({ kind: 'latency', ms: 300, route: 'GET /api/v3/ticker/24hr', times: 1 });
    const ticker = await exchange.fetchTicker('BTC-USDT');
    expect(ticker.last).toBeGreaterThan(0);
  });

  it('rate limits (429 with Retry-After, 418) are RateLimitError for reads', async () => {
    emulator.inject({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 3,
      route: 'GET /api/v3/depth',
      times: 1,
    });
    const limited = await failure(exchange.fetchOrderBook('BTC-USDT', 5));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(3_000);

    emulator.inject({ kind: 'status', status: 418, route: 'GET /api/v3/depth', times: 1 });
    const banned = await failure(exchange.fetchOrderBook('BTC-USDT', 5));
    expect(banned).toBeInstanceOf(RateLimitError);
    expect((banned as RateLimitError).retryAfterMs).toBeNull();
  });

  it('5xx answers are ExchangeUnavailableError for reads, sent once (no retries inside)', async () => {
    for (const status of [500, 503] as const) {
      emulator.inject({ kind: 'status', status, route: 'GET /api/v3/ticker/24hr', times: 1 });
      const before = emulator.requests().length;
      const error = await failure(exchange.fetchTicker('BTC-USDT'));
      expect(error.constructor, String(status)).toBe(ExchangeUnavailableError);
      expect(emulator.requests().length - before).toBe(1);
    }
  });

  it('a hanging read times out as ExchangeUnavailableError', async () => {
    const quick = await hangingClient();
    emulator.inject({ kind: 'hang', route: 'GET /api/v3/account', times: 1 });
    const error = await failure(quick.fetchBalance());
    expect(error.constructor).toBe(ExchangeUnavailableError);
    expect(error.message).toMatch(/RequestTimeout/);
  });

  it('clock skew (-1021) is ExchangeUnavailableError naming the clock for reads', async () => {
    emulator.inject({ kind: 'clock-skew', times: 1 });
    const error = await failure(exchange.fetchOpenOrders('BTC-USDT'));
    expect(error.constructor).toBe(ExchangeUnavailableError);
    expect(error.message).toMatch(/clock is probably skewed/);
  });

  it('a body that is not JSON is ExchangeUnavailableError; JSON that breaks the rules is DataIntegrityError', async () => {
    emulator.inject({
      kind: 'malformed',
      route: 'GET /api/v3/ticker/24hr',
      body: '{not json',
      times: 1,
    });
    const unreadable = await failure(exchange.fetchTicker('BTC-USDT'));
    expect(unreadable.constructor).toBe(ExchangeUnavailableError);

    const kline = [
      startAt,
      '100',
      '90',
      '110',
      '100',
      '1',
      startAt + minute - 1,
      '100',
      1,
      '1',
      '100',
      '0',
    ];
    emulator.inject({
      kind: 'malformed',
      route: 'GET /api/v3/klines',
      body: JSON.stringify([kline]),
      times: 1,
    });
    const broken = await failure(exchange.fetchCandles('BTC-USDT', '1m'));
    expect(broken).toBeInstanceOf(DataIntegrityError);
    expect(broken.message).toMatch(/low 110 is above high 90/);

    emulator.inject({
      kind: 'malformed',
      route: 'GET /api/v3/ticker/24hr',
      body: '{"symbol":"BTCUSDT","lastPrice":"NaN"}',
      times: 1,
    });
    await expect(exchange.fetchTicker('BTC-USDT')).rejects.toThrow(DataIntegrityError);
  });

  it('after a 503 during loadMarkets, the next call reloads the markets and succeeds', async () => {
    const fresh = connect();
    emulator.inject({ kind: 'status', status: 503, route: 'GET /api/v3/exchangeInfo', times: 1 });
    const before = emulator.requests().length;
    const error = await failure(fresh.fetchTicker('BTC-USDT'));
    expect(error.constructor).toBe(ExchangeUnavailableError);
    const ticker = await fresh.fetchTicker('BTC-USDT');
    expect(ticker.last).toBeGreaterThan(0);
    const loads = emulator
      .requests()
      .slice(before)
      .filter((request) => request.path === '/api/v3/exchangeInfo');
    expect(loads).toHaveLength(2);
  });
});

describe('CcxtExchange on binance: placement faults never lead to a blind resend', () => {
  it('a lost response: outcome unknown, then found by client id, with exactly one POST', async () => {
    const request = marketBuy('lost');
    emulator.inject({ kind: 'lose-response', times: 1 });
    const error = await failure(exchange.createOrder(request));
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    expect((error as OrderOutcomeUnknownError).clientOrderId).toBe(request.clientOrderId);
    expect(error.cause).toBeDefined();

    const found = await exchange.fetchOrderByClientId('BTC-USDT', request.clientOrderId);
    expect(found).toMatchObject({
      clientOrderId: request.clientOrderId,
      status: 'filled',
      filledQuantity: 0.01,
    });
    expect(posts(request.clientOrderId)).toHaveLength(1);
  });

  it('a dropped order: outcome unknown, then not found (null)', async () => {
    const request = marketBuy('dropped');
    emulator.inject({ kind: 'drop-order', times: 1 });
    await expect(exchange.createOrder(request)).rejects.toThrow(OrderOutcomeUnknownError);
    expect(await exchange.fetchOrderByClientId('BTC-USDT', request.clientOrderId)).toBeNull();
    expect(emulator.orders().some((order) => order.clientOrderId === request.clientOrderId)).toBe(
      false,
    );
    expect(posts(request.clientOrderId)).toHaveLength(1);
  });

  it('a fresh order reported missing: null while in the window, found after it', async () => {
    emulator.inject({ kind: 'not-found', forMs: 30_000 });
    const request = restingBuy('fresh');
    const placed = await exchange.createOrder(request);
    expect(await exchange.fetchOrderByClientId('BTC-USDT', request.clientOrderId)).toBeNull();
    await expect(exchange.fetchOrder('BTC-USDT', placed.exchangeOrderId)).rejects.toThrow(
      OrderNotFoundError,
    );
    await clock.advance(30_001);
    expect(await exchange.fetchOrderByClientId('BTC-USDT', request.clientOrderId)).toMatchObject({
      exchangeOrderId: placed.exchangeOrderId,
      status: 'open',
    });
  });

  it('partial fills: partially_filled, then filled; a canceled partial fill keeps its filled quantity', async () => {
    emulator.inject({ kind: 'partial-fill', ratio: 0.4, times: 2 });
    const first = marketBuy('partial', 0.01);
    const partial = await exchange.createOrder(first);
    expect(partial).toMatchObject({ status: 'partially_filled', quantity: 0.01 });
    expect(partial.filledQuantity).toBeCloseTo(0.004, 10);
    emulator.setPrice('BTC/USDT', emulator.price('BTC/USDT') * 1.001);
    expect(await exchange.fetchOrder('BTC-USDT', partial.exchangeOrderId)).toMatchObject({
      status: 'filled',
      filledQuantity: 0.01,
    });

    const second = await exchange.createOrder(marketBuy('partial', 0.01));
    expect(second.status).toBe('partially_filled');
    const canceled = await exchange.cancelOrder('BTC-USDT', second.exchangeOrderId);
    expect(canceled.status).toBe('canceled');
    expect(canceled.filledQuantity).toBeCloseTo(0.004, 10);
  });

  it('429, 418, 500 and 503 on a placement are outcome unknown, and the lookup settles it', async () => {
    for (const status of [429, 418, 500, 503] as const) {
      const request = marketBuy(`status${status}`);
      emulator.inject({ kind: 'status', status, route: 'POST /api/v3/order', times: 1 });
      const error = await failure(exchange.createOrder(request));
      expect(error, String(status)).toBeInstanceOf(OrderOutcomeUnknownError);
      expect(await exchange.fetchOrderByClientId('BTC-USDT', request.clientOrderId)).toBeNull();
      expect(posts(request.clientOrderId)).toHaveLength(1);
    }
  });

  it('a hang, clock skew or an unreadable answer on a placement is outcome unknown', async () => {
    const faults = [
      { kind: 'hang', route: 'POST /api/v3/order', times: 1 },
      { kind: 'clock-skew', times: 1 },
      { kind: 'malformed', route: 'POST /api/v3/order', body: '{not json', times: 1 },
      { kind: 'malformed', route: 'POST /api/v3/order', body: '{"orderId":1}', times: 1 },
    ] as const;
    const quick = await hangingClient();
    for (const fault of faults) {
      const request = marketBuy(fault.kind);
      emulator.inject(fault);
      const error = await failure((fault.kind === 'hang' ? quick : exchange).createOrder(request));
      expect(error, fault.kind).toBeInstanceOf(OrderOutcomeUnknownError);
      expect((error as OrderOutcomeUnknownError).clientOrderId).toBe(request.clientOrderId);
      emulator.clearFaults();
    }
  });

  it('a failed market load before a placement is a read failure: nothing was sent', async () => {
    const fresh = connect();
    emulator.inject({ kind: 'status', status: 503, route: 'GET /api/v3/exchangeInfo', times: 1 });
    const request = marketBuy('unloaded');
    const error = await failure(fresh.createOrder(request));
    expect(error.constructor).toBe(ExchangeUnavailableError);
    expect(posts(request.clientOrderId)).toHaveLength(0);
  });
});

describe('CcxtExchange on binance: every answer is for the symbol asked', () => {
  it('refuses a ticker of another symbol, naming the symbol asked and the one answered', async () => {
    emulator.inject({ kind: 'wrong-symbol', symbol: 'ETH/USDT', times: 1 });
    const error = await failure(exchange.fetchTicker('BTC-USDT'));
    expect(error).toBeInstanceOf(DataIntegrityError);
    expect(error.message).toBe(
      'binance BTC-USDT ticker: the answer is for ETH-USDT, not for BTC-USDT as asked',
    );
    expect((await exchange.fetchTicker('BTC-USDT')).symbol).toBe('BTC-USDT');
  });

  it('refuses a ticker whose raw market id is not the one asked, though ccxt files it under it', async () => {
    emulator.inject({ kind: 'wrong-symbol', symbol: 'XYZUSDT', times: 1 });
    const error = await failure(exchange.fetchTicker('BTC-USDT'));
    expect(error).toBeInstanceOf(DataIntegrityError);
    expect(error.message).toBe(
      'binance BTC-USDT ticker: the exchange answered for market "XYZUSDT", not for BTCUSDT (BTC-USDT) as asked',
    );
  });

  it('refuses the found case: a ticker of another symbol priced 1e-8, and a 1e-8 quote of the symbol itself', async () => {
    emulator.inject({ kind: 'wrong-symbol', symbol: 'ETH/USDT', times: 1 });
    emulator.inject({ kind: 'price', symbol: 'ETH/USDT', price: 1e-8, times: 1 });
    await expect(exchange.fetchTicker('BTC-USDT')).rejects.toThrow(
      /the answer is for ETH-USDT, not for BTC-USDT as asked/,
    );

    emulator.inject({ kind: 'price', symbol: 'BTC/USDT', price: 1e-8, times: 2 });
    const ticker = await failure(exchange.fetchTicker('BTC-USDT'));
    expect(ticker).toBeInstanceOf(DataIntegrityError);
    expect(ticker.message).toBe(
      "binance BTC-USDT ticker: last price 1e-8 is below BTC-USDT's price step 0.01: no exchange quotes that price",
    );
    const book = await failure(exchange.fetchOrderBook('BTC-USDT', 5));
    expect(book).toBeInstanceOf(DataIntegrityError);
    expect(book.message).toMatch(
      /binance BTC-USDT order book: bids\[4\] price .* is below BTC-USDT's price step 0.01/,
    );
    expect((await exchange.fetchTicker('BTC-USDT')).last).toBeGreaterThan(1);
  });

  it("cannot tell another market's book or candles by name: Binance's depth and klines name no market", async () => {
    // What is left is the numbers: the engine's band against the last closed candle judges them.
    emulator.inject({ kind: 'wrong-symbol', symbol: 'ETH/USDT', times: 1 });
    const book = await exchange.fetchOrderBook('BTC-USDT', 5);
    expect(book.symbol).toBe('BTC-USDT');
    expect(book.bids[0]![0]).toBeCloseTo(emulator.price('ETH/USDT') - 0.01, 6);
  });

  it('refuses orders of another market on every order route; a placement answered so is of unknown outcome, found again by client id', async () => {
    const resting = restingBuy('wrong-market');
    emulator.inject({ kind: 'wrong-symbol', route: 'POST /api/v3/order', times: 1 });
    const placed = await failure(exchange.createOrder(resting));
    expect(placed).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(placed.message).toMatch(/the answer is for ETH-USDT, not for BTC-USDT as asked/);
    const found = await exchange.fetchOrderByClientId('BTC-USDT', resting.clientOrderId);
    expect(found).toMatchObject({ clientOrderId: resting.clientOrderId, status: 'open' });
    expect(posts(resting.clientOrderId)).toHaveLength(1);

    emulator.inject({ kind: 'wrong-symbol', route: 'GET /api/v3/order', times: 2 });
    const byClientId = await failure(
      exchange.fetchOrderByClientId('BTC-USDT', resting.clientOrderId),
    );
    expect(byClientId).toBeInstanceOf(DataIntegrityError);
    expect(byClientId.message).toMatch(
      /fetchOrderByClientId\(BTC-USDT, .*\): the answer is for ETH-USDT, not for BTC-USDT as asked/,
    );
    await expect(exchange.fetchOrder('BTC-USDT', found!.exchangeOrderId)).rejects.toThrow(
      DataIntegrityError,
    );

    for (const route of ['GET /api/v3/openOrders', 'GET /api/v3/allOrders'] as const) {
      emulator.inject({ kind: 'wrong-symbol', symbol: 'XYZUSDT', route, times: 1 });
    }
    await expect(exchange.fetchOpenOrders('BTC-USDT')).rejects.toThrow(
      /the exchange answered for market "XYZUSDT", not for BTCUSDT \(BTC-USDT\) as asked/,
    );
    await expect(exchange.fetchClosedOrders('BTC-USDT')).rejects.toThrow(DataIntegrityError);

    emulator.inject({ kind: 'wrong-symbol', route: 'DELETE /api/v3/order', times: 1 });
    await expect(exchange.cancelOrder('BTC-USDT', found!.exchangeOrderId)).rejects.toThrow(
      /cancelOrder\(BTC-USDT, \d+\): the answer is for ETH-USDT/,
    );
    // The cancel went through on the exchange all the same; the next look sees it.
    expect((await exchange.fetchOrder('BTC-USDT', found!.exchangeOrderId)).status).toBe('canceled');
  });

  it('refuses fills of another market', async () => {
    await exchange.createOrder(marketBuy('fill-market'));
    emulator.inject({
      kind: 'wrong-symbol',
      symbol: 'XYZUSDT',
      route: 'GET /api/v3/myTrades',
      times: 1,
    });
    const error = await failure(exchange.fetchFills('BTC-USDT'));
    expect(error).toBeInstanceOf(DataIntegrityError);
    expect(error.message).toMatch(
      /binance fetchFills\(BTC-USDT\) trade: the exchange answered for market "XYZUSDT", not for BTCUSDT \(BTC-USDT\) as asked/,
    );
    expect((await exchange.fetchFills('BTC-USDT')).length).toBeGreaterThan(0);
  });
});
