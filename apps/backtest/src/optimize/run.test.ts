import { describe, expect, it } from 'vitest';
import {
  createLocalEvaluator,
  formatOptimizeJson,
  optimize,
  type OptimizeHooks,
  type OptimizeReport,
} from '@lumenlink/optimize';
import { isUsageError } from '../flags.js';
import { parseOptimizeArgs, type OptimizeCliOptions } from './options.js';

/** A short real period of the bundled BTC data, so each backtest takes milliseconds. */
const period = ['--symbol', 'BTC-USDT', '--from', '2024-03-01', '--to', '2024-03-21'];

async function options(argv: readonly string[]): Promise<OptimizeCliOptions> {
  const command = await parseOptimizeArgs(argv);
  if (command.kind !== 'run') throw new Error('expected a run');
  return command.options;
}

const local: OptimizeHooks = {
  evaluator: (context) => createLocalEvaluator(context),
};

/** `pnpm optimize`'s run: the command line's options as the library's request. */
function executeOptimize(
  options: OptimizeCliOptions,
  hooks: OptimizeHooks,
): Promise<OptimizeReport> {
  return optimize(options, hooks);
}

async function usageError(promise: Promise<unknown>): Promise<{ field: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isUsageError(error)) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('executeOptimize', () => {
  it('backtests every accepted point of a grid and ranks them by the metric', async () => {
    const report = await executeOptimize(
      await options([
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
    const first = formatOptimizeJson(await executeOptimize(await options(argv(99)), local));
    const again = formatOptimizeJson(await executeOptimize(await options(argv(99)), local));
    expect(again).toBe(first);
    const other = await executeOptimize(await options(argv(100)), local);
    expect(formatOptimizeJson(other)).not.toBe(first);
    expect(JSON.parse(first)).toMatchObject({ search: { method: 'random', seed: 99, points: 4 } });
  });

  it('says what is wrong once the data is read', async () => {
    const refused = await usageError(
      executeOptimize(
        await options([
          '--strategy',
          'ema_crossover',
          '--range',
          'fastPeriod=30',
          '--range',
          'slowPeriod=20',
          ...period,
        ]),
        local,
      ),
    );
    expect(refused.field).toBe('--range');
    expect(refused.message).toContain(
      'accepts none of the 1 parameter sets (slowPeriod must be above fastPeriod',
    );

    const short = await usageError(
      executeOptimize(
        await options([
          '--strategy',
          'ema_crossover',
          '--range',
          'fastPeriod=5',
          '--walk-forward',
          '--in-sample',
          '30d',
          ...period,
        ]),
        local,
      ),
    );
    expect(short.field).toBe('--in-sample');
    expect(short.message).toContain('is too short for one in-sample window');

    const empty = await usageError(
      executeOptimize(
        await options([
          '--strategy',
          'ema_crossover',
          '--range',
          'fastPeriod=5',
          '--symbol',
          'BTC-USDT',
          '--from',
          '2025-01-01',
        ]),
        local,
      ),
    );
    expect(empty.field).toBe('--from');
    expect(empty.message).toContain('the data covers 2024-01-01 00:00 → 2024-09-06 03:00 UTC');
  });
});
