import type { Candle } from '@lumenlink/core';
import { atr } from '@lumenlink/indicators';
import { describe, expect, it } from 'vitest';
import {
  candlesFromCloses,
  contextFor,
  position,
  ramp,
  runWithPositions,
} from './__fixtures__/candles.js';
import { createStrategy } from './registry.js';

const fixed = { range: 'fixed', lower: 100, upper: 110, levels: 11 } as const;

function actions(steps: ReturnType<typeof runWithPositions>) {
  return steps.map((step) => [step.signal.action, step.signal.portion]);
}

describe('grid_trading', () => {
  it('buys one grid portion per level crossed down and sells one held unit per level crossed up', () => {
    // Lines at 100, 101, ..., 110.
    const closes = [105.5, 104.5, 102.5, 103.5, 105.2, 106.3];
    const steps = runWithPositions(
      createStrategy('grid_trading', fixed),
      candlesFromCloses(closes, { spread: 0 }),
    );
    expect(actions(steps)).toEqual([
      ['hold', undefined], // first candle: no previous close
      ['buy', 0.1], // 105 crossed down: 1 unit
      ['buy', 0.2], // 104 and 103 crossed down: 2 units (3 held)
      ['sell', 1 / 3], // 103 crossed up: 1 of 3 units
      ['sell', 1], // 104 and 105 crossed up: the 2 units left
      ['hold', undefined], // 106 crossed up with nothing held
    ]);
    expect(steps[2]!.signal.reason).toBe(
      'grid: crossed down through 2 levels (104.00 to 103.00): buy 2 units of 10%, 3 of 10 held after',
    );
    expect(steps[3]!.signal.reason).toBe(
      'grid: crossed up through 1 level (103.00): sell 1 of 3 units held (33.33% of the position)',
    );
    expect(steps[5]!.signal.reason).toBe('crossed up through a level, but no grid unit is held');
    expect(steps.at(-1)!.position).toBeNull();
  });

  it('holds at most 1 / portion units', () => {
    const closes = [105.5, 104.5, 103.5, 102.5];
    const steps = runWithPositions(
      createStrategy('grid_trading', { ...fixed, portion: 0.5 }),
      candlesFromCloses(closes, { spread: 0 }),
    );
    expect(actions(steps)).toEqual([
      ['hold', undefined],
      ['buy', 0.5],
      ['buy', 0.5],
      ['hold', undefined],
    ]);
    expect(steps[3]!.signal.reason).toBe(
      'crossed down through a level, but all 2 grid units are held',
    );
  });

  it('sells only with a position: a position closed elsewhere leaves no units to sell', () => {
    const strategy = createStrategy('grid_trading', fixed);
    const candles = candlesFromCloses([105.5, 104.5, 105.5, 104.5, 105.5], { spread: 0 });
    const held = position(1, 104.5);
    const seen = [
      strategy.onCandle(candles[0]!, contextFor(candles[0]!)),
      strategy.onCandle(candles[1]!, contextFor(candles[1]!)), // buy 1 unit
      strategy.onCandle(candles[2]!, contextFor(candles[2]!)), // the buy never filled: no units
      strategy.onCandle(candles[3]!, contextFor(candles[3]!)), // buy again
      strategy.onCandle(candles[4]!, contextFor(candles[4]!, held)), // filled: sell it
    ].map((signal) => [signal.action, signal.portion]);
    expect(seen).toEqual([
      ['hold', undefined],
      ['buy', 0.1],
      ['hold', undefined],
      ['buy', 0.1],
      ['sell', 1],
    ]);
  });

  it('treats an inherited position (a restart) as one unit', () => {
    const strategy = createStrategy('grid_trading', fixed);
    const candles = candlesFromCloses([104.5, 105.5], { spread: 0 });
    const held = position(2, 100);
    strategy.onCandle(candles[0]!, contextFor(candles[0]!, held));
    const signal = strategy.onCandle(candles[1]!, contextFor(candles[1]!, held));
    expect([signal.action, signal.portion]).toEqual(['sell', 1]);
  });

  it('derives its range from the Donchian channel and rebuilds it when the price leaves it while flat', () => {
    // Highs and lows equal the bodies: Donchian(5) at candle 5 spans 100..108; lines 100, 102, ... 108.
    const closes = [100, 102, 104, 106, 108, 105, 109, 120, 115];
    const strategy = createStrategy('grid_trading', {
      range: 'donchian',
      donchianPeriod: 5,
      levels: 5,
    });
    expect(strategy.warmup).toBe(6);
    const steps = runWithPositions(strategy, candlesFromCloses(closes, { spread: 0 }));
    expect(steps.slice(0, 5).every((step) => step.signal.action === 'hold')).toBe(true);
    expect(steps[5]!.signal.reason).toBe(
      'grid: crossed down through 1 level (106.00): buy 1 unit of 10%, 1 of 10 held after',
    );
    expect(steps[6]!.signal.reason).toBe(
      'grid: crossed up through 2 levels (106.00 to 108.00): sell 1 of 1 unit held (100% of the position)',
    );
    expect(steps[7]!.signal.reason).toBe('grid rebuilt on a new donchian range around the price');
    // New range: Donchian(5) of candles 3..7 spans 104..120; lines 104, 108, 112, 116, 120.
    expect(steps[8]!.signal.reason).toBe(
      'grid: crossed down through 1 level (116.00): buy 1 unit of 10%, 1 of 10 held after',
    );
  });

  it('derives its range from close ± atrMultiplier × ATR', () => {
    const closes = [...ramp(100, 102, 4), 100.9, 102.5, 98.7, 101.2, 99.9];
    const candles: Candle[] = candlesFromCloses(closes, { spread: 0.002 });
    const atrPeriod = 3;
    const values = atr(
      candles.map((candle) => candle.high),
      candles.map((candle) => candle.low),
      candles.map((candle) => candle.close),
      atrPeriod,
    );
    const strategy = createStrategy('grid_trading', {
      range: 'atr',
      atrPeriod,
      atrMultiplier: 6,
      levels: 9,
    });
    expect(strategy.warmup).toBe(atrPeriod + 2);
    const steps = runWithPositions(strategy, candles);
    const built = atrPeriod; // the first candle with an ATR
    const lower = closes[built]! - 6 * values[built]!;
    const upper = closes[built]! + 6 * values[built]!;
    expect(Math.min(...closes)).toBeGreaterThan(lower);
    expect(Math.max(...closes)).toBeLessThan(upper);
    const lines = Array.from({ length: 9 }, (_, i) => lower + (i * (upper - lower)) / 8);
    const crossedDown = (from: number, to: number) =>
      lines.filter((line) => from > line && to <= line);
    for (let i = built + 1; i < closes.length; i++) {
      const down = crossedDown(closes[i - 1]!, closes[i]!);
      if (down.length > 0) {
        expect(steps[i]!.signal.action).toBe('buy');
        expect(steps[i]!.signal.reason).toContain(`(${down.at(-1)!.toFixed(2)}`);
      }
    }
    expect(steps.filter((step) => step.signal.action === 'buy').length).toBeGreaterThanOrEqual(2);
    expect(steps.some((step) => step.signal.reason.startsWith('grid rebuilt'))).toBe(false);
  });

  it('keeps state per instance, so per symbol', () => {
    const a = createStrategy('grid_trading', fixed);
    const b = createStrategy('grid_trading', fixed);
    const down = candlesFromCloses([105.5, 104.5], { spread: 0 });
    const flat = candlesFromCloses([105.5, 105.6], { spread: 0 });
    a.onCandle(down[0]!, contextFor(down[0]!, null, undefined, 'BTC-USDT'));
    b.onCandle(flat[0]!, contextFor(flat[0]!, null, undefined, 'ETH-USDT'));
    expect(a.onCandle(down[1]!, contextFor(down[1]!, null, undefined, 'BTC-USDT')).action).toBe(
      'buy',
    );
    expect(b.onCandle(flat[1]!, contextFor(flat[1]!, null, undefined, 'ETH-USDT')).action).toBe(
      'hold',
    );
  });

  it('requires lower and upper with a fixed range', () => {
    expect(() => createStrategy('grid_trading', { range: 'fixed' })).toThrow(
      /lower: is required with range fixed \(got nothing\)\. Accepted: a number > 0/,
    );
    expect(() => createStrategy('grid_trading', { range: 'fixed', lower: 10, upper: 5 })).toThrow(
      /upper: must be above lower \(10\)/,
    );
    expect(() => createStrategy('grid_trading', { range: 'bands' as never })).toThrow(
      /range: got "bands"\. Accepted: one of donchian, atr, fixed \(default "donchian"\)/,
    );
  });
});
