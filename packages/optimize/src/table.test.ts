import { describe, expect, it } from 'vitest';
import { sampleOptimizeReport } from '../test/optimize-sample-report.js';
import { backtestCommand, formatColumns, formatOptimizeTable } from './table.js';

describe('formatOptimizeTable', () => {
  it('prints the ranked sweep, the winner, Monte Carlo and what was refused', async () => {
    const report = await sampleOptimizeReport();
    const text = formatOptimizeTable(report, { top: 3 });
    const lines = text.split('\n');
    expect(lines[0]).toBe('LumenLink optimize: ema_crossover on BTC-USDT 1h');
    expect(text).toContain('Space: fastPeriod 5..20 step 5 · slowPeriod 20..50 step 10');
    expect(text).toContain('Search: grid, 15 parameter sets, ranked by Sharpe');
    const header = lines.findIndex((line) => line.includes('Rank'));
    expect(lines[header]).toMatch(
      /Rank\s+fastPeriod\s+slowPeriod\s+Return\s+Max DD\s+Sharpe\s+Sortino\s+Calmar\s+PF\s+Trades/,
    );
    expect(lines[header + 1]).toMatch(/^\s+1\s+10\s+40\s+\+5\.00%/);
    expect(text).toContain('... 12 more (--top N, or --json)');
    expect(text).toContain('Best: fastPeriod=10 slowPeriod=40');
    // The winner is traded from its params file (the command prints how), not from flags.
    expect(text).not.toContain('--param');
    // A built-in strategy needs no source line; the period line follows the title.
    expect(lines[1]).toMatch(/^Period: /);
    expect(text).toMatch(
      /Monte Carlo on the best parameter set \(200 runs of each, seed 42, 4 trades compounded\)/,
    );
    expect(text).toMatch(/Return, bootstrap\s+[-+]\d/);
    expect(text).toContain(
      '1 parameter set(s) refused by the strategy, e.g. fastPeriod=20 slowPeriod=20',
    );
    expect(text).not.toContain('\u001b[');
    expect(formatOptimizeTable(report, { color: true })).toContain('\u001b[1mLumenLink optimize');
  });

  it('prints the walk-forward windows in-sample against out-of-sample', async () => {
    const report = await sampleOptimizeReport({ walkForward: true });
    const text = formatOptimizeTable(report);
    expect(text).toContain('Parameter sets over the in-sample windows');
    expect(text).toContain(
      'Walk-forward (rolling: in-sample 60d, out-of-sample 30d, step 30d), 6 windows',
    );
    expect(text).toMatch(
      /#\s+In-sample\s+Out-of-sample\s+Chosen\s+IS Sharpe\s+OOS Sharpe\s+IS return\s+OOS return\s+OOS max DD\s+OOS trades/,
    );
    expect(text).toMatch(
      / 1 {2}2024-01-01 → 2024-02-29 {2}2024-03-01 → 2024-03-30 {2}fastPeriod=10 slowPeriod=40/,
    );
    expect(text).toContain('Out-of-sample, stitched: return +34.01%');
    expect(text).toContain('Monte Carlo on the out-of-sample trades');
    expect(text).not.toContain('Best: ');
  });

  it('lists failed runs and worker crashes', async () => {
    const text = formatOptimizeTable(await sampleOptimizeReport({ failOn: 15 }));
    expect(text).toContain('Failed runs: 4 (4 worker crashes, replaced)');
    expect(text).toContain(
      'fastPeriod=15 slowPeriod=20: the worker exited with code 70 (worker crashed)',
    );
  });
});

describe('helpers', () => {
  it('pads columns', () => {
    expect(formatColumns(['a', 'bb'], [['xyz', '1']], ['left', 'right'])).toEqual([
      '  a    bb',
      '  xyz   1',
    ]);
  });

  it('reruns a point with the run own flags, its values replacing fixed ones, quoted', async () => {
    const report = await sampleOptimizeReport({
      request: {
        baseParams: { fastPeriod: 9, slowPeriod: 26, confidence: 0.5 },
        settings: { startingCash: 5000 },
        backtestArgs: [
          '--strategy=ema_crossover',
          '--symbol=BTC-USDT',
          '--param=fastPeriod=9',
          '--param=confidence=0.5',
          '--cash=5000',
        ],
      },
    });
    expect(backtestCommand(report, { fastPeriod: 10, slowPeriod: 40 })).toBe(
      'pnpm backtest -- --strategy=ema_crossover --symbol=BTC-USDT --param=confidence=0.5 --cash=5000 --param=fastPeriod=10 --param=slowPeriod=40',
    );
    const file = { ...report, backtestArgs: ['--strategy=ema_crossover', "--data=my data's.csv"] };
    expect(backtestCommand(file, { fastPeriod: 5 })).toBe(
      "pnpm backtest -- --strategy=ema_crossover '--data=my data'\\''s.csv' --param=fastPeriod=5",
    );
  });
});
