import type { Candle, MarketDataSource, SymbolId } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { ReplayFeed, distinctTimes } from './replay-feed.js';

const hourMs = 3_600_000;
const candle = (hour: number, close: number): Candle => ({
  time: hour * hourMs,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 1,
});
const candles = new Map<SymbolId, readonly Candle[]>([
  ['BTC-USDT', [candle(0, 100), candle(1, 101), candle(2, 102)]],
  ['ETH-USDT', [candle(1, 10), candle(2, 11)]],
]);
const symbols: SymbolId[] = ['BTC-USDT', 'ETH-USDT'];

async function drain(feed: ReplayFeed): Promise<[number, SymbolId[]][]> {
  const seen: [number, SymbolId[]][] = [];
  for (let i = 0; i < 10 && !feed.finished; i++) {
    await feed.poll();
    const batch = feed.take();
    if (batch !== null) seen.push([batch.time / hourMs, [...batch.candles.keys()]]);
  }
  return seen;
}

describe('ReplayFeed', () => {
  it('hands out each candle time once, in order, with the symbols that have a candle then', async () => {
    const feed = new ReplayFeed({ candles, symbols, timeframe: '1h', resumeAfter: null });
    expect(feed.total).toBe(3);
    expect(await drain(feed)).toEqual([
      [0, ['BTC-USDT']],
      [1, ['BTC-USDT', 'ETH-USDT']],
      [2, ['BTC-USDT', 'ETH-USDT']],
    ]);
    expect(feed.finished).toBe(true);
  });

  it('closes no further candle time until the last one was taken', async () => {
    const feed = new ReplayFeed({ candles, symbols, timeframe: '1h', resumeAfter: null });
    await feed.poll();
    await feed.poll();
    expect(feed.take()?.time).toBe(0);
    expect(feed.take()).toBeNull();
  });

  it('resumes after the last processed candle time', async () => {
    const feed = new ReplayFeed({ candles, symbols, timeframe: '1h', resumeAfter: hourMs });
    expect(await drain(feed)).toEqual([[2, ['BTC-USDT', 'ETH-USDT']]]);
  });

  it('reads the same candle time again after a failed read: nothing is skipped', async () => {
    let calls = 0;
    const wrap = (source: MarketDataSource): MarketDataSource => ({
      loadMarkets: () => source.loadMarkets(),
      fetchTicker: (symbol) => source.fetchTicker(symbol),
      fetchOrderBook: (symbol, depth) => source.fetchOrderBook(symbol, depth),
      fetchCandles: (symbol, timeframe, options) => {
        calls += 1;
        if (calls === 1) return Promise.reject(new Error('read failed'));
        return source.fetchCandles(symbol, timeframe, options);
      },
    });
    const feed = new ReplayFeed({ candles, symbols, timeframe: '1h', resumeAfter: null, wrap });
    await expect(feed.poll()).rejects.toThrow('read failed');
    expect(await drain(feed)).toEqual([
      [0, ['BTC-USDT']],
      [1, ['BTC-USDT', 'ETH-USDT']],
      [2, ['BTC-USDT', 'ETH-USDT']],
    ]);
  });

  it('distinctTimes lists every candle time once, ascending', () => {
    expect(distinctTimes(candles)).toEqual([0, hourMs, 2 * hourMs]);
  });
});
