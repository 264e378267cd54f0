import { describe, expect, it } from 'vitest';
import { computeMetrics, type ReportInput } from '@lumenlink/analysis';
import { compareScored, isRankMetric, metricValue, rankMetrics, rankScored } from './ranking.js';

describe('rankScored', () => {
  it('puts qualified runs first, then orders by score, best first', () => {
    const ranked = rankScored([
      { index: 0, score: 1, qualified: true },
      { index: 1, score: 5, qualified: false },
      { index: 2, score: 3, qualified: true },
      { index: 3, score: Infinity, qualified: true },
    ]);
    expect(ranked.map((entry) => entry.index)).toEqual([3, 2, 0, 1]);
  });

  it('ranks NaN last among its group and breaks ties by search order', () => {
    const ranked = rankScored([
      { index: 0, score: Number.NaN, qualified: true },
      { index: 1, score: 2, qualified: true },
      { index: 2, score: -Infinity, qualified: true },
      { index: 3, score: 2, qualified: true },
    ]);
    expect(ranked.map((entry) => entry.index)).toEqual([1, 3, 0, 2]);
    expect(compareScored(ranked[0]!, ranked[1]!)).toBeLessThan(0);
  });
});

describe('metricValue', () => {
  it('reads each rank metric from a run', () => {
    const input: ReportInput = {
      title: 't',
      strategy: 's',
      params: {},
      interval: '1d',
      from: 0,
      to: 4 * 86_400_000,
      startingCash: 100,
      feeBps: 0,
      slippageBps: 0,
      fillMode: 'next-open',
      candles: {},
      trades: [],
      equity: [100, 110, 99, 120, 126].map((equity, day) => ({
        time: (day + 1) * 86_400_000,
        equity,
        cash: equity,
      })),
      blocked: {},
    };
    const metrics = computeMetrics(input);
    expect(metricValue(metrics, 'sharpe')).toBe(metrics.sharpe);
    expect(metricValue(metrics, 'sortino')).toBe(metrics.sortino);
    expect(metricValue(metrics, 'calmar')).toBe(metrics.calmar);
    expect(metricValue(metrics, 'profit-factor')).toBe(metrics.profitFactor);
    expect(metricValue(metrics, 'return')).toBeCloseTo(0.26, 12);
    expect(rankMetrics.every(isRankMetric)).toBe(true);
    expect(isRankMetric('cagr')).toBe(false);
  });
});
