import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { BollingerSqueeze, bollingerSqueeze } from './bollinger-squeeze.js';

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

/**
 * The squeeze computed by hand from its published definition (John Carter's TTM Squeeze), with
 * plain loops and no code of the package: Bollinger Bands SMA(20) ± 2 population σ (two-pass),
 * Keltner Channels EMA(20, SMA-seeded) ± 1.5 Wilder ATR(20) (first true range on the second
 * candle, seeded by the mean of the first 20). technicalindicators has no squeeze.
 */
function squeezeByHand(): { on: (boolean | undefined)[]; bandwidth: number[]; margin: number[] } {
  const n = close.length;
  const period = 20;
  const ema: number[] = [];
  const atr: number[] = [];
  let seed = 0;
  for (let i = 0; i < n; i++) {
    if (i < period - 1) seed += close[i]!;
    else if (i === period - 1) ema[i] = (seed + close[i]!) / period;
    else ema[i] = ema[i - 1]! + (2 / (period + 1)) * (close[i]! - ema[i - 1]!);
  }
  const trueRanges: number[] = [];
  for (let i = 1; i < n; i++) {
    const trueRange = Math.max(
      high[i]! - low[i]!,
      Math.abs(high[i]! - close[i - 1]!),
      Math.abs(low[i]! - close[i - 1]!),
    );
    trueRanges.push(trueRange);
    if (i === period) atr[i] = trueRanges.reduce((sum, value) => sum + value, 0) / period;
    else if (i > period) atr[i] = (atr[i - 1]! * (period - 1) + trueRange) / period;
  }
  const on: (boolean | undefined)[] = [];
  const bandwidth: number[] = [];
  const margin: number[] = [];
  for (let i = period; i < n; i++) {
    const window = [...close.subarray(i - period + 1, i + 1)];
    const mean = window.reduce((sum, value) => sum + value, 0) / period;
    const sigma = Math.sqrt(window.reduce((sum, value) => sum + (value - mean) ** 2, 0) / period);
    const [bbUpper, bbLower] = [mean + 2 * sigma, mean - 2 * sigma];
    const [kcUpper, kcLower] = [ema[i]! + 1.5 * atr[i]!, ema[i]! - 1.5 * atr[i]!];
    on[i] = bbUpper < kcUpper && bbLower > kcLower;
    bandwidth[i] = (bbUpper - bbLower) / mean;
    margin[i] = Math.min(Math.abs(bbUpper - kcUpper), Math.abs(bbLower - kcLower)) / mean;
  }
  return { on, bandwidth, margin };
}

describe('BollingerSqueeze', () => {
  it('matches the squeeze computed by hand from its definition on real BTC 1h candles', () => {
    const ours = bollingerSqueeze(high, low, close);
    const reference = squeezeByHand();
    expect(ours.squeezeOn.slice(0, 20).every(Number.isNaN)).toBe(true); // ATR(20) needs 21 candles
    let on = 0;
    let compared = 0;
    for (let i = 20; i < close.length; i++) {
      if (reference.margin[i]! < 1e-9) continue; // too close to call at double precision
      expect(ours.squeezeOn[i], `index ${i}`).toBe(reference.on[i] ? 1 : 0);
      if (reference.on[i]) on++;
      compared++;
    }
    expect(compared).toBe(close.length - 20);
    expect(on).toBeGreaterThan(50); // the fixture has both squeezes and releases
    expect(on).toBeLessThan(compared - 50);
    expect(expectMatchesReference(ours.bandwidth, reference.bandwidth.slice(20))).toBe(
      close.length - 20,
    );
  });

  it('is on while the Bollinger Bands fit inside the Keltner Channels', () => {
    const options = { bollinger: { period: 3 }, keltner: { period: 3, atrPeriod: 2 } };
    const indicator = new BollingerSqueeze(options);
    const candle = (close: number, range: number) => ({
      high: close + range / 2,
      low: close - range / 2,
      close,
      volume: 1,
    });
    // Quiet closes in wide candles: 2σ ≈ 0.9 against 1.5 ATR = 15.
    const quiet = [100, 101, 100, 101, 100].map((value) => ({
      ...indicator.update(candle(value, 10)),
    }));
    const warming = { squeezeOn: false, bandwidth: Number.NaN };
    expect(quiet.slice(0, 2)).toEqual([warming, warming]);
    expect(quiet.slice(2).map((result) => result.squeezeOn)).toEqual([true, true, true]);
    // A steady climb of 10 per candle in flat candles: 2σ ≈ 16.3 against 1.5 ATR → 15.
    const trend = [110, 120, 130, 140, 150, 160, 170].map((value) =>
      indicator.update(candle(value, 0)),
    );
    const result = trend.at(-1);
    expect(result?.squeezeOn).toBe(false);
    expect(result?.bandwidth).toBeCloseTo((4 * Math.sqrt(200 / 3)) / 160, 12);
    expect(result).toBe(indicator.value);
    indicator.reset();
    expect([{ ...indicator.value }, indicator.isReady]).toEqual([
      { squeezeOn: false, bandwidth: Number.NaN },
      false,
    ]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, fc.integer({ min: 1, max: 25 }), (series, period) => {
        const options = { bollinger: { period }, keltner: { period, atrPeriod: period } };
        const indicator = new BollingerSqueeze(options);
        const streamed = series.map((c) => {
          const result = indicator.update(c);
          return indicator.isReady ? { ...result } : undefined;
        });
        const batch = bollingerSqueeze(
          series.map((c) => c.high),
          series.map((c) => c.low),
          series.map((c) => c.close),
          options,
        );
        expect([...batch.squeezeOn]).toEqual(
          streamed.map((result) => (result === undefined ? Number.NaN : result.squeezeOn ? 1 : 0)),
        );
        expect([...batch.bandwidth]).toEqual(
          streamed.map((result) => result?.bandwidth ?? Number.NaN),
        );
      }),
    );
  });

  it('rejects bad options of either part, naming them', () => {
    expect(() => new BollingerSqueeze({ bollinger: { stdDev: 0 } })).toThrow(
      'BollingerBands stdDev must be a finite number > 0, got 0',
    );
    expect(() => bollingerSqueeze([1], [1], [1], { keltner: { atrPeriod: 1.5 } })).toThrow(
      'KeltnerChannels atrPeriod must be an integer >= 1, got 1.5',
    );
  });
});
