import {
  DataIntegrityError,
  candleProblem,
  ManualClock,
  ValidationError,
  timeframeMs,
  type Candle,
  type Decision,
  type DecisionStore,
  type Logger,
  type MarketContext,
  type MarketInfo,
  type Notifier,
  type Order,
  type Fill,
  type Strategy,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import {
  PaperBroker,
  Portfolio,
  TrailingStopManager,
  type ClientOrderIdHash,
  type PaperFillMode,
} from '@lumenlink/execution';
import {
  RiskEngine,
  RiskProtections,
  TradingStateMachine,
  type RiskEngineOptions,
} from '@lumenlink/risk';
import { memoryStores, type EngineStores } from './memory-stores.js';
import { TradeCycle } from './trade-cycle.js';
import type { Trade } from './trade-ledger.js';

/** What a backtest runs: candles, a strategy per symbol, the fill model and the risk limits. */
export interface BacktestOptions {
  /** Closed candles per symbol, ascending, in config order (the order within one time). */
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  readonly interval: Timeframe;
  /** A fresh strategy for a symbol (strategies keep per-symbol state). */
  readonly strategy: (symbol: SymbolId) => Strategy;
  readonly startingCash: number;
  /** Fee per fill in basis points of its value, both sides (`PAPER_FEE_BPS`, default 10). */
  readonly feeBps?: number;
  /** Slippage of market fills in basis points (`PAPER_SLIPPAGE_BPS`, default 5). */
  readonly slippageBps?: number;
  /** `next-open` (default): an order decided on a close fills at the next open; `close`: at that close. */
  readonly fillMode?: PaperFillMode;
  /** The risk limits and switched-off checks (risk's `RiskEngineOptions`). */
  readonly risk?: RiskEngineOptions;
  /** Run daily loss, drawdown and stop-loss guard protections (default true). */
  readonly protections?: boolean;
  readonly atrPeriod?: number;
  /** Trailing stop distance in ATRs (default 2); 0 turns trailing stops off. */
  readonly trailingStopAtrMultiple?: number;
  readonly stopLossPct?: number;
  readonly takeProfitPct?: number;
  /** Ignore a repeat of the same action within this time; at least one candle (default). */
  readonly cooldownMs?: number;
  /** First candle open time traded (epoch ms); earlier candles only warm the strategies up. */
  readonly from?: number;
  /** Last candle open time processed (epoch ms). */
  readonly to?: number;
  /** Close what is still open at the last candle's close (default: mark it to market). */
  readonly closeAtEnd?: boolean;
  /** Where orders, decisions, positions and trading state go; in memory when left out. */
  readonly stores?: EngineStores;
  readonly markets?: ReadonlyMap<SymbolId, MarketInfo>;
  /** Historical sentiment for a time, when the run has some. */
  readonly marketContext?: (time: number) => MarketContext | undefined;
  readonly notifier?: Notifier;
  readonly logger?: Logger;
  /** Called every `progressEvery` candles (default 10 000) and at the end. */
  readonly onProgress?: (processed: number, total: number) => void;
  readonly progressEvery?: number;
  /**
   * How client order ids are hashed. `sha256` (default): the ids the bot makes for the same
   * decisions, so a backtest's orders match a paper or live run's (parity). `fast`: a cheap
   * non-cryptographic hash of the same fields, ids unique within the run, for sweeps and
   * benchmarks that never compare ids with a bot's (no crash can interrupt a backtest).
   */
  readonly clientOrderIdHash?: ClientOrderIdHash;
}

/** One point of the equity curve: after every symbol of a candle time, at its close. */
export interface EquityPoint {
  readonly time: number;
  readonly equity: number;
  readonly cash: number;
}

/**
 * The equity curve as number columns, one row per traded candle time (the same points as
 * {@link BacktestResult.equity}): what a long backtest keeps instead of an object per point.
 */
export interface EquityCurve {
  readonly length: number;
  /** Close time of each point (epoch ms). */
  readonly time: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array;
}

/** What a backtest returns. */
export interface BacktestResult {
  /** Closed trades, then those still open (marked to market, `exitTime: null`). */
  readonly trades: Trade[];
  /** The equity curve as points, built from {@link BacktestResult.equityCurve} when first read. */
  readonly equity: EquityPoint[];
  readonly equityCurve: EquityCurve;
  /** Signals blocked, per risk check (or `cooldown`, `circuit_breaker`, `error`). */
  readonly blocked: Record<string, number>;
  readonly orders: Order[];
  readonly fills: Fill[];
  readonly startingCash: number;
  readonly finalEquity: number;
  /** Candles processed (warm-up included). */
  readonly candles: number;
  /** Open time of the first and last traded candle. */
  readonly from: number;
  readonly to: number;
}

/**
 * Counts why signals did not become orders, as the decisions are recorded. Without an inner
 * store (a run's own in-memory stores, which nothing reads) it only counts: the decisions are
 * not kept.
 */
class CountingDecisions implements DecisionStore {
  readonly blocked: Record<string, number> = {};
  readonly #inner: DecisionStore | null;

  constructor(inner: DecisionStore | null) {
    this.#inner = inner;
  }

  recordDecision(decision: Decision): Promise<void> {
    const reason = blockReason(decision);
    if (reason !== null) this.blocked[reason] = (this.blocked[reason] ?? 0) + 1;
    return this.#inner === null ? Promise.resolve() : this.#inner.recordDecision(decision);
  }

  recentDecisions(symbol: SymbolId, limit: number): Promise<Decision[]> {
    if (this.#inner === null) {
      return Promise.reject(
        new ValidationError(
          'runBacktest keeps no decisions without stores: pass stores to read them back',
        ),
      );
    }
    return this.#inner.recentDecisions(symbol, limit);
  }
}

/**
 * Why a decision did not become an order: the risk check that failed, `cooldown`,
 * `circuit_breaker` or `error`; `null` when it did (or was a hold). Backtests and the bot count
 * blocked signals with it.
 */
export function blockReason(decision: Decision): string | null {
  switch (decision.outcome) {
    case 'cooldown':
      return 'cooldown';
    case 'error':
      return 'error';
    case 'blocked': {
      if (decision.verdict === null) return 'circuit_breaker';
      const failed = decision.verdict.checks.find((check) => check.outcome === 'fail');
      return failed?.name ?? decision.verdict.checks.at(-1)?.name ?? 'risk';
    }
    case 'hold':
    case 'submitted':
      return null;
  }
}

/**
 * Validates every candle once, here at the boundary (the paper broker then trusts them): sound
 * (core's `candleProblem`) and ascending in time. Returns how many there are.
 */
function checkCandles(candles: ReadonlyMap<SymbolId, readonly Candle[]>): number {
  let total = 0;
  for (const [symbol, list] of candles) {
    for (let i = 0; i < list.length; i++) {
      const problem = candleProblem(list[i]!);
      if (problem !== undefined) {
        throw new DataIntegrityError(`${symbol} candle at ${list[i]!.time}: ${problem}`);
      }
      if (i === 0) continue;
      if (list[i]!.time <= list[i - 1]!.time) {
        throw new DataIntegrityError(
          `backtest candles of ${symbol}: candle ${i} (time ${list[i]!.time}) is not after the one before (${list[i - 1]!.time}); give them ascending, once each`,
        );
      }
    }
    total += list.length;
  }
  return total;
}

/** Room for an equity point per candle time, filled as the backtest runs. */
function equityColumns(capacity: number): {
  length: number;
  time: Float64Array;
  equity: Float64Array;
  cash: Float64Array;
} {
  return {
    length: 0,
    time: new Float64Array(capacity),
    equity: new Float64Array(capacity),
    cash: new Float64Array(capacity),
  };
}

function equityPoints(curve: EquityCurve): EquityPoint[] {
  const points = new Array<EquityPoint>(curve.length);
  for (let i = 0; i < curve.length; i++) {
    points[i] = { time: curve.time[i]!, equity: curve.equity[i]!, cash: curve.cash[i]! };
  }
  return points;
}

/**
 * Runs the trade cycle over stored or in-memory candles on a manual clock with the
 * `PaperBroker`: the same kernel as paper and live trading. Symbols are merged in time order,
 * config order within one time. Each candle is processed at its close time.
 *
 * @example
 * ```ts
 * const result = await runBacktest({
 *   candles: new Map([['BTC-USDT', candles]]),
 *   interval: '1h',
 *   strategy: () => createStrategy('ema_crossover'),
 *   startingCash: 10_000,
 * });
 * console.log(result.trades.length, result.finalEquity);
 * ```
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const intervalMs = timeframeMs(options.interval);
  if (options.candles.size === 0) {
    throw new ValidationError('runBacktest candles: give at least one symbol with candles');
  }
  if (!(options.startingCash > 0)) {
    throw new ValidationError(`runBacktest startingCash: ${options.startingCash} must be > 0`);
  }
  const total = checkCandles(options.candles);
  const symbols = [...options.candles.keys()];
  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  let first = Number.POSITIVE_INFINITY;
  for (const list of options.candles.values()) first = Math.min(first, list[0]?.time ?? first);
  const clock = new ManualClock(Number.isFinite(first) ? first : 0);
  const stores = options.stores ?? memoryStores();
  // Like the trailing stops and the portfolio: a run's own decisions are counted, not kept.
  const decisions = new CountingDecisions(options.stores === undefined ? null : stores.decisions);
  const feeBps = options.feeBps ?? 10;
  const slippageBps = options.slippageBps ?? 5;
  const broker = new PaperBroker({
    clock,
    feeBps,
    slippageBps,
    startingCash: options.startingCash,
    fillMode: options.fillMode ?? 'next-open',
    candlesValidated: true,
    ...(options.markets === undefined ? {} : { markets: options.markets }),
  });
  const portfolio = new Portfolio({
    clock,
    startingCash: options.startingCash,
    // Like the trailing stops: a run's own stores are private, so its portfolio is not persisted.
    ...(options.stores === undefined ? {} : { store: stores.portfolio }),
    ...(options.markets === undefined ? {} : { markets: options.markets }),
  });
  const tradingState = await TradingStateMachine.open({
    store: stores.runtime,
    clock,
    killSwitch: false,
  });
  const risk = new RiskEngine(options.risk ?? {});
  const marketContext = options.marketContext;
  const cycle = new TradeCycle({
    clock,
    settings: {
      mode: 'paper',
      allowLiveTrading: false,
      intervalMs,
      atrPeriod: options.atrPeriod ?? 14,
      trailingStopAtrMultiple: options.trailingStopAtrMultiple ?? 2,
      ...(options.stopLossPct === undefined ? {} : { stopLossPct: options.stopLossPct }),
      ...(options.takeProfitPct === undefined ? {} : { takeProfitPct: options.takeProfitPct }),
      cooldownMs: options.cooldownMs ?? 0,
      // Room for the fee and a price that moved against us by the next open.
      cashReserveBps: feeBps + slippageBps + 100,
    },
    strategies: new Map(symbols.map((symbol) => [symbol, options.strategy(symbol)])),
    risk,
    tradingState,
    ...(options.protections === false
      ? {}
      : { protections: new RiskProtections({ tradingState, clock, limits: options.risk ?? {} }) }),
    broker,
    ...(options.clientOrderIdHash === undefined
      ? {}
      : { clientOrderIdHash: options.clientOrderIdHash }),
    orders: stores.orders,
    decisions,
    portfolio,
    // Stores of its own are private to the run: its trailing stops need no store then (each
    // move is plain arithmetic); stores given by the caller get every stop.
    trailingStops: new TrailingStopManager({
      clock,
      ...(options.stores === undefined ? {} : { store: stores.runtime }),
    }),
    ...(options.markets === undefined ? {} : { markets: options.markets }),
    ...(marketContext === undefined ? {} : { marketContext: () => marketContext(clock.now()) }),
    ...(options.notifier === undefined ? {} : { notifier: options.notifier }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });

  const lists = symbols.map((symbol) => options.candles.get(symbol)!);
  const cursors = new Array<number>(symbols.length).fill(0);
  const curve = equityColumns(total);
  const lastCloses = new Float64Array(symbols.length).fill(Number.NaN);
  const progressEvery = options.progressEvery ?? 10_000;
  let processed = 0;
  let firstTraded = Number.POSITIVE_INFINITY;
  let lastTraded = Number.NEGATIVE_INFINITY;
  for (;;) {
    // The next candle time over every symbol, then each symbol at that time in config order.
    let time = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      const candle = lists[i]![cursors[i]!];
      if (candle !== undefined && candle.time < time) time = candle.time;
    }
    if (time === Number.POSITIVE_INFINITY || time > to) break;
    const closeAt = time + intervalMs;
    if (clock.nextTimerAt !== null && clock.nextTimerAt <= closeAt) await clock.advanceTo(closeAt);
    else clock.moveTo(closeAt);
    const trading = time >= from;
    for (let i = 0; i < lists.length; i++) {
      const candle = lists[i]![cursors[i]!];
      if (candle === undefined || candle.time !== time) continue;
      cursors[i]! += 1;
      processed += 1;
      const symbol = symbols[i]!;
      lastCloses[i] = candle.close;
      if (!trading) {
        cycle.warmUp(symbol, candle);
        continue;
      }
      const pending = cycle.onCandle(symbol, candle);
      if (pending !== undefined) await pending;
    }
    if (trading) {
      firstTraded = Math.min(firstTraded, time);
      lastTraded = time;
      const row = curve.length++;
      curve.time[row] = closeAt;
      curve.equity[row] = portfolio.equity(closeAt);
      curve.cash[row] = portfolio.cash;
    }
    if (options.onProgress !== undefined && processed % progressEvery < lists.length) {
      options.onProgress(processed, total);
    }
  }
  const lastClose = new Map<SymbolId, number>();
  for (let i = 0; i < symbols.length; i++) {
    if (!Number.isNaN(lastCloses[i]!)) lastClose.set(symbols[i]!, lastCloses[i]!);
  }
  if (options.closeAtEnd === true) {
    await cycle.closeAll('end of the backtest (--close-at-end)', lastClose);
    if (curve.length > 0) {
      curve.equity[curve.length - 1] = portfolio.equity(clock.now());
      curve.cash[curve.length - 1] = portfolio.cash;
    }
  }
  options.onProgress?.(processed, total);
  const orders = await stores.orders.listOrders();
  const fills = await stores.orders.listFills();
  const equityCurve: EquityCurve = {
    length: curve.length,
    time: curve.time.subarray(0, curve.length),
    equity: curve.equity.subarray(0, curve.length),
    cash: curve.cash.subarray(0, curve.length),
  };
  let points: EquityPoint[] | null = null;
  return {
    trades: cycle.ledger.trades(lastClose),
    get equity(): EquityPoint[] {
      points ??= equityPoints(equityCurve);
      return points;
    },
    equityCurve,
    blocked: decisions.blocked,
    orders,
    fills,
    startingCash: options.startingCash,
    finalEquity: portfolio.snapshot(clock.now()).equity,
    candles: processed,
    from: Number.isFinite(firstTraded) ? firstTraded : 0,
    to: Number.isFinite(lastTraded) ? lastTraded : 0,
  };
}
