import { ema } from '@lumenlink/indicators';
import { describe, expect, it } from 'vitest';
import {
  candlesFromCloses,
  indicesOf,
  loadBtc1h,
  ramp,
  runWithPositions,
  signalsOf,
} from './__fixtures__/candles.js';
import { StrategyParamsError } from './params.js';
import { createStrategy } from './registry.js';

/** The rule, from batch EMAs: a cross where both EMAs have values on this and the previous candle. */
function expectedCrosses(closes: readonly number[], fastPeriod: number, slowPeriod: number) {
  const fast = ema(closes, fastPeriod);
  const slow = ema(closes, slowPeriod);
  const buys: number[] = [];
  const sells: number[] = [];
  for (let i = 1; i < closes.length; i++) {
    const [f, s, pf, ps] = [fast[i]!, slow[i]!, fast[i - 1]!, slow[i - 1]!];
    if ([f, s, pf, ps].some(Number.isNaN)) continue;
    if (f > s && pf <= ps) buys.push(i);
    if (f < s && pf >= ps) sells.push(i);
  }
  return { buys, sells };
}

describe('ema_crossover', () => {
  it('buys on the candle where EMA(9) closes above EMA(21), sells on the mirror cross, and nothing else', () => {
    const closes = [...ramp(100, 80, 40), ...ramp(80, 110, 30), ...ramp(110, 90, 30)];
    const { buys, sells } = expectedCrosses(closes, 9, 21);
    expect(buys.length).toBe(1);
    expect(sells.length).toBeGreaterThanOrEqual(1);
    const steps = runWithPositions(createStrategy('ema_crossover'), candlesFromCloses(closes));
    expect(indicesOf(steps, 'buy')).toEqual(buys);
    expect(indicesOf(steps, 'sell')).toEqual(sells);
    expect(steps[buys[0]!]!.signal.reason).toMatch(/^EMA\(9\) crossed above EMA\(21\): /);
    expect(steps[sells[0]!]!.signal.reason).toMatch(/^EMA\(9\) crossed below EMA\(21\): /);
  });

  it('counts a cross from equality: fast equal to slow on the previous candle, above on this one', () => {
    const closes = [...Array.from({ length: 30 }, () => 100), 101, 102];
    const signals = signalsOf(createStrategy('ema_crossover'), candlesFromCloses(closes));
    expect(signals.map((signal) => signal.action).indexOf('buy')).toBe(30);
    expect(signals.filter((signal) => signal.action !== 'hold')).toHaveLength(1);
    expect(signals[29]!.reason).toBe('EMA(9) equals EMA(21): no cross on this candle');
  });

  it('needs both EMAs ready on both candles: no signal on the candle the slow EMA first has a value', () => {
    // Falling, then rising so that the fast EMA is already above the slow one when the slow one
    // gets its first value (candle 21, index 20): that is not a cross.
    const closes = [...ramp(120, 100, 12), ...ramp(100, 130, 20)];
    const fast = ema(closes, 9);
    const slow = ema(closes, 21);
    expect(Number.isNaN(slow[19]!)).toBe(true);
    expect(fast[20]! > slow[20]!).toBe(true);
    const strategy = createStrategy('ema_crossover');
    expect(strategy.warmup).toBe(22);
    const signals = signalsOf(strategy, candlesFromCloses(closes));
    expect(signals.every((signal) => signal.action === 'hold')).toBe(true);
  });

  it('matches the rule on 2,000 real candles, for periods given as parameters', () => {
    const real = loadBtc1h();
    const closes = real.map((candle) => candle.close);
    for (const [fastPeriod, slowPeriod] of [
      [9, 21],
      [12, 26],
      [5, 50],
    ] as const) {
      const { buys, sells } = expectedCrosses(closes, fastPeriod, slowPeriod);
      const signals = signalsOf(createStrategy('ema_crossover', { fastPeriod, slowPeriod }), real);
      expect(signals.flatMap((signal, i) => (signal.action === 'buy' ? [i] : []))).toEqual(buys);
      expect(signals.flatMap((signal, i) => (signal.action === 'sell' ? [i] : []))).toEqual(sells);
    }
  });

  it('sells on a cross down whether or not a position is open, with the configured confidence', () => {
    const closes = [...ramp(80, 110, 40), ...ramp(110, 90, 20)];
    const steps = runWithPositions(
      createStrategy('ema_crossover', { confidence: 0.6 }),
      candlesFromCloses(closes),
      { trackPositions: false },
    );
    const sell = steps.find((step) => step.signal.action === 'sell');
    expect(sell?.position).toBeNull();
    expect(sell?.signal.confidence).toBe(0.6);
  });

  it('rejects a fast period not below the slow one', () => {
    expect(() => createStrategy('ema_crossover', { fastPeriod: 21, slowPeriod: 21 })).toThrow(
      /slowPeriod: must be above fastPeriod \(21\)/,
    );
    expect(() => createStrategy('ema_crossover', { fastPeriod: 0 })).toThrow(StrategyParamsError);
  });
});
