import fc from 'fast-check';
import { EMA as TiEMA, SMA as TiSMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { EMA, ema } from './ema.js';
import { SMA, sma } from './sma.js';

const { close } = loadBtc1h();
const series = fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), {
  minLength: 0,
  maxLength: 300,
});
const period = fc.integer({ min: 1, max: 50 });

/** Streams `values` through a fresh indicator, NaN where it is warming up. */
function stream(
  indicator: { update(value: number): number | undefined },
  values: readonly number[],
): number[] {
  return values.map((value) => indicator.update(value) ?? Number.NaN);
}

describe('SMA', () => {
  it('matches technicalindicators on real BTC 1h closes to 1e-9', () => {
    for (const p of [5, 20, 50, 200]) {
      const reference = TiSMA.calculate({ period: p, values: [...close] });
      expect(expectMatchesReference(sma(close, p), reference)).toBe(close.length - p + 1);
    }
  });

  it('computes the mean of the last period values, undefined while warming up', () => {
    const indicator = new SMA(3);
    expect([1, 2, 3, 4, 5].map((v) => indicator.update(v))).toEqual([
      Number.NaN,
      Number.NaN,
      2,
      3,
      4,
    ]);
    expect(indicator.value).toBe(4);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect([indicator.value, indicator.isReady, indicator.update(9)]).toEqual([
      Number.NaN,
      false,
      Number.NaN,
    ]);
  });

  it('agrees exactly with its batch function on random series', () => {
    fc.assert(
      fc.property(series, period, (values, p) => {
        expect([...sma(values, p)]).toEqual(stream(new SMA(p), values));
      }),
    );
  });

  it('rejects a bad period, naming it', () => {
    expect(() => new SMA(0)).toThrow('SMA period must be an integer >= 1, got 0');
    expect(() => sma([1], 2.5)).toThrow('SMA period must be an integer >= 1, got 2.5');
  });
});

describe('EMA', () => {
  it('is seeded by the SMA of its first period (TA-Lib) and matches technicalindicators', () => {
    const indicator = new EMA(3);
    expect([2, 4, 6].map((v) => indicator.update(v))).toEqual([Number.NaN, Number.NaN, 4]);
    expect(indicator.update(8)).toBe(4 + 0.5 * (8 - 4));
    for (const p of [9, 21, 50]) {
      const reference = TiEMA.calculate({ period: p, values: [...close] });
      expect(expectMatchesReference(ema(close, p), reference)).toBe(close.length - p + 1);
    }
  });

  it('agrees exactly with its batch function on random series', () => {
    fc.assert(
      fc.property(series, period, (values, p) => {
        expect([...ema(values, p)]).toEqual(stream(new EMA(p), values));
      }),
    );
  });
});
