import fc from 'fast-check';
import { ADX as TiADX } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { loadBtc1h } from './__fixtures__/candles.js';
import { taLibDailyClose, taLibDailyHigh, taLibDailyLow } from './__fixtures__/ta-lib-daily.js';
import { ADX, adx } from './adx.js';
import { directionalIndicators, dx } from './directional-indicators.js';

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
  it("matches TA-Lib's published ADX test values (test_adx.c)", () => {
    // TA-Lib's regression test: ADX(14) on its 252 daily bars from bar 27 (lookback 2 · 14 - 1),
    // published to 4 decimals (the first as 23.0000): within 1e-3.
    const { adx: values } = adx(taLibDailyHigh, taLibDailyLow, taLibDailyClose, 14);
    expect(Number.isNaN(values[26]!)).toBe(true);
    for (const [index, value] of [
      [27, 23.0],
      [27 + 1, 22.0802],
      [27 + 223, 16.684],
      [27 + 224, 15.526],
    ] as const) {
      expect(Math.abs(values[index]! - value), `at ${String(index)}`).toBeLessThan(1e-3);
    }
  });

  it('reports the DIs of DirectionalIndicators from bar period, and ADX from the mean of the first DXs', () => {
    for (const period of [5, 14, 30]) {
      const ours = adx(high, low, close, period);
      const directional = directionalIndicators(high, low, close, period);
      expect([...ours.plusDI]).toEqual([...directional.plusDI]);
      expect([...ours.minusDI]).toEqual([...directional.minusDI]);
      const values = dx(high, low, close, period);
      let sum = 0;
      for (let i = period; i < 2 * period; i++) sum += values[i]!;
      expect(Number.isNaN(ours.adx[2 * period - 2]!)).toBe(true);
      expect(ours.adx[2 * period - 1]).toBe(sum / period);
      const next = 2 * period;
      expect(ours.adx[next]).toBe((ours.adx[next - 1]! * (period - 1) + values[next]!) / period);
    }
  });

  it("converges to technicalindicators' (Wilder's book seed), from which it differs at first", () => {
    const period = 14;
    const reference = TiADX.calculate({
      period,
      high: [...high],
      low: [...low],
      close: [...close],
    });
    const ours = adx(high, low, close, period);
    const offset = close.length - reference.length;
    const at = (i: number) => Math.abs(ours.adx[i]! - reference[i - offset]!.adx);
    expect(at(2 * period - 1)).toBeGreaterThan(1e-3);
    for (let i = 400; i < close.length; i++) expect(at(i)).toBeLessThan(1e-6);
  });

  it('follows TA-Lib by hand on a small series, in one reused result', () => {
    const indicator = new ADX(2);
    indicator.update(candle(10, 8, 9));
    expect(indicator.isReady).toBe(false);
    // Seed (period - 1 = 1 value): +DM 2, −DM 0, TR 3 (from close 9)
    indicator.update(candle(12, 9, 10.5));
    // −DM 2, TR 4 (from close 10.5): +DM 2 - 1 = 1, −DM 0 + 2 = 2, TR 3 - 1.5 + 4 = 5.5
    const first = indicator.update(candle(11, 7, 9));
    expect(indicator.isReady).toBe(false);
    expect(first.plusDI).toBe(100 * (1 / 5.5));
    expect(first.minusDI).toBe(100 * (2 / 5.5));
    const dx1 = 100 * (Math.abs(first.minusDI - first.plusDI) / (first.minusDI + first.plusDI));
    // −DM 1 (down 1 > up -1), TR 4 (from close 9): +DM 0.5, −DM 2, TR 6.75
    const result = indicator.update(candle(10, 6, 8));
    const [plusDI, minusDI] = [100 * (0.5 / 6.75), 100 * (2 / 6.75)];
    expect(result.plusDI).toBe(plusDI);
    expect(result.minusDI).toBe(minusDI);
    const dx2 = 100 * (Math.abs(minusDI - plusDI) / (minusDI + plusDI));
    expect(result.adx).toBe((dx1 + dx2) / 2);
    expect(indicator.isReady).toBe(true);
    expect(indicator.update(candle(11, 7))).toBe(result);
    indicator.reset();
    expect([{ ...indicator.value }, indicator.isReady]).toEqual([
      { adx: Number.NaN, plusDI: Number.NaN, minusDI: Number.NaN },
      false,
    ]);
  });

  it('reads a flat market as no trend rather than NaN', () => {
    const indicator = new ADX(3);
    for (let i = 0; i < 8; i++) indicator.update(candle(5, 5, 5));
    expect(indicator.value).toEqual({ adx: 0, plusDI: 0, minusDI: 0 });
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, fc.integer({ min: 1, max: 30 }), (series, period) => {
        const indicator = new ADX(period);
        const streamed = series.map((c) => ({ ...indicator.update(c) }));
        const batch = adx(
          series.map((c) => c.high),
          series.map((c) => c.low),
          series.map((c) => c.close),
          period,
        );
        for (const key of ['adx', 'plusDI', 'minusDI'] as const) {
          expect([...batch[key]]).toEqual(streamed.map((result) => result[key]));
        }
      }),
    );
  });

  it('rejects a bad period, naming it', () => {
    expect(() => new ADX(0)).toThrow('ADX period must be an integer >= 1, got 0');
    expect(() => adx([1], [1], [1], Number.NaN)).toThrow('ADX period must be an integer >= 1');
  });
});
