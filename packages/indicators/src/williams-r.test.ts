import type { CandleLike } from '@lumenlink/core';
import fc from 'fast-check';
import { WilliamsR as TiWilliamsR } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { gridCandles } from './__fixtures__/arbitraries.js';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { WilliamsR, williamsR } from './williams-r.js';

const { high, low, close } = loadBtc1h();
/** Random candles, some on a coarse integer grid so that ties and empty ranges occur. */
const candles = gridCandles({ gridMax: 3 });
const period = fc.integer({ min: 1, max: 30 });

/** Streams candles through a fresh indicator, NaN where it is warming up. */
function stream(indicator: WilliamsR, input: readonly CandleLike[]): number[] {
  return input.map((candle) => indicator.update(candle) ?? Number.NaN);
}

describe('WilliamsR', () => {
  it('matches technicalindicators on real BTC 1h candles to 1e-9', () => {
    for (const p of [1, 5, 14, 50]) {
      const reference = TiWilliamsR.calculate({
        high: [...high],
        low: [...low],
        close: [...close],
        period: p,
      });
      const ours = williamsR(high, low, close, p);
      if (p > 1) expect(Number.isNaN(ours[p - 2]!) && !Number.isNaN(ours[p - 1]!)).toBe(true);
      // With period 1 a candle closing on its high gives 0 here and -0 there: equal values.
      expect(expectMatchesReference(ours, reference)).toBe(close.length - p + 1);
    }
  });

  it('places the close in the range from 0 (highest high) to -100 (lowest low)', () => {
    const indicator = new WilliamsR(2);
    expect(Number.isNaN(indicator.update({ high: 10, low: 8, close: 9, volume: 1 }))).toBe(true);
    // highs 10, 12, lows 8, 8: (11 - 12) / (12 - 8) * 100 = -25
    expect(indicator.update({ high: 12, low: 8, close: 11, volume: 1 })).toBe(-25);
    expect(indicator.update({ high: 13, low: 10, close: 13, volume: 1 })).toBe(0);
    expect(indicator.update({ high: 13, low: 10, close: 10, volume: 1 })).toBe(-100);
    expect(indicator.value).toBe(-100);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect([indicator.value, indicator.isReady]).toEqual([Number.NaN, false]);
    expect(Number.isNaN(indicator.update({ high: 1, low: 1, close: 1, volume: 1 }))).toBe(true);
  });

  it('is 0 over an empty range (TA-Lib; technicalindicators gives NaN)', () => {
    const flat = [5, 5, 5];
    expect([...williamsR(flat, flat, flat, 2)]).toEqual([Number.NaN, 0, 0]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, period, (input, p) => {
        const batch = williamsR(
          input.map((c) => c.high),
          input.map((c) => c.low),
          input.map((c) => c.close),
          p,
        );
        expect([...batch]).toEqual(stream(new WilliamsR(p), input));
      }),
    );
  });

  it('rejects a bad period and columns of different lengths, naming them', () => {
    expect(() => new WilliamsR(0)).toThrow('WilliamsR period must be an integer >= 1, got 0');
    expect(() => williamsR([1], [1], [1, 2], 1)).toThrow(
      'WilliamsR highs, lows and closes must have the same length, got 1, 1, 2',
    );
  });
});
