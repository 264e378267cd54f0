/**
 * Backtest a strategy on a CSV of candles and print its metrics with `@lumenlink/analysis`.
 *
 * ```sh
 * node examples/backtest-csv.ts                  # the bundled BTC/USDT 1h candles of 2024
 * node examples/backtest-csv.ts my-ETH-USDT.csv  # a CSV of yours (time,open,high,low,close,volume)
 * ```
 */
import { fileURLToPath } from 'node:url';
import { computeMetrics, formatSummary, reportInputOf } from '@lumenlink/analysis';
import { bundledDataUrl, readCandlesCsv, symbolFromFileName } from '@lumenlink/data';
import { runBacktest } from '@lumenlink/engine';
import { createStrategy } from '@lumenlink/strategies';

/** The candles the data package ships: Binance BTC/USDT, 1h, 2024. */
export const bundledCsv = fileURLToPath(bundledDataUrl('binance-BTC-USDT-1h-2024.csv.gz'));
/** The run: `ema_crossover` 12/26 on 10,000 USDT, 10 bps fees, 5 bps slippage. */
export const params = { fastPeriod: 12, slowPeriod: 26, confidence: 1 };
export const settings = { startingCash: 10_000, feeBps: 10, slippageBps: 5 } as const;

/** Runs the backtest of one CSV file and computes its metrics. */
export async function backtestCsv(file: string = bundledCsv) {
  const symbol = symbolFromFileName(file) ?? 'BTC-USDT';
  const candles = new Map([[symbol, await readCandlesCsv(file, { timeframe: '1h' })]]);
  const strategy = () => createStrategy('ema_crossover', params, { interval: '1h' });
  const result = await runBacktest({ candles, interval: '1h', strategy, ...settings });
  const input = reportInputOf(result, {
    strategy: 'ema_crossover',
    params,
    interval: '1h',
    candles,
    fillMode: 'next-open',
    ...settings,
  });
  return { result, input, metrics: computeMetrics(input) };
}

if (import.meta.main) {
  const { input, metrics } = await backtestCsv(process.argv[2]);
  process.stdout.write(formatSummary(input, metrics));
}
