import fc from 'fast-check';
import { ATR as TiATR } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { ATR, atr } from './atr.js';

const { high, low, close } = loadBtc1h();
const price = fc.oneof(
  fc.integer({ min: 1, max: 20 }),
  fc.double({ min: 1, max: 1e5, noNaN: true }),
);
const candles = fc.array(
  fc.tuple(price, price, fc.double({ min: 0, max: 1, noNaN: true })).map(([a, b, at]) => {
    const [lower, upper] = a < b ? [a, b] : [b, a];
    return { high: upper, low: lower, close: lower + at * (upper - lower), volume: 1 };
  }),
  { maxLength: 300 },
);
const candle = (high: number, low: number, close: number) => ({ high, low, close, volume: 1 });

describe('ATR', () => {
  it('matches technicalindicators on real BTC 1h candles from its first value', () => {
    // technicalindicators follows TA-Lib here too: no true range for the first candle, a Wilder
    // average seeded by the mean of the first `period` true ranges. So no value is skipped.
    for (const p of [1, 5, 14, 50]) {
      const reference = TiATR.calculate({
        period: p,
        high: [...high],
        low: [...low],
        close: [...close],
      });
      const ours = atr(high, low, close, p);
      expect(Number.isNaN(ours[p - 1])).toBe(true);
      expect(expectMatchesReference(ours, reference)).toBe(close.length - p);
    }
  });

  it('skips the first candle, seeds with the mean true range, then smooths as Wilder', () => {
    const indicator = new ATR(2);
    expect(Number.isNaN(indicator.update(candle(10, 8, 9)))).toBe(true); // no previous close
    expect(Number.isNaN(indicator.update(candle(11, 9, 10)))).toBe(true); // true range 2
    expect(indicator.update(candle(14, 10, 13))).toBe(3); // true range 4: seed (2 + 4) / 2
    expect(indicator.update(candle(13, 12, 12))).toBe(2); // true range 1: (3 * 1 + 1) / 2
    expect([indicator.value, indicator.isReady]).toEqual([2, true]);
    indicator.reset();
    expect([indicator.value, indicator.isReady, indicator.update(candle(1, 1, 1))]).toEqual([
      Number.NaN,
      false,
      Number.NaN,
    ]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, fc.integer({ min: 1, max: 30 }), (series, p) => {
        const indicator = new ATR(p);
        const streamed = series.map((c) => indicator.update(c) ?? Number.NaN);
        const batch = atr(
          series.map((c) => c.high),
          series.map((c) => c.low),
          series.map((c) => c.close),
          p,
        );
        expect([...batch]).toEqual(streamed);
      }),
    );
  });

  it('rejects a bad period and columns of different lengths', () => {
    expect(() => new ATR(0)).toThrow('ATR period must be an integer >= 1, got 0');
    expect(() => atr([1], [1], [1], 1.5)).toThrow('ATR period must be an integer >= 1, got 1.5');
    expect(() => atr([1], [1], [], 14)).toThrow(
      'ATR highs, lows and closes must have the same length',
    );
  });
});
