import fc from 'fast-check';
import { BollingerBands as TiBollingerBands } from 'technicalindicators';
import { seededRandom } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { BollingerBands, bollingerBands, type BollingerBandsResult } from './bollinger-bands.js';

const { close } = loadBtc1h();
const series = fc.array(
  fc.oneof(fc.integer({ min: 1, max: 5 }), fc.double({ min: 1, max: 1e6, noNaN: true })),
  { maxLength: 300 },
);

/** The population standard deviation of `values`, two-pass, from the definition. */
function standardDeviation(values: readonly number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
}

describe('BollingerBands', () => {
  it('matches technicalindicators on real BTC 1h closes to 1e-9', () => {
    for (const [period, stdDev] of [
      [5, 2],
      [20, 2],
      [20, 1.5],
      [50, 2.5],
    ] as const) {
      const reference = TiBollingerBands.calculate({ period, stdDev, values: [...close] });
      const ours = bollingerBands(close, { period, stdDev });
      const count = close.length - period + 1;
      expect(
        expectMatchesReference(
          ours.middle,
          reference.map((r) => r.middle),
        ),
      ).toBe(count);
      expect(
        expectMatchesReference(
          ours.upper,
          reference.map((r) => r.upper),
        ),
      ).toBe(count);
      expect(
        expectMatchesReference(
          ours.lower,
          reference.map((r) => r.lower),
        ),
      ).toBe(count);
      expect(
        expectMatchesReference(
          ours.percentB,
          reference.map((r) => r.pb),
        ),
      ).toBe(count);
      // technicalindicators has no bandwidth: derive it from its bands.
      const bandwidth = reference.map((r) => (r.upper - r.lower) / r.middle);
      expect(expectMatchesReference(ours.bandwidth, bandwidth)).toBe(count);
    }
  });

  it('uses the population standard deviation and returns one reused result', () => {
    const indicator = new BollingerBands({ period: 8, stdDev: 2 });
    const values = [2, 4, 4, 4, 5, 5, 7, 9]; // mean 5, population σ 2
    const results = values.map((value) => ({ ...indicator.update(value) }));
    expect(results.slice(0, 7)).toEqual(
      Array(7).fill({
        middle: Number.NaN,
        upper: Number.NaN,
        lower: Number.NaN,
        bandwidth: Number.NaN,
        percentB: Number.NaN,
      }),
    );
    results[7] = indicator.value;
    expect(results[7]).toEqual({ middle: 5, upper: 9, lower: 1, bandwidth: 1.6, percentB: 1 });
    expect(indicator.update(5)).toBe(results[7]); // the same object, overwritten
    expect(indicator.value).toBe(results[7]);
    indicator.reset();
    const empty = {
      middle: Number.NaN,
      upper: Number.NaN,
      lower: Number.NaN,
      bandwidth: Number.NaN,
      percentB: Number.NaN,
    };
    expect([{ ...indicator.value }, indicator.isReady, { ...indicator.update(1) }]).toEqual([
      empty,
      false,
      empty,
    ]);
  });

  it('collapses the bands exactly on a window of one repeated value', () => {
    const indicator = new BollingerBands({ period: 3 });
    for (const value of [0.1, 0.7, 0.2, 0.3]) indicator.update(value);
    for (const value of [0.3, 0.3]) indicator.update(value);
    expect(indicator.value).toEqual({
      middle: expect.closeTo(0.3, 12) as number,
      upper: indicator.value?.middle,
      lower: indicator.value?.middle,
      bandwidth: 0,
      percentB: 0.5,
    });
  });

  it('keeps its running sums within 3e-10 σ of an exact two-pass computation over 1e6 candles near 1e5', () => {
    // A random walk at 1e5 with noise of about ±1: the regime where a plain running sum of
    // squares (values² ≈ 1e10 against a variance of about 1) loses every digit.
    const random = seededRandom(22);
    const period = 20;
    const indicator = new BollingerBands({ period, stdDev: 1 });
    const window = new Float64Array(period);
    let level = 1e5;
    let worst = 0;
    for (let i = 0; i < 1_000_000; i++) {
      level += (random() - 0.5) * 0.2;
      const value = level + (random() - 0.5) * 2;
      window[i % period] = value;
      const { middle, upper } = indicator.update(value);
      if (i < period - 1 || i % 97 !== 0) continue;
      let mean = 0;
      for (const x of window) mean += x;
      mean /= period;
      let squares = 0;
      for (const x of window) squares += (x - mean) * (x - mean);
      const sigma = Math.sqrt(squares / period);
      worst = Math.max(
        worst,
        Math.abs(middle - mean) / sigma,
        Math.abs(upper - middle - sigma) / sigma,
      );
    }
    // Without the periodic re-sum the error grows past 1.7e-9 σ here; with it, it stays at the
    // rounding of the two-pass reference itself (about 1e-10 σ).
    expect(worst).toBeLessThan(3e-10);
  });

  it('stays as accurate as the two-pass formula on long series far from zero, with spikes', () => {
    const noise = fc.oneof(
      fc.constant(0),
      fc.double({ min: 0, max: 1e-6, noNaN: true }),
      fc.double({ min: 0, max: 10, noNaN: true }),
      fc.double({ min: 0, max: 1e4, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(noise, { minLength: 50, maxLength: 1000 }),
        fc.integer({ min: 2, max: 50 }),
        (offsets, period) => {
          const values = offsets.map((offset) => 1e5 + offset);
          const ours = bollingerBands(values, { period, stdDev: 1 });
          for (let i = period - 1; i < values.length; i++) {
            const expected = standardDeviation(values.slice(i - period + 1, i + 1));
            const actual = ours.upper[i]! - ours.middle[i]!;
            // 1e-9 relative, or 1e-14 of the level (70 units in the last place of 1e5) for tiny σ.
            expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * expected + 1e-9);
          }
        },
      ),
    );
  });

  it('agrees exactly with its batch function on random series', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: 1, max: 30 }), (values, period) => {
        const indicator = new BollingerBands({ period });
        const streamed = values.map((value) => {
          const result = indicator.update(value);
          return result && { ...result };
        });
        const batch = bollingerBands(values, { period });
        for (const key of ['middle', 'upper', 'lower', 'bandwidth', 'percentB'] as const) {
          expect([...batch[key]]).toEqual(
            streamed.map((result: BollingerBandsResult | undefined) => result?.[key] ?? Number.NaN),
          );
        }
      }),
    );
  });

  it('rejects bad options, naming them', () => {
    expect(() => new BollingerBands({ period: 0 })).toThrow(
      'BollingerBands period must be an integer >= 1, got 0',
    );
    expect(() => bollingerBands([1], { stdDev: -1 })).toThrow(
      'BollingerBands stdDev must be a finite number > 0, got -1',
    );
  });
});
