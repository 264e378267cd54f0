import fc from 'fast-check';
import { TrueRange as TiTrueRange } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { TrueRange, trueRange } from './true-range.js';

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

describe('TrueRange', () => {
  it('matches technicalindicators on real BTC 1h candles, from the second candle', () => {
    const reference = TiTrueRange.calculate({ high: [...high], low: [...low], close: [...close] });
    const ours = trueRange(high, low, close);
    expect(Number.isNaN(ours[0])).toBe(true);
    expect(expectMatchesReference(ours, reference)).toBe(close.length - 1);
  });

  it('has no value for the first candle (lookback 1), then widens the range to a gap', () => {
    const indicator = new TrueRange();
    expect(Number.isNaN(indicator.update({ high: 10, low: 9, close: 9.5, volume: 1 }))).toBe(true);
    expect(indicator.isReady).toBe(false);
    expect(indicator.update({ high: 12, low: 11, close: 11.5, volume: 1 })).toBe(2.5); // gap up
    expect(indicator.update({ high: 11, low: 8, close: 9, volume: 1 })).toBe(3.5); // from 11.5
    expect(indicator.update({ high: 10, low: 8.5, close: 9, volume: 1 })).toBe(1.5); // inside
    expect([indicator.value, indicator.isReady]).toEqual([1.5, true]);
    indicator.reset();
    expect([indicator.value, indicator.isReady]).toEqual([Number.NaN, false]);
    expect(Number.isNaN(indicator.update({ high: 12, low: 11, close: 11.5, volume: 1 }))).toBe(
      true,
    );
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, (series) => {
        const indicator = new TrueRange();
        const streamed = series.map((candle) => indicator.update(candle) ?? Number.NaN);
        const batch = trueRange(
          series.map((c) => c.high),
          series.map((c) => c.low),
          series.map((c) => c.close),
        );
        expect([...batch]).toEqual(streamed);
      }),
    );
  });

  it('rejects columns of different lengths, naming them', () => {
    expect(() => trueRange([1, 2], [1], [1, 2])).toThrow(
      'TrueRange highs, lows and closes must have the same length, got 2, 1, 2',
    );
  });
});
