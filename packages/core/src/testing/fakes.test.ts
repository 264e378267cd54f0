import { describe, expect, it } from 'vitest';
import type { Candle } from '../candle.js';
import { ManualClock } from '../manual-clock.js';
import { RecordingBroker } from './recording-broker.js';
import { RecordingNotifier } from './recording-notifier.js';
import { recordingLogger, type LoggedLine } from './recording-logger.js';
import { ScriptedMarketDataSource } from './scripted-market-data.js';

describe('RecordingBroker', () => {
  const setup = () => {
    const clock = new ManualClock(1_000);
    const broker = new RecordingBroker({ clock, feeBps: 10, balances: { USD: 10_000 } });
    broker.setPrice('BTC-USD', 50_000);
    return { clock, broker };
  };

  it('fills market orders at the set price, charges fees and moves balances', async () => {
    const { broker } = setup();
    const order = await broker.createOrder({
      clientOrderId: 'll1',
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'market',
      quantity: 0.1,
    });
    expect(order).toMatchObject({
      status: 'filled',
      filledQuantity: 0.1,
      avgFillPrice: 50_000,
      fee: 5,
      feeCurrency: 'USD',
    });
    const balance = await broker.fetchBalance();
    expect(balance.BTC?.total).toBeCloseTo(0.1);
    expect(balance.USD?.total).toBeCloseTo(10_000 - 5_000 - 5);
    expect(await broker.fetchFills('BTC-USD')).toHaveLength(1);
  });

  it('rests limit orders until filled, and lists them as open', async () => {
    const { broker } = setup();
    const order = await broker.createOrder({
      clientOrderId: 'll2',
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'limit',
      quantity: 0.1,
      limitPrice: 49_000,
    });
    expect(order.status).toBe('open');
    expect(await broker.fetchOpenOrders('BTC-USD')).toHaveLength(1);
    expect(broker.fillOrder(order.exchangeOrderId).avgFillPrice).toBe(49_000);
    expect(await broker.fetchOpenOrders()).toHaveLength(0);
    expect(await broker.fetchClosedOrders('BTC-USD')).toHaveLength(1);
  });

  it('rejects duplicate client ids like a real venue', async () => {
    const { broker } = setup();
    const request = {
      clientOrderId: 'll3',
      symbol: 'BTC-USD',
      side: 'buy',
      type: 'market',
      quantity: 0.01,
    } as const;
    await broker.createOrder(request);
    await expect(broker.createOrder(request)).rejects.toThrow('duplicate client order id ll3');
  });

  it('scripts a lost response: the order exists though the call failed', async () => {
    const { broker } = setup();
    broker.failNext('createOrder', new Error('ETIMEDOUT'), { placed: true });
    await expect(
      broker.createOrder({
        clientOrderId: 'll4',
        symbol: 'BTC-USD',
        side: 'buy',
        type: 'market',
        quantity: 0.01,
      }),
    ).rejects.toThrow('ETIMEDOUT');
    expect((await broker.fetchOrderByClientId('BTC-USD', 'll4'))?.status).toBe('filled');
    expect(await broker.fetchOrderByClientId('BTC-USD', 'nope')).toBeNull();
  });

  it('scripts a plain failure: nothing placed', async () => {
    const { broker } = setup();
    broker.failNext('createOrder', new Error('503'));
    await expect(
      broker.createOrder({
        clientOrderId: 'll5',
        symbol: 'BTC-USD',
        side: 'buy',
        type: 'market',
        quantity: 0.01,
      }),
    ).rejects.toThrow('503');
    expect(broker.orders).toHaveLength(0);
    expect(broker.callsOf('createOrder')).toHaveLength(1);
    expect(broker.calls[0]?.at).toBe(1_000);
  });

  it('cancels open orders only', async () => {
    const { broker } = setup();
    const order = await broker.createOrder({
      clientOrderId: 'll6',
      symbol: 'BTC-USD',
      side: 'sell',
      type: 'stop_market',
      quantity: 0.01,
      stopPrice: 45_000,
    });
    expect((await broker.cancelOrder('BTC-USD', order.exchangeOrderId)).status).toBe('canceled');
    await expect(broker.cancelOrder('BTC-USD', order.exchangeOrderId)).rejects.toThrow(
      'cannot cancel',
    );
  });
});

describe('ScriptedMarketDataSource', () => {
  const candle = (time: number): Candle => ({
    time,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 10,
  });

  it('serves candles by since and limit, merged by time', async () => {
    const source = new ScriptedMarketDataSource();
    source.addCandles('BTC-USD', '1h', [candle(3), candle(1), candle(2)]);
    source.addCandles('BTC-USD', '1h', [{ ...candle(2), close: 1.8 }, candle(4)]);
    expect((await source.fetchCandles('BTC-USD', '1h')).map((c) => c.time)).toEqual([1, 2, 3, 4]);
    expect(
      (await source.fetchCandles('BTC-USD', '1h', { since: 2, limit: 2 })).map((c) => c.time),
    ).toEqual([2, 3]);
    expect((await source.fetchCandles('BTC-USD', '1h', { limit: 2 })).map((c) => c.time)).toEqual([
      3, 4,
    ]);
    expect((await source.fetchCandles('BTC-USD', '1h'))[1]?.close).toBe(1.8);
    expect(await source.fetchCandles('ETH-USD', '1h')).toEqual([]);
  });

  it('serves markets, tickers and books, and scripted failures', async () => {
    const source = new ScriptedMarketDataSource();
    source.setMarket({ symbol: 'BTC-USD', minCost: 5 });
    source.setTicker({
      symbol: 'BTC-USD',
      time: 1,
      last: 100,
      bid: 99,
      ask: 101,
      baseVolume24h: 5,
      quoteVolume24h: 500,
    });
    source.setOrderBook({
      symbol: 'BTC-USD',
      time: 1,
      bids: [
        [99, 1],
        [98, 2],
      ],
      asks: [[101, 1]],
    });
    expect((await source.loadMarkets()).get('BTC-USD')).toMatchObject({
      base: 'BTC',
      quote: 'USD',
      minCost: 5,
    });
    expect((await source.fetchTicker('BTC-USD')).last).toBe(100);
    expect((await source.fetchOrderBook('BTC-USD', 1)).bids).toEqual([[99, 1]]);
    await expect(source.fetchTicker('ETH-USD')).rejects.toThrow('no ticker for ETH-USD');
    source.failNext('fetchCandles', new Error('exchange down'));
    await expect(source.fetchCandles('BTC-USD', '1h')).rejects.toThrow('exchange down');
    await expect(source.fetchCandles('BTC-USD', '1h')).resolves.toEqual([]);
    expect(source.calls.map((call) => call.method)).toContain('fetchOrderBook');
  });
});

describe('RecordingNotifier', () => {
  it('keeps events and filters them by type', () => {
    const notifier = new RecordingNotifier();
    notifier.notify({ type: 'error', code: 'X', message: 'boom', at: 1 });
    notifier.notify({ type: 'stop_moved', symbol: 'BTC-USD', from: 1, to: 2, at: 2 });
    expect(notifier.ofType('stop_moved')).toEqual([
      { type: 'stop_moved', symbol: 'BTC-USD', from: 1, to: 2, at: 2 },
    ]);
    notifier.clear();
    expect(notifier.events).toEqual([]);
  });
});

describe('recordingLogger', () => {
  it('keeps every line with its level, and a child’s bindings merged into the fields', () => {
    const lines: LoggedLine[] = [];
    const logger = recordingLogger(lines, { app: 'bot' });
    logger.info('started', { port: 1 });
    logger.child({ module: 'alerts' }).warn('slow', { ms: 5 });
    logger.debug('quiet');
    expect(lines).toEqual([
      { level: 'info', message: 'started', fields: { app: 'bot', port: 1 } },
      { level: 'warn', message: 'slow', fields: { app: 'bot', module: 'alerts', ms: 5 } },
      { level: 'debug', message: 'quiet', fields: { app: 'bot' } },
    ]);
  });
});
