import type { Candle } from '@lumenlink/core';
import { DataIntegrityError, ValidationError } from '@lumenlink/core';
import { loadBundledCandles, openStore } from '@lumenlink/data';
import { describe, expect, it } from 'vitest';
import { NoOrderBookError, ReplayMarketData } from './replay-market-data.js';

const hour = 3_600_000;
const start = Date.UTC(2024, 0, 1);
const candle = (i: number, close = 100 + i): Candle => ({
  time: start + i * hour,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 10,
});
const series = (n: number) => Array.from({ length: n }, (_, i) => candle(i));

describe('ReplayMarketData', () => {
  it('serves only candles closed by its cursor, one more per advance', async () => {
    const replay = new ReplayMarketData({ candles: { 'BTC-USD': series(5) }, timeframe: '1h' });
    expect(await replay.fetchCandles('BTC-USD', '1h')).toEqual([]);
    expect(replay.lastClosedTime).toBeNull();
    expect(replay.advance()).toBe(true);
    expect(replay.now).toBe(start + hour);
    expect((await replay.fetchCandles('BTC-USD', '1h')).map((c) => c.close)).toEqual([100]);
    replay.advance();
    replay.advance();
    expect((await replay.fetchCandles('BTC-USD', '1h')).map((c) => c.close)).toEqual([
      100, 101, 102,
    ]);
    expect(replay.remaining).toBe(2);
    expect([replay.advance(), replay.advance(), replay.advance()]).toEqual([true, true, false]);
    expect(replay.now).toBe(start + 5 * hour);
  });

  it('starts after a warm-up and honours since and limit', async () => {
    const replay = new ReplayMarketData({
      candles: { 'ETH-USD': series(10) },
      timeframe: '1h',
      startAfter: 6,
    });
    expect((await replay.fetchCandles('ETH-USD', '1h', { limit: 2 })).map((c) => c.close)).toEqual([
      104, 105,
    ]);
    expect(
      (await replay.fetchCandles('ETH-USD', '1h', { since: start + 2 * hour, limit: 2 })).map(
        (c) => c.close,
      ),
    ).toEqual([102, 103]);
    expect(
      (await replay.fetchCandles('ETH-USD', '1h', { since: start + 4 * hour })).map((c) => c.close),
    ).toEqual([104, 105]);
  });

  it('steps through the union of symbol times, in order', async () => {
    const replay = new ReplayMarketData({
      candles: { 'BTC-USD': series(3), 'ETH-USD': [candle(1), candle(2), candle(3)] },
      timeframe: '1h',
    });
    replay.advance();
    expect(await replay.fetchCandles('ETH-USD', '1h')).toEqual([]);
    replay.advance();
    expect((await replay.fetchCandles('ETH-USD', '1h')).map((c) => c.time)).toEqual([start + hour]);
    expect(replay.remaining).toBe(2);
  });

  it('gives a ticker from the last closed candle with its 24h volume, and no order book', async () => {
    const replay = new ReplayMarketData({
      candles: { 'BTC-USD': series(30) },
      timeframe: '1h',
      startAfter: 30,
    });
    const ticker = await replay.fetchTicker('BTC-USD');
    expect(ticker).toMatchObject({ last: 129, bid: null, ask: null, baseVolume24h: 240 });
    expect(ticker.quoteVolume24h).toBe(
      Array.from({ length: 24 }, (_, i) => 10 * (106 + i)).reduce((a, b) => a + b),
    );
    await expect(replay.fetchOrderBook('BTC-USD')).rejects.toThrow(NoOrderBookError);
    const markets = await replay.loadMarkets();
    expect(markets.get('BTC-USD')).toMatchObject({ base: 'BTC', quote: 'USD', minCost: 0 });
  });

  it('rejects bad data and requests with clear errors', async () => {
    expect(
      () =>
        new ReplayMarketData({ candles: { 'BTC-USD': [candle(1), candle(0)] }, timeframe: '1h' }),
    ).toThrow(/ascending by time/);
    expect(
      () =>
        new ReplayMarketData({
          candles: { 'BTC-USD': [{ ...candle(0), high: 1 }] },
          timeframe: '1h',
        }),
    ).toThrow(DataIntegrityError);
    expect(
      () =>
        new ReplayMarketData({ candles: { 'BTC-USD': series(2) }, timeframe: '1h', startAfter: 3 }),
    ).toThrow(/startAfter must be an integer from 0 to 2/);
    const replay = new ReplayMarketData({ candles: { 'BTC-USD': series(2) }, timeframe: '1h' });
    await expect(replay.fetchCandles('BTC-USD', '4h')).rejects.toThrow(ValidationError);
    await expect(replay.fetchCandles('SOL-USD', '1h')).rejects.toThrow(
      /no candles for SOL-USD; it has BTC-USD/,
    );
    await expect(replay.fetchTicker('BTC-USD')).rejects.toThrow(/no closed BTC-USD candle yet/);
  });

  it('replays the bundled data from a real SQLite candle store', async () => {
    const store = await openStore({ path: ':memory:' });
    const candles = loadBundledCandles('SOL-USDT');
    await store.candles.saveCandles('SOL-USDT', '1h', candles);
    const replay = await ReplayMarketData.fromStore(store.candles, {
      symbols: ['SOL-USDT'],
      timeframe: '1h',
      from: candles[0]!.time,
      to: candles[99]!.time,
      startAfter: 50,
    });
    expect(replay.remaining).toBe(50);
    let steps = 0;
    while (replay.advance()) steps++;
    expect(steps).toBe(50);
    expect(await replay.fetchCandles('SOL-USDT', '1h')).toEqual(candles.slice(0, 100));
    await store.close();
  });
});
