/** The report layer's input made from the engine's backtest result and the run's settings. */
import type { Candle, RunProvenance, SymbolId } from '@lumenlink/core';
import type { BacktestResult, Trade } from '@lumenlink/engine';
import type { ReportCandle, ReportInput } from './types.js';

/** The settings of a run that its result does not carry. Money in the quote currency. */
export interface ReportRun {
  /** Strategy name as configured. */
  readonly strategy: string;
  /** The strategy's parameters as run. */
  readonly params: Record<string, unknown>;
  /** Candle interval (`1h`). */
  readonly interval: string;
  /** The candles the run was given, per symbol (warm-up included: cut to the traded period). */
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  /** Fee per side in basis points (`runBacktest`'s default is 10). */
  readonly feeBps: number;
  /** Slippage per market fill in basis points (`runBacktest`'s default is 5). */
  readonly slippageBps: number;
  readonly fillMode: 'next-open' | 'close';
  /** Headline; default `"<strategy> on <symbols> <interval>"`. */
  readonly title?: string;
  /** What produced the run, recorded by the JSON and HTML reports (see `ReportInput`). */
  readonly provenance?: RunProvenance;
}

/** The OHLCV of the candles in `from`..`to`. */
function reportCandles(candles: readonly Candle[], from: number, to: number): ReportCandle[] {
  const list: ReportCandle[] = [];
  for (const candle of candles) {
    if (candle.time < from || candle.time > to) continue;
    const { time, open, high, low, close, volume } = candle;
    list.push({ time, open, high, low, close, volume });
  }
  return list;
}

/** An engine trade as the reports show it: a `closeAtEnd` exit (`force_exit`) is the run's `end`. */
function reportTrade(trade: Trade): Trade {
  return trade.exitReason === 'force_exit' ? { ...trade, exitReason: 'end' } : trade;
}

/**
 * Builds the input of every report (metrics, summary, JSON, HTML) from `runBacktest`'s result.
 *
 * @example
 * ```ts
 * const result = await runBacktest({ candles, interval: '1h', strategy, startingCash: 10_000 });
 * const input = reportInputOf(result, {
 *   strategy: 'ema_crossover', params, interval: '1h', candles,
 *   feeBps: 10, slippageBps: 5, fillMode: 'next-open',
 * });
 * console.log(computeMetrics(input).sharpe);
 * ```
 */
export function reportInputOf(result: BacktestResult, run: ReportRun): ReportInput {
  const candles: Record<string, ReportCandle[]> = {};
  for (const [symbol, list] of run.candles) {
    candles[symbol] = reportCandles(list, result.from, result.to);
  }
  return {
    title: run.title ?? `${run.strategy} on ${[...run.candles.keys()].join(', ')} ${run.interval}`,
    strategy: run.strategy,
    params: run.params,
    interval: run.interval,
    from: result.from,
    to: result.to,
    startingCash: result.startingCash,
    feeBps: run.feeBps,
    slippageBps: run.slippageBps,
    fillMode: run.fillMode,
    candles,
    trades: result.trades.map(reportTrade),
    equity: result.equity,
    blocked: result.blocked,
    ...(run.provenance === undefined ? {} : { provenance: run.provenance }),
  };
}
