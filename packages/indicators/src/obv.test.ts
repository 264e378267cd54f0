import type { CandleLike } from '@lumenlink/core';
import fc from 'fast-check';
import { OBV as TiOBV } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { OBV, obv } from './obv.js';

const { close, volume } = loadBtc1h();
const candles = fc.array(
  fc
    .record({
      close: fc.oneof(fc.double({ min: 1, max: 1e5, noNaN: true }), fc.integer({ min: 1, max: 3 })),
      volume: fc.double({ min: 0, max: 1e6, noNaN: true }),
    })
    .map(({ close, volume }) => ({ high: close, low: close, close, volume })),
  { maxLength: 300 },
);

/** Streams candles through a fresh indicator, NaN where it is warming up. */
function stream(indicator: OBV, input: readonly CandleLike[]): number[] {
  return input.map((candle) => indicator.update(candle) ?? Number.NaN);
}

describe('OBV', () => {
  it('starts at the first volume (TA-Lib) and otherwise matches technicalindicators on BTC 1h', () => {
    // technicalindicators starts at 0 on the first candle and returns nothing for it: its values
    // are ours minus the first volume, one shorter. Compare on that footing, to 1e-9.
    const ours = obv(close, volume);
    expect(ours[0]).toBe(volume[0]);
    const reference = TiOBV.calculate({ close: [...close], volume: [...volume] });
    expect(reference.length).toBe(close.length - 1);
    const shifted = ours.map((value) => value - volume[0]!);
    expect(expectMatchesReference(shifted, reference)).toBe(close.length - 1);
  });

  it('adds volume on a higher close, subtracts it on a lower one, keeps it on an equal one', () => {
    const indicator = new OBV();
    const candle = (close: number, volume: number) => ({ high: close, low: close, close, volume });
    expect(
      [candle(10, 5), candle(11, 3), candle(10, 2), candle(10, 7), candle(12, 1)].map((c) =>
        indicator.update(c),
      ),
    ).toEqual([5, 8, 6, 6, 7]);
    expect(indicator.value).toBe(7);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect([indicator.value, indicator.isReady]).toEqual([Number.NaN, false]);
    expect(indicator.update(candle(1, 4))).toBe(4);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, (input) => {
        const batch = obv(
          input.map((c) => c.close),
          input.map((c) => c.volume),
        );
        expect([...batch]).toEqual(stream(new OBV(), input));
      }),
    );
  });

  it('rejects columns of different lengths, naming them', () => {
    expect(() => obv([1, 2], [1])).toThrow(
      'OBV closes and volumes must have the same length, got 2, 1',
    );
  });
});
