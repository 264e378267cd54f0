/**
 * Backtest a built-in strategy on a CSV of candles and print a few numbers.
 *
 * Reads 2,000 hourly BTC/USDT candles from `data/` beside this file, runs `ema_crossover` from
 * `@lumenlink/strategies` through `runBacktest` of `@lumenlink/engine` (the same trade cycle as
 * paper and live trading, on a manual clock, with the paper broker's fees and slippage) and prints
 * the trades, the return and the largest drawdown.
 *
 * Run it from the repository after `pnpm build` (Node 24 strips the types):
 *
 * ```sh
 * node examples/backtest-ema-crossover.ts
 * ```
 */
import { fileURLToPath } from 'node:url';
import { readCandlesCsv } from '@lumenlink/data';
import { runBacktest, type BacktestResult } from '@lumenlink/engine';
import { createStrategy } from '@lumenlink/strategies';

/** The bundled candles: Binance spot BTC/USDT, 1h, from 2024-01-01 (see data/README.md). */
const candlesFile = fileURLToPath(new URL('./data/binance-btc-usdt-1h-2024.csv', import.meta.url));

/** What the example prints. */
export interface BacktestSummary {
  readonly candles: number;
  readonly trades: number;
  readonly wins: number;
  readonly fees: number;
  readonly startingCash: number;
  readonly finalEquity: number;
  /** Final equity over starting cash, minus one, in percent. */
  readonly returnPct: number;
  /** The largest fall of the equity curve from a previous high, in percent. */
  readonly maxDrawdownPct: number;
}

/** Runs `ema_crossover` with default parameters over the candles of a CSV file. */
export async function backtestEmaCrossover(
  file: string = candlesFile,
  startingCash = 10_000,
): Promise<{ readonly result: BacktestResult; readonly summary: BacktestSummary }> {
  const candles = await readCandlesCsv(file, { timeframe: '1h' });
  const result = await runBacktest({
    candles: new Map([['BTC-USDT', candles]]),
    interval: '1h',
    strategy: () => createStrategy('ema_crossover', {}, { interval: '1h' }),
    startingCash,
    feeBps: 10,
    slippageBps: 5,
    closeAtEnd: true,
  });
  return { result, summary: summarize(result) };
}

/** Counts, fees, return and largest drawdown of a backtest result. */
export function summarize(result: BacktestResult): BacktestSummary {
  let peak = result.startingCash;
  let maxDrawdown = 0;
  for (const point of result.equity) {
    peak = Math.max(peak, point.equity);
    maxDrawdown = Math.max(maxDrawdown, (peak - point.equity) / peak);
  }
  return {
    candles: result.candles,
    trades: result.trades.length,
    wins: result.trades.filter((trade) => trade.pnl > 0).length,
    fees: result.trades.reduce((sum, trade) => sum + trade.fees, 0),
    startingCash: result.startingCash,
    finalEquity: result.finalEquity,
    returnPct: (result.finalEquity / result.startingCash - 1) * 100,
    maxDrawdownPct: maxDrawdown * 100,
  };
}

/** The summary as the lines the example prints. */
export function formatSummary(summary: BacktestSummary): string {
  return [
    `ema_crossover on ${summary.candles} candles of BTC-USDT 1h`,
    `trades: ${summary.trades} (${summary.wins} won), fees ${summary.fees.toFixed(2)}`,
    `equity: ${summary.startingCash.toFixed(2)} -> ${summary.finalEquity.toFixed(2)} (${summary.returnPct.toFixed(2)}%)`,
    `max drawdown: ${summary.maxDrawdownPct.toFixed(2)}%`,
  ].join('\n');
}

if (import.meta.main) {
  const { summary } = await backtestEmaCrossover();
  console.log(formatSummary(summary));
}
