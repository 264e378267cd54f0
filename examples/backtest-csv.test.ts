import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { formatSummary } from '@lumenlink/analysis';
import { loadBundledCandles } from '@lumenlink/data';
import { runBacktest } from '@lumenlink/engine';
import { createStrategy } from '@lumenlink/strategies';
import { describe, expect, it } from 'vitest';
import { backtestCsv, params, settings } from './backtest-csv.ts';

const run = promisify(execFile);
const example = fileURLToPath(new URL('./backtest-csv.ts', import.meta.url));

describe('backtest-csv example', () => {
  it('gives the metrics of runBacktest on the same candles and settings', async () => {
    const { metrics } = await backtestCsv();
    const direct = await runBacktest({
      candles: new Map([['BTC-USDT', loadBundledCandles('BTC-USDT')]]),
      interval: '1h',
      strategy: () => createStrategy('ema_crossover', params, { interval: '1h' }),
      ...settings,
    });
    expect(direct.trades.length).toBeGreaterThan(10);
    expect(metrics.trades.total).toBe(direct.trades.length);
    expect(metrics.finalEquity).toBe(direct.finalEquity);
    expect(metrics.totalReturn).toBeCloseTo(direct.finalEquity / direct.startingCash - 1, 12);
    const closed = direct.trades.filter((trade) => trade.exitTime !== null);
    const wins = closed.filter((trade) => trade.pnl > 0).length;
    expect(metrics.winRate).toBeCloseTo(wins / closed.length, 12);
    expect(metrics.maxDrawdown).toBeGreaterThan(0);
  });

  it('prints that run summary when started with node', async () => {
    const { input, metrics } = await backtestCsv();
    const { stdout } = await run(process.execPath, [example], { timeout: 60_000 });
    expect(stdout).toBe(formatSummary(input, metrics));
    expect(stdout).toContain('Sharpe');
  });

  it('names the file when the CSV is missing', async () => {
    await expect(backtestCsv('/nonexistent/BTC-USDT.csv')).rejects.toThrow(
      /\/nonexistent\/BTC-USDT\.csv/,
    );
  });
});
