import type { CandleLike } from '@lumenlink/core';
import fc from 'fast-check';
import { MFI as TiMFI } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { gridCandles } from './__fixtures__/arbitraries.js';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { MFI, mfi } from './mfi.js';

const { high, low, close, volume } = loadBtc1h();
/** Random candles, some on a coarse integer grid so that unchanged typical prices occur. */
const candles = gridCandles({ gridMax: 2, randomVolume: true });
const period = fc.integer({ min: 1, max: 30 });

/** Streams candles through a fresh indicator, NaN where it is warming up. */
function stream(indicator: MFI, input: readonly CandleLike[]): number[] {
  return input.map((candle) => indicator.update(candle) ?? Number.NaN);
}

/** A candle with high = low = close = `typical`. */
function at(typical: number, volume: number): CandleLike {
  return { high: typical, low: typical, close: typical, volume };
}

/**
 * MFI straight from its published definition (TA-Lib's form), written independently of the class:
 * each window's flows summed afresh, a flow counting as positive when the typical price rose and
 * negative when it fell.
 */
function mfiByHand(period: number): number[] {
  const typical = Array.from(close, (c, i) => (high[i]! + low[i]! + c) / 3);
  const out: number[] = Array.from({ length: close.length }, () => Number.NaN);
  for (let i = period; i < close.length; i++) {
    let positive = 0;
    let negative = 0;
    for (let j = i - period + 1; j <= i; j++) {
      const flow = typical[j]! * volume[j]!;
      if (typical[j]! > typical[j - 1]!) positive += flow;
      else if (typical[j]! < typical[j - 1]!) negative += flow;
    }
    out[i] = 100 - 100 / (1 + positive / negative);
  }
  return out.slice(period);
}

describe('MFI', () => {
  it('matches a hand-computed MFI on real BTC 1h candles to 1e-9, first after period + 1', () => {
    for (const p of [2, 14, 50]) {
      const ours = mfi(high, low, close, volume, p);
      expect(Number.isNaN(ours[p - 1]!) && !Number.isNaN(ours[p]!)).toBe(true);
      expect(expectMatchesReference(ours, mfiByHand(p))).toBe(close.length - p);
    }
  });

  it('matches technicalindicators to its two-decimal rounding (0.005 absolute)', () => {
    // technicalindicators rounds the MFI with toFixed(2) and ignores the first candle, so it is one
    // value shorter; it also counts an unchanged typical price as negative flow, which never
    // happens on this data. The exact check is against the hand-computed MFI above.
    for (const p of [2, 14, 50]) {
      const reference = TiMFI.calculate({
        high: [...high],
        low: [...low],
        close: [...close],
        volume: [...volume],
        period: p,
      });
      const ours = mfi(high, low, close, volume, p);
      expect(reference.length).toBe(close.length - p - 1);
      reference.forEach((expected, i) => {
        expect(Math.abs(ours[i + p + 1]! - expected)).toBeLessThanOrEqual(0.005 + 1e-9);
      });
    }
  });

  it('gives exact values on a short series worked by hand', () => {
    const indicator = new MFI(2);
    // Typical prices 10, 12, 11, 11, 13, 13, 13: flows +12*11, -11*12, none, +13*3, none, none.
    const input = [at(10, 1), at(12, 11), at(11, 12), at(11, 5), at(13, 3), at(13, 7), at(13, 9)];
    expect(input.map((candle) => indicator.update(candle))).toEqual([
      Number.NaN,
      Number.NaN,
      50, // 132 / (132 + 132)
      0, // unchanged counts as neither: only the negative 132 is left
      100, // only the positive 39
      100,
      0, // no money flow in the window (TA-Lib)
    ]);
    expect(indicator.value).toBe(0);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect([indicator.value, indicator.isReady, indicator.update(at(1, 1))]).toEqual([
      Number.NaN,
      false,
      Number.NaN,
    ]);
  });

  it('is exactly 100 once only rises remain in the window, whatever left before', () => {
    const typical = [1, 0.7, 1.3, 0.9, 2.1, 0.3, 3.1, 4.1, 5.1, 6.1];
    const volumes = [0.53, 9.28, 9.06, 9.83, 9.42, 5.58, 2.32, 0.18, 0.7, 0.08];
    // A plain running sum leaves the negative side a hair below 0 here: 100.00000000000003.
    const values = mfi(typical, typical, typical, volumes, 3);
    expect([...values.slice(8)]).toEqual([100, 100]);
    expect(values[7]).toBeLessThan(100);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, period, (input, p) => {
        const batch = mfi(
          input.map((c) => c.high),
          input.map((c) => c.low),
          input.map((c) => c.close),
          input.map((c) => c.volume),
          p,
        );
        expect([...batch]).toEqual(stream(new MFI(p), input));
      }),
    );
  });

  it('rejects a bad period and columns of different lengths, naming them', () => {
    expect(() => new MFI(0)).toThrow('MFI period must be an integer >= 1, got 0');
    expect(() => mfi([1], [1], [1], [], 14)).toThrow(
      'MFI highs, lows, closes and volumes must have the same length, got 1, 1, 1, 0',
    );
  });
});
