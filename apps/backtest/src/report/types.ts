/**
 * What a backtest run hands to the report layer. The engine's backtest driver returns this
 * shape; the report modules (metrics, terminal summary, JSON, HTML) read nothing else, so they
 * compile and test without the engine. Times are epoch milliseconds (UTC); money is in the
 * quote currency of the traded symbols (USD or USDT in the bundled data).
 */

/**
 * One trade: a position's life from flat to flat (docs/architecture/trade-cycle.md, "Trades").
 * Adds and partial exits are its fills; its prices are volume-weighted.
 */
export interface BacktestTrade {
  readonly symbol: string;
  /** LumenLink trades spot, long only. */
  readonly side: 'long';
  /** Open time of the candle whose close produced the entry signal. */
  readonly entrySignalTime: number;
  /** Open time of the candle of the first entry fill. */
  readonly entryTime: number;
  /** Volume-weighted entry price, slippage included. */
  readonly entryPrice: number;
  /** Open time of the candle that produced the exit signal; `null` while open. */
  readonly exitSignalTime: number | null;
  /** Open time of the candle of the last exit fill; `null` for a trade still open at the end. */
  readonly exitTime: number | null;
  /** Volume-weighted exit price, slippage included; `null` while open. */
  readonly exitPrice: number | null;
  /** Base-currency quantity bought. */
  readonly quantity: number;
  /** Fees paid on every fill of the trade, in the quote currency. */
  readonly fees: number;
  /** Profit or loss net of fees, in the quote currency; an open trade is marked to market. */
  readonly pnl: number;
  /**
   * Why it closed: one of `@lumenlink/engine`'s `ExitReason`s (the strategy's signal, a stop, a
   * trailing stop, a target, the run's end, ...); `null` while open.
   */
  readonly exitReason: string | null;
}

/** The portfolio's value at one candle time, marked to market at the close. */
export interface EquityPoint {
  readonly time: number;
  /** Cash plus positions at the close, in the quote currency. */
  readonly equity: number;
  /** Cash alone, in the quote currency. */
  readonly cash: number;
}

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
  readonly trades: readonly BacktestTrade[];
  /** Equity per candle time, ascending. */
  readonly equity: readonly EquityPoint[];
  /** Risk check name → how many signals it blocked. */
  readonly blocked: Record<string, number>;
}
