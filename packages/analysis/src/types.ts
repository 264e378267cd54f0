/**
 * What a backtest run hands to the report layer: the run's settings and the engine's trades and
 * equity curve (`reportInputOf` builds it from `runBacktest`'s result). The report modules
 * (metrics, terminal summary, JSON, HTML) read nothing else. Times are epoch milliseconds (UTC);
 * money is in the quote currency of the traded symbols (USD or USDT in the bundled data).
 */
import type { RunProvenance } from '@lumenlink/core';
import type { EquityPoint, Trade } from '@lumenlink/engine';

/** One OHLCV candle as the report draws it; `time` is the open time. */
export interface ReportCandle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Everything a report is made from: the run's settings and its results. */
export interface ReportInput {
  /** Headline of the report, e.g. `"ema_crossover on BTC-USD 1h"`. */
  readonly title: string;
  /** Strategy name as configured. */
  readonly strategy: string;
  /** The strategy's parameters as run. */
  readonly params: Record<string, unknown>;
  /** Candle interval: `1m`, `15m`, `1h`, `4h`, `1d`, `1w`. */
  readonly interval: string;
  /** Start of the tested period (epoch ms). */
  readonly from: number;
  /** End of the tested period (epoch ms). */
  readonly to: number;
  /** Cash at the start, in the quote currency. */
  readonly startingCash: number;
  /** Fee per side in basis points. */
  readonly feeBps: number;
  /** Slippage per market fill in basis points. */
  readonly slippageBps: number;
  /** Market orders fill at the next candle's open, or at the signal candle's close. */
  readonly fillMode: 'next-open' | 'close';
  /** Candles per symbol, ascending by time: for the chart and for buy-and-hold. */
  readonly candles: Record<string, readonly ReportCandle[]>;
  /** Every trade, closed and open, in entry order. */
  readonly trades: readonly Trade[];
  /** Equity per candle time, ascending. */
  readonly equity: readonly EquityPoint[];
  /** Risk check name → how many signals it blocked. */
  readonly blocked: Record<string, number>;
  /**
   * What produced the run (strategy source, parameters, settings, data), when the caller knows
   * it: the JSON report writes it as `provenance`, the HTML page shows it, and
   * `compareReports` reads it to say what a rerun changed.
   */
  readonly provenance?: RunProvenance;
}
