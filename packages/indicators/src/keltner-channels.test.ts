import fc from 'fast-check';
import { KeltnerChannels as TiKeltnerChannels } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectMatchesReference, loadBtc1h } from './__fixtures__/candles.js';
import { KeltnerChannels, keltnerChannels } from './keltner-channels.js';

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

describe('KeltnerChannels', () => {
  it('matches technicalindicators (EMA middle, useSMA false) on real BTC 1h candles to 1e-9', () => {
    for (const [period, atrPeriod, multiplier] of [
      [20, 10, 2],
      [20, 20, 1.5],
      [10, 30, 1],
    ] as const) {
      const reference = TiKeltnerChannels.calculate({
        maPeriod: period,
        atrPeriod,
        multiplier,
        useSMA: false,
        high: [...high],
        low: [...low],
        close: [...close],
      });
      const ours = keltnerChannels(high, low, close, { period, atrPeriod, multiplier });
      const count = close.length - Math.max(period - 1, atrPeriod);
      expect(
        expectMatchesReference(
          ours.middle,
          reference.map((r) => r.middle),
        ),
      ).toBe(count);
      expect(
        expectMatchesReference(
          ours.upper,
          reference.map((r) => r.upper),
        ),
      ).toBe(count);
      expect(
        expectMatchesReference(
          ours.lower,
          reference.map((r) => r.lower),
        ),
      ).toBe(count);
    }
  });

  it('puts the channels multiplier ATRs around the EMA of closes, in one reused result', () => {
    const indicator = new KeltnerChannels({ period: 2, atrPeriod: 1, multiplier: 2 });
    const candle = (high: number, low: number, close: number) => ({ high, low, close, volume: 1 });
    indicator.update(candle(10, 8, 9)); // no true range yet
    expect(indicator.isReady).toBe(false);
    const first = indicator.update(candle(12, 10, 11)); // EMA (9 + 11) / 2, true range 3
    expect(first).toEqual({ middle: 10, upper: 16, lower: 4 });
    const second = indicator.update(candle(13, 12, 13)); // EMA 10 + 2/3 · 3, true range 2
    expect(second).toBe(first);
    expect(second).toEqual({ middle: 12, upper: 16, lower: 8 });
    indicator.reset();
    expect([{ ...indicator.value }, indicator.isReady]).toEqual([
      { middle: Number.NaN, upper: Number.NaN, lower: Number.NaN },
      false,
    ]);
  });

  it('agrees exactly with its batch function on random candles', () => {
    fc.assert(
      fc.property(
        candles,
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        (series, period, atrPeriod) => {
          const indicator = new KeltnerChannels({ period, atrPeriod });
          const streamed = series.map((c) => {
            const result = indicator.update(c);
            return result && { ...result };
          });
          const batch = keltnerChannels(
            series.map((c) => c.high),
            series.map((c) => c.low),
            series.map((c) => c.close),
            { period, atrPeriod },
          );
          for (const key of ['middle', 'upper', 'lower'] as const) {
            expect([...batch[key]]).toEqual(streamed.map((result) => result?.[key] ?? Number.NaN));
          }
        },
      ),
    );
  });

  it('rejects bad options, naming them', () => {
    expect(() => new KeltnerChannels({ atrPeriod: 0 })).toThrow(
      'KeltnerChannels atrPeriod must be an integer >= 1, got 0',
    );
    expect(() => keltnerChannels([1], [1], [1], { multiplier: 0 })).toThrow(
      'KeltnerChannels multiplier must be a finite number > 0, got 0',
    );
    expect(() => keltnerChannels([1], [1], [1, 2])).toThrow('must have the same length');
  });
});
