/**
 * The emulator's faults as ccxt's real `binance` class meets them, and the control routes.
 */
import ccxt from 'ccxt';
import { ValidationError } from '@lumenlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExchangeEmulator } from '../src/testing/index.js';
import { closeEmulators, connected, startEmulator } from './emulator-ccxt.js';

afterEach(closeEmulators);

function buy(exchange: Awaited<ReturnType<typeof connected>>, clientOrderId: string) {
  return exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId });
}

describe('faults through ccxt', () => {
  it('delays answers by the injected latency, on the named route only', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'latency', ms: 300, route: 'GET /api/v3/ticker/24hr', times: 1 });

    await exchange.fetchOrderBook('BTC/USDT');
    const pending = await fetch(`${emulator.url}/__emulator/state`).then(
      async (response) => ((await response.json()) as { faults: unknown[] }).faults,
    );
    expect(pending).toEqual([
      {
        fault: { kind: 'latency', ms: 300, route: 'GET /api/v3/ticker/24hr', times: 1 },
        remaining: 1,
      },
    ]);
    const started = performance.now();
    await exchange.fetchTicker('BTC/USDT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });

  it('answers 429 and 418 with Retry-After, which ccxt raises as DDoSProtection', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);

    emulator.inject({ kind: 'status', status: 429, retryAfterSeconds: 7, times: 1 });
    await expect(exchange.fetchTicker('BTC/USDT')).rejects.toBeInstanceOf(ccxt.DDoSProtection);
    emulator.inject({ kind: 'status', status: 418, retryAfterSeconds: 120, times: 1 });
    await expect(exchange.fetchBalance()).rejects.toBeInstanceOf(ccxt.DDoSProtection);
    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(60_000);

    emulator.inject({ kind: 'status', status: 429, retryAfterSeconds: 7, times: 1 });
    const raw = await fetch(`${emulator.url}/api/v3/ping`);
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(await raw.json()).toMatchObject({ code: -1003 });
  });

  it('answers 500 and 503, which ccxt raises as ExchangeNotAvailable, for `times` requests', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);

    emulator.inject({ kind: 'status', status: 500, route: 'GET /api/v3/depth', times: 2 });
    await expect(exchange.fetchOrderBook('BTC/USDT')).rejects.toBeInstanceOf(
      ccxt.ExchangeNotAvailable,
    );
    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(60_000);
    await expect(exchange.fetchOrderBook('BTC/USDT')).rejects.toBeInstanceOf(
      ccxt.ExchangeNotAvailable,
    );
    expect((await exchange.fetchOrderBook('BTC/USDT')).bids).toHaveLength(20);

    emulator.inject({ kind: 'status', status: 503 });
    await expect(exchange.fetchTicker('BTC/USDT')).rejects.toBeInstanceOf(
      ccxt.ExchangeNotAvailable,
    );
    await expect(exchange.fetchBalance()).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    emulator.clearFaults();
    expect((await exchange.fetchBalance())['USDT']?.free).toBe(100_000);
  });

  it('hangs until ccxt times out with RequestTimeout', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator, 1000);
    emulator.inject({ kind: 'hang', route: 'GET /api/v3/ticker/24hr', times: 1 });

    await expect(exchange.fetchTicker('BTC/USDT')).rejects.toBeInstanceOf(ccxt.RequestTimeout);
    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(60_000);
  });

  it('loses the response of an accepted order: a NetworkError in ccxt, the order exists', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'lose-response', times: 1 });

    await expect(buy(exchange, 'll-lost')).rejects.toBeInstanceOf(ccxt.NetworkError);
    expect(emulator.orders()).toMatchObject([{ clientOrderId: 'll-lost', status: 'FILLED' }]);
    const found = await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'll-lost' });
    expect(found).toMatchObject({ status: 'closed', filled: 0.01 });
  });

  it('drops an order: a NetworkError in ccxt and no order placed', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'drop-order', times: 1 });

    await expect(buy(exchange, 'll-dropped')).rejects.toBeInstanceOf(ccxt.NetworkError);
    expect(emulator.orders()).toEqual([]);
    await expect(
      exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'll-dropped' }),
    ).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    expect((await buy(exchange, 'll-dropped')).status).toBe('closed');
  });

  it('delay-reply places the order at once and holds the answer (a crash window)', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator, 5_000);
    emulator.inject({ kind: 'delay-reply', ms: 1_000, route: 'POST /api/v3/order', times: 1 });

    const placing = buy(exchange, 'll-held');
    for (let waited = 0; emulator.orders().length === 0 && waited < 4_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The exchange has the order while the client is still waiting for the answer.
    expect(emulator.orders()).toMatchObject([{ clientOrderId: 'll-held' }]);
    let answered = false;
    void placing.then(() => {
      answered = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    expect((await placing).clientOrderId).toBe('ll-held');
  });

  it('reports fresh orders "not found" for forMs of emulator time, then finds them', async () => {
    let now = 1_704_067_200_000;
    const emulator = await startEmulator({ now: () => now });
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'not-found', forMs: 30_000 });
    const order = await buy(exchange, 'll-fresh');

    await expect(exchange.fetchOrder(order.id!, 'BTC/USDT')).rejects.toBeInstanceOf(
      ccxt.OrderNotFound,
    );
    now += 29_999;
    await expect(
      exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'll-fresh' }),
    ).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    now += 1;
    expect((await exchange.fetchOrder(order.id!, 'BTC/USDT')).clientOrderId).toBe('ll-fresh');
  });

  it('partially fills market orders; the rest fills when the price next moves', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'partial-fill', ratio: 0.4, times: 1 });

    const order = await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.1, undefined, {
      clientOrderId: 'll-partial',
    });
    expect(order).toMatchObject({ status: 'open', filled: 0.04, remaining: 0.06 });
    expect((await exchange.fetchOpenOrders('BTC/USDT')).map((open) => open.id)).toEqual([order.id]);
    expect((await buy(exchange, 'll-whole')).status).toBe('closed');

    emulator.setPrice('BTC/USDT', 60_500);
    const done = await exchange.fetchOrder(order.id!, 'BTC/USDT');
    expect(done).toMatchObject({ status: 'closed', filled: 0.1 });
    const fills = (await exchange.fetchMyTrades('BTC/USDT')).filter(
      (trade) => trade.order === order.id,
    );
    expect(fills.at(-1)?.price).toBe(60_500.01);
  });

  it('rejects the next order with the injected code: -2010 insufficient balance is InsufficientFunds', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({
      kind: 'reject',
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
      times: 1,
    });

    await expect(buy(exchange, 'll-rejected')).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    expect(emulator.orders()).toEqual([]);
    expect((await buy(exchange, 'll-rejected')).status).toBe('closed');
  });

  it('refuses signed requests with -1021 under clock skew, which ccxt raises as InvalidNonce', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'clock-skew', times: 2 });

    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(60_000);
    await expect(exchange.fetchBalance()).rejects.toBeInstanceOf(ccxt.InvalidNonce);
    await expect(buy(exchange, 'll-skewed')).rejects.toBeInstanceOf(ccxt.InvalidNonce);
    expect(emulator.orders()).toEqual([]);
    expect((await exchange.fetchBalance())['USDT']?.free).toBe(100_000);
  });

  it('answers a malformed body, which ccxt does not parse into a result', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({
      kind: 'malformed',
      route: 'GET /api/v3/ticker/24hr',
      body: '{not json',
      times: 1,
    });

    const failure = await exchange.fetchTicker('BTC/USDT').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    // ccxt lets a plain TypeError through here (research/reliability.md); a ccxt error would be BadResponse.
    const isCcxtError = failure instanceof ccxt.BaseError;
    expect(!isCcxtError || failure instanceof ccxt.BadResponse).toBe(true);
    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(60_000);
  });

  it('records every exchange request, in order, with its parameters', async () => {
    let now = 1_000;
    const emulator = await startEmulator({ now: () => now });
    const exchange = await connected(emulator);
    now = 2_000;
    await buy(exchange, 'll-recorded');

    const requests = emulator.requests();
    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/v3/exchangeInfo',
      'POST /api/v3/order',
    ]);
    expect(requests[1]).toMatchObject({
      time: 2_000,
      body: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', newClientOrderId: 'll-recorded' },
    });
  });

  it('validates faults, naming the field', () => {
    return startEmulator().then((emulator) => {
      expect(() => emulator.inject({ kind: 'partial-fill', ratio: 1.5 })).toThrow(/fault\.ratio/);
      expect(() => emulator.inject({ kind: 'latency', ms: 10, route: 'klines' })).toThrow(
        /fault\.route must be 'METHOD \/path'/,
      );
      expect(() => emulator.inject({ kind: 'boom' } as never)).toThrow(
        /fault\.kind must be one of/,
      );
      expect(() => emulator.inject({ kind: 'status', status: 502 } as never)).toThrow(
        ValidationError,
      );
    });
  });
});

describe('control routes', () => {
  async function control(emulator: ExchangeEmulator, route: string, body?: unknown) {
    const [method, path] = route.split(' ') as [string, string];
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('injects and clears faults, moves prices, seeds orders and reports state over HTTP', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);

    expect(
      (await control(emulator, 'POST /__emulator/fault', { kind: 'status', status: 503 })).status,
    ).toBe(200);
    await expect(exchange.fetchTicker('BTC/USDT')).rejects.toBeInstanceOf(
      ccxt.ExchangeNotAvailable,
    );
    expect((await control(emulator, 'GET /__emulator/state')).status).toBe(200);
    await control(emulator, 'POST /__emulator/clear');
    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(60_000);

    const seed = {
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      quantity: 0.005,
      price: 61_000,
      clientOrderId: 'foreign-1',
    };
    expect(await control(emulator, 'POST /__emulator/order', seed)).toEqual({
      status: 400,
      body: { code: -2010, msg: 'Account has insufficient balance for requested action.' },
    });
    await buy(exchange, 'll-state');
    const seeded = await control(emulator, 'POST /__emulator/order', seed);
    expect(seeded).toMatchObject({
      status: 200,
      body: { clientOrderId: 'foreign-1', status: 'NEW' },
    });

    expect(
      await control(emulator, 'POST /__emulator/price', { symbol: 'BTC/USDT', price: 61_000 }),
    ).toEqual({ status: 200, body: { symbol: 'BTC/USDT', price: 61_000 } });
    expect((await exchange.fetchOrder(String(seeded.body['orderId']), 'BTC/USDT')).status).toBe(
      'closed',
    );
    const state = await control(emulator, 'GET /__emulator/state');
    expect(state.body['orders']).toEqual(emulator.orders());
    expect(state.body['trades']).toEqual(emulator.trades());
    expect(state.body['balances']).toEqual(emulator.balances());
    expect(state.body['prices']).toMatchObject({ 'BTC/USDT': 61_000, 'ETH/USDT': 3_000 });
    expect(emulator.requests().some((request) => request.path.startsWith('/__emulator'))).toBe(
      false,
    );
  });

  it('answers 400 naming the field for a bad body, and 404 for an unknown control route', async () => {
    const emulator = await startEmulator();

    const badFault = await control(emulator, 'POST /__emulator/fault', { kind: 'latency', ms: -1 });
    expect(badFault).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/fault\.ms must be/) as string },
    });
    const badPrice = await control(emulator, 'POST /__emulator/price', {
      symbol: 'BTC/EUR',
      price: 1,
    });
    expect(badPrice.status).toBe(400);
    expect(badPrice.body['error']).toMatch(/price body symbol must be a listed market/);
    expect((await control(emulator, 'GET /__emulator/nothing')).status).toBe(404);
  });
});
