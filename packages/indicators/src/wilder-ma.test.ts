import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tulipClose, tulipWilders5 } from './__fixtures__/tulip-untest.js';
import { WilderMA, wilder } from './wilder-ma.js';

describe('WilderMA', () => {
  it("matches tulipindicators' wilders 5 vector", () => {
    const values = wilder(tulipClose, 5);
    expect(Number.isNaN(values[3]!)).toBe(true);
    for (let i = 4; i < tulipClose.length; i++) {
      expect(values[i]).toBeCloseTo(tulipWilders5[i - 4]!, 2);
    }
  });

  it('is seeded by the mean, then (previous · (n − 1) + value) / n, NaN while warming up', () => {
    const indicator = new WilderMA(2);
    expect([1, 2, 4].map((value) => indicator.update(value))).toEqual([Number.NaN, 1.5, 2.75]);
    expect([indicator.value, indicator.isReady]).toEqual([2.75, true]);
    indicator.reset();
    expect([indicator.value, indicator.isReady]).toEqual([Number.NaN, false]);
  });

  it('agrees exactly with its batch function, which writes into a given array', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 100 }),
        fc.integer({ min: 1, max: 20 }),
        (values, period) => {
          const indicator = new WilderMA(period);
          const out = new Float64Array(values.length).fill(7);
          expect(wilder(values, period, out)).toBe(out);
          expect([...out]).toEqual(values.map((value) => indicator.update(value)));
        },
      ),
    );
  });

  it('rejects a bad period and an output of another length', () => {
    expect(() => new WilderMA(0)).toThrow('WilderMA period must be an integer >= 1, got 0');
    expect(() => wilder([1, 2], 1, new Float64Array(3))).toThrow(
      'WilderMA output must have 2 entries like its input, got 3',
    );
  });
});
