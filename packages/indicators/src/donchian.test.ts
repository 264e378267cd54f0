import fc from 'fast-check';
import { Highest, Lowest } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { Donchian, donchian } from './donchian.js';

const { high, low } = loadBtc1h();
const price = fc.oneof(
  fc.integer({ min: 1, max: 20 }),
  fc.double({ min: 1, max: 1e5, noNaN: true }),
);
const candles = fc.array(
  fc.tuple(price, price).map(([a, b]) => {
    const [lower, upper] = a < b ? [a, b] : [b, a];
    return { high: upper, low: lower, close: lower, volume: 1 };
  }),
  { maxLength: 300 },
);

describe('Donchian', () => {
  it('matches the channel computed by hand on real BTC 1h candles', () => {
    // technicalindicators has no Donchian channel: check against max and min over each window
    // (Donchian's definition), and against its Highest and Lowest for good measure.
    for (const period of [1, 20, 55]) {
      const upper: number[] = [];
      const lower: number[] = [];
      const middle: number[] = [];
      for (let end = period; end <= high.length; end++) {
        upper.push(Math.max(...high.subarray(end - period, end)));
        lower.push(Math.min(...low.subarray(end - period, end)));
        middle.push((upper.at(-1)! + lower.at(-1)!) / 2);
      }
      const ours = donchian(high, low, period);
      const count = high.length - period + 1;
      expect(expectMatchesReference(ours.upper, upper, { tolerance: 0 })).toBe(count);
      expect(expectMatchesReference(ours.lower, lower, { tolerance: 0 })).toBe(count);
      expect(expectMatchesReference(ours.middle, middle, { tolerance: 0 })).toBe(count);
      const highest = Highest.calculate({ period, values: [...high] });
      const lowest = Lowest.calculate({ period, values: [...low] });
      expect(expectMatchesReference(ours.upper, highest, { tolerance: 0 })).toBe(count);
      expect(expectMatchesReference(ours.lower, lowest, { tolerance: 0 })).toBe(count);
    }
  });

  it('spans the highest high and lowest low of the window, current candle included', () => {
    const indicator = new Donchian(3);
    const candle = (high: number, low: number) => ({ high, low, close: low, volume: 1 });
    indicator.update(candle(10, 5));
    expect(indicator.isReady).toBe(false);
    indicator.update(candle(12, 8));
    expect(indicator.isReady).toBe(false);
    const result = indicator.update(candle(11, 7));
    expect({ ...result }).toEqual({ upper: 12, lower: 5, middle: 8.5 });
    expect(indicator.update(candle(9, 8))).toBe(result); // the low of 5 has left the window
    expect({ ...result }).toEqual({ upper: 12, lower: 7, middle: 9.5 });
    indicator.reset();
    expect([{ ...indicator.value }, indicator.isReady]).toEqual([
      { upper: Number.NaN, lower: Number.NaN, middle: Number.NaN },
      false,
    ]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, fc.integer({ min: 1, max: 30 }), (series, period) => {
        const indicator = new Donchian(period);
        const streamed = series.map((c) => {
          const result = indicator.update(c);
          return result && { ...result };
        });
        const batch = donchian(
          series.map((c) => c.high),
          series.map((c) => c.low),
          period,
        );
        for (const key of ['upper', 'lower', 'middle'] as const) {
          expect([...batch[key]]).toEqual(streamed.map((result) => result?.[key] ?? Number.NaN));
        }
      }),
    );
  });

  it('rejects a bad period and columns of different lengths', () => {
    expect(() => new Donchian(0)).toThrow('Donchian period must be an integer >= 1, got 0');
    expect(() => donchian([1, 2], [1], 1)).toThrow(
      'Donchian highs and lows must have the same length, got 2, 1',
    );
  });
});
