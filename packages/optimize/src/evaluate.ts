/**
 * One evaluation of a sweep: a backtest of one parameter set over one period, reduced to what
 * the optimizer ranks and resamples. Workers run it over the candles they loaded once. As in
 * `pnpm backtest`, the candles before the period warm the strategy up; the candles handed to the
 * engine stop at the period's end, so an evaluation cannot see later data.
 */
import type { Candle, RiskCheckName, SymbolId, Timeframe } from '@lumenlink/core';
import type { RiskSizingMethod } from '@lumenlink/config';
import { runBacktest, type BacktestOptions, type Trade } from '@lumenlink/engine';
import { computeMetrics, reportInputOf, type BacktestMetrics } from '@lumenlink/analysis';
import { definitionOf, type StrategyRef } from './strategy.js';

/** The risk limits of a run as plain data, so they can be posted to a worker. */
export interface RiskSettings {
  readonly maxDailyLossUsd?: number;
  readonly maxPositionUsd?: number;
  readonly maxOpenPositions?: number;
  readonly cooldownMinutes?: number;
  readonly sizing?: RiskSizingMethod;
  readonly perTradePct?: number;
  readonly atrMultiplier?: number;
  readonly maxDrawdownPct?: number | null;
  readonly stoplossGuardCount?: number | null;
  readonly disabledChecks?: readonly RiskCheckName[];
}

/** The fill model and risk limits every evaluation of a sweep shares. Money in the quote currency. */
export interface BacktestSettings {
  readonly startingCash: number;
  readonly feeBps: number;
  readonly slippageBps: number;
  readonly fillMode: 'next-open' | 'close';
  readonly risk: RiskSettings;
  readonly protections: boolean;
  readonly atrPeriod: number;
  /** 0: no trailing stops. */
  readonly trailingStopAtrMultiple: number;
  readonly stopLossPct?: number;
  readonly takeProfitPct?: number;
  readonly closeAtEnd: boolean;
}

/** One backtest to run: full strategy parameters and the period traded. */
export interface EvaluationJob {
  readonly params: Readonly<Record<string, unknown>>;
  /** First candle open time traded (epoch ms); every earlier candle warms the strategy up. */
  readonly from?: number;
  /** Last candle open time processed (epoch ms): no later candle reaches the engine. */
  readonly to?: number;
  /** Return the equity curve too (walk-forward's out-of-sample runs). */
  readonly equity?: boolean;
}

/** A point of an evaluation's equity curve, at a candle's close. */
export interface EquitySample {
  readonly time: number;
  readonly equity: number;
}

/** What an evaluation returns. */
export interface Evaluation {
  /** Open time of the first and last traded candle; 0 when none was traded. */
  readonly from: number;
  readonly to: number;
  readonly metrics: BacktestMetrics;
  /**
   * Each trade's P&L (net of fees; open trades marked to market) as a fraction of the equity
   * just before its entry, in entry order: what Monte Carlo resamples.
   */
  readonly tradeReturns: number[];
  /** The equity curve, when the job asked for it. */
  readonly equity?: EquitySample[];
}

/** What {@link evaluate} runs on: the strategy, the loaded candles and the shared settings. */
export interface EvaluationContext {
  /** A built-in key, or the definition of the strategy (a loaded strategy's). */
  readonly strategy: StrategyRef;
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  readonly interval: Timeframe;
  readonly settings: BacktestSettings;
}

/** Options that hold a run's settings, such as a backtest command line's; risk as the engine takes it. */
export type SettingsSource = Omit<BacktestSettings, 'risk' | 'stopLossPct' | 'takeProfitPct'> & {
  readonly risk: NonNullable<BacktestOptions['risk']>;
  readonly stopLossPct?: number | undefined;
  readonly takeProfitPct?: number | undefined;
};

/**
 * The settings of `options` as plain data that can be posted to a worker (switched-off checks
 * as an array).
 *
 * @example
 * ```ts
 * const settings = backtestSettingsOf({ ...defaultBacktestSettings, risk: { maxPositionUsd: 5_000 } });
 * ```
 */
export function backtestSettingsOf(options: SettingsSource): BacktestSettings {
  const { disabledChecks, ...limits } = options.risk;
  return {
    startingCash: options.startingCash,
    feeBps: options.feeBps,
    slippageBps: options.slippageBps,
    fillMode: options.fillMode,
    risk: {
      ...limits,
      ...(disabledChecks === undefined ? {} : { disabledChecks: [...disabledChecks] }),
    },
    protections: options.protections,
    atrPeriod: options.atrPeriod,
    trailingStopAtrMultiple: options.trailingStopAtrMultiple,
    ...(options.stopLossPct === undefined ? {} : { stopLossPct: options.stopLossPct }),
    ...(options.takeProfitPct === undefined ? {} : { takeProfitPct: options.takeProfitPct }),
    closeAtEnd: options.closeAtEnd,
  };
}

/**
 * `runBacktest`'s options for the settings: everything but the candles, the strategy and the
 * period.
 *
 * @example
 * ```ts
 * await runBacktest({ candles, interval, strategy, ...backtestOptionsOf(defaultBacktestSettings) });
 * ```
 */
export function backtestOptionsOf(
  settings: BacktestSettings,
): Omit<BacktestOptions, 'candles' | 'interval' | 'strategy'> {
  return {
    startingCash: settings.startingCash,
    feeBps: settings.feeBps,
    slippageBps: settings.slippageBps,
    fillMode: settings.fillMode,
    risk: settings.risk,
    protections: settings.protections,
    atrPeriod: settings.atrPeriod,
    trailingStopAtrMultiple: settings.trailingStopAtrMultiple,
    ...(settings.stopLossPct === undefined ? {} : { stopLossPct: settings.stopLossPct }),
    ...(settings.takeProfitPct === undefined ? {} : { takeProfitPct: settings.takeProfitPct }),
    closeAtEnd: settings.closeAtEnd,
  };
}

/** Index of the first candle with `time > at` (the list's length when there is none). */
function firstAfter(candles: readonly Candle[], at: number): number {
  let low = 0;
  let high = candles.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (candles[middle]!.time <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The candles a job may see: every candle up to `to` included (those before the job's `from`
 * warm the strategy up, as in `pnpm backtest`); nothing after `to` is kept.
 */
export function candlesUpTo(
  candles: ReadonlyMap<SymbolId, readonly Candle[]>,
  to: number | undefined,
): Map<SymbolId, readonly Candle[]> {
  const cut = new Map<SymbolId, readonly Candle[]>();
  for (const [symbol, list] of candles) {
    cut.set(symbol, to === undefined ? list : list.slice(0, firstAfter(list, to)));
  }
  return cut;
}

/** The candles up to a job's `to`, for the engine and (as a record) for the metrics. */
interface Cut {
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  readonly record: Readonly<Record<string, readonly Candle[]>>;
}

/**
 * The cuts made of each candle map, by `to`: a sweep's jobs share a few periods (one, or one
 * per walk-forward window), so each cut is made once per thread and reused by every job on it.
 */
const cutsOf = new WeakMap<
  ReadonlyMap<SymbolId, readonly Candle[]>,
  Map<number | undefined, Cut>
>();

function cutOf(candles: ReadonlyMap<SymbolId, readonly Candle[]>, to: number | undefined): Cut {
  let cuts = cutsOf.get(candles);
  if (cuts === undefined) {
    cuts = new Map();
    cutsOf.set(candles, cuts);
  }
  let cut = cuts.get(to);
  if (cut === undefined) {
    const cutCandles = candlesUpTo(candles, to);
    cut = { candles: cutCandles, record: Object.fromEntries(cutCandles) };
    cuts.set(to, cut);
  }
  return cut;
}

/** No candles: the report input's own copy of them is left out (see {@link evaluate}). */
const noCandles: ReadonlyMap<SymbolId, readonly Candle[]> = new Map();

/** Each trade's P&L over the equity at the close before its entry fill, in entry order. */
function tradeReturnsOf(
  trades: readonly Trade[],
  equity: readonly EquitySample[],
  startingCash: number,
): number[] {
  const ordered = [...trades].sort((a, b) => a.entryTime - b.entryTime);
  const returns: number[] = [];
  let cursor = -1;
  for (const trade of ordered) {
    // Equity points are at candle closes; the close at the entry candle's open time is the last
    // one before the fill.
    while ((equity[cursor + 1]?.time ?? Infinity) <= trade.entryTime) cursor++;
    const before = equity[cursor]?.equity ?? startingCash;
    returns.push(before > 0 ? trade.pnl / before : 0);
  }
  return returns;
}

/**
 * Runs one job: the engine's backtest of the strategy with the job's parameters over its
 * period, then the report layer's metrics.
 *
 * @example
 * ```ts
 * const evaluation = await evaluate(
 *   { strategy: 'ema_crossover', candles, interval: '1h', settings },
 *   { params: { fastPeriod: 12, slowPeriod: 26, confidence: 1 }, from, to },
 * );
 * evaluation.metrics.sharpe;
 * ```
 * @throws {StrategyParamsError} for parameters the strategy rejects; whatever the engine throws.
 */
export async function evaluate(
  context: EvaluationContext,
  job: EvaluationJob,
): Promise<Evaluation> {
  const { settings, interval } = context;
  const definition = definitionOf(context.strategy);
  const create = () => definition.create(job.params, { interval });
  const cut = cutOf(context.candles, job.to);
  const result = await runBacktest({
    candles: cut.candles,
    interval,
    strategy: create,
    ...backtestOptionsOf(settings),
    ...(job.from === undefined ? {} : { from: job.from }),
    ...(job.to === undefined ? {} : { to: job.to }),
  });
  // The metrics read the candles of the traded period out of those they are given; the cut's
  // candles are given as they are, rather than a fresh copy of the period's per job.
  const input = {
    ...reportInputOf(result, {
      title: definition.key,
      strategy: definition.key,
      params: { ...job.params },
      interval,
      candles: noCandles,
      feeBps: settings.feeBps,
      slippageBps: settings.slippageBps,
      fillMode: settings.fillMode,
    }),
    candles: cut.record,
  };
  return {
    from: result.from,
    to: result.to,
    metrics: computeMetrics(input),
    tradeReturns: tradeReturnsOf(result.trades, result.equity, settings.startingCash),
    ...(job.equity === true
      ? { equity: result.equity.map((point) => ({ time: point.time, equity: point.equity })) }
      : {}),
  };
}
