import { describe, expect, it } from 'vitest';
import { gridValues } from '@lumenlink/optimize';
import { isUsageError } from '../flags.js';
import { optimizeHelp, parseOptimizeArgs, type OptimizeCliOptions } from './options.js';

const base = ['--strategy', 'ema_crossover', '--range', 'fastPeriod=5:20:5'];

function run(argv: readonly string[]): OptimizeCliOptions {
  const command = parseOptimizeArgs(argv);
  if (command.kind !== 'run') throw new Error('expected a run');
  return command.options;
}

function usageError(argv: readonly string[]): { field: string; message: string } {
  try {
    parseOptimizeArgs(argv);
  } catch (error) {
    if (isUsageError(error)) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('parseOptimizeArgs', () => {
  it('has defaults for everything but the strategy and the space', () => {
    const options = run(base);
    expect(options).toMatchObject({
      strategy: 'ema_crossover',
      search: 'grid',
      seed: 42,
      metric: 'sharpe',
      minTrades: 1,
      walkForward: undefined,
      monteCarloRuns: 1000,
      heatmap: undefined,
      jsonFile: undefined,
      htmlFile: undefined,
    });
    expect(options.workers).toBeGreaterThanOrEqual(1);
    expect(options.dimensions.map(gridValues)).toEqual([[5, 10, 15, 20]]);
    expect(options.baseParams).toEqual({ fastPeriod: 9, slowPeriod: 21, confidence: 1 });
    expect(options.backtest.source).toEqual({ kind: 'bundled' });
  });

  it('reads the search, walk-forward and output flags', () => {
    const options = run([
      ...base,
      '--range=slowPeriod=30,40',
      '--search',
      'random',
      '--samples',
      '12',
      '--seed',
      '7',
      '--metric',
      'profit-factor',
      '--min-trades',
      '5',
      '--workers',
      '3',
      '--walk-forward',
      '--in-sample',
      '8w',
      '--out-of-sample',
      '14d',
      '--anchored',
      '--mc-runs',
      '0',
      '--heatmap',
      'slowPeriod,fastPeriod',
      '--json',
      'out/r.json',
      '--html',
      'out/r.html',
    ]);
    expect(options).toMatchObject({
      search: 'random',
      samples: 12,
      seed: 7,
      metric: 'profit-factor',
      minTrades: 5,
      workers: 3,
      walkForward: {
        inSampleMs: 56 * 86_400_000,
        outOfSampleMs: 14 * 86_400_000,
        stepMs: 14 * 86_400_000,
        anchored: true,
      },
      monteCarloRuns: 0,
      heatmap: ['slowPeriod', 'fastPeriod'],
      jsonFile: 'out/r.json',
      htmlFile: 'out/r.html',
    });
  });

  it('hands the shared flags to the backtest parser: data, period, fill model, risk, --param', () => {
    const options = run([
      ...base,
      '--symbol',
      'ETH-USDT',
      '--from',
      '2024-02-01',
      '--cash',
      '5000',
      '--fee-bps',
      '4',
      '--no-risk',
      '--param',
      'confidence=0.5',
    ]);
    expect(options.backtest.symbols).toEqual(['ETH-USDT']);
    expect(options.backtest.from).toBe(Date.UTC(2024, 1, 1));
    expect(options.backtest.startingCash).toBe(5000);
    expect(options.backtest.feeBps).toBe(4);
    expect(options.backtest.protections).toBe(false);
    expect(options.baseParams).toMatchObject({ confidence: 0.5 });
  });

  it('names the flag at fault', () => {
    expect(usageError(['--range', 'fastPeriod=5:20']).field).toBe('--strategy');
    expect(usageError(['--strategy', 'nope', '--range', 'a=1']).message).toContain(
      'unknown strategy "nope"',
    );
    expect(usageError([...base, '--samples', '5']).field).toBe('--samples');
    expect(usageError([...base, '--search', 'bayes']).message).toContain(
      'Accepted: grid or random',
    );
    expect(usageError([...base, '--metric', 'cagr']).message).toContain(
      'Accepted: sharpe, sortino, calmar, profit-factor, return',
    );
    expect(usageError([...base, '--workers', '0']).field).toBe('--workers');
    expect(usageError([...base, '--seed', '-1']).message).toContain('from 0 to 4294967295');
    expect(usageError([...base, '--in-sample', '30d']).message).toBe(
      '--in-sample: needs --walk-forward',
    );
    expect(usageError([...base, '--walk-forward', '--out-of-sample', '3 months']).field).toBe(
      '--out-of-sample',
    );
    expect(usageError([...base, '--heatmap', 'fastPeriod,confidence']).message).toContain(
      'confidence is not searched',
    );
    expect(usageError([...base, '--rnage', 'x']).message).toContain('did you mean --range');
    expect(usageError([...base, '--cash', 'lots']).field).toBe('--cash');
    expect(usageError([...base, '--db', 'x.db']).message).toContain('unknown flag');
  });

  it('asks for help, and the help lists both kinds of flags', () => {
    expect(parseOptimizeArgs(['--help'])).toEqual({ kind: 'help' });
    const help = optimizeHelp();
    expect(help).toContain('--range NAME=SPEC');
    expect(help).toContain('--walk-forward');
    expect(help).toContain('--fee-bps N');
    expect(help).not.toContain('--db FILE');
  });
});
