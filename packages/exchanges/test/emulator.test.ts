/**
 * The exchange emulator driven by ccxt's real `binance` class: markets, candles, tickers, the
 * book, balances, orders and fills, and request signing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ccxt from 'ccxt';
import { ValidationError, type Candle } from '@lumenlink/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EmulatorApiError,
  startExchangeEmulator,
  type ExchangeEmulator,
} from '../src/testing/index.js';
import { closeAfterTest, closeEmulators, connectCcxt, startEmulator } from './emulator-ccxt.js';

const hour = 3_600_000;
/** 2024-01-01 00:00 UTC. */
const t0 = 1_704_067_200_000;

/** 48 hourly candles with distinct, easily checked values. */
const csvCandles: Candle[] = Array.from({ length: 48 }, (_, index) => {
  const open = 42_000 + index * 10;
  const close = open + (index % 2 === 0 ? 7 : -3);
  return {
    time: t0 + index * hour,
    open,
    high: Math.max(open, close) + 20,
    low: Math.min(open, close) - 20,
    close,
    volume: 1 + index / 10,
  };
});
const csvText = [
  'time,open,high,low,close,volume',
  ...csvCandles.map((c) => [c.time, c.open, c.high, c.low, c.close, c.volume].join(',')),
].join('\n');

let directory: string;
let csvPath: string;
let gzPath: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'emulator-test-'));
  csvPath = join(directory, 'btc.csv');
  gzPath = join(directory, 'btc.csv.gz');
  await writeFile(csvPath, csvText);
  await writeFile(gzPath, gzipSync(csvText));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

afterEach(closeEmulators);

function asOhlcv(candle: Candle): number[] {
  return [candle.time, candle.open, candle.high, candle.low, candle.close, candle.volume];
}

describe('markets', () => {
  it('lists the default markets with Binance filters that ccxt turns into precision and limits', async () => {
    const emulator = await startEmulator();
    const markets = await connectCcxt(emulator).loadMarkets();

    expect(Object.keys(markets).sort()).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    const btc = markets['BTC/USDT']!;
    expect(btc).toMatchObject({
      id: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      spot: true,
      active: true,
    });
    expect(btc.precision).toMatchObject({ price: 0.01, amount: 0.00001 });
    expect(btc.limits.amount?.min).toBe(0.00001);
    expect(btc.limits.price?.min).toBe(0.01);
    expect(btc.limits.cost?.min).toBe(5);
    expect(markets['SOL/USDT']!.precision.amount).toBe(0.001);
    expect(emulator.requests().map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/v3/exchangeInfo',
    ]);
  });

  it('lists configured markets instead', async () => {
    const emulator = await startEmulator({
      markets: [
        {
          symbol: 'DOGE/BTC',
          base: 'DOGE',
          quote: 'BTC',
          tickSize: 0.00000001,
          stepSize: 1,
          minQty: 1,
          minNotional: 0.0001,
          price: 0.0000025,
        },
      ],
    });
    const markets = await connectCcxt(emulator).loadMarkets();

    expect(Object.keys(markets)).toEqual(['DOGE/BTC']);
    expect(markets['DOGE/BTC']!.precision).toMatchObject({ price: 0.00000001, amount: 1 });
    expect(markets['DOGE/BTC']!.limits.cost?.min).toBe(0.0001);
  });
});

describe('candles', () => {
  it('serves CSV candles up to now, the forming candle included and later ones never', async () => {
    let now = t0 + 20 * hour + 30 * 60_000;
    const emulator = await startEmulator({ candlesCsv: { 'BTC/USDT': csvPath }, now: () => now });
    const exchange = connectCcxt(emulator);

    const served = await exchange.fetchOHLCV('BTC/USDT', '1h');
    expect(served).toEqual(csvCandles.slice(0, 21).map(asOhlcv));

    now = t0 + 47 * hour + 1;
    expect(await exchange.fetchOHLCV('BTC/USDT', '1h')).toEqual(csvCandles.map(asOhlcv));
  });

  it('reads gzip-compressed CSV files too', async () => {
    const now = t0 + 47 * hour;
    const emulator = await startEmulator({ candlesCsv: { 'ETH/USDT': gzPath }, now: () => now });

    const served = await connectCcxt(emulator).fetchOHLCV('ETH/USDT', '1h', undefined, 1000);
    expect(served).toEqual(csvCandles.map(asOhlcv));
  });

  it('honours since, limit and until, and aggregates longer intervals', async () => {
    const now = t0 + 47 * hour;
    const emulator = await startEmulator({ candlesCsv: { 'BTC/USDT': csvPath }, now: () => now });
    const exchange = connectCcxt(emulator);

    const fromSince = await exchange.fetchOHLCV('BTC/USDT', '1h', t0 + 5 * hour, 3);
    expect(fromSince).toEqual(csvCandles.slice(5, 8).map(asOhlcv));
    const klineRequest = emulator
      .requests()
      .findLast((request) => request.path === '/api/v3/klines');
    expect(klineRequest?.query).toMatchObject({ startTime: String(t0 + 5 * hour), limit: '3' });

    const untilTen = await exchange.fetchOHLCV('BTC/USDT', '1h', undefined, 2, {
      until: t0 + 10 * hour,
    });
    expect(untilTen).toEqual(csvCandles.slice(9, 11).map(asOhlcv));

    const [first] = await exchange.fetchOHLCV('BTC/USDT', '4h', t0, 1);
    const group = csvCandles.slice(0, 4);
    expect(first).toEqual([
      t0,
      group[0]!.open,
      Math.max(...group.map((c) => c.high)),
      Math.min(...group.map((c) => c.low)),
      group[3]!.close,
      group.reduce((sum, c) => sum + c.volume, 0),
    ]);
  });

  it('refuses an interval finer than its candles with -1120', async () => {
    const emulator = await startEmulator({
      candlesCsv: { 'BTC/USDT': csvPath },
      now: () => t0 + 47 * hour,
    });

    await expect(connectCcxt(emulator).fetchOHLCV('BTC/USDT', '15m')).rejects.toThrow(
      /BTCUSDT: ask for 1h or a multiple/,
    );
  });

  it('follows the candles: the price is the latest close at now', async () => {
    let now = t0 + 10 * hour + 5;
    const emulator = await startEmulator({ candlesCsv: { 'BTC/USDT': csvPath }, now: () => now });
    const exchange = connectCcxt(emulator);

    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(csvCandles[10]!.close);
    now = t0 + 30 * hour;
    const ticker = await exchange.fetchTicker('BTC/USDT');
    expect(ticker.last).toBe(csvCandles[30]!.close);
    expect(ticker.open).toBe(csvCandles[7]!.open);
    expect(ticker.baseVolume).toBeCloseTo(
      csvCandles.slice(7, 31).reduce((sum, c) => sum + c.volume, 0),
      8,
    );
  });

  it('serves a seeded random walk: the same seed gives the same candles, on the tick grid', async () => {
    const walk = { seed: 42, intervalMs: 60_000, count: 300, start: t0 };
    const now = (): number => t0 + 1_000 * 60_000;
    const [one, same, other] = await Promise.all([
      startEmulator({ randomWalk: walk, now }),
      startEmulator({ randomWalk: walk, now }),
      startEmulator({ randomWalk: { ...walk, seed: 43 }, now }),
    ]);
    const fetch = (emulator: ExchangeEmulator) =>
      connectCcxt(emulator).fetchOHLCV('BTC/USDT', '1m', undefined, 1000);

    const candles = await fetch(one);
    expect(candles).toHaveLength(300);
    expect(await fetch(same)).toEqual(candles);
    expect(await fetch(other)).not.toEqual(candles);
    candles.forEach(([time, open, high, low, close], index) => {
      expect(time).toBe(t0 + index * 60_000);
      for (const price of [open!, high!, low!, close!]) {
        expect(Math.abs(price * 100 - Math.round(price * 100))).toBeLessThan(1e-6);
      }
      expect(low).toBeLessThanOrEqual(Math.min(open!, close!));
      expect(high).toBeGreaterThanOrEqual(Math.max(open!, close!));
      if (index > 0) expect(open).toBe(candles[index - 1]![4]);
    });
    expect(candles[0]![1]).toBe(60_000);
    expect(one.price('BTC/USDT')).toBe(candles.at(-1)![4]);
  });
});

describe('market data', () => {
  it('serves a book of depthLevels around the price, two ticks wide, and a matching ticker', async () => {
    const emulator = await startEmulator();
    const exchange = connectCcxt(emulator);

    const book = await exchange.fetchOrderBook('BTC/USDT');
    expect(book.bids).toHaveLength(20);
    expect(book.asks).toHaveLength(20);
    expect(book.bids[0]![0]).toBe(59_999.99);
    expect(book.asks[0]![0]).toBe(60_000.01);
    for (let index = 1; index < 20; index++) {
      expect(book.bids[index]![0]).toBeLessThan(book.bids[index - 1]![0]!);
      expect(book.asks[index]![0]).toBeGreaterThan(book.asks[index - 1]![0]!);
      expect(book.asks[index]![1]).toBeGreaterThanOrEqual(book.asks[index - 1]![1]!);
    }
    expect((await exchange.fetchOrderBook('BTC/USDT', 5)).asks).toHaveLength(5);

    const ticker = await exchange.fetchTicker('BTC/USDT');
    expect(ticker).toMatchObject({ last: 60_000, bid: 59_999.99, ask: 60_000.01 });

    emulator.setPrice('BTC/USDT', 61_234.567);
    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(61_234.57);
    expect((await exchange.fetchOrderBook('BTC/USDT', 1)).bids[0]![0]).toBe(61_234.56);
  });

  it('reports balances, with assets of every market', async () => {
    const emulator = await startEmulator({ balances: { USDT: 5_000, ETH: 2 } });
    const balance = await connectCcxt(emulator).fetchBalance();

    expect(balance['USDT']).toMatchObject({ free: 5_000, used: 0, total: 5_000 });
    expect(balance['ETH']).toMatchObject({ free: 2, used: 0 });
    expect(balance['BTC']).toMatchObject({ free: 0, used: 0 });
  });
});

describe('orders', () => {
  it('fills a market buy by walking the book, echoing the client order id, with fees in the base', async () => {
    const emulator = await startEmulator();
    const exchange = connectCcxt(emulator);

    const order = await exchange.createOrder('BTC/USDT', 'market', 'buy', 1, undefined, {
      clientOrderId: 'll-market-1',
    });
    expect(order).toMatchObject({
      clientOrderId: 'll-market-1',
      status: 'closed',
      filled: 1,
      amount: 1,
    });
    expect(order.trades.length).toBeGreaterThan(1);
    const prices = order.trades.map((trade) => trade.price);
    expect(prices).toEqual([...prices].sort((a, b) => a! - b!));
    expect(prices[0]).toBe(60_000.01);

    const trades = await exchange.fetchMyTrades('BTC/USDT');
    expect(trades.map((trade) => trade.order)).toEqual(trades.map(() => order.id));
    expect(trades.reduce((sum, trade) => sum + trade.amount!, 0)).toBeCloseTo(1, 8);
    for (const trade of trades) {
      expect(trade).toMatchObject({ side: 'buy', takerOrMaker: 'taker' });
      expect(trade.fee).toMatchObject({ currency: 'BTC' });
      expect(trade.fee?.cost).toBeCloseTo(trade.amount! * 0.001, 8);
    }
    const balance = await exchange.fetchBalance();
    expect(balance['USDT']?.free).toBeCloseTo(100_000 - order.cost!, 6);
    expect(balance['BTC']?.free).toBeCloseTo(1 - 0.001, 8);
  });

  it('buys for a quote amount with quoteOrderQty', async () => {
    const emulator = await startEmulator();
    const exchange = connectCcxt(emulator);

    const order = await exchange.createMarketBuyOrderWithCost('ETH/USDT', 1_000);
    expect(emulator.requests().at(-1)?.body).toMatchObject({ quoteOrderQty: '1000' });
    expect(order.status).toBe('closed');
    expect(order.cost).toBeLessThanOrEqual(1_000);
    expect(order.cost).toBeGreaterThan(1_000 - 3_000.01 * 0.0001);
  });

  it('rests a limit buy with its funds locked until setPrice trades through it, then fills at the limit', async () => {
    const emulator = await startEmulator();
    const exchange = connectCcxt(emulator);

    const order = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 59_000, {
      clientOrderId: 'll-limit-1',
    });
    expect(order).toMatchObject({ status: 'open', filled: 0, clientOrderId: 'll-limit-1' });
    expect((await exchange.fetchBalance())['USDT']).toMatchObject({ free: 94_100, used: 5_900 });
    expect((await exchange.fetchOpenOrders('BTC/USDT')).map((open) => open.id)).toEqual([order.id]);

    emulator.setPrice('BTC/USDT', 59_500);
    expect((await exchange.fetchOrder(order.id!, 'BTC/USDT')).status).toBe('open');

    emulator.setPrice('BTC/USDT', 59_000);
    const filled = await exchange.fetchOrder(order.id!, 'BTC/USDT');
    expect(filled).toMatchObject({ status: 'closed', filled: 0.1, average: 59_000 });
    expect(await exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
    const [trade] = await exchange.fetchMyTrades('BTC/USDT');
    expect(trade).toMatchObject({ price: 59_000, amount: 0.1, takerOrMaker: 'maker' });
    const balance = await exchange.fetchBalance();
    expect(balance['USDT']).toMatchObject({ free: 94_100, used: 0 });
    expect(balance['BTC']?.free).toBeCloseTo(0.0999, 8);
  });

  it('fills a crossing limit sell at once, at the book, as taker', async () => {
    const emulator = await startEmulator({ balances: { USDT: 0, BTC: 1 } });
    const exchange = connectCcxt(emulator);

    const order = await exchange.createOrder('BTC/USDT', 'limit', 'sell', 0.2, 59_990);
    expect(order).toMatchObject({ status: 'closed', filled: 0.2, average: 59_999.99 });
    const balance = await exchange.fetchBalance();
    expect(balance['BTC']?.free).toBeCloseTo(0.8, 8);
    expect(balance['USDT']?.free).toBeCloseTo(0.2 * 59_999.99 * 0.999, 6);
  });

  it('honours IOC, FOK and post-only limit orders', async () => {
    const emulator = await startEmulator();
    const exchange = connectCcxt(emulator);

    const ioc = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 1, 60_000.01, {
      timeInForce: 'IOC',
    });
    expect(ioc).toMatchObject({ status: 'expired', filled: 0.41666 });
    const fok = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 1, 60_000.01, {
      timeInForce: 'FOK',
    });
    expect(fok).toMatchObject({ status: 'expired', filled: 0 });
    await expect(
      exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60_000.01, { postOnly: true }),
    ).rejects.toBeInstanceOf(ccxt.OrderImmediatelyFillable);
    const maker = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60_000, {
      postOnly: true,
    });
    expect(maker).toMatchObject({ status: 'open', postOnly: true });
    const balance = await exchange.fetchBalance();
    expect(balance['USDT']?.used).toBeCloseTo(600, 8);
    expect(balance['USDT']?.total).toBeCloseTo(100_000 - 0.41666 * 60_000.01, 6);
  });

  it('finds orders by id and by client id, cancels them, and lists open, closed and all orders', async () => {
    const emulator = await startEmulator();
    const exchange = connectCcxt(emulator);
    const resting = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 55_000, {
      clientOrderId: 'll-find-1',
    });
    const filled = await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, {
      clientOrderId: 'll-find-2',
    });

    expect((await exchange.fetchOrder(resting.id!, 'BTC/USDT')).clientOrderId).toBe('ll-find-1');
    const byOrig = await exchange.fetchOrder('', 'BTC/USDT', { origClientOrderId: 'll-find-2' });
    expect(byOrig).toMatchObject({ id: filled.id, status: 'closed' });
    const byClient = await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'll-find-1' });
    expect(byClient.id).toBe(resting.id);
    await expect(exchange.fetchOrder('999', 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    await expect(exchange.fetchOrder(resting.id!, 'ETH/USDT')).rejects.toBeInstanceOf(
      ccxt.OrderNotFound,
    );

    const canceled = await exchange.cancelOrder('', 'BTC/USDT', { clientOrderId: 'll-find-1' });
    expect(canceled).toMatchObject({ id: resting.id, status: 'canceled' });
    expect(canceled.info).toMatchObject({ origClientOrderId: 'll-find-1' });
    expect((await exchange.fetchBalance())['USDT']?.used).toBe(0);
    await expect(exchange.cancelOrder(resting.id!, 'BTC/USDT')).rejects.toBeInstanceOf(
      ccxt.OrderNotFound,
    );

    expect(await exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect((await exchange.fetchClosedOrders('BTC/USDT')).map((order) => order.id)).toEqual([
      filled.id,
    ]);
    const all = await exchange.fetchOrders('BTC/USDT');
    expect(all.map((order) => [order.clientOrderId, order.status])).toEqual([
      ['ll-find-1', 'canceled'],
      ['ll-find-2', 'closed'],
    ]);
    expect(await exchange.fetchOrders('BTC/USDT', undefined, 1)).toHaveLength(1);
  });

  it('rejects a duplicate client order id while the first order is open, as Binance does', async () => {
    const emulator = await startEmulator();
    const exchange = connectCcxt(emulator);
    const first = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 55_000, {
      clientOrderId: 'll-dup',
    });

    const duplicate = exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 55_000, {
      clientOrderId: 'll-dup',
    });
    await expect(duplicate).rejects.toBeInstanceOf(ccxt.InvalidOrder);
    await expect(duplicate).rejects.toThrow(/Duplicate order sent/);
    expect(emulator.orders()).toHaveLength(1);

    await exchange.cancelOrder(first.id!, 'BTC/USDT');
    const again = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 55_000, {
      clientOrderId: 'll-dup',
    });
    expect(again.id).not.toBe(first.id);
    expect((await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'll-dup' })).id).toBe(
      again.id,
    );
  });

  it('refuses orders Binance refuses: balance, filters, unknown symbols', async () => {
    const emulator = await startEmulator({
      markets: [
        {
          symbol: 'BTC/USDT',
          base: 'BTC',
          quote: 'USDT',
          tickSize: 0.01,
          stepSize: 0.00001,
          minQty: 0.001,
          minNotional: 5,
          price: 60_000,
        },
      ],
    });
    const exchange = connectCcxt(emulator);

    await expect(exchange.createOrder('BTC/USDT', 'market', 'buy', 5)).rejects.toBeInstanceOf(
      ccxt.InsufficientFunds,
    );
    await expect(exchange.createOrder('BTC/USDT', 'market', 'buy', 0.0005)).rejects.toThrow(
      /Filter failure: LOT_SIZE/,
    );
    await expect(exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 1_000)).rejects.toThrow(
      /Filter failure: NOTIONAL/,
    );
    expect(emulator.orders()).toEqual([]);

    const priceFilter = await fetch(`${emulator.url}/api/v3/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=59000.005&timestamp=1',
    });
    // Unsigned requests are refused when the emulator has credentials.
    expect(priceFilter.status).toBe(401);

    const open = await startExchangeEmulator();
    closeAfterTest(open);
    const raw = (body: string) =>
      fetch(`${open.url}/api/v3/order`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }).then(async (response) => ({
        status: response.status,
        body: await response.json(),
      }));
    expect(
      await raw(
        'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=59000.005&timestamp=1',
      ),
    ).toEqual({ status: 400, body: { code: -1013, msg: 'Filter failure: PRICE_FILTER' } });
    expect(await raw('symbol=NOPEUSDT&side=BUY&type=MARKET&quantity=1&timestamp=1')).toEqual({
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    expect(await raw('symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1')).toMatchObject({
      status: 400,
      body: { code: -1102 },
    });
  });

  it('keeps balances equal to the initial balances plus the sum of fills', async () => {
    const emulator = await startEmulator();
    const exchange = connectCcxt(emulator);

    await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.3);
    await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.2, 59_900);
    emulator.setPrice('BTC/USDT', 59_900);
    await exchange.createOrder('BTC/USDT', 'market', 'sell', 0.25);
    await exchange.createOrder('BTC/USDT', 'limit', 'sell', 0.1, 60_100);
    await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.05, 50_000);
    emulator.setPrice('BTC/USDT', 60_100);

    const trades = emulator.trades();
    expect(trades.length).toBeGreaterThanOrEqual(4);
    let usdt = 100_000;
    let btc = 0;
    for (const trade of trades) {
      const value = trade.price * trade.quantity;
      if (trade.side === 'buy') {
        usdt -= value;
        btc += trade.quantity - trade.fee;
      } else {
        usdt += value - trade.fee;
        btc -= trade.quantity;
      }
    }
    const balance = await exchange.fetchBalance();
    expect(balance['USDT']?.total).toBeCloseTo(usdt, 6);
    expect(balance['BTC']?.total).toBeCloseTo(btc, 8);
    expect(balance['USDT']?.used).toBeCloseTo(0.05 * 50_000, 8);
    const fetched = await exchange.fetchMyTrades('BTC/USDT');
    expect(fetched.map((trade) => [trade.id, trade.price, trade.amount])).toEqual(
      trades.map((trade) => [String(trade.id), trade.price, trade.quantity]),
    );
  });

  it('seeds orders with placeOrder, visible to ccxt and filled by price moves', async () => {
    const emulator = await startEmulator();
    const exchange = connectCcxt(emulator);

    const seeded = emulator.placeOrder({
      symbol: 'ETH/USDT',
      side: 'buy',
      type: 'limit',
      quantity: 1,
      price: 2_900,
      clientOrderId: 'll-seeded',
    });
    expect(seeded).toMatchObject({ status: 'NEW', price: 2_900, quantity: 1, filled: 0 });
    const [open] = await exchange.fetchOpenOrders('ETH/USDT');
    expect(open).toMatchObject({ id: String(seeded.orderId), clientOrderId: 'll-seeded' });

    emulator.setPrice('ETH/USDT', 2_899);
    expect(emulator.orders()[0]).toMatchObject({ status: 'FILLED', filled: 1, quoteFilled: 2_900 });

    const tooSmall = (): unknown =>
      emulator.placeOrder({
        symbol: 'ETH/USDT',
        side: 'buy',
        type: 'market',
        quantity: 0.00001,
        clientOrderId: 'x',
      });
    expect(tooSmall).toThrow(EmulatorApiError);
    expect(tooSmall).toThrow(expect.objectContaining({ binanceCode: -1013, httpStatus: 400 }));
    expect(() =>
      emulator.placeOrder({
        symbol: 'XRP/USDT',
        side: 'buy',
        type: 'market',
        quantity: 1,
        clientOrderId: 'x',
      }),
    ).toThrow(ValidationError);
  });
});

describe('signing', () => {
  it('refuses a wrong secret or API key with AuthenticationError, and serves public data regardless', async () => {
    const emulator = await startEmulator();

    const wrongSecret = connectCcxt(emulator, { secret: 'not-the-secret' });
    await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(wrongSecret.fetchBalance()).rejects.toThrow(
      /Signature for this request is not valid/,
    );
    expect((await wrongSecret.fetchTicker('BTC/USDT')).last).toBe(60_000);

    const wrongKey = connectCcxt(emulator, { apiKey: 'someone-else' });
    await expect(wrongKey.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(wrongKey.createOrder('BTC/USDT', 'market', 'buy', 0.01)).rejects.toBeInstanceOf(
      ccxt.AuthenticationError,
    );
    expect(emulator.orders()).toEqual([]);

    expect((await connectCcxt(emulator).fetchBalance())['USDT']?.free).toBe(100_000);
  });
});
