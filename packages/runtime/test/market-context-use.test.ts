/**
 * `marketContextUse` decides whether the node runs the sentiment feeds for a strategy. Its table
 * of built-in strategies is checked here against what they decide: each built-in strategy runs
 * over the same bundled candles twice, without a market context and with a fresh, extreme one
 * (extreme fear, bullish news). A strategy whose signals differ reads it; the table must say so,
 * and must say no for one whose signals are the same.
 */
import { describe, expect, it } from 'vitest';
import type { MarketContext, Signal } from '@lumenlink/core';
import { loadBundledCandles } from '@lumenlink/data';
import { createStrategy, getStrategyDefinition, strategyKeys } from '@lumenlink/strategies';
import { marketContextUse } from '../src/optional-feeds.js';

const hourMs = 3_600_000;
const candles = loadBundledCandles('BTC-USDT').slice(0, 3_000);

function signals(
  key: string,
  params: Record<string, unknown>,
  market: (time: number) => MarketContext | undefined,
): string[] {
  const strategy = createStrategy(key, params, { interval: '1h' });
  return candles.map((candle) => {
    const time = candle.time + hourMs;
    const context = market(time);
    const signal: Signal = strategy.onCandle(candle, {
      symbol: 'BTC-USDT',
      time,
      position: null,
      ...(context === undefined ? {} : { market: context }),
    });
    return JSON.stringify(signal);
  });
}

/** Extreme fear and bullish news, fetched at the decision time. */
function extreme(time: number): MarketContext {
  return {
    fearGreed: { value: 3, classification: 'Extreme Fear', updatedAt: time },
    news: { score: 1, bullishVotes: 40, bearishVotes: 0, posts: 12, updatedAt: time },
    tvl: { totalUsd: 9e10, change1dPct: 5, updatedAt: time },
    market: {
      marketCapUsd: 2e12,
      btcDominancePct: 50,
      marketCapChange24hPct: 4,
      updatedAt: time,
    },
  };
}

const cases: { key: string; params: Record<string, unknown> }[] = [
  ...strategyKeys.map((key) => ({ key, params: {} })),
  { key: 'advanced_composite', params: { weights: { sentiment: 0 } } },
  { key: 'advanced_composite', params: { weights: { sentiment: 0.5 } } },
];

describe('marketContextUse against the built-in strategies', () => {
  it.each(cases)(
    '$key $params: reads the market context exactly when the table says so',
    ({ key, params }) => {
      const definition = getStrategyDefinition(key);
      const parsed = definition.parseParams(params) as Record<string, unknown>;
      const without = signals(key, params, () => undefined);
      const withContext = signals(key, params, extreme);
      const differs = without.some((signal, index) => signal !== withContext[index]);
      expect(marketContextUse({ key, kind: 'builtin', params: parsed }).uses).toBe(differs);
    },
  );
});
