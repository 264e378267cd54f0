import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridValues } from '@lumenlink/optimize';
import { isUsageError } from '../flags.js';
import { optimizeHelp, parseOptimizeArgs, type OptimizeCliOptions } from './options.js';

const base = ['--strategy', 'ema_crossover', '--range', 'fastPeriod=5:20:5'];

async function run(argv: readonly string[]): Promise<OptimizeCliOptions> {
  const command = await parseOptimizeArgs(argv);
  if (command.kind !== 'run') throw new Error('expected a run');
  return command.options;
}

async function usageError(argv: readonly string[]): Promise<{ field: string; message: string }> {
  try {
    await parseOptimizeArgs(argv);
  } catch (error) {
    if (isUsageError(error)) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('parseOptimizeArgs', () => {
  it('has defaults for everything but the strategy and the space', async () => {
    const options = await run(base);
    expect(options).toMatchObject({
      strategy: { spec: 'ema_crossover', provenance: { kind: 'builtin', key: 'ema_crossover' } },
      warnings: [],
      paramsOut: undefined,
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

  it('reads the search, walk-forward and output flags', async () => {
    const options = await run([
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

  it('hands the shared flags to the backtest parser: data, period, fill model, risk, --param', async () => {
    const options = await run([
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

  it('takes the fixed parameters from --params-file, each --param over them, and passes both on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-optimize-options-'));
    writeFileSync(join(dir, 'base.json'), JSON.stringify({ slowPeriod: 40, confidence: 0.5 }));
    const argv = [...base, '--params-file', 'base.json', '--param', 'confidence=0.8'];
    const command = await parseOptimizeArgs([...argv, '--params-out', 'best.json'], dir);
    if (command.kind !== 'run') throw new Error('expected a run');
    expect(command.options.baseParams).toEqual({ fastPeriod: 9, slowPeriod: 40, confidence: 0.8 });
    expect(command.options.paramsOut).toBe('best.json');
    expect(command.options.backtestArgs).toEqual([
      '--strategy=ema_crossover',
      '--params-file=base.json',
      '--param=confidence=0.8',
    ]);
    await expect(parseOptimizeArgs([...base, '--params-file', 'none.json'], dir)).rejects.toThrow(
      '--params-file: none.json: no such file',
    );
    await expect(
      parseOptimizeArgs([...argv, '--param', 'confidence=2', '--param', 'slowPeriod=x'], dir),
    ).rejects.toMatchObject({ field: '--params-file/--param' });
  });

  it('names the flag at fault', async () => {
    expect((await usageError(['--range', 'fastPeriod=5:20'])).field).toBe('--strategy');
    expect((await usageError(['--strategy', 'nope', '--range', 'a=1'])).message).toContain(
      'nope: not a built-in strategy',
    );
    expect((await usageError([...base, '--samples', '5'])).field).toBe('--samples');
    expect((await usageError([...base, '--search', 'bayes'])).message).toContain(
      'Accepted: grid or random',
    );
    expect((await usageError([...base, '--metric', 'cagr'])).message).toContain(
      'Accepted: sharpe, sortino, calmar, profit-factor, return',
    );
    expect((await usageError([...base, '--workers', '0'])).field).toBe('--workers');
    expect((await usageError([...base, '--seed', '-1'])).message).toContain('from 0 to 4294967295');
    expect((await usageError([...base, '--in-sample', '30d'])).message).toBe(
      '--in-sample: needs --walk-forward',
    );
    expect(
      (await usageError([...base, '--walk-forward', '--out-of-sample', '3 months'])).field,
    ).toBe('--out-of-sample');
    expect((await usageError([...base, '--heatmap', 'fastPeriod,confidence'])).message).toContain(
      'confidence is not searched',
    );
    expect((await usageError([...base, '--rnage', 'x'])).message).toContain('did you mean --range');
    expect((await usageError([...base, '--cash', 'lots'])).field).toBe('--cash');
    expect((await usageError([...base, '--db', 'x.db'])).message).toContain('unknown flag');
  });

  it('asks for help, and the help lists both kinds of flags', async () => {
    expect(await parseOptimizeArgs(['--help'])).toEqual({ kind: 'help' });
    const help = optimizeHelp();
    expect(help).toContain('--range NAME=SPEC');
    expect(help).toContain('--walk-forward');
    expect(help).toContain('--fee-bps N');
    expect(help).not.toContain('--db FILE');
  });
});
