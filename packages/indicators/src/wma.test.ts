import fc from 'fast-check';
import { WMA as TiWMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { WMA, wma } from './wma.js';

const { close } = loadBtc1h();
const series = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 300 });
const period = fc.integer({ min: 1, max: 50 });

/** Streams `values` through a fresh indicator, NaN where it is warming up. */
function stream(
  indicator: { update(value: number): number | undefined },
  values: readonly number[],
): number[] {
  return values.map((value) => indicator.update(value) ?? Number.NaN);
}

describe('WMA', () => {
  it('matches technicalindicators on real BTC 1h closes to 1e-9', () => {
    for (const p of [1, 2, 9, 20, 100]) {
      const reference = TiWMA.calculate({ period: p, values: [...close] });
      expect(expectMatchesReference(wma(close, p), reference)).toBe(close.length - p + 1);
    }
  });

  it('weights the window 1 (oldest) to period (newest), undefined while warming up', () => {
    const indicator = new WMA(3);
    expect([1, 2, 3, 4, 10].map((v) => indicator.update(v))).toEqual([
      Number.NaN,
      Number.NaN,
      (1 + 4 + 9) / 6,
      (2 + 6 + 12) / 6,
      (3 + 8 + 30) / 6,
    ]);
    expect(indicator.value).toBe((3 + 8 + 30) / 6);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect([indicator.value, indicator.isReady, indicator.update(9)]).toEqual([
      Number.NaN,
      false,
      Number.NaN,
    ]);
  });

  it('stays within 1e-9 of the weighted sum computed afresh after a long run', () => {
    const values = Array.from(close, (v, i) => v * (1 + 0.01 * Math.sin(i)));
    const ours = wma(values, 30);
    for (let i = 29; i < values.length; i += 97) {
      let weighted = 0;
      for (let j = 0; j < 30; j++) weighted += (j + 1) * values[i - 29 + j]!;
      expect(Math.abs(ours[i]! - weighted / 465) / ours[i]!).toBeLessThan(1e-9);
    }
  });

  it('agrees exactly with its batch function on random series', () => {
    fc.assert(
      fc.property(series, period, (values, p) => {
        expect([...wma(values, p)]).toEqual(stream(new WMA(p), values));
      }),
    );
  });

  it('rejects a bad period, naming it', () => {
    expect(() => new WMA(0)).toThrow('WMA period must be an integer >= 1, got 0');
    expect(() => wma([1], 1.5)).toThrow('WMA period must be an integer >= 1, got 1.5');
  });
});
