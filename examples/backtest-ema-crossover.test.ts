import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BacktestResult } from '@lumenlink/engine';
import { describe, expect, it } from 'vitest';
import { backtestEmaCrossover, formatSummary, summarize } from './backtest-ema-crossover.ts';

const run = promisify(execFile);
const example = fileURLToPath(new URL('./backtest-ema-crossover.ts', import.meta.url));

describe('backtest-ema-crossover example', () => {
  it('trades the bundled candles and closes every trade at the end', async () => {
    const { result, summary } = await backtestEmaCrossover();
    expect(summary.candles).toBe(2000);
    expect(summary.trades).toBeGreaterThan(0);
    expect(result.trades.every((trade) => trade.exitTime !== null)).toBe(true);
    // Every trade's pnl is net of its fees, so the ledger and the equity agree to the cent.
    const pnl = result.trades.reduce((sum, trade) => sum + trade.pnl, 0);
    expect(summary.finalEquity).toBeCloseTo(summary.startingCash + pnl, 2);
    expect(summary.fees).toBeGreaterThan(0);
    expect(summary.wins).toBeLessThanOrEqual(summary.trades);
  });

  it('prints the summary of the same run when started with node', async () => {
    const { summary } = await backtestEmaCrossover();
    const { stdout } = await run(process.execPath, [example], { timeout: 60_000 });
    expect(stdout.trimEnd()).toBe(formatSummary(summary));
  });

  it('measures the largest drawdown from the previous high', () => {
    const point = (time: number, equity: number) => ({ time, equity, cash: equity });
    const result: BacktestResult = {
      trades: [],
      equity: [point(1, 100), point(2, 120), point(3, 90), point(4, 130), point(5, 117)],
      blocked: {},
      orders: [],
      fills: [],
      startingCash: 100,
      finalEquity: 117,
      candles: 5,
      from: 1,
      to: 5,
    };
    const summary = summarize(result);
    expect(summary.maxDrawdownPct).toBeCloseTo(25, 10);
    expect(summary.returnPct).toBeCloseTo(17, 10);
  });

  it('names the file when the CSV is missing', async () => {
    await expect(backtestEmaCrossover('/nonexistent/candles.csv')).rejects.toThrow(
      /\/nonexistent\/candles\.csv/,
    );
  });
});
