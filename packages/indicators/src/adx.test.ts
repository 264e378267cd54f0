import fc from 'fast-check';
import { ADX as TiADX } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { ADX, adx } from './adx.js';

const { high, low, close } = loadBtc1h();
const price = fc.oneof(
  fc.integer({ min: 1, max: 20 }),
  fc.double({ min: 1, max: 1e5, noNaN: true }),
);
const candles = fc.array(
  fc.tuple(price, price, fc.double({ min: 0, max: 1, noNaN: true })).map(([a, b, at]) => {
    const [lower, upper] = a < b ? [a, b] : [b, a];
    return { high: upper, low: lower, close: lower + at * (upper - lower), volume: 1 };
  }),
  { maxLength: 300 },
);
const candle = (high: number, low: number, close = (high + low) / 2) => ({
  high,
  low,
  close,
  volume: 1,
});

describe('ADX', () => {
  it('matches technicalindicators on real BTC 1h candles to 1e-9, unrounded', () => {
    // technicalindicators rounds only when its global `precision` is set, which it is not here; it
    // smooths TR, +DM and −DM as Wilder (seeded by their first `period` sums, which give the same
    // DIs as our means) and ADX by a Wilder average seeded by the mean of the first DXs.
    for (const period of [5, 14, 30]) {
      const reference = TiADX.calculate({
        period,
        high: [...high],
        low: [...low],
        close: [...close],
      });
      const ours = adx(high, low, close, period);
      expect(Number.isNaN(ours.adx[2 * period - 2])).toBe(true);
      const count = close.length - 2 * period + 1;
      expect(
        expectMatchesReference(
          ours.adx,
          reference.map((r) => r.adx),
        ),
      ).toBe(count);
      expect(
        expectMatchesReference(
          ours.plusDI,
          reference.map((r) => r.pdi),
        ),
      ).toBe(count);
      expect(
        expectMatchesReference(
          ours.minusDI,
          reference.map((r) => r.mdi),
        ),
      ).toBe(count);
    }
  });

  it('follows Wilder by hand on a small series, in one reused result', () => {
    const indicator = new ADX(2);
    expect(indicator.update(candle(10, 8))).toBeUndefined();
    // +DM 2, −DM 0, TR 3 (from close 9)
    expect(indicator.update(candle(12, 9))).toBeUndefined();
    // +DM 0, −DM 2, TR 4 (from close 10.5): ATR 3.5, +DM 1, −DM 1, DX 0
    expect(indicator.update(candle(11, 7))).toBeUndefined();
    // +DM 0, −DM 1, TR 4: ATR (3.5 + 4) / 2 = 3.75, +DM 0.5, −DM 1, DX 100 · 0.5 / 1.5
    const result = indicator.update(candle(10, 6));
    const [plusDI, minusDI] = [(100 * 0.5) / 3.75, (100 * 1) / 3.75];
    expect(result?.plusDI).toBeCloseTo(plusDI, 12);
    expect(result?.minusDI).toBeCloseTo(minusDI, 12);
    expect(result?.adx).toBeCloseTo((0 + (100 * (minusDI - plusDI)) / (minusDI + plusDI)) / 2, 12);
    expect(indicator.update(candle(11, 7))).toBe(result);
    indicator.reset();
    expect([indicator.value, indicator.isReady]).toEqual([undefined, false]);
  });

  it('reads a flat market as no trend rather than NaN', () => {
    const indicator = new ADX(3);
    const values = Array.from({ length: 8 }, () => indicator.update(candle(5, 5, 5)));
    expect(values.at(-1)).toEqual({ adx: 0, plusDI: 0, minusDI: 0 });
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, fc.integer({ min: 1, max: 30 }), (series, period) => {
        const indicator = new ADX(period);
        const streamed = series.map((c) => {
          const result = indicator.update(c);
          return result && { ...result };
        });
        const batch = adx(
          series.map((c) => c.high),
          series.map((c) => c.low),
          series.map((c) => c.close),
          period,
        );
        for (const key of ['adx', 'plusDI', 'minusDI'] as const) {
          expect([...batch[key]]).toEqual(streamed.map((result) => result?.[key] ?? Number.NaN));
        }
      }),
    );
  });

  it('rejects a bad period, naming it', () => {
    expect(() => new ADX(0)).toThrow('ADX period must be an integer >= 1, got 0');
    expect(() => adx([1], [1], [1], Number.NaN)).toThrow('ADX period must be an integer >= 1');
  });
});
