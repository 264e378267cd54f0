import fc from 'fast-check';
import { RSI as TiRSI } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { RSI, rsi } from './rsi.js';

const { close } = loadBtc1h();
const series = fc.array(
  fc.oneof(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 4 })),
  { maxLength: 300 },
);
const period = fc.integer({ min: 1, max: 30 });

/** Streams `values` through a fresh indicator, NaN where it is warming up. */
function stream(
  indicator: { update(value: number): number | undefined },
  values: readonly number[],
): number[] {
  return values.map((value) => indicator.update(value) ?? Number.NaN);
}

/**
 * Wilder's RSI straight from its published definition, written independently of the class:
 * average gain and loss seeded by the mean of the first `period` changes, then Wilder-smoothed.
 */
function wilderRsi(values: ArrayLike<number>, period: number): number[] {
  const out: number[] = Array.from({ length: values.length }, () => Number.NaN);
  const gains: number[] = [];
  const losses: number[] = [];
  for (let i = 1; i < values.length; i++) {
    const change = values[i]! - values[i - 1]!;
    gains.push(Math.max(change, 0));
    losses.push(Math.max(-change, 0));
  }
  let averageGain = 0;
  let averageLoss = 0;
  for (let i = 0; i < gains.length; i++) {
    if (i < period) {
      averageGain += gains[i]!;
      averageLoss += losses[i]!;
      if (i < period - 1) continue;
      averageGain /= period;
      averageLoss /= period;
    } else {
      averageGain = (averageGain * (period - 1) + gains[i]!) / period;
      averageLoss = (averageLoss * (period - 1) + losses[i]!) / period;
    }
    const total = averageGain + averageLoss;
    out[i + 1] = total === 0 ? 0 : 100 - 100 / (1 + averageGain / averageLoss);
  }
  return out;
}

describe('RSI', () => {
  it('gives exact Wilder values on a short series worked by hand', () => {
    // Changes +1, -1, +3, 0, -1 with period 2:
    // seed gain (1 + 0) / 2 = 0.5, loss (0 + 1) / 2 = 0.5 -> RSI 50
    // +3: gain (0.5 + 3) / 2 = 1.75, loss (0.5 + 0) / 2 = 0.25 -> 100 * 1.75 / 2 = 87.5
    //  0: gain 1.75 / 2 = 0.875, loss 0.25 / 2 = 0.125 -> 87.5
    // -1: gain 0.875 / 2 = 0.4375, loss (0.125 + 1) / 2 = 0.5625 -> 43.75
    const indicator = new RSI(2);
    expect([10, 11, 10, 13, 13, 12].map((v) => indicator.update(v))).toEqual([
      Number.NaN,
      Number.NaN,
      50,
      87.5,
      87.5,
      43.75,
    ]);
    expect(indicator.value).toBe(43.75);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect([indicator.value, indicator.isReady, indicator.update(9)]).toEqual([
      Number.NaN,
      false,
      Number.NaN,
    ]);
  });

  it('matches a hand-computed Wilder RSI on real BTC 1h closes to 1e-9, first after period + 1', () => {
    for (const p of [2, 6, 14, 50]) {
      const ours = rsi(close, p);
      expect(Number.isNaN(ours[p - 1]!) && !Number.isNaN(ours[p]!)).toBe(true);
      const reference = wilderRsi(close, p).slice(p);
      expect(expectMatchesReference(ours, reference)).toBe(close.length - p);
    }
  });

  it('matches technicalindicators to its two-decimal rounding (0.005 absolute)', () => {
    // technicalindicators rounds each RSI with toFixed(2), so 1e-9 cannot hold against it; the
    // exact check is against the hand-computed Wilder RSI above.
    for (const p of [2, 14, 50]) {
      const reference = TiRSI.calculate({ period: p, values: [...close] });
      const ours = rsi(close, p);
      expect(reference.length).toBe(close.length - p);
      reference.forEach((expected, i) => {
        expect(Math.abs(ours[i + p]! - expected)).toBeLessThanOrEqual(0.005 + 1e-9);
      });
    }
  });

  it('is 100 when the inputs only rose, 0 when they only fell and 0 when flat (TA-Lib)', () => {
    expect([...rsi([1, 2, 3, 4], 3)].slice(3)).toEqual([100]);
    expect([...rsi([4, 3, 2, 1], 3)].slice(3)).toEqual([0]);
    expect([...rsi([5, 5, 5, 5, 5], 3)].slice(3)).toEqual([0, 0]);
  });

  it('agrees exactly with its batch function on random series', () => {
    fc.assert(
      fc.property(series, period, (values, p) => {
        expect([...rsi(values, p)]).toEqual(stream(new RSI(p), values));
      }),
    );
  });

  it('rejects a bad period, naming it', () => {
    expect(() => new RSI(0)).toThrow('RSI period must be an integer >= 1, got 0');
    expect(() => rsi([1], Number.NaN)).toThrow('RSI period must be an integer >= 1, got NaN');
  });
});
