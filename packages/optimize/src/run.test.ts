import type { Candle, SymbolId } from '@lumenlink/core';
import { DataInputError, loadBundledCandles } from '@lumenlink/data';
import { describe, expect, it } from 'vitest';
import { sampleOptimizeReport, syntheticReturn } from '../test/optimize-sample-report.js';
import { OptimizeInputError } from './errors.js';
import { optimize, type OptimizeRequest } from './run.js';
import { buildSpace } from './space.js';

const sweep: Omit<OptimizeRequest, 'source'> = {
  strategy: 'ema_crossover',
  dimensions: buildSpace('ema_crossover', ['fastPeriod=5,8']),
  workers: 2,
};

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

  it('refuses candles it cannot read or that are unsound before any worker starts, naming them', async () => {
    const missing = optimize({ ...sweep, source: { kind: 'csv', files: ['/no/such/btc.csv'] } });
    await expect(missing).rejects.toThrow(DataInputError);
    await expect(missing).rejects.toThrow('--data: /no/such/btc.csv: no such file');
    const btc = loadBundledCandles('BTC-USDT').slice(0, 500);
    const broken = btc.map((candle, index) => (index === 9 ? { ...candle, close: -1 } : candle));
    const unsound = optimize({
      ...sweep,
      source: {
        kind: 'candles',
        candles: new Map<SymbolId, readonly Candle[]>([['BTC-USDT', broken]]),
        interval: '1h',
      },
    });
    await expect(unsound).rejects.toThrow(OptimizeInputError);
    await expect(unsound).rejects.toThrow(/^candles: BTC-USDT candle 10 \(time \d+\): /);
  });
});
