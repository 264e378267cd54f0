import fc from 'fast-check';
import { ROC as TiROC } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { ROC, roc } from './roc.js';

const { close } = loadBtc1h();
const series = fc.array(
  fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: -2, max: 2 })),
  { maxLength: 300 },
);
const period = fc.integer({ min: 1, max: 50 });

/** Streams `values` through a fresh indicator, NaN where it is warming up. */
function stream(
  indicator: { update(value: number): number | undefined },
  values: readonly number[],
): number[] {
  return values.map((value) => indicator.update(value) ?? Number.NaN);
}

describe('ROC', () => {
  it('matches technicalindicators on real BTC 1h closes to 1e-9, first after period + 1', () => {
    for (const p of [1, 9, 12, 100]) {
      const reference = TiROC.calculate({ period: p, values: [...close] });
      const ours = roc(close, p);
      expect(Number.isNaN(ours[p - 1]!) && !Number.isNaN(ours[p]!)).toBe(true);
      expect(expectMatchesReference(ours, reference)).toBe(close.length - p);
    }
  });

  it('is the percent change from period inputs ago, undefined while warming up', () => {
    const indicator = new ROC(2);
    expect([100, 50, 150, 75, 75].map((v) => indicator.update(v))).toEqual([
      Number.NaN,
      Number.NaN,
      50,
      50,
      -50,
    ]);
    expect(indicator.value).toBe(-50);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect([indicator.value, indicator.isReady, indicator.update(9)]).toEqual([
      Number.NaN,
      false,
      Number.NaN,
    ]);
  });

  it('is 0 when the earlier value is 0 (TA-Lib)', () => {
    expect([...roc([0, 5, 0, 0], 1)]).toEqual([Number.NaN, 0, -100, 0]);
  });

  it('agrees exactly with its batch function on random series', () => {
    fc.assert(
      fc.property(series, period, (values, p) => {
        expect([...roc(values, p)]).toEqual(stream(new ROC(p), values));
      }),
    );
  });

  it('rejects a bad period, naming it', () => {
    expect(() => new ROC(0)).toThrow('ROC period must be an integer >= 1, got 0');
    expect(() => roc([1], Infinity)).toThrow('ROC period must be an integer >= 1, got Infinity');
  });
});
