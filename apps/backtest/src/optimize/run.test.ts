import { describe, expect, it } from 'vitest';
import { UsageError } from '../flags.js';
import { createLocalEvaluator } from './evaluator.js';
import { formatOptimizeJson } from './json.js';
import { parseOptimizeArgs, type OptimizeCliOptions } from './options.js';
import { executeOptimize, type OptimizeHooks } from './run.js';
import {
  sampleOptimizeReport,
  syntheticEvaluator,
  syntheticReturn,
} from '../../test/optimize-sample-report.js';

/** A short real period of the bundled BTC data, so each backtest takes milliseconds. */
const period = ['--symbol', 'BTC-USDT', '--from', '2024-03-01', '--to', '2024-03-21'];

function options(argv: readonly string[]): OptimizeCliOptions {
  const command = parseOptimizeArgs(argv);
  if (command.kind !== 'run') throw new Error('expected a run');
  return command.options;
}

const local: OptimizeHooks = {
  evaluator: (context) => createLocalEvaluator({ strategy: 'ema_crossover', ...context }),
};

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('executeOptimize', () => {
  it('backtests every accepted point of a grid and ranks them by the metric', async () => {
    const report = await executeOptimize(
      options([
        '--strategy',
        'ema_crossover',
        '--range',
        'fastPeriod=5,10,30',
        '--range',
        'slowPeriod=20,40',
        '--metric',
        'return',
        '--mc-runs',
        '100',
        ...period,
      ]),
      local,
    );
    expect(report.mode).toBe('sweep');
    expect(report.search).toMatchObject({ method: 'grid', requested: 6, points: 5 });
    expect(report.search.rejected.map((item) => item.point)).toEqual([
      { fastPeriod: 30, slowPeriod: 20 },
    ]);
    expect(report.rows.map((row) => row.rank)).toEqual([1, 2, 3, 4, 5]);
    const returns = report.rows.map((row) => row.metrics!.totalReturn);
    expect(returns).toEqual([...returns].sort((a, b) => b - a));
    expect(report.rows.every((row) => row.score === row.metrics!.totalReturn)).toBe(true);
    expect(report.period).toEqual({ from: Date.UTC(2024, 2, 1), to: Date.UTC(2024, 2, 21, 23) });
    expect(report.best).toBe(report.rows.find((row) => row.qualified));
    expect(report.monteCarlo?.trades).toBe(report.best!.metrics!.trades.total);
    expect(report.heatmap).toEqual({ x: 'fastPeriod', y: 'slowPeriod' });
  });

  it('is deterministic for a seed: a random search twice gives the same bytes', async () => {
    const argv = (seed: number): string[] => [
      '--strategy',
      'ema_crossover',
      '--range',
      'fastPeriod=3:15',
      '--range',
      'slowPeriod=20:60:5',
      '--search',
      'random',
      '--samples',
      '4',
      '--seed',
      String(seed),
      '--mc-runs',
      '50',
      ...period,
    ];
    const first = formatOptimizeJson(await executeOptimize(options(argv(99)), local));
    const again = formatOptimizeJson(await executeOptimize(options(argv(99)), local));
    expect(again).toBe(first);
    const other = await executeOptimize(options(argv(100)), local);
    expect(formatOptimizeJson(other)).not.toBe(first);
    expect(JSON.parse(first)).toMatchObject({ search: { method: 'random', seed: 99, points: 4 } });
  });

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

  it('says what is wrong once the data is read', async () => {
    const refused = await usageError(
      executeOptimize(
        options([
          '--strategy',
          'ema_crossover',
          '--range',
          'fastPeriod=30',
          '--range',
          'slowPeriod=20',
          ...period,
        ]),
        {
          evaluator: () => syntheticEvaluator(),
        },
      ),
    );
    expect(refused.flag).toBe('--range');
    expect(refused.message).toContain(
      'accepts none of the 1 parameter sets (slowPeriod must be above fastPeriod',
    );

    const short = await usageError(
      executeOptimize(
        options([
          '--strategy',
          'ema_crossover',
          '--range',
          'fastPeriod=5',
          '--walk-forward',
          '--in-sample',
          '30d',
          ...period,
        ]),
        {
          evaluator: () => syntheticEvaluator(),
        },
      ),
    );
    expect(short.flag).toBe('--in-sample');
    expect(short.message).toContain('is too short for one in-sample window');

    const empty = await usageError(
      executeOptimize(
        options([
          '--strategy',
          'ema_crossover',
          '--range',
          'fastPeriod=5',
          '--symbol',
          'BTC-USDT',
          '--from',
          '2025-01-01',
        ]),
        {
          evaluator: () => syntheticEvaluator(),
        },
      ),
    );
    expect(empty.flag).toBe('--from');
    expect(empty.message).toContain('the data covers 2024-01-01 00:00 → 2024-09-06 03:00 UTC');
  });
});
