import type { CandleLike } from '@lumenlink/core';
import fc from 'fast-check';
import { CCI as TiCCI } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { gridCandles } from './__fixtures__/arbitraries.js';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { CCI, cci, type CCIOptions } from './cci.js';

const { high, low, close } = loadBtc1h();
/** Random candles, some on a coarse integer grid so that flat windows occur. */
const candles = gridCandles({ gridMax: 2 });
const options = fc.record({
  period: fc.integer({ min: 1, max: 30 }),
  constant: fc.double({ min: 0.001, max: 1, noNaN: true }),
});

/** Streams candles through a fresh indicator, NaN where it is warming up. */
function stream(options: CCIOptions, input: readonly CandleLike[]): number[] {
  const indicator = new CCI(options);
  return input.map((candle) => indicator.update(candle) ?? Number.NaN);
}

describe('CCI', () => {
  it('matches technicalindicators on real BTC 1h candles to 1e-9', () => {
    // technicalindicators keeps the mean as a running sum; we sum the window afresh each time
    // (as TA-Lib), so the two differ by rounding only: at most ~6e-10 relative on this data.
    for (const p of [5, 14, 20, 50]) {
      const reference = TiCCI.calculate({
        high: [...high],
        low: [...low],
        close: [...close],
        period: p,
      });
      const ours = cci(high, low, close, { period: p });
      expect(Number.isNaN(ours[p - 2]!) && !Number.isNaN(ours[p - 1]!)).toBe(true);
      expect(expectMatchesReference(ours, reference)).toBe(close.length - p + 1);
    }
  });

  it('is (typical - mean) / (constant * mean absolute deviation), worked by hand', () => {
    const indicator = new CCI({ period: 3, constant: 0.5 });
    // Typical prices 3, 6, 9: mean 6, mean deviation (3 + 0 + 3) / 3 = 2 -> (9 - 6) / (0.5 * 2)
    expect(Number.isNaN(indicator.update({ high: 4, low: 2, close: 3, volume: 1 }))).toBe(true);
    expect(Number.isNaN(indicator.update({ high: 7, low: 5, close: 6, volume: 1 }))).toBe(true);
    expect(indicator.update({ high: 10, low: 8, close: 9, volume: 1 })).toBe(3);
    // Typical prices 6, 9, 0: mean 5, mean deviation (1 + 4 + 5) / 3 -> -5 / (0.5 * 10 / 3)
    expect(indicator.update({ high: 1, low: -1, close: 0, volume: 1 })).toBe(-5 / (0.5 * (10 / 3)));
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect([indicator.value, indicator.isReady]).toEqual([Number.NaN, false]);
    expect(Number.isNaN(indicator.update({ high: 1, low: 1, close: 1, volume: 1 }))).toBe(true);
  });

  it('is 0 over a flat window (TA-Lib; technicalindicators gives NaN), rounding aside', () => {
    // Ten typical prices of 0.1 (each 0.10000000000000002) have a floating-point mean 1.4e-17 off
    // them; dividing that by the equally tiny mean deviation would give 66.7 rather than 0.
    const flat = Array.from({ length: 11 }, () => 0.1);
    const values = cci(flat, flat, flat, { period: 10 });
    expect([...values.slice(9)]).toEqual([0, 0]);
  });

  it('defaults to period 20 and constant 0.015', () => {
    const indicator = new CCI();
    expect([indicator.period, indicator.constant]).toEqual([20, 0.015]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, options, (input, o) => {
        const batch = cci(
          input.map((c) => c.high),
          input.map((c) => c.low),
          input.map((c) => c.close),
          o,
        );
        expect([...batch]).toEqual(stream(o, input));
      }),
    );
  });

  it('rejects bad options and columns of different lengths, naming them', () => {
    expect(() => new CCI({ period: 0 })).toThrow('CCI period must be an integer >= 1, got 0');
    expect(() => new CCI({ constant: 0 })).toThrow(
      'CCI constant must be a finite number > 0, got 0',
    );
    expect(() => cci([1], [1, 2], [1])).toThrow(
      'CCI highs, lows and closes must have the same length, got 1, 2, 1',
    );
  });
});
