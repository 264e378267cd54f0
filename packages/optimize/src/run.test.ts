import { describe, expect, it } from 'vitest';
import { sampleOptimizeReport, syntheticReturn } from '../test/optimize-sample-report.js';

describe('optimize', () => {
  it('walks forward: a choice per window, stitched out-of-sample equity, Monte Carlo on its trades', async () => {
    const report = await sampleOptimizeReport({ walkForward: true });
    const walkForward = report.walkForward!;
    expect(report.mode).toBe('walk-forward');
    expect(walkForward.windows.length).toBe(6);
    // The synthetic return is best at 10/40 on every window.
    for (const window of walkForward.windows) {
      expect(window.chosen?.point).toEqual({ fastPeriod: 10, slowPeriod: 40 });
      expect(window.outOfSample?.totalReturn).toBeCloseTo(
        syntheticReturn({ fastPeriod: 10, slowPeriod: 40 }),
        9,
      );
    }
    expect(walkForward.totalReturn).toBeCloseTo(1.05 ** 6 - 1, 9);
    expect(report.rows[0]).toMatchObject({
      point: { fastPeriod: 10, slowPeriod: 40 },
      windows: 6,
      chosen: 6,
    });
    expect(report.monteCarlo?.trades).toBe(6 * 4);
  });

  it('reports failed runs with their parameters and ranks the rest', async () => {
    const report = await sampleOptimizeReport({ failOn: 15 });
    expect(report.failures).toHaveLength(4);
    expect(
      report.failures.every((failure) => failure.crashed && failure.point.fastPeriod === 15),
    ).toBe(true);
    expect(report.rows.filter((row) => row.rank === null)).toHaveLength(4);
    expect(report.rows.slice(-4).every((row) => row.error !== null)).toBe(true);
    expect(report.best?.point).toEqual({ fastPeriod: 10, slowPeriod: 40 });
  });
});
