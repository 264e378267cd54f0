import type { MarketContext } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import {
  candlesFromCloses,
  contextFor,
  dayMs,
  hourMs,
  indicesOf,
  position,
  runWithPositions,
  startTime,
} from './__fixtures__/candles.js';
import { createStrategy } from './registry.js';

const flat = (count: number, start = startTime) =>
  candlesFromCloses(
    Array.from({ length: count }, () => 100),
    { start },
  );

function market(value: number, updatedAt: number): MarketContext {
  return { fearGreed: { value, classification: 'test', updatedAt } };
}

describe('smart_dca', () => {
  it('buys once per schedule period, on its first closed candle', () => {
    const steps = runWithPositions(createStrategy('smart_dca', { takeProfitPct: 0 }), flat(72));
    expect(indicesOf(steps, 'buy')).toEqual([0, 24, 48]);
    expect(steps[1]!.signal.reason).toBe(
      'smart DCA bought in this 1d period: next buy in the next one',
    );
    // Starting mid-day: that day's first seen candle buys, then each midnight.
    const late = runWithPositions(
      createStrategy('smart_dca', { takeProfitPct: 0 }),
      flat(30, startTime + 15 * hourMs),
    );
    expect(indicesOf(late, 'buy')).toEqual([0, 9]);
    const weekly = runWithPositions(
      createStrategy('smart_dca', { schedule: '1w', takeProfitPct: 0 }),
      candlesFromCloses(
        Array.from({ length: 21 }, () => 100),
        { interval: dayMs },
      ),
    );
    // 2024-01-01 is a Monday: weeks open on days 0, 7 and 14.
    expect(indicesOf(weekly, 'buy')).toEqual([0, 7, 14]);
  });

  it('sizes each buy by Fear & Greed through portion: more in fear, less in greed, base without it', () => {
    const portionAt = (context?: (time: number) => MarketContext) => {
      const strategy = createStrategy('smart_dca', { basePortion: 0.1 });
      const candle = flat(1)[0]!;
      const time = candle.time + hourMs;
      return strategy.onCandle(candle, contextFor(candle, null, context?.(time))).portion;
    };
    expect(portionAt()).toBeCloseTo(0.1, 12);
    expect(portionAt((time) => market(50, time))).toBeCloseTo(0.1, 12);
    expect(portionAt((time) => market(0, time))).toBeCloseTo(0.2, 12); // fearMultiplier 2
    expect(portionAt((time) => market(25, time))).toBeCloseTo(0.15, 12);
    expect(portionAt((time) => market(100, time))).toBeCloseTo(0.025, 12); // greedMultiplier 0.25
    expect(portionAt((time) => market(75, time))).toBeCloseTo(0.0625, 12);
    // A value older than sentimentMaxAgeMs (2 days) counts as none.
    expect(portionAt((time) => market(0, time - 3 * dayMs))).toBeCloseTo(0.1, 12);
    const candle = flat(1)[0]!;
    const signal = createStrategy('smart_dca').onCandle(
      candle,
      contextFor(candle, null, market(10, candle.time)),
    );
    expect(signal.reason).toBe(
      'smart DCA scheduled 1d buy, Fear & Greed 10 (test): 1.80x the base 10% = 18% of the max position',
    );
  });

  it('never buys more than the whole max position', () => {
    const strategy = createStrategy('smart_dca', { basePortion: 0.8, fearMultiplier: 3 });
    const candle = flat(1)[0]!;
    expect(
      strategy.onCandle(candle, contextFor(candle, null, market(0, candle.time))).portion,
    ).toBe(1);
  });

  it('takes profit on the averaged position at takeProfitPct above its average entry', () => {
    const strategy = createStrategy('smart_dca', { takeProfitPct: 10, takeProfitPortion: 0.5 });
    const candles = candlesFromCloses([100, 105, 109.9, 110], { start: startTime });
    const held = position(3, 100);
    const signals = candles.map((candle) => strategy.onCandle(candle, contextFor(candle, held)));
    expect(signals.map((signal) => signal.action)).toEqual(['buy', 'hold', 'hold', 'sell']);
    expect(signals[3]!.portion).toBe(0.5);
    expect(signals[3]!.reason).toBe(
      'smart DCA take-profit: close 110.00 is 10.00% above the average entry 100.00 (target 10%): sell 50% of the position',
    );
    expect(signals[1]!.reason).toBe(
      'smart DCA bought in this 1d period; the position is below its 10% take-profit',
    );
  });

  it('sells only with a position, and never with takeProfitPct 0', () => {
    const rising = candlesFromCloses(Array.from({ length: 96 }, (_, i) => 100 * 1.01 ** i));
    const flatRun = runWithPositions(createStrategy('smart_dca'), rising, {
      trackPositions: false,
    });
    expect(indicesOf(flatRun, 'sell')).toEqual([]);
    const tracked = runWithPositions(createStrategy('smart_dca'), rising);
    expect(indicesOf(tracked, 'sell').length).toBeGreaterThan(0);
    const off = runWithPositions(createStrategy('smart_dca', { takeProfitPct: 0 }), rising);
    expect(indicesOf(off, 'sell')).toEqual([]);
  });

  it('rejects a schedule that is not a timeframe', () => {
    expect(() => createStrategy('smart_dca', { schedule: 'daily' as never })).toThrow(
      /schedule: not a timeframe \(got "daily"\)\. Accepted: a timeframe/,
    );
  });
});
