import { describe, expect, it } from 'vitest';
import { monteCarlo, pathStats } from './monte-carlo.js';

describe('pathStats', () => {
  it('compounds trade returns and measures the deepest fall from a peak', () => {
    // 1 → 1.1 → 0.55 → 0.66
    const stats = pathStats([0.1, -0.5, 0.2]);
    expect(stats.totalReturn).toBeCloseTo(-0.34, 12);
    expect(stats.maxDrawdown).toBeCloseTo(0.5, 12);
    expect(pathStats([])).toEqual({ totalReturn: 0, maxDrawdown: 0 });
  });
});

describe('monteCarlo', () => {
  const trades = [0.04, -0.02, 0.03, -0.05, 0.06, -0.01, 0.02, -0.03, 0.05, -0.04, 0.01, 0.02];

  it('is deterministic for a seed and differs across seeds', () => {
    const first = monteCarlo(trades, { runs: 500, seed: 11 });
    expect(monteCarlo(trades, { runs: 500, seed: 11 })).toEqual(first);
    expect(monteCarlo(trades, { runs: 500, seed: 12 })).not.toEqual(first);
    expect(first).toMatchObject({ runs: 500, seed: 11, trades: trades.length });
  });

  it('reorders without changing the return, and brackets the drawdown between its extremes', () => {
    const result = monteCarlo(trades, { runs: 1000, seed: 1 })!;
    expect(result.actual).toEqual(pathStats(trades));
    const { p5, p50, p95 } = result.shuffle.maxDrawdown;
    expect(p5).toBeLessThanOrEqual(p50);
    expect(p50).toBeLessThanOrEqual(p95);
    // No order can fall further than every loss in a row.
    const losses = trades.filter((value) => value < 0).sort((a, b) => a - b);
    const worst = pathStats(losses).maxDrawdown;
    expect(p95).toBeLessThanOrEqual(worst + 1e-12);
    expect(p5).toBeGreaterThan(0);
    // The shuffles spread: not every order has the same drawdown.
    expect(p95).toBeGreaterThan(p5);
  });

  it('bootstraps a spread of returns around the actual one', () => {
    const result = monteCarlo(trades, { runs: 2000, seed: 3 })!;
    const { p5, p50, p95 } = result.bootstrap.totalReturn;
    expect(p5).toBeLessThan(result.actual.totalReturn);
    expect(p95).toBeGreaterThan(result.actual.totalReturn);
    expect(p50).toBeGreaterThan(p5);
    expect(result.bootstrap.probabilityOfLoss).toBeGreaterThan(0);
    expect(result.bootstrap.probabilityOfLoss).toBeLessThan(1);
  });

  it('gives a point distribution for identical trades and certain loss for losers only', () => {
    const same = monteCarlo([0.1, 0.1, 0.1], { runs: 50, seed: 2 })!;
    const compounded = 1.1 ** 3 - 1;
    expect(same.bootstrap.totalReturn.p5).toBeCloseTo(compounded, 12);
    expect(same.bootstrap.totalReturn.p95).toBeCloseTo(compounded, 12);
    expect(same.shuffle.maxDrawdown).toEqual({ p5: 0, p50: 0, p95: 0 });
    expect(same.bootstrap.probabilityOfLoss).toBe(0);
    const losers = monteCarlo([-0.01, -0.02], { runs: 50, seed: 2 })!;
    expect(losers.bootstrap.probabilityOfLoss).toBe(1);
  });

  it('has nothing to say without trades or runs', () => {
    expect(monteCarlo([], { runs: 100, seed: 1 })).toBeNull();
    expect(monteCarlo(trades, { runs: 0, seed: 1 })).toBeNull();
  });
});
