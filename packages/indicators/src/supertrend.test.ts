import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { Supertrend, supertrend } from './supertrend.js';

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
 * Supertrend computed by hand from its published definition (as TradingView's Pine
 * `ta.supertrend` source spells it), with arrays and no code of the package; technicalindicators
 * has no Supertrend. ATR: Wilder, first true range on the second candle, seeded by the mean of
 * the first `period`.
 */
function supertrendByHand(period: number, multiplier: number) {
  const n = close.length;
  const trueRanges = [Number.NaN];
  for (let i = 1; i < n; i++) {
    trueRanges.push(
      Math.max(
        high[i]! - low[i]!,
        Math.abs(high[i]! - close[i - 1]!),
        Math.abs(low[i]! - close[i - 1]!),
      ),
    );
  }
  const atr: number[] = [];
  atr[period] = trueRanges.slice(1, period + 1).reduce((sum, value) => sum + value, 0) / period;
  for (let i = period + 1; i < n; i++)
    atr[i] = (atr[i - 1]! * (period - 1) + trueRanges[i]!) / period;
  const upper: number[] = [];
  const lower: number[] = [];
  const line: number[] = [];
  const direction: number[] = [];
  for (let i = period; i < n; i++) {
    const hl2 = (high[i]! + low[i]!) / 2;
    const basicUpper = hl2 + multiplier * atr[i]!;
    const basicLower = hl2 - multiplier * atr[i]!;
    if (i === period) {
      upper[i] = basicUpper;
      lower[i] = basicLower;
      direction[i] = -1; // Pine: `if na(atr[1]) _direction := 1`, its code for a downtrend
    } else {
      upper[i] =
        basicUpper < upper[i - 1]! || close[i - 1]! > upper[i - 1]! ? basicUpper : upper[i - 1]!;
      lower[i] =
        basicLower > lower[i - 1]! || close[i - 1]! < lower[i - 1]! ? basicLower : lower[i - 1]!;
      if (line[i - 1] === upper[i - 1]) direction[i] = close[i]! > upper[i]! ? 1 : -1;
      else direction[i] = close[i]! < lower[i]! ? -1 : 1;
    }
    line[i] = direction[i] === 1 ? lower[i]! : upper[i]!;
  }
  return { line: line.slice(period), direction: direction.slice(period) };
}

describe('Supertrend', () => {
  it('matches the Supertrend computed by hand from its definition on real BTC 1h candles', () => {
    for (const [period, multiplier] of [
      [10, 3],
      [7, 2],
      [22, 4.5],
    ] as const) {
      const reference = supertrendByHand(period, multiplier);
      const ours = supertrend(high, low, close, { period, multiplier });
      expect(Number.isNaN(ours.value[period - 1])).toBe(true);
      expect([...ours.direction.subarray(period)]).toEqual(reference.direction);
      expect(expectMatchesReference(ours.value, reference.line)).toBe(close.length - period);
      const flips = reference.direction.filter((d, i) => i > 0 && d !== reference.direction[i - 1]);
      expect(flips.length).toBeGreaterThan(20); // both trends, many times over
    }
  });

  it('trails a band that only tightens and flips when the close crosses it', () => {
    const indicator = new Supertrend({ period: 1, multiplier: 1 });
    const candle = (high: number, low: number, close: number) => ({ high, low, close, volume: 1 });
    indicator.update(candle(11, 9, 10)); // no ATR yet
    expect(indicator.isReady).toBe(false);
    // TR 2, hl2 10: bands 12 and 8; starts in a downtrend on the upper band
    expect({ ...indicator.update(candle(11, 9, 10)) }).toEqual({ value: 12, direction: -1 });
    // TR 1, hl2 10.5: basic upper 11.5 < 12, so the upper band tightens to 11.5
    expect({ ...indicator.update(candle(11, 10, 10.5)) }).toEqual({ value: 11.5, direction: -1 });
    // The lower band rose to 9.5 meanwhile. TR 2.5, hl2 11.75: basic upper 14.25 > 11.5, so the
    // upper band stays; close 12.5 > 11.5 flips up onto the lower band, kept at 9.5 (basic 9.25)
    const result = indicator.update(candle(13, 10.5, 12.5));
    expect({ ...result }).toEqual({ value: 9.5, direction: 1 });
    // TR 2, hl2 12: basic lower 10 > 9.5 rises; close 11.5 above it, still up. The previous close
    // 12.5 was above the upper band 11.5, so that resets to its basic 14
    expect(indicator.update(candle(13, 11, 11.5))).toBe(result);
    expect({ ...result }).toEqual({ value: 10, direction: 1 });
    // TR 3.5, hl2 9.75: basic lower 6.25 < 10 keeps 10; close 8.5 < 10 flips down onto the upper
    // band, tightened from 14 to its basic 13.25
    expect({ ...indicator.update(candle(11.5, 8, 8.5)) }).toEqual({ value: 13.25, direction: -1 });
    indicator.reset();
    expect([{ ...indicator.value }, indicator.isReady]).toEqual([
      { value: Number.NaN, direction: 0 },
      false,
    ]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(
        candles,
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        (series, period, multiplier) => {
          const indicator = new Supertrend({ period, multiplier });
          const streamed = series.map((c) => {
            const result = indicator.update(c);
            return result && { ...result };
          });
          const batch = supertrend(
            series.map((c) => c.high),
            series.map((c) => c.low),
            series.map((c) => c.close),
            { period, multiplier },
          );
          expect([...batch.value]).toEqual(streamed.map((result) => result.value));
          expect([...batch.direction]).toEqual(
            streamed.map((result) => (result.direction === 0 ? Number.NaN : result.direction)),
          );
        },
      ),
    );
  });

  it('rejects bad options, naming them', () => {
    expect(() => new Supertrend({ period: 0 })).toThrow(
      'Supertrend period must be an integer >= 1, got 0',
    );
    expect(() => supertrend([1], [1], [1], { multiplier: Number.POSITIVE_INFINITY })).toThrow(
      'Supertrend multiplier must be a finite number > 0, got Infinity',
    );
  });
});
