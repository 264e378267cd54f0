import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadBundledCandles } from '@lumenlink/data';
import { createLocalEvaluator, formatOptimizeTable } from '@lumenlink/optimize';
import { describe, expect, it } from 'vitest';
import { optimizeEmaCrossover } from './optimize.ts';

const run = promisify(execFile);
const example = fileURLToPath(new URL('./optimize.ts', import.meta.url));

describe('optimize example', { timeout: 120_000 }, () => {
  it('ranks every grid point, and the winner is what a plain evaluation of it gives', async () => {
    const report = await optimizeEmaCrossover(1);
    expect(report.search).toMatchObject({ method: 'grid', points: 6 });
    const sharpes = report.rows.map((row) => row.metrics!.sharpe);
    expect(sharpes).toEqual([...sharpes].sort((a, b) => b - a));
    const best = report.best!;
    const [again] = await createLocalEvaluator({
      strategy: 'ema_crossover',
      candles: new Map([['BTC-USDT', loadBundledCandles('BTC-USDT')]]),
      interval: '1h',
      settings: report.settings,
    }).evaluate([
      { params: best.params, from: Date.UTC(2024, 2, 1), to: Date.UTC(2024, 2, 31, 23) },
    ]);
    expect(again?.ok && again.evaluation.metrics).toEqual(best.metrics);
    expect(report.monteCarlo?.trades).toBe(best.metrics!.trades.total);
  });

  it('prints the same table on 2 worker threads when started with node', async () => {
    const report = await optimizeEmaCrossover(1);
    const { stdout } = await run(process.execPath, [example], { timeout: 120_000 });
    expect(stdout).toBe(
      `${formatOptimizeTable(report, { top: 6 })}Best: ${JSON.stringify(report.best?.params)}\n`,
    );
  });
});
