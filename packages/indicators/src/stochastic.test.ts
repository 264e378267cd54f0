import type { CandleLike } from '@lumenlink/core';
import fc from 'fast-check';
import { Stochastic as TiStochastic } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { gridCandles } from './__fixtures__/arbitraries.js';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { Stochastic, stochastic, type StochasticOptions } from './stochastic.js';

const { high, low, close } = loadBtc1h();
/** Random candles, some on a coarse integer grid so that ties and empty ranges occur. */
const candles = gridCandles({ gridMax: 3 });
const options = fc.record({
  period: fc.integer({ min: 1, max: 30 }),
  signal: fc.integer({ min: 1, max: 10 }),
});

/** Streams candles through a fresh Stochastic, copying each reused result; NaN while warming up. */
function stream(options: StochasticOptions, input: readonly CandleLike[]) {
  const indicator = new Stochastic(options);
  const out = { k: [] as number[], d: [] as number[] };
  for (const candle of input) {
    const result = indicator.update(candle);
    out.k.push(result?.k ?? Number.NaN);
    out.d.push(result?.d ?? Number.NaN);
  }
  return out;
}

describe('Stochastic', () => {
  it('matches technicalindicators on real BTC 1h candles to 1e-9', () => {
    for (const [period, signal] of [
      [14, 3],
      [5, 2],
      [21, 7],
    ] as const) {
      const reference = TiStochastic.calculate({
        high: [...high],
        low: [...low],
        close: [...close],
        period,
        signalPeriod: signal,
      });
      const ours = stochastic(high, low, close, { period, signal });
      // technicalindicators gives %K from the period-th candle with %D undefined until it is
      // ready; we return both from then on only.
      const skip = period + signal - 2;
      const count = close.length - skip;
      expect(Number.isNaN(ours.k[skip - 1]!) && !Number.isNaN(ours.k[skip]!)).toBe(true);
      expect(
        expectMatchesReference(
          ours.k,
          reference.map((r) => r.k),
          { skip },
        ),
      ).toBe(count);
      const d = reference.map((r) => r.d ?? Number.NaN);
      expect(expectMatchesReference(ours.d, d, { skip })).toBe(count);
    }
  });

  it('places the close in the range and averages %K, returning one reused object', () => {
    const indicator = new Stochastic({ period: 2, signal: 2 });
    indicator.update({ high: 10, low: 8, close: 9, volume: 1 });
    expect(indicator.isReady).toBe(false);
    // %K over highs 10, 12 and lows 8, 8: (11 - 8) / (12 - 8) = 75; %D warming up
    indicator.update({ high: 12, low: 8, close: 11, volume: 1 });
    expect(indicator.isReady).toBe(false);
    // %K over highs 12, 13 and lows 8, 10: (9 - 8) / (13 - 8) = 20; %D (75 + 20) / 2
    const first = indicator.update({ high: 13, low: 10, close: 9, volume: 1 });
    expect(first).toEqual({ k: 20, d: 47.5 });
    expect(indicator.update({ high: 13, low: 10, close: 13, volume: 1 })).toBe(first);
    expect(first).toEqual({ k: 100, d: 60 });
    expect(indicator.value).toBe(first);
    expect(indicator.isReady).toBe(true);
    indicator.reset();
    expect({ ...indicator.value }).toEqual({ k: Number.NaN, d: Number.NaN });
    expect(indicator.isReady).toBe(false);
    indicator.update({ high: 1, low: 1, close: 1, volume: 1 });
    expect(indicator.isReady).toBe(false);
  });

  it('gives %K 0 over an empty range, as both references', () => {
    const flat = [5, 5, 5, 5];
    expect([...stochastic(flat, flat, flat, { period: 2, signal: 1 }).k]).toEqual([
      Number.NaN,
      0,
      0,
      0,
    ]);
  });

  it('defaults to period 14 and signal 3', () => {
    const indicator = new Stochastic();
    expect([indicator.period, indicator.signal]).toEqual([14, 3]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(candles, options, (input, o) => {
        const batch = stochastic(
          input.map((c) => c.high),
          input.map((c) => c.low),
          input.map((c) => c.close),
          o,
        );
        const streamed = stream(o, input);
        expect([...batch.k]).toEqual(streamed.k);
        expect([...batch.d]).toEqual(streamed.d);
      }),
    );
  });

  it('rejects bad options and columns of different lengths, naming them', () => {
    expect(() => new Stochastic({ period: 0 })).toThrow(
      'Stochastic period must be an integer >= 1, got 0',
    );
    expect(() => new Stochastic({ signal: 1.5 })).toThrow(
      'Stochastic signal must be an integer >= 1, got 1.5',
    );
    expect(() => stochastic([1, 2], [1], [1, 2])).toThrow(
      'Stochastic highs, lows and closes must have the same length, got 2, 1, 2',
    );
  });
});
