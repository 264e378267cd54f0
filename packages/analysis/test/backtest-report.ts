import { createHash } from 'node:crypto';
import type { Candle, RunProvenance, StrategyProvenance, SymbolId } from '@lumenlink/core';
import { dataProvenanceOf, loadBundledCandles } from '@lumenlink/data';
import { runBacktest } from '@lumenlink/engine';
import { createStrategy } from '@lumenlink/strategies';
import { formatJsonReport } from '../src/json.js';
import { computeMetrics } from '../src/metrics.js';
import { reportInputOf } from '../src/report-input.js';
import type { ReportInput } from '../src/types.js';

/** What a test varies in a real backtest of `ema_crossover` on bundled BTC/USDT candles. */
export interface BacktestRunOptions {
  readonly fastPeriod?: number;
  readonly slowPeriod?: number;
  readonly feeBps?: number;
  /** Candles of the bundled series to run, from its start (default 1,200; `Infinity`: all). */
  readonly candleCount?: number;
  /** Bundled symbols to run, in processing order (default BTC-USDT). */
  readonly symbols?: readonly SymbolId[];
  /** Changes the candles before the run (a data change). */
  readonly editCandles?: (candles: Candle[]) => Candle[];
  /** The strategy's source as recorded; default a strategy file of the given contents. */
  readonly strategy?: StrategyProvenance;
  /** Without provenance, as a report written before reports recorded it. */
  readonly withoutProvenance?: boolean;
}

/** A strategy file's provenance whose `sha256` is the hash of `contents`. */
export function strategyFile(contents: string): StrategyProvenance {
  return {
    spec: 'strategies/my-idea.ts',
    kind: 'file',
    key: 'my_idea',
    path: '/home/trader/bot/strategies/my-idea.ts',
    exportName: 'default',
    sha256: createHash('sha256').update(contents).digest('hex'),
  };
}

/** Runs the backtest and builds its report input, with the provenance a backtest records. */
export async function backtestInput(options: BacktestRunOptions = {}): Promise<ReportInput> {
  const symbols = options.symbols ?? ['BTC-USDT'];
  const candles = new Map(
    symbols.map((symbol) => {
      const series = loadBundledCandles(symbol).slice(0, options.candleCount ?? 1_200);
      return [symbol, options.editCandles?.(series) ?? series] as const;
    }),
  );
  const params = { fastPeriod: options.fastPeriod ?? 9, slowPeriod: options.slowPeriod ?? 21 };
  const settings = {
    startingCash: 10_000,
    costs: { feeBps: options.feeBps ?? 10, slippageBps: 5 },
    fillMode: 'next-open' as const,
  };
  const result = await runBacktest({
    candles,
    interval: '1h',
    strategy: () => createStrategy('ema_crossover', params, { interval: '1h' }),
    startingCash: settings.startingCash,
    feeBps: settings.costs.feeBps,
    slippageBps: settings.costs.slippageBps,
    fillMode: settings.fillMode,
  });
  const provenance: RunProvenance = {
    strategy: options.strategy ?? strategyFile('export default defineStrategy({ ... });\n'),
    params,
    settings,
    data: dataProvenanceOf({
      description: `the bundled Binance 1h data (${symbols.join(', ')}, 2024)`,
      candles,
      symbols,
      interval: '1h',
    }),
  };
  return reportInputOf(result, {
    strategy: 'ema_crossover',
    params,
    interval: '1h',
    candles,
    feeBps: settings.costs.feeBps,
    slippageBps: settings.costs.slippageBps,
    fillMode: settings.fillMode,
    ...(options.withoutProvenance === true ? {} : { provenance }),
  });
}

/** The JSON report of {@link backtestInput}'s run. */
export async function backtestReport(options: BacktestRunOptions = {}): Promise<string> {
  const input = await backtestInput(options);
  return formatJsonReport(input, computeMetrics(input));
}
