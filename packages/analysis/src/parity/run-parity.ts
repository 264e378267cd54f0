/**
 * The parity report: replays the candles the bot stored through the engine's backtest driver
 * with the same config, rebuilds the bot's trades from its stored orders and fills, and explains
 * each difference between the two (docs/architecture/parity.md).
 */
import {
  ValidationError,
  timeframeMs,
  type Candle,
  type Strategy,
  type SymbolId,
} from '@lumenlink/core';
import { type Config } from '@lumenlink/config';
import { countCauses, compareTrades } from './differences.js';
import { findGaps, uniformSlippage, type Evidence, type Gap } from './evidence.js';
import { formatParityTime as time } from './numbers.js';
import type { ParityStore } from './parity-store.js';
import { periodEnd, type PeriodEnd } from './period.js';
import { backtestSide, botSide, firstRecord, ordersInPeriod, type Period } from './sides.js';
import type { ParityReport } from './types.js';

/** What {@link runParity} compares. */
export interface ParityOptions {
  /** The bot's records: its store's candles, orders, fills, runtime state and decisions. */
  readonly store: ParityStore;
  /** How the report names the store, and its errors too (the bot's database path). */
  readonly db: string;
  /** The bot's configuration (`.env` and the environment through core's `loadConfig`). */
  readonly config: Config;
  /**
   * A fresh strategy for a symbol, built as the bot builds it from `config.strategy` (with
   * `@lumenlink/strategies`: `() => createStrategy(config.strategy, undefined, { interval })`).
   */
  readonly strategy: (symbol: SymbolId) => Strategy;
  /**
   * Open time of the first candle the bot traded: as the bot does on start, the strategies warm up
   * on the `max(warm-up, ATR_PERIOD + 1)` stored candles before it.
   */
  readonly from?: number;
  /** Open time of the last candle to compare (default: the bot's last processed candle). */
  readonly to?: number;
}

/** The stored candles of the period, by symbol, with what the rules look up in them. */
interface CandleView {
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  readonly firstCandle: number;
  readonly count: number;
  readonly marks: ReadonlyMap<SymbolId, number>;
  readonly byTime: ReadonlyMap<SymbolId, ReadonlyMap<number, Candle>>;
  readonly gaps: ReadonlyMap<SymbolId, readonly Gap[]>;
}

/** Reads every symbol's candles from `loadFrom` to the period's end; each must have some. */
async function loadCandles(
  options: ParityOptions,
  loadFrom: number,
  period: Period,
): Promise<CandleView> {
  const { config, db, store } = options;
  const { interval } = config;
  const { from, to } = period;
  const candles = new Map<SymbolId, Candle[]>();
  for (const symbol of config.symbols) {
    const list = await store.candles.getCandles(symbol, interval, loadFrom, to);
    if (list.length === 0) {
      throw new ValidationError(
        `${db} holds no ${interval} candles of ${symbol} up to ${time(to)}: check SYMBOLS and INTERVAL, or --to`,
      );
    }
    candles.set(symbol, list);
  }
  if (from !== null && ![...candles.values()].some((list) => (list.at(-1)?.time ?? 0) >= from)) {
    throw new ValidationError(`no stored candles from ${time(from)} to ${time(to)}: check --from`);
  }
  const intervalMs = timeframeMs(interval);
  let firstCandle = Number.POSITIVE_INFINITY;
  let count = 0;
  const marks = new Map<SymbolId, number>();
  const byTime = new Map<SymbolId, Map<number, Candle>>();
  const gaps = new Map<SymbolId, Gap[]>();
  for (const [symbol, list] of candles) {
    firstCandle = Math.min(firstCandle, list[0]!.time);
    count += list.length;
    marks.set(symbol, list.at(-1)!.close);
    byTime.set(symbol, new Map(list.map((candle) => [candle.time, candle])));
    gaps.set(symbol, findGaps(list, intervalMs));
  }
  return { candles, firstCandle, count, marks, byTime, gaps };
}

/**
 * Checks a period before anything is read: `from` must not be after `to`. {@link runParity}
 * checks it first too; a caller can check flags with it before opening a store.
 *
 * @throws {ValidationError} when `from` is after `to`.
 */
export function checkParityPeriod(period: Pick<ParityOptions, 'from' | 'to'>): void {
  const { from, to } = period;
  if (from !== undefined && to !== undefined && from > to) {
    throw new ValidationError(
      `from ${time(from)} is after to ${time(to)}: give a period that ends after it starts`,
    );
  }
}

/** The end of the period, or a clear error when the store has nothing to compare. */
async function resolveEnd(options: ParityOptions): Promise<PeriodEnd> {
  const { config, db } = options;
  checkParityPeriod(options);
  const end = await periodEnd(options.store, config, options.to);
  if (end === null) {
    throw new ValidationError(
      `${db} holds no ${config.interval} candles of ${config.symbols.join(', ')} and no bot records: check SYMBOLS and INTERVAL`,
    );
  }
  return end;
}

/**
 * Compares what the bot did with what the backtest does on the same stored candles and config.
 *
 * The period: every stored candle of the config's `SYMBOLS` and `INTERVAL` up to the bot's last
 * processed candle (or `to`; without either, the last candle its orders, fills and decisions
 * name; without those, the last stored candle), from the first stored one on, as the bot replays
 * them. With `from` (the first candle a bot trading live data traded), trading starts there after
 * the warm-up the bot does on start: the `max(strategy warm-up, ATR_PERIOD + 1)` candles before.
 *
 * The bot's trades are rebuilt from its stored orders and fills (see `rebuildTrades`); the
 * backtest's from the orders and fills of `runBacktest` the same way. Trades are matched by
 * symbol and entry signal time, then to the nearest overlapping trade, and every difference is
 * put down to a cause: `rejection` (an order rejected or failed, or a signal blocked, on one side
 * only), `latency` (the bot filled later than the paper model), `fill model` (a price or fee the
 * paper model does not give), `intra-candle stop` (a stop triggered between candles, or by
 * another stop on another candle), `data` (a candle missing from the store, a candle stored again
 * after the bot traded, records the store lacks), or `unexplained`.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env);
 * const report = await runParity({
 *   store: { ...store, decisionLog }, // candles, orders, runtime of the bot's store
 *   db: config.data.dbPath,
 *   config,
 *   strategy: () => createStrategy(config.strategy, undefined, { interval: config.interval }),
 * });
 * console.log(report.differences.length === 0 ? 'in parity' : report.causes);
 * ```
 * @throws {ValidationError} for a period without candles, or `from` after `to`.
 * @throws whatever the store throws (a `StorageError`, a `DataIntegrityError`): never swallowed.
 */
export async function runParity(options: ParityOptions): Promise<ParityReport> {
  const { config, store } = options;
  const { symbols, interval } = config;
  const end = await resolveEnd(options);
  const period: Period = { from: options.from ?? null, to: end.to };
  // The bot warms up on this many candles before the first it trades, as the trading node does.
  const warmupCandles = Math.max(
    ...symbols.map((symbol) => options.strategy(symbol).warmup),
    config.trading.atrPeriod + 1,
  );
  const lookbackMs = warmupCandles * timeframeMs(interval);
  const loadFrom = period.from === null ? 0 : Math.max(0, period.from - lookbackMs);
  const view = await loadCandles(options, loadFrom, period);
  const bot = await botSide(store, config, view.marks, period);
  const backtest = await backtestSide(config, options.strategy, view.candles, view.marks, period);
  const evidence: Evidence = {
    config,
    lookbackMs,
    candles: view.byTime,
    gaps: view.gaps,
    botOrders: bot.orders,
    botOrderIds: new Set(bot.allOrders.map((order) => order.clientOrderId)),
    botDecisions: bot.decisions,
    backtestDecisions: backtest.decisions,
    lastProcessed: end.lastProcessed,
    firstRecord: firstRecord(bot, config, period),
    botSlippageBps: uniformSlippage(bot.rebuilt.trades, view.byTime, config),
  };
  const { matched, differences } = compareTrades(
    evidence,
    bot.rebuilt.trades,
    backtest.rebuilt.trades,
  );
  return {
    db: options.db,
    strategy: config.strategy,
    symbols,
    interval,
    startingCash: config.paper.startingCash,
    feeBps: config.paper.feeBps,
    slippageBps: config.paper.slippageBps,
    period: { firstCandle: view.firstCandle, ...period, toSource: end.source },
    candles: view.count,
    bot: {
      orders: ordersInPeriod(bot, config, period),
      fills: bot.rebuilt.fills,
      trades: bot.rebuilt.trades.length,
    },
    backtest: {
      orders: backtest.result.orders.length,
      fills: backtest.result.fills.length,
      trades: backtest.rebuilt.trades.length,
    },
    matched,
    differences,
    causes: countCauses(differences),
    notes: bot.notes,
  };
}
