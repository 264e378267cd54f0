import { parseTimeframe, timeframeMs } from '@lumenlink/core';
import type { EquityPoint, Trade } from '@lumenlink/engine';
import type { ReportCandle, ReportInput } from './types.js';

/** Crypto trades every day of the year: a year is 365 days of 24 hours. */
export const yearMs = 365 * 86_400_000;

/**
 * The statistics of one backtest run. Fractions are plain numbers (`0.125` is 12.5%); money is
 * in the quote currency; durations are milliseconds.
 *
 * Conventions (close to quantstats', on a 365-day crypto year):
 * - The equity curve starts at `startingCash` at time `from`, followed by the run's equity
 *   points. Per-period returns are taken between consecutive values of that curve.
 * - Sharpe = mean(returns) / sample stdev(returns) x sqrt(periods per year), risk-free rate 0.
 *   It is 0 with fewer than two returns or when the returns do not vary (flat equity).
 * - Sortino = mean(returns) / downside deviation x sqrt(periods per year), where the downside
 *   deviation is sqrt(sum(min(r, 0)^2) / n) over all n returns (quantstats' definition).
 * - Periods per year = 365 days / the interval (8,760 for `1h`, 365 for `1d`).
 * - A ratio whose denominator is 0 (Sortino without a losing period, Calmar without a drawdown,
 *   profit factor without a losing trade) is `Infinity` when its numerator is positive, else 0.
 *   JSON writes `Infinity` as `null`.
 */
export interface BacktestMetrics {
  /** Cash at the start. */
  readonly startingCash: number;
  /** Equity at the last equity point (open positions marked to market), else the starting cash. */
  readonly finalEquity: number;
  /** Final equity minus starting cash. */
  readonly netProfit: number;
  /** Final equity / starting cash - 1. */
  readonly totalReturn: number;
  /** Compound annual growth over the calendar time `from` → `to`; 0 for an empty period. */
  readonly cagr: number;
  /** Annualised Sharpe ratio of per-period returns, risk-free 0. */
  readonly sharpe: number;
  /** Annualised Sortino ratio of per-period returns, target 0. */
  readonly sortino: number;
  /** Deepest fall from a running peak of equity, as a fraction of that peak (0..1). */
  readonly maxDrawdown: number;
  /** From the peak before the deepest drawdown to the recovery of that peak, or to the end. */
  readonly maxDrawdownDurationMs: number;
  /** CAGR / max drawdown. */
  readonly calmar: number;
  /** Winning closed trades (pnl > 0) / closed trades; 0 without closed trades. */
  readonly winRate: number;
  /** Gross profit of winning closed trades / gross loss of losing ones. */
  readonly profitFactor: number;
  /** Mean net pnl per closed trade; 0 without closed trades. */
  readonly expectancy: number;
  /** Fraction of equity points at which a position was held (any symbol). */
  readonly exposure: number;
  /** Trade counts: all, closed, still open at the end, winners and losers among the closed. */
  readonly trades: {
    readonly total: number;
    readonly closed: number;
    readonly open: number;
    readonly wins: number;
    readonly losses: number;
  };
  /** Fees paid on every trade, open ones included. */
  readonly feesPaid: number;
  /**
   * Equal-weight buy-and-hold over the same period: each symbol buys at the open of its first
   * candle in `from`..`to` and sells at the close of its last, paying the run's fee both ways.
   */
  readonly buyAndHoldReturn: number;
  /** Buy-and-hold return per symbol, in symbol order of `input.candles`. */
  readonly buyAndHoldBySymbol: Readonly<Record<string, number>>;
  /** Periods per year used to annualise Sharpe and Sortino. */
  readonly periodsPerYear: number;
  /** Signals blocked by risk: in total, and per check sorted by name. */
  readonly blocked: {
    readonly total: number;
    readonly byCheck: Readonly<Record<string, number>>;
  };
}

/**
 * Computes every statistic of a run from its {@link ReportInput}.
 *
 * @example
 * ```ts
 * const metrics = computeMetrics(result);
 * console.log(`${(metrics.totalReturn * 100).toFixed(2)}% vs ${(metrics.buyAndHoldReturn * 100).toFixed(2)}%`);
 * ```
 * @throws {ValidationError} (from `@lumenlink/core`) when `input.interval` is not a timeframe.
 */
export function computeMetrics(input: ReportInput): BacktestMetrics {
  const periodsPerYear = periodsPerYearOf(input.interval);
  const finalEquity = input.equity.at(-1)?.equity ?? input.startingCash;
  const totalReturn = input.startingCash > 0 ? finalEquity / input.startingCash - 1 : 0;
  const cagr = compoundAnnualGrowth(input.startingCash, finalEquity, input.to - input.from);
  const returns = periodReturns(input.startingCash, input.equity);
  const drawdown = maxDrawdownOf(input.startingCash, input.from, input.equity);
  const closed = input.trades.filter((trade) => trade.exitTime !== null);
  const wins = closed.filter((trade) => trade.pnl > 0);
  const losses = closed.filter((trade) => trade.pnl < 0);
  const grossProfit = sum(wins.map((trade) => trade.pnl));
  const grossLoss = -sum(losses.map((trade) => trade.pnl));
  const hold = buyAndHold(input);
  const byCheck: Record<string, number> = {};
  for (const name of Object.keys(input.blocked).sort()) byCheck[name] = input.blocked[name] ?? 0;

  return {
    startingCash: input.startingCash,
    finalEquity,
    netProfit: finalEquity - input.startingCash,
    totalReturn,
    cagr,
    sharpe: sharpeRatio(returns, periodsPerYear),
    sortino: sortinoRatio(returns, periodsPerYear),
    maxDrawdown: drawdown.maxDrawdown,
    maxDrawdownDurationMs: drawdown.durationMs,
    calmar: ratio(cagr, drawdown.maxDrawdown),
    winRate: closed.length > 0 ? wins.length / closed.length : 0,
    profitFactor: ratio(grossProfit, grossLoss),
    expectancy: closed.length > 0 ? sum(closed.map((trade) => trade.pnl)) / closed.length : 0,
    exposure: exposureOf(input.trades, input.equity),
    trades: {
      total: input.trades.length,
      closed: closed.length,
      open: input.trades.length - closed.length,
      wins: wins.length,
      losses: losses.length,
    },
    feesPaid: sum(input.trades.map((trade) => trade.fees)),
    buyAndHoldReturn: hold.total,
    buyAndHoldBySymbol: hold.bySymbol,
    periodsPerYear,
    blocked: { total: sum(Object.values(byCheck)), byCheck },
  };
}

/**
 * Candles of `interval` in a 365-day year: 8,760 for `1h`, 365 for `1d`, 52.14 for `1w`.
 *
 * @throws {ValidationError} (from `@lumenlink/core`) when `interval` is not a timeframe.
 */
export function periodsPerYearOf(interval: string): number {
  return yearMs / timeframeMs(parseTimeframe(interval));
}

/** Drawdown below the running peak (0..1) at each equity point; the peak starts at `startingCash`. */
export function drawdownSeries(
  startingCash: number,
  equity: readonly EquityPoint[],
): { time: number; drawdown: number }[] {
  let peak = startingCash;
  return equity.map((point) => {
    peak = Math.max(peak, point.equity);
    return { time: point.time, drawdown: peak > 0 ? (peak - point.equity) / peak : 0 };
  });
}

/**
 * Equity of the equal-weight buy-and-hold basket at each equity point's time: `startingCash`
 * split evenly over the symbols with candles in `from`..`to`, each bought at its first open with
 * the entry fee, then marked at the last close at or before the time (exit fee not yet paid).
 */
export function buyAndHoldEquity(input: ReportInput): { time: number; equity: number }[] {
  const fee = input.feeBps / 10_000;
  const holdings = Object.values(input.candles)
    .map((candles) => candlesInPeriod(candles, input.from, input.to))
    .filter((candles) => (candles[0]?.open ?? 0) > 0);
  if (holdings.length === 0) return [];
  const share = input.startingCash / holdings.length;
  const books = holdings.map((candles) => ({
    candles,
    quantity: (share * (1 - fee)) / (candles[0]?.open ?? 1),
    index: -1,
  }));
  return input.equity.map((point) => {
    let equity = 0;
    for (const book of books) {
      while ((book.candles[book.index + 1]?.time ?? Infinity) <= point.time) book.index++;
      const candle = book.candles[book.index];
      // Before its first candle a symbol is still cash (less the entry fee it will pay).
      equity += candle === undefined ? share * (1 - fee) : book.quantity * candle.close;
    }
    return { time: point.time, equity };
  });
}

/** An equal-weight buy-and-hold's return, in total and per symbol (fractions: 0.2 is +20 %). */
export interface BuyAndHold {
  /** The basket's return: the mean of the symbols' returns (equal parts of the cash). */
  readonly total: number;
  /** Per symbol with candles in the period, in the order of `candles`. */
  readonly bySymbol: Readonly<Record<string, number>>;
}

/**
 * Equal-weight buy-and-hold over `from`..`to` (candle open times): each symbol with candles in
 * the period buys at the open of its first one and sells at the close of its last, paying
 * `feeBps` both ways; the basket's return is the mean over those symbols (0 without any). The one
 * definition behind `computeMetrics`' `buyAndHoldReturn` (the backtest's report) and the bot
 * demo's summary, so the two agree on the same candles.
 *
 * @example
 * ```ts
 * const hold = buyAndHold({ candles: { 'BTC-USDT': candles }, from, to, feeBps: 10 });
 * console.log(hold.total, hold.bySymbol['BTC-USDT']);
 * ```
 */
export function buyAndHold(
  input: Pick<ReportInput, 'candles' | 'from' | 'to' | 'feeBps'>,
): BuyAndHold {
  const fee = input.feeBps / 10_000;
  const bySymbol: Record<string, number> = {};
  for (const [symbol, all] of Object.entries(input.candles)) {
    const candles = candlesInPeriod(all, input.from, input.to);
    const first = candles[0];
    const last = candles.at(-1);
    if (first === undefined || last === undefined || first.open <= 0) continue;
    bySymbol[symbol] = (last.close / first.open) * (1 - fee) * (1 - fee) - 1;
  }
  const returns = Object.values(bySymbol);
  return { total: returns.length > 0 ? sum(returns) / returns.length : 0, bySymbol };
}

/**
 * The share of the starting cash a run kept in positions on average: each trade's largest
 * position at its average entry price, for the time it was open (an open trade until the end),
 * summed and divided by the starting cash times the period, from the open of the candle at
 * `from` to the close of the candle at `to`. 0.025 means 2.5 % of the cash was in the market on
 * average; a buy-and-hold of that share (the rest in cash) returns this times its return.
 *
 * @example
 * ```ts
 * const share = capitalExposure(input); // 0.0042
 * const sameExposure = share * buyAndHold(input).total;
 * ```
 * @throws {ValidationError} (from `@lumenlink/core`) when `input.interval` is not a timeframe.
 */
export function capitalExposure(
  input: Pick<ReportInput, 'trades' | 'from' | 'to' | 'interval' | 'startingCash'>,
): number {
  const end = input.to + timeframeMs(parseTimeframe(input.interval));
  const span = end - input.from;
  if (span <= 0 || input.startingCash <= 0) return 0;
  let held = 0;
  for (const trade of input.trades) {
    const opened = Math.max(trade.entryTime, input.from);
    const closed = Math.min(trade.exitTime ?? end, end);
    if (closed > opened) held += trade.quantity * trade.entryPrice * (closed - opened);
  }
  return held / (input.startingCash * span);
}

function candlesInPeriod(
  candles: readonly ReportCandle[],
  from: number,
  to: number,
): readonly ReportCandle[] {
  return candles.filter((candle) => candle.time >= from && candle.time <= to);
}

function compoundAnnualGrowth(start: number, end: number, durationMs: number): number {
  if (durationMs <= 0 || start <= 0) return 0;
  if (end <= 0) return -1;
  return (end / start) ** (yearMs / durationMs) - 1;
}

function periodReturns(startingCash: number, equity: readonly EquityPoint[]): number[] {
  const returns: number[] = [];
  let previous = startingCash;
  for (const point of equity) {
    returns.push(previous > 0 ? point.equity / previous - 1 : 0);
    previous = point.equity;
  }
  return returns;
}

function sharpeRatio(returns: readonly number[], periodsPerYear: number): number {
  if (returns.length < 2) return 0;
  const mean = sum(returns) / returns.length;
  const variance = sum(returns.map((value) => (value - mean) ** 2)) / (returns.length - 1);
  const deviation = Math.sqrt(variance);
  // Float noise on a flat curve is not volatility.
  if (deviation <= 1e-15) return 0;
  return (mean / deviation) * Math.sqrt(periodsPerYear);
}

function sortinoRatio(returns: readonly number[], periodsPerYear: number): number {
  if (returns.length === 0) return 0;
  const mean = sum(returns) / returns.length;
  const downside = Math.sqrt(sum(returns.map((value) => Math.min(value, 0) ** 2)) / returns.length);
  if (downside <= 1e-15) return mean > 0 ? Infinity : 0;
  return (mean / downside) * Math.sqrt(periodsPerYear);
}

function maxDrawdownOf(
  startingCash: number,
  from: number,
  equity: readonly EquityPoint[],
): { maxDrawdown: number; durationMs: number } {
  let peak = startingCash;
  let peakTime = from;
  let maxDrawdown = 0;
  let maxPeakTime = from;
  let maxEndTime = from;
  let maxOpen = false;
  for (const point of equity) {
    if (point.equity >= peak) {
      if (maxOpen) {
        maxEndTime = point.time;
        maxOpen = false;
      }
      peak = point.equity;
      peakTime = point.time;
      continue;
    }
    const drawdown = peak > 0 ? (peak - point.equity) / peak : 0;
    if (drawdown > maxDrawdown) {
      maxDrawdown = drawdown;
      maxPeakTime = peakTime;
      maxOpen = true;
    }
  }
  if (maxOpen) maxEndTime = equity.at(-1)?.time ?? from;
  return { maxDrawdown, durationMs: maxDrawdown > 0 ? maxEndTime - maxPeakTime : 0 };
}

function exposureOf(trades: readonly Trade[], equity: readonly EquityPoint[]): number {
  if (equity.length === 0) return 0;
  // A position is held at a point's close from the candle of its entry fill up to, not
  // including, the candle of its last exit fill: entryTime <= time < exitTime. Positions held at
  // a time = entries at or before it - exits at or before it (an exit never precedes its entry).
  // Float64Arrays (numeric sort, one element kind whatever the run) and no read past their end:
  // the optimizer computes this once per backtest, and each of those made V8 recompile it.
  const entries = Float64Array.from(trades, (trade) => trade.entryTime).sort();
  const exits = Float64Array.from(trades, (trade) => trade.exitTime ?? Infinity).sort();
  const times = Float64Array.from(equity, (point) => point.time).sort();
  let entered = 0;
  let exited = 0;
  let held = 0;
  for (const time of times) {
    while (entered < entries.length && entries[entered]! <= time) entered++;
    while (exited < exits.length && exits[exited]! <= time) exited++;
    if (entered > exited) held++;
  }
  return held / equity.length;
}

function ratio(numerator: number, denominator: number): number {
  if (denominator > 0) return numerator / denominator;
  return numerator > 0 ? Infinity : 0;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
