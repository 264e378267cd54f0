import fc from 'fast-check';
import { VWAP as TiVWAP } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { RollingVWAP, rollingVwap, SessionVWAP, sessionVwap } from './vwap.js';

const { candles: btc, high, low, close, volume } = loadBtc1h();
const times = Float64Array.from(btc, (candle) => candle.time);
const hourMs = 3_600_000;
const price = fc.oneof(
  fc.integer({ min: 1, max: 20 }),
  fc.double({ min: 1, max: 1e5, noNaN: true }),
);
const candles = fc
  .array(
    fc
      .tuple(
        price,
        price,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e4, noNaN: true })),
        fc.integer({ min: 0, max: 10 * hourMs }),
      )
      .map(([a, b, at, volume, step]) => {
        const [lower, upper] = a < b ? [a, b] : [b, a];
        return { step, high: upper, low: lower, close: lower + at * (upper - lower), volume };
      }),
    { maxLength: 300 },
  )
  .map((series) => {
    let time = 1_704_067_200_000;
    return series.map(({ step, ...candle }) => ({ time: (time += step), ...candle }));
  });
const candle = (high: number, low: number, close: number, volume: number, time = 0) => ({
  time,
  high,
  low,
  close,
  volume,
});

describe('SessionVWAP', () => {
  it('matches technicalindicators VWAP anchored at each UTC day of real BTC 1h candles', () => {
    // technicalindicators' VWAP is cumulative from its first candle: run it on each day alone.
    const ours = sessionVwap(times, high, low, close, volume);
    let days = 0;
    for (let start = 0; start < btc.length; start += 24) {
      const end = Math.min(start + 24, btc.length);
      expect(new Date(btc[start]!.time).toISOString()).toMatch(/T00:00:00/);
      const reference = TiVWAP.calculate({
        high: [...high.subarray(start, end)],
        low: [...low.subarray(start, end)],
        close: [...close.subarray(start, end)],
        volume: [...volume.subarray(start, end)],
      });
      expect(expectMatchesReference(ours.subarray(start, end), reference)).toBe(end - start);
      days++;
    }
    expect(days).toBeGreaterThan(80);
  });

  it('starts over at each session boundary, here 4 h', () => {
    const indicator = new SessionVWAP({ sessionMs: 4 * hourMs });
    expect(indicator.update(candle(12, 9, 9, 1, 3 * hourMs))).toBe(10); // typical price 10
    expect(indicator.update(candle(22, 19, 19, 3, 3.5 * hourMs))).toBe((10 + 3 * 20) / 4);
    expect(indicator.update(candle(31, 29, 30, 2, 4 * hourMs))).toBe(30); // new session
    expect(indicator.update(candle(31, 29, 30, 0, 5 * hourMs))).toBe(30);
    expect(indicator.update(candle(31, 29, 30, 0, 8 * hourMs))).toBeNaN(); // no volume yet
    expect([indicator.value, indicator.isReady]).toEqual([Number.NaN, true]);
    indicator.reset();
    expect([indicator.value, indicator.isReady]).toEqual([Number.NaN, false]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, fc.integer({ min: 1, max: 24 * hourMs }), (series, sessionMs) => {
        const indicator = new SessionVWAP({ sessionMs });
        const streamed = series.map((c) => indicator.update(c) ?? Number.NaN);
        const batch = sessionVwap(
          series.map((c) => c.time),
          series.map((c) => c.high),
          series.map((c) => c.low),
          series.map((c) => c.close),
          series.map((c) => c.volume),
          { sessionMs },
        );
        expect([...batch]).toEqual(streamed);
      }),
    );
  });

  it('rejects a bad session length and columns of different lengths', () => {
    expect(() => new SessionVWAP({ sessionMs: 0.5 })).toThrow(
      'SessionVWAP sessionMs must be an integer >= 1, got 0.5',
    );
    expect(() => sessionVwap([0], [1], [1], [1], [])).toThrow(
      'SessionVWAP times, highs, lows, closes and volumes must have the same length, got 1, 1, 1, 1, 0',
    );
  });
});

describe('RollingVWAP', () => {
  it('matches the VWAP computed by hand over each window of real BTC 1h candles', () => {
    // technicalindicators has no rolling VWAP: Σ typical · volume / Σ volume over each window,
    // typical price (high + low + close) / 3, summed afresh for every window.
    for (const period of [1, 24, 168]) {
      const reference: number[] = [];
      for (let end = period; end <= btc.length; end++) {
        let weighted = 0;
        let volumes = 0;
        for (let i = end - period; i < end; i++) {
          weighted += ((high[i]! + low[i]! + close[i]!) / 3) * volume[i]!;
          volumes += volume[i]!;
        }
        reference.push(weighted / volumes);
      }
      const ours = rollingVwap(high, low, close, volume, period);
      expect(expectMatchesReference(ours, reference)).toBe(btc.length - period + 1);
    }
  });

  it('weights typical prices by volume over the window, NaN when it holds no volume', () => {
    const indicator = new RollingVWAP(2);
    expect(Number.isNaN(indicator.update(candle(12, 9, 9, 1)))).toBe(true); // typical price 10
    expect(indicator.update(candle(22, 19, 19, 3))).toBe((10 + 3 * 20) / 4);
    expect(indicator.update(candle(31, 29, 30, 0.1))).toBeCloseTo((3 * 20 + 0.1 * 30) / 3.1, 12);
    expect(indicator.update(candle(31, 29, 30, 0))).toBeCloseTo(30, 12);
    expect(indicator.update(candle(31, 29, 30, 0))).toBeNaN();
    expect(indicator.update(candle(42, 39, 39, 0.2))).toBe(40); // exactly: no rounding residue
    indicator.reset();
    expect([indicator.value, indicator.isReady]).toEqual([Number.NaN, false]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, fc.integer({ min: 1, max: 30 }), (series, period) => {
        const indicator = new RollingVWAP(period);
        const streamed = series.map((c) => indicator.update(c) ?? Number.NaN);
        const batch = rollingVwap(
          series.map((c) => c.high),
          series.map((c) => c.low),
          series.map((c) => c.close),
          series.map((c) => c.volume),
          period,
        );
        expect([...batch]).toEqual(streamed);
      }),
    );
  });

  it('rejects a bad period, naming it', () => {
    expect(() => new RollingVWAP(-1)).toThrow('RollingVWAP period must be an integer >= 1, got -1');
  });
});
