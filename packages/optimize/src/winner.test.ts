import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStrategy, resolveStrategyParams, writeParamsFile } from '@lumenlink/strategy-loader';
import { describe, expect, it } from 'vitest';
import { sampleOptimizeReport } from '../test/optimize-sample-report.js';
import {
  formatTradeInstructions,
  freshParamsFilePath,
  paramsFilePath,
  winnerNote,
  winnerParams,
} from './winner.js';

describe('winnerParams', () => {
  it("is the best row's full parameters, its strategy, and how they were found", async () => {
    const report = await sampleOptimizeReport();
    const winner = winnerParams(report)!;
    expect(winner.strategy).toEqual({
      spec: 'ema_crossover',
      kind: 'builtin',
      key: 'ema_crossover',
    });
    expect(winner.params).toEqual({ fastPeriod: 10, slowPeriod: 40, confidence: 1 });
    expect(winner.note).toBe(winnerNote(report, report.best!));
    expect(winner.note).toMatch(
      /^pnpm optimize: grid search of 15 parameter sets on BTC-USDT 1h, 2024-01-01 00:00 → 2024-09-06 03:00 UTC, ranked by Sharpe; best fastPeriod=10 slowPeriod=40: Sharpe \d+\.\d\d, return \+5\.00%, max drawdown \d+\.\d\d%, 0 trades$/,
    );
  });

  it('says the out-of-sample figures of a walk-forward, and the seed of a random search', async () => {
    const walked = winnerParams(await sampleOptimizeReport({ walkForward: true }))!;
    expect(walked.note).toContain(
      'ranked by mean in-sample Sharpe; best fastPeriod=10 slowPeriod=40',
    );
    expect(walked.note).toContain(
      '; walk-forward (rolling, in-sample 60d, out-of-sample 30d): chosen in 6 of 6 windows, out-of-sample stitched return +34.01%',
    );
    expect(walked.note).toContain(', 24 trades');
    const random = await sampleOptimizeReport({
      request: { search: 'random', samples: 5, seed: 7, minTrades: 3 },
    });
    expect(winnerParams(random)!.note).toMatch(
      /^pnpm optimize: random search \(seed 7\) of 5 parameter sets .*\(fewer than 3 trades\)/,
    );
  });

  it('is null when no run succeeded', async () => {
    const report = await sampleOptimizeReport();
    expect(winnerParams({ ...report, best: null })).toBeNull();
  });

  it('makes a params file that resolveStrategyParams reads back as the winner', async () => {
    const report = await sampleOptimizeReport();
    const winner = winnerParams(report)!;
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-winner-'));
    try {
      const path = join(dir, paramsFilePath(report.strategy, {}));
      await writeParamsFile(path, winner);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
        strategy: 'ema_crossover',
        key: 'ema_crossover',
        note: winner.note,
      });
      const loaded = await loadStrategy('ema_crossover');
      const read = await resolveStrategyParams(loaded, { params: path });
      expect(read.params).toEqual(report.best!.params);
      expect(read.warnings).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('paramsFilePath', () => {
  it('is --params-out, else <key>.params.json beside the JSON or HTML output, else in reports/', () => {
    expect(paramsFilePath('my_idea', {})).toBe(join('reports', 'my_idea.params.json'));
    expect(paramsFilePath('my_idea', { htmlFile: 'out/sweep.html' })).toBe(
      join('out', 'my_idea.params.json'),
    );
    expect(
      paramsFilePath('my_idea', { jsonFile: '/tmp/a/r.json', htmlFile: 'out/sweep.html' }),
    ).toBe('/tmp/a/my_idea.params.json');
    expect(paramsFilePath('my_idea', { paramsOut: 'best.json', jsonFile: 'x/r.json' })).toBe(
      'best.json',
    );
  });
});

describe('formatTradeInstructions', () => {
  const strategy = {
    spec: 'strategies/my-idea.ts',
    kind: 'file',
    key: 'my_idea',
    path: '/home/me/bot/strategies/my-idea.ts',
    exportName: 'default',
    sha256: 'ab'.repeat(32),
  } as const;

  it('prints the .env lines and the commands, the params file relative to the working directory', () => {
    const text = formatTradeInstructions({
      strategy,
      paramsFile: '/home/me/bot/reports/my_idea.params.json',
      cwd: '/home/me/bot',
    });
    expect(text).toBe(
      [
        '',
        'Best parameters: reports/my_idea.params.json',
        'Trade them — add to .env:',
        '  STRATEGY=strategies/my-idea.ts',
        '  STRATEGY_PARAMS=reports/my_idea.params.json',
        'Then: pnpm backtest --strategy strategies/my-idea.ts --params-file reports/my_idea.params.json',
        '      pnpm demo    (replay, paper)   ·   pnpm paper   ·   pnpm live',
        '',
      ].join('\n'),
    );
  });

  it('keeps the strategy as given, a params file outside the directory absolute, and quotes for the shell', () => {
    const text = formatTradeInstructions({
      strategy: { ...strategy, spec: '/home/me/my strategies/idea.ts' },
      paramsFile: '/tmp/out/my_idea.params.json',
      cwd: '/home/me/bot',
    });
    expect(text).toContain('  STRATEGY=/home/me/my strategies/idea.ts\n');
    expect(text).toContain('  STRATEGY_PARAMS=/tmp/out/my_idea.params.json\n');
    expect(text).toContain(
      "Then: pnpm backtest --strategy '/home/me/my strategies/idea.ts' --params-file /tmp/out/my_idea.params.json\n",
    );
  });
});

describe('freshParamsFilePath', () => {
  it('never replaces a params file with other contents unless --params-out names it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-fresh-params-'));
    try {
      const first = freshParamsFilePath('my_idea', {}, dir, 'A');
      expect(first).toBe(join(dir, 'reports/my_idea.params.json'));
      // Nothing there yet, or the same contents: the usual path.
      expect(freshParamsFilePath('my_idea', {}, dir, 'A')).toBe(first);
      const reports = join(dir, 'reports');
      mkdirSync(reports);
      writeFileSync(first, 'A');
      expect(freshParamsFilePath('my_idea', {}, dir, 'A')).toBe(first);
      // Other parameters there (a bot may trade them): the next free name.
      expect(freshParamsFilePath('my_idea', {}, dir, 'B')).toBe(
        join(reports, 'my_idea.params-2.json'),
      );
      writeFileSync(join(reports, 'my_idea.params-2.json'), 'B');
      expect(freshParamsFilePath('my_idea', {}, dir, 'C')).toBe(
        join(reports, 'my_idea.params-3.json'),
      );
      expect(freshParamsFilePath('my_idea', {}, dir, 'B')).toBe(
        join(reports, 'my_idea.params-2.json'),
      );
      // --params-out is a choice: it is replaced.
      expect(
        freshParamsFilePath('my_idea', { paramsOut: 'reports/my_idea.params.json' }, dir, 'C'),
      ).toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the symbols and the interval the parameters were found on', () => {
    const text = formatTradeInstructions({
      strategy: { spec: 'ema_crossover', kind: 'builtin', key: 'ema_crossover' },
      paramsFile: 'reports/ema_crossover.params.json',
      cwd: '/home/me/bot',
      symbols: ['ETH-USDT', 'SOL-USDT'],
      interval: '4h',
    });
    expect(text).toContain(
      '  STRATEGY_PARAMS=reports/ema_crossover.params.json\n  SYMBOLS=ETH-USDT,SOL-USDT\n  INTERVAL=4h\n',
    );
  });
});
