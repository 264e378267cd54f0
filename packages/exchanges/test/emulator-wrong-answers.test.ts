/**
 * The emulator's faults that answer wrongly rather than fail (`wrong-symbol`, `price`), and the
 * client ids it accepts, as ccxt's real `binance` class meets them.
 */
import ccxt from 'ccxt';
import { ValidationError } from '@lumenlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorOptions } from '../src/testing/index.js';
import { closeEmulators, connected, startEmulator } from './emulator-ccxt.js';

afterEach(closeEmulators);

const hour = 3_600_000;
const startAt = Date.UTC(2025, 0, 6, 12);
/** Candles for every market, so klines answer. */
const withCandles: EmulatorOptions = {
  now: () => startAt,
  randomWalk: { seed: 3, intervalMs: hour, count: 50, start: startAt - 50 * hour },
};

describe('wrong-symbol fault', () => {
  it("answers the ticker with another listed market's, under that market's id, for `times` requests", async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'wrong-symbol', times: 1 });

    const wrong = await exchange.fetchTicker('BTC/USDT');
    expect(wrong).toMatchObject({ symbol: 'ETH/USDT', last: 3_000 });
    expect((wrong.info as { symbol: string }).symbol).toBe('ETHUSDT');
    expect(await exchange.fetchTicker('BTC/USDT')).toMatchObject({
      symbol: 'BTC/USDT',
      last: 60_000,
    });

    emulator.inject({ kind: 'wrong-symbol', symbol: 'SOL/USDT', times: 1 });
    expect((await exchange.fetchTicker('ETH/USDT')).symbol).toBe('SOL/USDT');
    // The default market answered for ETH is the first other listed one: BTC.
    emulator.inject({ kind: 'wrong-symbol', times: 1 });
    expect((await exchange.fetchTicker('ETH/USDT')).symbol).toBe('BTC/USDT');
  });

  it("serves another market's book and candles, which name no market in Binance's answers", async () => {
    const emulator = await startEmulator(withCandles);
    const exchange = await connected(emulator);
    const ethCandles = await exchange.fetchOHLCV('ETH/USDT', '1h', undefined, 5);
    emulator.inject({ kind: 'wrong-symbol', symbol: 'ETHUSDT', times: 2 });

    const book = await exchange.fetchOrderBook('BTC/USDT', 5);
    // ccxt files the book under the market asked: only the numbers are ETH's.
    expect(book.symbol).toBe('BTC/USDT');
    expect(book.bids[0]![0]).toBeCloseTo(emulator.price('ETH/USDT') - 0.01, 6);
    expect(await exchange.fetchOHLCV('BTC/USDT', '1h', undefined, 5)).toEqual(ethCandles);
    expect((await exchange.fetchOrderBook('BTC/USDT', 5)).bids[0]![0]).toBeCloseTo(
      emulator.price('BTC/USDT') - 0.01,
      6,
    );
  });

  it('labels answers with a market id that is not listed: ccxt keeps the market asked, the raw answer names the other', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'wrong-symbol', symbol: 'XYZUSDT', times: 1 });

    const ticker = await exchange.fetchTicker('BTC/USDT');
    expect(ticker.symbol).toBe('BTC/USDT');
    expect(ticker.last).toBe(60_000);
    expect((ticker.info as { symbol: string }).symbol).toBe('XYZUSDT');
  });

  it('answers order routes about the order asked, labelled with the other market; lists serve its trades', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    await exchange.createOrder('ETH/USDT', 'market', 'buy', 0.01, undefined, {
      clientOrderId: 'll-eth',
    });
    emulator.inject({ kind: 'wrong-symbol', symbol: 'ETH/USDT', route: 'POST /api/v3/order' });

    const placed = await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, {
      clientOrderId: 'll-btc',
    });
    expect(placed).toMatchObject({ symbol: 'ETH/USDT', clientOrderId: 'll-btc' });
    // The order is on the market asked all the same.
    expect(emulator.orders().find((order) => order.clientOrderId === 'll-btc')?.symbol).toBe(
      'BTC/USDT',
    );

    emulator.clearFaults();
    emulator.inject({ kind: 'wrong-symbol', route: 'GET /api/v3/order', times: 1 });
    const found = await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId: 'll-btc' });
    expect(found).toMatchObject({ clientOrderId: 'll-btc', symbol: 'ETH/USDT' });

    emulator.inject({
      kind: 'wrong-symbol',
      symbol: 'ETH/USDT',
      route: 'GET /api/v3/myTrades',
      times: 1,
    });
    // ETH's trades come back; ccxt itself filters a list by the symbol asked.
    expect(await exchange.fetchMyTrades('BTC/USDT')).toEqual([]);
    const request = emulator.requests().at(-1);
    expect(request).toMatchObject({ path: '/api/v3/myTrades', query: { symbol: 'BTCUSDT' } });
    // A market id ccxt does not list passes its filter under the market asked.
    emulator.inject({
      kind: 'wrong-symbol',
      symbol: 'XYZUSDT',
      route: 'GET /api/v3/myTrades',
      times: 1,
    });
    const labelled = await exchange.fetchMyTrades('BTC/USDT');
    expect(labelled.length).toBeGreaterThan(0);
    for (const trade of labelled) {
      expect(trade.symbol).toBe('BTC/USDT');
      expect((trade.info as { symbol: string }).symbol).toBe('XYZUSDT');
    }
    expect(
      new Set((await exchange.fetchMyTrades('BTC/USDT')).map((trade) => trade.symbol)),
    ).toEqual(new Set(['BTC/USDT']));
  });

  it('leaves requests without a symbol, other routes and the market it names alone', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'wrong-symbol', symbol: 'BTC/USDT' });

    expect((await exchange.fetchTicker('BTC/USDT')).symbol).toBe('BTC/USDT');
    expect((await exchange.fetchTicker('ETH/USDT')).symbol).toBe('BTC/USDT');
    const all = await exchange.fetchTickers();
    expect(Object.keys(all).sort()).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    const order = await exchange.createOrder('ETH/USDT', 'market', 'buy', 0.01, undefined, {
      clientOrderId: 'll-untouched',
    });
    expect(order.symbol).toBe('ETH/USDT');
  });
});

describe('price fault', () => {
  it('quotes a consistent but absurd ticker and book (1e-8) while orders trade at the market price', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'price', symbol: 'BTC/USDT', price: 1e-8 });

    const ticker = await exchange.fetchTicker('BTC/USDT');
    expect(ticker).toMatchObject({ symbol: 'BTC/USDT', last: 1e-8 });
    expect(ticker.bid).toBeCloseTo(0.9999e-8, 20);
    expect(ticker.ask).toBeCloseTo(1.0001e-8, 20);
    const book = await exchange.fetchOrderBook('BTC/USDT', 5);
    expect(book.bids).toHaveLength(5);
    expect(book.asks).toHaveLength(5);
    expect(book.bids.every(([price], index) => index === 0 || price! < book.bids[index - 1]![0]!));
    expect(book.asks.every(([price], index) => index === 0 || price! > book.asks[index - 1]![0]!));
    expect(book.bids[0]![0]).toBeLessThan(1e-8);
    expect(book.asks[0]![0]).toBeGreaterThan(1e-8);
    // Other markets and the matching engine keep their prices.
    expect((await exchange.fetchTicker('ETH/USDT')).last).toBe(3_000);
    expect(emulator.price('BTC/USDT')).toBe(60_000);
    const order = await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, {
      clientOrderId: 'll-real-price',
    });
    expect(order.average).toBeGreaterThan(59_000);
  });

  it('applies to the named route only, for `times` answers, and combines with wrong-symbol', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({
      kind: 'price',
      symbol: 'ETHUSDT',
      price: 1e-8,
      route: 'GET /api/v3/ticker/24hr',
      times: 2,
    });

    expect((await exchange.fetchOrderBook('ETH/USDT', 5)).bids[0]![0]).toBeCloseTo(2_999.99, 6);
    // The finding of issue 18: a ticker of another symbol, priced 1e-8.
    emulator.inject({ kind: 'wrong-symbol', symbol: 'ETH/USDT', times: 1 });
    expect(await exchange.fetchTicker('BTC/USDT')).toMatchObject({
      symbol: 'ETH/USDT',
      last: 1e-8,
    });
    expect((await exchange.fetchTicker('ETH/USDT')).last).toBe(1e-8);
    expect((await exchange.fetchTicker('ETH/USDT')).last).toBe(3_000);
  });

  it('moves the other ticker routes too', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    emulator.inject({ kind: 'price', symbol: 'SOL/USDT', price: 0.5 });

    const price = await fetch(`${emulator.url}/api/v3/ticker/price?symbol=SOLUSDT`);
    expect(await price.json()).toEqual({ symbol: 'SOLUSDT', price: '0.50000000' });
    const bookTicker = (await (
      await fetch(`${emulator.url}/api/v3/ticker/bookTicker?symbol=SOLUSDT`)
    ).json()) as { bidPrice: string; askPrice: string };
    expect(Number(bookTicker.bidPrice)).toBeCloseTo(0.49995, 8);
    expect(Number(bookTicker.askPrice)).toBeCloseTo(0.50005, 8);
    expect((await exchange.fetchTicker('SOL/USDT')).last).toBe(0.5);
  });
});

describe('validating the wrong-answer faults', () => {
  it('names the field at fault', async () => {
    const emulator = await startEmulator();
    expect(() => emulator.inject({ kind: 'price', symbol: 'BTC/USDT', price: 0 })).toThrow(
      'fault.price must be a finite number > 0, got 0',
    );
    expect(() => emulator.inject({ kind: 'price', price: 1 } as never)).toThrow(
      /fault\.symbol must be a market as 'ETH\/USDT' or 'ETHUSDT', got nothing/,
    );
    expect(() => emulator.inject({ kind: 'price', symbol: 'BTC/EUR', price: 1 })).toThrow(
      /fault\.symbol must be a listed market/,
    );
    expect(() =>
      emulator.inject({ kind: 'price', symbol: 'BTC/USDT', price: 1, route: 'GET /api/v3/klines' }),
    ).toThrow(/fault\.route must be one of 'GET \/api\/v3\/ticker\/24hr'/);
    expect(() => emulator.inject({ kind: 'wrong-symbol', symbol: 'eth-usdt' })).toThrow(
      ValidationError,
    );
    expect(() =>
      emulator.inject({ kind: 'wrong-symbol', route: 'GET /api/v3/account', times: 1 }),
    ).toThrow(/fault\.route must be one of/);
    expect(() => emulator.inject({ kind: 'wrong-symbol', times: 0 })).toThrow(/fault\.times/);
  });

  it('takes the faults as JSON on the control route, and lists them', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    const post = (fault: unknown) =>
      fetch(`${emulator.url}/__emulator/fault`, { method: 'POST', body: JSON.stringify(fault) });

    expect((await post({ kind: 'price', symbol: 'BTC/USDT', price: 1e-8, times: 1 })).status).toBe(
      200,
    );
    const listed = await post({ kind: 'wrong-symbol', route: 'GET /api/v3/depth' });
    expect(((await listed.json()) as { faults: unknown[] }).faults).toEqual([
      { fault: { kind: 'price', symbol: 'BTC/USDT', price: 1e-8, times: 1 }, remaining: 1 },
      { fault: { kind: 'wrong-symbol', route: 'GET /api/v3/depth' }, remaining: null },
    ]);
    expect((await exchange.fetchTicker('BTC/USDT')).last).toBe(1e-8);
    const refused = await post({ kind: 'price', symbol: 'DOGE/USDT', price: 1 });
    expect(refused.status).toBe(400);
  });
});

describe('client order ids', () => {
  it('accepts any id Binance accepts on POST /api/v3/order, ours or not (forged ids for adoption tests), and refuses others with -1100', async () => {
    const emulator = await startEmulator();
    const exchange = await connected(emulator);
    // Ours are `ll` + 30 of lowercase base32 (a-z, 2-7): 32 characters. None of these is.
    const ids = [
      'llFORGED',
      'llFORGED0123456789abcdefghijklmnopqr', // 36 characters, Binance's longest
      'll' + '0'.repeat(30), // our prefix and length, digits outside base32
      'll' + 'A'.repeat(30), // our prefix and length, upper case
      'll' + 'a'.repeat(29), // one short
      'll' + 'a'.repeat(31), // one long
      'll',
      'l',
      'LLforged',
      'll.forged:with/colon_and-dash',
    ];
    for (const clientOrderId of ids) {
      await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30_000, { clientOrderId });
    }

    const open = await exchange.fetchOpenOrders('BTC/USDT');
    expect(open.map((order) => order.clientOrderId).sort()).toEqual([...ids].sort());
    for (const clientOrderId of ids) {
      const found = await exchange.fetchOrder('', 'BTC/USDT', { clientOrderId });
      expect(found).toMatchObject({ clientOrderId, status: 'open' });
    }
    for (const clientOrderId of ['x'.repeat(37), 'll forged', 'llé']) {
      await expect(
        exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30_000, { clientOrderId }),
      ).rejects.toBeInstanceOf(ccxt.BadRequest);
    }
    expect(emulator.orders()).toHaveLength(ids.length);
  });

  it('seeds forged orders directly too, with a quantity the market limits allow', async () => {
    const emulator = await startEmulator({ balances: { USDT: 100_000, BTC: 5 } });
    const exchange = await connected(emulator);
    const forged = emulator.placeOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      quantity: 4,
      price: 90_000,
      clientOrderId: 'llFORGEDxx',
    });

    expect(forged).toMatchObject({ clientOrderId: 'llFORGEDxx', status: 'NEW', quantity: 4 });
    expect((await exchange.fetchOpenOrders('BTC/USDT'))[0]).toMatchObject({
      clientOrderId: 'llFORGEDxx',
      amount: 4,
    });
  });
});
