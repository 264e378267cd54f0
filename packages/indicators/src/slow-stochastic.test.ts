import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridCandles } from './__fixtures__/arbitraries.js';
import { loadBtc1h } from './__fixtures__/candles.js';
import {
  tulipClose,
  tulipHigh,
  tulipLow,
  tulipStochD,
  tulipStochK,
} from './__fixtures__/tulip-untest.js';
import { SlowStochastic, slowStochastic } from './slow-stochastic.js';
import { sma } from './sma.js';
import { stochastic } from './stochastic.js';

describe('SlowStochastic', () => {
  it("matches tulipindicators' stoch 5 3 3 vectors (TA-Lib's STOCH, lookback 8)", () => {
    const { k, d } = slowStochastic(tulipHigh, tulipLow, tulipClose, {
      period: 5,
      slowing: 3,
      signal: 3,
    });
    expect(Number.isNaN(k[7]!) && Number.isNaN(d[7]!)).toBe(true);
    for (let i = 8; i < tulipHigh.length; i++) {
      expect(k[i]).toBeCloseTo(tulipStochK[i - 8]!, 2);
      expect(d[i]).toBeCloseTo(tulipStochD[i - 8]!, 2);
    }
  });

  it('is the SMA of the fast %K, and %D the SMA of that, on real BTC 1h candles', () => {
    const { high, low, close } = loadBtc1h();
    const fast = stochastic(high, low, close, { period: 14, signal: 1 }).k;
    const slowK = sma(fast.subarray(13), 3);
    const slowD = sma(slowK.subarray(2), 3);
    const ours = slowStochastic(high, low, close, { period: 14, slowing: 3, signal: 3 });
    for (let i = 17; i < close.length; i++) {
      expect(ours.k[i]).toBeCloseTo(slowK[i - 13]!, 9);
      expect(ours.d[i]).toBeCloseTo(slowD[i - 15]!, 9);
    }
  });

  it('returns one reused result, NaN fields while warming up, and defaults to 14, 3, 3', () => {
    const indicator = new SlowStochastic({ period: 1, slowing: 1, signal: 2 });
    const candle = (high: number, low: number, close: number) => ({ high, low, close, volume: 1 });
    expect({ ...indicator.update(candle(10, 0, 5)) }).toEqual({ k: Number.NaN, d: Number.NaN });
    const result = indicator.update(candle(10, 0, 10));
    expect(result).toEqual({ k: 100, d: 75 });
    expect(indicator.value).toBe(result);
    indicator.reset();
    expect(indicator.isReady).toBe(false);
    const defaults = new SlowStochastic();
    expect([defaults.period, defaults.slowing, defaults.signal]).toEqual([14, 3, 3]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(
        gridCandles({ gridMax: 5 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 5 }),
        (series, period, slowing) => {
          const options = { period, slowing, signal: 3 };
          const indicator = new SlowStochastic(options);
          const streamed = series.map((c) => ({ ...indicator.update(c) }));
          const batch = slowStochastic(
            series.map((c) => c.high),
            series.map((c) => c.low),
            series.map((c) => c.close),
            options,
          );
          expect([...batch.k]).toEqual(streamed.map((r) => r.k));
          expect([...batch.d]).toEqual(streamed.map((r) => r.d));
        },
      ),
    );
  });

  it('rejects bad options, naming them', () => {
    expect(() => new SlowStochastic({ slowing: 0 })).toThrow(
      'SlowStochastic slowing must be an integer >= 1, got 0',
    );
  });
});
