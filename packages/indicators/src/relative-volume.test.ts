import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { RelativeVolume, relativeVolume } from './relative-volume.js';

const { volume } = loadBtc1h();
const volumes = fc.array(
  fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 10 }),
    fc.double({ min: 0, max: 1e6, noNaN: true }),
  ),
  { maxLength: 300 },
);

describe('RelativeVolume', () => {
  it('matches the ratio computed by hand on real BTC 1h volumes', () => {
    // technicalindicators has no relative volume: divide each volume by the plain mean of the
    // `period` volumes before it, summed afresh for every candle.
    for (const period of [1, 20, 50]) {
      const reference: number[] = [];
      for (let i = period; i < volume.length; i++) {
        const previous = volume.subarray(i - period, i);
        reference.push(volume[i]! / (previous.reduce((sum, value) => sum + value, 0) / period));
      }
      const ours = relativeVolume(volume, period);
      expect(Number.isNaN(ours[period - 1])).toBe(true);
      expect(expectMatchesReference(ours, reference)).toBe(volume.length - period);
    }
  });

  it('leaves the current volume out of the average it is compared with', () => {
    const indicator = new RelativeVolume(2);
    expect(Number.isNaN(indicator.update(10))).toBe(true);
    expect(Number.isNaN(indicator.update(30))).toBe(true);
    expect(indicator.update(60)).toBe(3); // 60 / mean(10, 30)
    expect(indicator.update(45)).toBe(1); // 45 / mean(30, 60)
    expect([indicator.value, indicator.isReady]).toEqual([1, true]);
    indicator.reset();
    expect([indicator.value, indicator.isReady, indicator.update(1)]).toEqual([
      Number.NaN,
      false,
      Number.NaN,
    ]);
  });

  it('is Infinity after a window without volume, NaN when the current volume is 0 too', () => {
    const indicator = new RelativeVolume(2);
    // 0.1 and 0.2 leave a running sum that is not exactly 0 once both are out.
    const values = [0.1, 0.2, 0, 0, 0, 5].map((value) => indicator.update(value));
    expect(values.slice(2)).toEqual([0, 0, Number.NaN, Number.POSITIVE_INFINITY]);
  });

  it('agrees exactly with its batch function on random series', () => {
    fc.assert(
      fc.property(volumes, fc.integer({ min: 1, max: 30 }), (values, period) => {
        const indicator = new RelativeVolume(period);
        const streamed = values.map((value) => indicator.update(value) ?? Number.NaN);
        expect([...relativeVolume(values, period)]).toEqual(streamed);
      }),
    );
  });

  it('rejects a bad period, naming it', () => {
    expect(() => new RelativeVolume(0)).toThrow(
      'RelativeVolume period must be an integer >= 1, got 0',
    );
  });
});
