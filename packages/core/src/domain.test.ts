import { describe, expect, it } from 'vitest';
import { assertValidCandle, candleProblem, type Candle } from './candle.js';
import { DataIntegrityError, ValidationError } from './errors.js';
import { contextAge } from './market-context.js';
import { assertPositionTransition, canTransitionPosition } from './position.js';
import { hold, signalSchema } from './signal.js';
import { allowsEntries, allowsExits } from './trading-state.js';

const good: Candle = { time: 1_700_000_000_000, open: 10, high: 12, low: 9, close: 11, volume: 5 };

describe('candles', () => {
  it('accepts a sound candle', () => {
    expect(candleProblem(good)).toBeUndefined();
    expect(() => assertValidCandle(good)).not.toThrow();
  });

  it.each([
    [{ high: 8 }, 'low 9 is above high 8'],
    [{ close: 13 }, 'close 13 is outside low..high 9..12'],
    [{ open: 8.5 }, 'open 8.5 is outside low..high 9..12'],
    [{ volume: -1 }, 'volume -1 is not a non-negative number'],
    [{ low: Number.NaN }, 'low NaN is not a positive price'],
    [{ time: 1.5 }, 'time 1.5 is not an epoch time in ms'],
  ] as const)('rejects %j', (patch, problem) => {
    const candle = { ...good, ...patch };
    expect(candleProblem(candle)).toBe(problem);
    expect(() => assertValidCandle(candle, 'BTC-USD')).toThrow(DataIntegrityError);
    expect(() => assertValidCandle(candle, 'BTC-USD')).toThrow(
      `BTC-USD candle at ${candle.time}: ${problem}`,
    );
  });
});

describe('signals', () => {
  it('validates what strategies return', () => {
    expect(signalSchema.safeParse(hold('flat market')).success).toBe(true);
    expect(
      signalSchema.safeParse({
        action: 'buy',
        confidence: 0.7,
        reason: 'x',
        portion: 0.5,
        stopLoss: 90,
      }).success,
    ).toBe(true);
    expect(signalSchema.safeParse({ action: 'buy', confidence: 1.2, reason: 'x' }).success).toBe(
      false,
    );
    expect(
      signalSchema.safeParse({ action: 'buy', confidence: 0.5, reason: 'x', portion: 0 }).success,
    ).toBe(false);
    expect(signalSchema.safeParse({ action: 'short', confidence: 0.5, reason: 'x' }).success).toBe(
      false,
    );
    expect(signalSchema.safeParse({ action: 'buy', confidence: 0.5, reason: '' }).success).toBe(
      false,
    );
    expect(
      signalSchema.safeParse({ action: 'buy', confidence: 0.5, reason: 'x', extra: 1 }).success,
    ).toBe(false);
  });
});

describe('positions and trading states', () => {
  it('follows flat -> pending -> filled -> managing -> exited', () => {
    expect(canTransitionPosition('flat', 'pending')).toBe(true);
    expect(canTransitionPosition('pending', 'filled')).toBe(true);
    expect(canTransitionPosition('filled', 'managing')).toBe(true);
    expect(canTransitionPosition('managing', 'exited')).toBe(true);
    expect(canTransitionPosition('flat', 'exited')).toBe(false);
    expect(() => assertPositionTransition('flat', 'managing', 'ETH-USD')).toThrow(ValidationError);
  });

  it('lets reducing exit but not enter, and halted do nothing', () => {
    expect([allowsEntries('active'), allowsExits('active')]).toEqual([true, true]);
    expect([allowsEntries('reducing'), allowsExits('reducing')]).toEqual([false, true]);
    expect([allowsEntries('halted'), allowsExits('halted')]).toEqual([false, false]);
  });

  it('measures the age of context parts', () => {
    expect(contextAge({ updatedAt: 1_000 }, 61_000)).toBe(60_000);
    expect(contextAge(undefined, 61_000)).toBeUndefined();
  });
});
