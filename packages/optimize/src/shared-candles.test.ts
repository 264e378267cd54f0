import type { Candle, SymbolId } from '@lumenlink/core';
import { loadBundledCandles } from '@lumenlink/data';
import { describe, expect, it } from 'vitest';
import { OptimizeInputError } from './errors.js';
import { candlesFromShared, shareCandles } from './shared-candles.js';

const btc = loadBundledCandles('BTC-USDT').slice(0, 300);
const eth = loadBundledCandles('ETH-USDT').slice(0, 200);

describe('shareCandles', () => {
  it('lays each symbol out as columns over one shared buffer, and candlesFromShared gives the candles back', () => {
    const candles = new Map<SymbolId, readonly Candle[]>([
      ['BTC-USDT', btc],
      ['ETH-USDT', eth],
      ['SOL-USDT', []],
    ]);
    const shared = shareCandles(candles);
    expect(shared.map((series) => series.symbol)).toEqual(['BTC-USDT', 'ETH-USDT', 'SOL-USDT']);
    const [first] = shared;
    expect(first!.time.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const column of [first!.open, first!.high, first!.low, first!.close, first!.volume]) {
      expect(column.buffer).toBe(first!.time.buffer);
      expect(column).toHaveLength(300);
    }
    expect(first!.close[299]).toBe(btc[299]!.close);
    expect(candlesFromShared(shared)).toEqual(candles);
  });

  it('refuses an unsound candle or a time out of order, naming the symbol and the candle', () => {
    const broken = btc.map((candle, index) =>
      index === 41 ? { ...candle, high: candle.low / 2 } : candle,
    );
    expect(() => shareCandles(new Map([['BTC-USDT', broken]]))).toThrow(OptimizeInputError);
    expect(() => shareCandles(new Map([['BTC-USDT', broken]]))).toThrow(
      `candles: BTC-USDT candle 42 (time ${btc[41]!.time}): `,
    );
    const swapped = [btc[0]!, btc[2]!, btc[1]!];
    expect(() => shareCandles(new Map([['BTC-USDT', swapped]]))).toThrow(
      `candles: BTC-USDT candle 3 (time ${btc[1]!.time}): its time is not after the candle before it`,
    );
  });
});
