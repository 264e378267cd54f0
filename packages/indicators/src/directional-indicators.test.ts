import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridCandles } from './__fixtures__/arbitraries.js';
import { taLibDailyClose, taLibDailyHigh, taLibDailyLow } from './__fixtures__/ta-lib-daily.js';
import {
  tulipClose,
  tulipDX5,
  tulipHigh,
  tulipLow,
  tulipMinusDI5,
  tulipPlusDI5,
} from './__fixtures__/tulip-untest.js';
import { DirectionalIndicators, directionalIndicators, DX, dx } from './directional-indicators.js';

const candle = (high: number, low: number, close = (high + low) / 2) => ({
  high,
  low,
  close,
  volume: 1,
});

/** Expects `actual` within `tolerance` of each [index, value] TA-Lib publishes. */
function expectPublished(
  actual: Float64Array,
  published: readonly (readonly [number, number])[],
  tolerance: number,
): void {
  for (const [index, value] of published) {
    expect(Math.abs(actual[index]! - value), `at ${String(index)}`).toBeLessThan(tolerance);
  }
}

describe('DirectionalIndicators', () => {
  it("matches TA-Lib's published PLUS_DI and MINUS_DI test values (test_adx.c)", () => {
    // TA-Lib's regression test: period 14 on its 252 daily bars, outputs from bar 14 (lookback
    // 14), published to 4 decimals (the last +DI as 21.0000): within 1e-3.
    const { plusDI, minusDI } = directionalIndicators(
      taLibDailyHigh,
      taLibDailyLow,
      taLibDailyClose,
      14,
    );
    expect(Number.isNaN(plusDI[13]!) && Number.isNaN(minusDI[13]!)).toBe(true);
    expectPublished(
      plusDI,
      [
        [14, 20.3781],
        [14 + 13, 22.1073],
        [14 + 14, 20.3746],
        [14 + 237, 21.0],
      ],
      1e-3,
    );
    expectPublished(
      minusDI,
      [
        [14, 30.1684],
        [14 + 14, 24.969182],
        [14 + 237, 21.1988],
      ],
      1e-3,
    );
  });

  it("matches tulipindicators' di 5 vectors from their second value (TA-Lib's first)", () => {
    const { plusDI, minusDI } = directionalIndicators(tulipHigh, tulipLow, tulipClose, 5);
    expect(Number.isNaN(plusDI[4]!)).toBe(true);
    for (let i = 5; i < tulipHigh.length; i++) {
      expect(plusDI[i]).toBeCloseTo(tulipPlusDI5[i - 4]!, 2);
      expect(minusDI[i]).toBeCloseTo(tulipMinusDI5[i - 4]!, 2);
    }
  });

  it('seeds with the sum of period - 1 values, then sum - sum / period + value, by hand', () => {
    const indicator = new DirectionalIndicators(3);
    indicator.update(candle(10, 8, 9));
    // +DM 2 (up 2 > down -1), TR max(3, 3, 0) = 3
    indicator.update(candle(12, 9, 11));
    // −DM 2 (down 2 > up -1), TR max(4, 0, 4) = 4: seed sums +DM 2, −DM 2, TR 7
    indicator.update(candle(11, 7, 8));
    expect(indicator.isReady).toBe(false);
    expect({ ...indicator.value }).toEqual({ plusDI: Number.NaN, minusDI: Number.NaN });
    // up 1 > down -1: +DM 1, TR max(4, 4, 0) = 4
    const result = indicator.update(candle(12, 8, 10));
    const tr = 7 - 7 / 3 + 4;
    const plus = 2 - 2 / 3 + 1;
    const minus = 2 - 2 / 3;
    expect(indicator.isReady).toBe(true);
    expect(result).toEqual({ plusDI: 100 * (plus / tr), minusDI: 100 * (minus / tr) });
    expect(indicator.value).toBe(result);
    indicator.reset();
    expect([{ ...indicator.value }, indicator.isReady]).toEqual([
      { plusDI: Number.NaN, minusDI: Number.NaN },
      false,
    ]);
  });

  it('gives 0 where the smoothed true range is 0', () => {
    const indicator = new DirectionalIndicators(2);
    for (let i = 0; i < 4; i++) indicator.update(candle(5, 5, 5));
    expect(indicator.value).toEqual({ plusDI: 0, minusDI: 0 });
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(gridCandles({ gridMax: 5 }), fc.integer({ min: 1, max: 20 }), (series, p) => {
        const indicator = new DirectionalIndicators(p);
        const streamed = series.map((c) => ({ ...indicator.update(c) }));
        const batch = directionalIndicators(
          series.map((c) => c.high),
          series.map((c) => c.low),
          series.map((c) => c.close),
          p,
        );
        expect([...batch.plusDI]).toEqual(streamed.map((r) => r.plusDI));
        expect([...batch.minusDI]).toEqual(streamed.map((r) => r.minusDI));
      }),
    );
  });

  it('rejects a bad period and columns of different lengths', () => {
    expect(() => new DirectionalIndicators(0)).toThrow(
      'DirectionalIndicators period must be an integer >= 1, got 0',
    );
    expect(() => directionalIndicators([1, 2], [1], [1, 2], 2)).toThrow('same length');
  });
});

describe('DX', () => {
  it("matches TA-Lib's published DX test values (test_adx.c)", () => {
    const values = dx(taLibDailyHigh, taLibDailyLow, taLibDailyClose, 14);
    expect(Number.isNaN(values[13]!)).toBe(true);
    expectPublished(
      values,
      [
        [14, 19.3689],
        [14 + 1, 9.7131],
        [14 + 2, 17.2905],
        [14 + 236, 10.6731],
        [14 + 237, 0.4722],
      ],
      1e-4,
    );
  });

  it("matches tulipindicators' dx 5 vector from its second value (TA-Lib's first)", () => {
    const values = dx(tulipHigh, tulipLow, tulipClose, 5);
    for (let i = 5; i < tulipHigh.length; i++) expect(values[i]).toBeCloseTo(tulipDX5[i - 4]!, 2);
  });

  it('repeats the previous DX where both DIs are 0, starting from 0 (TA-Lib)', () => {
    const indicator = new DX(2);
    for (let i = 0; i < 3; i++) indicator.update(candle(5, 5, 5));
    expect(indicator.value).toBe(0);
    indicator.update(candle(7, 5, 6)); // +DM 2: DX 100
    expect(indicator.value).toBe(100);
    indicator.update(candle(7, 5, 6)); // no movement, but the smoothed +DM stays: DX 100
    expect(indicator.value).toBe(100);
    indicator.reset();
    expect([indicator.value, indicator.isReady]).toEqual([Number.NaN, false]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(gridCandles({ gridMax: 5 }), fc.integer({ min: 1, max: 20 }), (series, p) => {
        const indicator = new DX(p);
        const streamed = series.map((c) => indicator.update(c));
        const batch = dx(
          series.map((c) => c.high),
          series.map((c) => c.low),
          series.map((c) => c.close),
          p,
        );
        expect([...batch]).toEqual(streamed);
      }),
    );
  });
});
