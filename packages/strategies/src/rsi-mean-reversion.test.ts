import { ValidationError } from '@lumenlink/core';
import { rsi } from '@lumenlink/indicators';
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
import { rsiMeanReversion } from './rsi-mean-reversion.js';

/** Indices where the RSI series crosses up through `level` (previous below, current at or above). */
function crossesUp(values: Float64Array, level: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) {
    if (values[i - 1]! < level && values[i]! >= level) out.push(i);
  }
  return out;
}

function crossesDown(values: Float64Array, level: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) {
    if (values[i - 1]! > level && values[i]! <= level) out.push(i);
  }
  return out;
}

// Up, a long slide that drives the RSI deep below 30, then a recovery that lifts it through 30,
// on through 70, and a fall back through 70.
const closes = [
  ...ramp(100, 110, 20),
  ...ramp(110, 80, 20),
  ...ramp(80, 84, 3),
  ...ramp(84, 120, 25),
  ...ramp(120, 110, 6),
];
const candles = candlesFromCloses(closes);

describe('rsi_mean_reversion', () => {
  it('buys exactly where RSI(14) crosses up through oversold and sells where it crosses down through overbought', () => {
    const values = rsi(closes, 14);
    const expectedBuys = crossesUp(values, 30);
    const expectedSells = crossesDown(values, 70);
    expect(expectedBuys.length).toBeGreaterThan(0);
    expect(expectedSells.length).toBeGreaterThan(0);
    const steps = runWithPositions(createStrategy('rsi_mean_reversion'), candles);
    expect(indicesOf(steps, 'buy')).toEqual(expectedBuys);
    expect(indicesOf(steps, 'sell')).toEqual(expectedSells);
    const buy = steps[expectedBuys[0]!]!.signal;
    expect(buy.reason).toMatch(/^RSI\(14\) crossed up through oversold 30: /);
    expect(buy.confidence).toBeGreaterThanOrEqual(0.5);
    expect(buy.confidence).toBeLessThanOrEqual(1);
  });

  it('matches the RSI definition on 2,000 real candles, for the levels given as parameters', () => {
    const real = loadBtc1h();
    const values = rsi(
      real.map((candle) => candle.close),
      14,
    );
    for (const [oversold, overbought] of [
      [30, 70],
      [25, 75],
      [40, 60],
    ] as const) {
      const signals = signalsOf(
        createStrategy('rsi_mean_reversion', { oversold, overbought }),
        real,
      );
      const buys = signals.flatMap((signal, i) => (signal.action === 'buy' ? [i] : []));
      const sells = signals.flatMap((signal, i) => (signal.action === 'sell' ? [i] : []));
      expect(buys).toEqual(crossesUp(values, oversold));
      expect(sells).toEqual(crossesDown(values, overbought));
    }
  });

  it('holds while the RSI stays below oversold, with a constant reason', () => {
    const steps = runWithPositions(createStrategy('rsi_mean_reversion'), candles);
    const values = rsi(closes, 14);
    const below = steps.filter((step) => values[step.index]! < 30 && values[step.index - 1]! < 30);
    expect(below.length).toBeGreaterThan(3);
    for (const step of below) {
      expect(step.signal.action).toBe('hold');
      expect(step.signal.reason).toBe(
        'RSI(14) is below oversold 30: waiting for the cross back up',
      );
    }
  });

  it('sells on the cross down even when flat (risk blocks a phantom sell)', () => {
    const steps = runWithPositions(createStrategy('rsi_mean_reversion'), candles, {
      trackPositions: false,
    });
    const sells = steps.filter((step) => step.signal.action === 'sell');
    expect(sells.length).toBeGreaterThan(0);
    expect(sells.every((step) => step.position === null)).toBe(true);
  });

  it('grows its confidence from 0.5 to 1 with the depth of the dip or the height of the peak', () => {
    const real = loadBtc1h();
    const values = rsi(
      real.map((candle) => candle.close),
      14,
    );
    const signals = signalsOf(createStrategy('rsi_mean_reversion'), real);
    let checked = 0;
    signals.forEach((signal, i) => {
      if (signal.action === 'hold') return;
      // The extreme of the run of RSI values beyond the level that ends on the previous candle.
      let extreme = values[i - 1]!;
      for (
        let j = i - 1;
        j >= 0 && (signal.action === 'buy' ? values[j]! < 30 : values[j]! > 70);
        j--
      ) {
        extreme =
          signal.action === 'buy' ? Math.min(extreme, values[j]!) : Math.max(extreme, values[j]!);
      }
      const expected =
        signal.action === 'buy'
          ? 0.5 + (0.5 * (30 - extreme)) / 30
          : 0.5 + (0.5 * (extreme - 70)) / 30;
      expect(signal.confidence).toBeCloseTo(expected, 12);
      checked++;
    });
    expect(checked).toBeGreaterThan(20);
  });

  it('emits only holds during its warm-up of period + 2 candles', () => {
    const strategy = createStrategy('rsi_mean_reversion', { period: 5 });
    expect(strategy.warmup).toBe(7);
    const signals = signalsOf(strategy, candles);
    expect(signals.slice(0, strategy.warmup - 1).every((signal) => signal.action === 'hold')).toBe(
      true,
    );
  });

  it('rejects oversold at or above overbought, naming the parameter', () => {
    expect(() => createStrategy('rsi_mean_reversion', { oversold: 70, overbought: 60 })).toThrow(
      StrategyParamsError,
    );
    try {
      rsiMeanReversion.create({ oversold: 70, overbought: 60 });
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain('overbought: must be above oversold (70)');
    }
  });
});
