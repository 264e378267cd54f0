import type { Candle, MarketContext } from '@lumenlink/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayMs, indicesOf, loadBtc1h, runWithPositions } from './__fixtures__/candles.js';
import { createStrategy, strategyKeys, type StrategyKey } from './registry.js';

/** A deterministic Fear & Greed series that depends on the candle time only. */
function sentiment(candle: Candle): MarketContext {
  const day = Math.floor(candle.time / dayMs);
  const value = 50 + 45 * Math.sin(day / 3);
  return {
    fearGreed: {
      value: Math.round(value),
      classification: value < 50 ? 'Fear' : 'Greed',
      updatedAt: day * dayMs,
    },
  };
}

const real = loadBtc1h();

function run(key: StrategyKey, candles: readonly Candle[], withMarket: boolean) {
  return runWithPositions(createStrategy(key, undefined, { interval: '1h' }), candles, {
    ...(withMarket ? { market: sentiment } : {}),
  });
}

describe.each(strategyKeys)('%s', (key) => {
  it('buys and sells on 2,000 real BTC/USDT 1h candles, with default parameters', () => {
    for (const withMarket of [false, true]) {
      const steps = run(key, real, withMarket);
      expect(indicesOf(steps, 'buy').length, `buys, market ${withMarket}`).toBeGreaterThan(0);
      expect(indicesOf(steps, 'sell').length, `sells, market ${withMarket}`).toBeGreaterThan(0);
    }
  });

  it('is deterministic: two instances give identical signals', () => {
    expect(run(key, real, true)).toEqual(run(key, real, true));
  });

  it('holds without allocating: every hold is one of a few frozen, reused signals', () => {
    const holds = new Set(
      run(key, real, true)
        .map((step) => step.signal)
        .filter((signal) => signal.action === 'hold'),
    );
    expect(holds.size).toBeLessThanOrEqual(8);
    for (const signal of holds) {
      expect(Object.isFrozen(signal)).toBe(true);
      expect(signal.confidence).toBe(0);
    }
  });

  it('emits only holds before its warm-up is complete', () => {
    const strategy = createStrategy(key, undefined, { interval: '1h' });
    const steps = runWithPositions(strategy, real.slice(0, strategy.warmup + 50));
    const early = steps.slice(0, strategy.warmup - 1);
    expect(early.every((step) => step.signal.action === 'hold')).toBe(true);
  });

  it('never looks ahead: changing any candle after t changes no signal at or before t', () => {
    const candles = real.slice(0, 900);
    const baseline = run(key, candles, true).map((step) => step.signal);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: candles.length - 2 }),
        fc.double({ min: 0.7, max: 1.4, noNaN: true }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (t, scale, seed) => {
          // Every candle after t moves: a different level, a different shape, a different volume.
          const changed = candles.map((candle, i) => {
            if (i <= t) return candle;
            const wobble = 1 + 0.02 * Math.sin(seed + i);
            const factor = scale * wobble;
            return {
              time: candle.time,
              open: candle.open * factor,
              high: candle.high * factor * 1.003,
              low: candle.low * factor * 0.997,
              close: candle.close * factor,
              volume: candle.volume * (2 - wobble * 0.5),
            };
          });
          const signals = run(key, changed, true).map((step) => step.signal);
          expect(signals.slice(0, t + 1)).toEqual(baseline.slice(0, t + 1));
        },
      ),
      { numRuns: 12, seed: 4 },
    );
  });
});
