/**
 * Bad exchange responses (issue #15, part 3; reliability.md §4 row 8): the exchange emulator
 * answers a route with a body of our choosing (its `malformed` fault): malformed JSON, an HTML
 * error page, an empty body, JSON of the wrong shape, and well-formed answers with a field
 * missing or of the wrong type. Through ccxt's real binance class and `CcxtExchange`, a read
 * either fails with a clear error class (`DataIntegrityError` for an answer that breaks the
 * rules, `ExchangeUnavailableError` for one that cannot be read) or returns values without a
 * single NaN or infinity; a placement whose answer cannot be read is `OrderOutcomeUnknownError`
 * (look it up by client id, never resend). Through the order manager and the SQLite store, such
 * a placement is stored `unknown` and is never sent again.
 *
 * Enumerated cases, not fast-check properties: fast-check is not a dev dependency of
 * @lumenlink/bot.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DataIntegrityError,
  ExchangeUnavailableError,
  LumenLinkError,
  ManualClock,
  OrderOutcomeUnknownError,
  type OrderRequest,
} from '@lumenlink/core';
import { openStore } from '@lumenlink/data';
import { CcxtExchange } from '@lumenlink/exchanges';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { LiveBroker, OrderManager, createExchangePolicies } from '@lumenlink/execution';
import { tempDir } from './helpers.js';

// Some cases start the bot or go through ccxt's rate limiter, on a shared machine: allow more
// than vitest's 5 s default when the file runs on its own (the package's test script does too).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const apiKey = 'bad-input-key';
const secret = 'bad-input-secret';
const now = Date.now();

/** Paths of the numbers in `value` that are NaN or infinite. */
function nonFiniteNumbers(value: unknown, path = 'value'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (typeof value !== 'object' || value === null) return [];
  if (value instanceof Map) {
    return [...value.entries()].flatMap(([key, inner]) =>
      nonFiniteNumbers(inner, `${path}.${String(key)}`),
    );
  }
  return Object.entries(value).flatMap(([key, inner]) => nonFiniteNumbers(inner, `${path}.${key}`));
}

/** Bodies every route is given: unreadable, or JSON of no use. */
const unreadable: readonly string[] = [
  '{"symbol": "BTCUSDT", "lastPrice": ',
  '<html><body><h1>502 Bad Gateway</h1></body></html>',
  '',
  'null',
  '"maintenance"',
  '{}',
  '[]',
  '[null]',
  '[{"unexpected": true}]',
];

// Well-formed answers in Binance's shapes, to be broken one field at a time.
const ticker = {
  symbol: 'BTCUSDT',
  lastPrice: '60000.00000000',
  bidPrice: '59999.99000000',
  bidQty: '1.00000000',
  askPrice: '60000.01000000',
  askQty: '1.00000000',
  volume: '10.00000000',
  quoteVolume: '600000.00000000',
  openTime: now - 86_400_000,
  closeTime: now,
};
const depth = {
  lastUpdateId: 7,
  bids: [
    ['59999.99000000', '1.00000000'],
    ['59999.98000000', '2.00000000'],
  ],
  asks: [
    ['60000.01000000', '1.00000000'],
    ['60000.02000000', '2.00000000'],
  ],
};
const account = {
  makerCommission: 10,
  takerCommission: 10,
  canTrade: true,
  updateTime: now,
  accountType: 'SPOT',
  balances: [
    { asset: 'USDT', free: '1000.00000000', locked: '0.00000000' },
    { asset: 'BTC', free: '0.50000000', locked: '0.00000000' },
  ],
  permissions: ['SPOT'],
};
const order = {
  symbol: 'BTCUSDT',
  orderId: 991,
  orderListId: -1,
  clientOrderId: 'llbadinput0000000000000000000001',
  price: '0.00000000',
  origQty: '0.01000000',
  executedQty: '0.01000000',
  cummulativeQuoteQty: '600.00000000',
  status: 'FILLED',
  timeInForce: 'GTC',
  type: 'MARKET',
  side: 'BUY',
  stopPrice: '0.00000000',
  time: now,
  updateTime: now,
  isWorking: true,
};
/** The emulator numbers its orders from 1: the trades belong to the order placed first. */
const firstOrderId = 1;
const trade = {
  symbol: 'BTCUSDT',
  id: 55,
  orderId: firstOrderId,
  orderListId: -1,
  price: '60000.00000000',
  qty: '0.01000000',
  quoteQty: '600.00000000',
  commission: '0.00001000',
  commissionAsset: 'BTC',
  time: now,
  isBuyer: true,
  isMaker: false,
  isBestMatch: true,
};

const json = (value: unknown): string => JSON.stringify(value);

/** Well-formed answers with one field broken: each must be refused with a clear error. */
const broken: Readonly<
  Record<string, readonly { readonly name: string; readonly body: string }[]>
> = {
  'GET /api/v3/ticker/24hr': [
    { name: 'no last price', body: json({ ...ticker, lastPrice: undefined }) },
    { name: 'a word for the last price', body: json({ ...ticker, lastPrice: 'sixty' }) },
    { name: 'a negative last price', body: json({ ...ticker, lastPrice: '-60000' }) },
    { name: 'an infinite last price', body: json({ ...ticker, lastPrice: '1e999' }) },
    { name: 'bid above ask', body: json({ ...ticker, bidPrice: '60001', askPrice: '60000' }) },
    { name: 'a negative volume', body: json({ ...ticker, volume: '-10' }) },
    { name: 'a price as an object', body: json({ ...ticker, lastPrice: { value: 1 } }) },
  ],
  'GET /api/v3/depth': [
    { name: 'a word for a price', body: json({ ...depth, bids: [['abc', '1']] }) },
    { name: 'a zero quantity', body: json({ ...depth, asks: [['60000.01', '0']] }) },
    { name: 'a crossed book', body: json({ ...depth, bids: [['60005', '1']] }) },
    { name: 'a level that is not a pair', body: json({ ...depth, bids: ['59999.99'] }) },
  ],
  'GET /api/v3/account': [
    {
      name: 'a word for a balance',
      body: json({ ...account, balances: [{ asset: 'USDT', free: 'plenty', locked: '0' }] }),
    },
    {
      name: 'a negative balance',
      body: json({ ...account, balances: [{ asset: 'USDT', free: '-5', locked: '0' }] }),
    },
    {
      name: 'an infinite balance',
      body: json({ ...account, balances: [{ asset: 'USDT', free: '1e999', locked: '0' }] }),
    },
  ],
  'GET /api/v3/order': [
    { name: 'a word for the quantity', body: json({ ...order, origQty: 'a lot' }) },
    { name: 'more filled than ordered', body: json({ ...order, executedQty: '0.02' }) },
    { name: 'no order id', body: json({ ...order, orderId: undefined }) },
    { name: 'no time', body: json({ ...order, time: undefined, updateTime: undefined }) },
    { name: 'an unknown side', body: json({ ...order, side: 'SIDEWAYS' }) },
    { name: 'an unknown status', body: json({ ...order, status: 'EXPLODED' }) },
    { name: 'a time as text', body: json({ ...order, time: 'yesterday' }) },
  ],
  'GET /api/v3/myTrades': [
    { name: 'a NaN price', body: json([{ ...trade, price: 'NaN' }]) },
    { name: 'a negative quantity', body: json([{ ...trade, qty: '-0.01' }]) },
    { name: 'a word for the fee', body: json([{ ...trade, commission: 'some' }]) },
    { name: 'no trade id', body: json([{ ...trade, id: undefined }]) },
    { name: 'no time', body: json([{ ...trade, time: undefined }]) },
  ],
  'POST /api/v3/order': [
    { name: 'another client id', body: json({ ...order, clientOrderId: 'llsomeoneelse' }) },
    { name: 'a word for the quantity', body: json({ ...order, origQty: 'a lot' }) },
    { name: 'no status', body: json({ ...order, status: undefined }) },
  ],
};

let emulator: ExchangeEmulator;
let exchange: CcxtExchange;
let placedId: string;
let attempt = 0;

function marketBuy(): OrderRequest {
  attempt += 1;
  return {
    clientOrderId: `llbadinput${String(attempt).padStart(6, '0')}`,
    symbol: 'BTC-USDT',
    side: 'buy',
    type: 'market',
    quantity: 0.001,
  };
}

const calls: Readonly<Record<string, () => Promise<unknown>>> = {
  'GET /api/v3/klines': () => exchange.fetchCandles('BTC-USDT', '1h'),
  'GET /api/v3/ticker/24hr': () => exchange.fetchTicker('BTC-USDT'),
  'GET /api/v3/depth': () => exchange.fetchOrderBook('BTC-USDT'),
  'GET /api/v3/account': () => exchange.fetchBalance(),
  'GET /api/v3/openOrders': () => exchange.fetchOpenOrders('BTC-USDT'),
  'GET /api/v3/order': () => exchange.fetchOrder('BTC-USDT', placedId),
  'GET /api/v3/myTrades': () => exchange.fetchFills('BTC-USDT'),
  'POST /api/v3/order': () => exchange.createOrder(marketBuy()),
};

beforeAll(async () => {
  emulator = await startExchangeEmulator({ apiKey, secret });
  exchange = new CcxtExchange({
    exchange: 'binance',
    apiKey,
    secret,
    apiUrl: emulator.url,
    timeoutMs: 5_000,
    // The emulator enforces no rate limit: at binance's pace ccxt would space every request (200 ms after a myTrades).
    rateLimitMs: 1,
  });
  await exchange.loadMarkets();
  placedId = (await exchange.createOrder(marketBuy())).exchangeOrderId;
  expect(placedId).toBe(String(firstOrderId));
});

afterAll(async () => {
  await emulator.close();
});

/** What a call gave with `body` as the answer of `route`. */
async function answer(
  route: string,
  body: string,
): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  const call = calls[route];
  if (call === undefined) throw new Error(`no call for ${route}`);
  emulator.clearFaults();
  emulator.inject({ kind: 'malformed', route, body, times: 1 });
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  } finally {
    emulator.clearFaults();
  }
}

/** What is wrong with how a failure was reported, or `null`. */
function badFailure(route: string, error: unknown): string | null {
  const placement = route === 'POST /api/v3/order';
  if (!(error instanceof LumenLinkError)) return `threw ${String(error)}, not a LumenLink error`;
  if (placement) {
    return error instanceof OrderOutcomeUnknownError
      ? null
      : `a placement failed with ${error.name}, not OrderOutcomeUnknownError`;
  }
  if (!(error instanceof DataIntegrityError || error instanceof ExchangeUnavailableError)) {
    return `failed with ${error.name}`;
  }
  return error.message.startsWith('binance ') ? null : `"${error.message}" does not name binance`;
}

describe('unreadable or useless answers on every route', () => {
  it.each(Object.keys(calls))('%s: a clear error, or values without NaN', async (route) => {
    const problems: string[] = [];
    for (const body of unreadable) {
      const outcome = await answer(route, body);
      const shown = JSON.stringify(body.slice(0, 30));
      if (outcome.ok) {
        if (route === 'POST /api/v3/order') problems.push(`${shown}: a placement succeeded`);
        problems.push(...nonFiniteNumbers(outcome.value).map((path) => `${shown}: ${path}`));
      } else {
        const problem = badFailure(route, outcome.error);
        if (problem !== null) problems.push(`${shown}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('well-formed answers with a field missing or of the wrong type', () => {
  const cases = Object.entries(broken).flatMap(([route, list]) =>
    list.map(({ name, body }) => ({ route, name, body })),
  );
  it.each(cases)('$route, $name: refused with a clear error', async ({ route, body }) => {
    const outcome = await answer(route, body);
    expect(outcome.ok, JSON.stringify(outcome.ok ? outcome.value : null)).toBe(false);
    if (!outcome.ok) expect(badFailure(route, outcome.error)).toBeNull();
  });
});

describe('an unreadable placement answer through the order manager and the store', () => {
  it('is stored unknown with the reason, looked up by client id, and never sent again', async () => {
    const store = await openStore({ path: join(tempDir('lumenlink-badex-'), 'bot.db') });
    const clock = new ManualClock(now);
    const manager = new OrderManager({
      broker: new LiveBroker({
        exchange,
        policies: createExchangePolicies({ retries: 0 }),
      }),
      orders: store.orders,
      clock,
      exchange: 'binance',
    });
    const intent = {
      strategy: 'bad_input',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      role: 'entry',
      quantity: 0.001,
      candleTime: now - (now % 3_600_000),
      reason: 'probe',
    } as const;
    const before = emulator.requests().length;
    emulator.inject({ kind: 'malformed', route: 'POST /api/v3/order', body: '<html>', times: 1 });
    const first = await manager.submit(intent);
    expect(first.status).toBe('unknown');
    expect(first.order.status).toBe('unknown');
    expect(first.order.reason).toMatch(/binance createOrder\(BTC-USDT, ll\w+\) failed/);
    const stored = await store.orders.getOrder(first.order.clientOrderId);
    expect(stored).toEqual(first.order);

    const again = await manager.submit(intent);
    expect(again.status).toBe('duplicate');
    const posts = emulator
      .requests()
      .slice(before)
      .filter((request) => request.method === 'POST' && request.path === '/api/v3/order');
    expect(posts.map((request) => request.body['newClientOrderId'])).toEqual([
      first.order.clientOrderId,
    ]);
    const lookups = emulator
      .requests()
      .slice(before)
      .filter((request) => request.method === 'GET' && request.path === '/api/v3/order');
    expect(lookups.map((request) => request.query['origClientOrderId'])).toContain(
      first.order.clientOrderId,
    );
    await store.close();
  });
});
