import { ema, rsi } from '@lumenlink/indicators';
import { describe, expect, it } from 'vitest';
import {
  candlesFromCloses,
  contextFor,
  indicesOf,
  loadBtc1h,
  position,
  ramp,
  runWithPositions,
  wave,
} from './__fixtures__/candles.js';
import { createStrategy } from './registry.js';

/** Bullish and bearish agreement per candle, from batch indicators, at the default parameters. */
function agreement(closes: readonly number[]) {
  const fast = ema(closes, 9);
  const slow = ema(closes, 21);
  const strength = rsi(closes, 14);
  const bullish = closes.map(
    (_, i) => fast[i]! > slow[i]! && strength[i]! > 50 && strength[i]! < 70,
  );
  const bearish = closes.map((_, i) => fast[i]! < slow[i]! && strength[i]! < 50);
  // Agreement can begin only on a candle after one with every indicator ready.
  const ready = closes.map((_, i) => !Number.isNaN(slow[i]!) && !Number.isNaN(strength[i]!));
  const begins = closes.map((_, i) => bullish[i]! && i > 0 && ready[i - 1]! && !bullish[i - 1]!);
  return { bullish, bearish, begins };
}

describe('composite', () => {
  it('buys on the first candle where EMA trend and RSI momentum agree bullish, when flat', () => {
    const closes = wave(300, 100, 8, 60);
    const { begins } = agreement(closes);
    const steps = runWithPositions(createStrategy('composite'), candlesFromCloses(closes));
    const buys = indicesOf(steps, 'buy');
    expect(buys.length).toBeGreaterThan(1);
    for (const step of steps) {
      const i = step.index;
      const expected = begins[i]! && step.position === null;
      expect(step.signal.action === 'buy', `candle ${i}`).toBe(expected);
    }
    expect(steps[buys[0]!]!.signal.reason).toMatch(/^EMA and RSI agree bullish: /);
  });

  it('sells a position while EMA trend and RSI agree bearish, and never sells when flat', () => {
    const closes = wave(300, 100, 8, 60);
    const { bearish } = agreement(closes);
    const steps = runWithPositions(createStrategy('composite'), candlesFromCloses(closes));
    const sells = indicesOf(steps, 'sell');
    expect(sells.length).toBeGreaterThan(1);
    for (const step of steps) {
      const expected = bearish[step.index]! && step.position !== null;
      expect(step.signal.action === 'sell', `candle ${step.index}`).toBe(expected);
    }
    const flat = runWithPositions(createStrategy('composite'), candlesFromCloses(closes), {
      trackPositions: false,
    });
    expect(indicesOf(flat, 'sell')).toEqual([]);
    expect(
      flat.some(
        (step) =>
          step.signal.reason === 'EMA and RSI agree bearish, but there is no position to sell',
      ),
    ).toBe(true);
  });

  it('does not buy when the EMAs say up but the RSI is overbought (no agreement)', () => {
    // A steep, steady rise: fast EMA above slow, RSI pinned near 100.
    const closes = ramp(100, 200, 60);
    const steps = runWithPositions(createStrategy('composite'), candlesFromCloses(closes));
    expect(indicesOf(steps, 'buy')).toEqual([]);
    expect(steps.at(-1)!.signal.reason).toBe(
      'EMA trend is up but RSI(14) is not between 50 and 70: no agreement',
    );
  });

  it('does not buy again while a position is open', () => {
    const closes = wave(300, 100, 8, 60);
    const strategy = createStrategy('composite');
    const candles = candlesFromCloses(closes);
    const { begins } = agreement(closes);
    const held = position(1, 100);
    const signals = candles.map((candle) => strategy.onCandle(candle, contextFor(candle, held)));
    expect(begins.some(Boolean)).toBe(true);
    expect(signals.filter((signal) => signal.action === 'buy')).toEqual([]);
    expect(
      signals.some(
        (signal) => signal.reason === 'EMA and RSI agree bullish, but a position is already open',
      ),
    ).toBe(true);
  });

  it('matches the rule on 2,000 real candles', () => {
    const real = loadBtc1h();
    const { begins, bearish } = agreement(real.map((candle) => candle.close));
    const steps = runWithPositions(createStrategy('composite'), real);
    for (const step of steps) {
      const i = step.index;
      const action =
        begins[i]! && step.position === null
          ? 'buy'
          : bearish[i]! && step.position !== null
            ? 'sell'
            : 'hold';
      expect(step.signal.action, `candle ${i}`).toBe(action);
    }
  });

  it('rejects rsiBuyBelow at or below rsiBuyAbove', () => {
    expect(() => createStrategy('composite', { rsiBuyAbove: 60, rsiBuyBelow: 55 })).toThrow(
      /rsiBuyBelow: must be above rsiBuyAbove \(60\)/,
    );
  });
});
