/** The two sides of the comparison: the bot's records, and the backtest replaying its candles. */
import {
  candleOpenTime,
  type Candle,
  type Order,
  type Strategy,
  type SymbolId,
} from '@lumenlink/core';
import { type Config } from '@lumenlink/config';
import {
  MemoryDecisionStore,
  memoryStores,
  runBacktest,
  type BacktestOptions,
  type BacktestResult,
} from '@lumenlink/engine';
import { riskConfigFromConfig } from '@lumenlink/risk';
import type { ParityStore, RecordedDecision } from './parity-store.js';
import { storedDecisions } from './period.js';
import { rebuild, type Rebuilt } from './rebuild-trades.js';

/** The compared period: `from` as given (or `null`), `to` the resolved end. */
export interface Period {
  readonly from: number | null;
  readonly to: number;
}

/** What the bot did in the period, as its store records it. */
export interface BotSide {
  /** Every stored order, of every symbol. */
  readonly allOrders: readonly Order[];
  /** The stored orders of the config's symbols. */
  readonly orders: readonly Order[];
  readonly rebuilt: Rebuilt;
  readonly decisions: readonly RecordedDecision[];
  /** What the comparison noticed about the records (other symbols, another strategy). */
  readonly notes: readonly string[];
}

/** What the backtest did on the same candles. */
export interface BacktestSide {
  readonly result: BacktestResult;
  readonly rebuilt: Rebuilt;
  readonly decisions: readonly RecordedDecision[];
}

/** Notes on stored orders the config does not explain: other symbols, another strategy. */
function recordNotes(allOrders: readonly Order[], orders: readonly Order[], config: Config) {
  const notes: string[] = [];
  const known = new Set(config.symbols);
  const foreign = [
    ...new Set(allOrders.map((order) => order.symbol).filter((symbol) => !known.has(symbol))),
  ];
  if (foreign.length > 0) {
    notes.push(
      `orders of ${foreign.join(', ')} are left out: those symbols are not in SYMBOLS (${config.symbols.join(',')})`,
    );
  }
  const strategies = [...new Set(orders.map((order) => order.strategy))].filter(
    (key) => key !== config.strategy,
  );
  if (strategies.length > 0) {
    notes.push(
      `the bot's orders come from ${strategies.join(', ')}, the config names ${config.strategy}: compare with the STRATEGY the bot ran`,
    );
  }
  return notes;
}

/** Reads the bot's orders, fills and decisions and rebuilds its trades in the period. */
export async function botSide(
  store: ParityStore,
  config: Config,
  marks: ReadonlyMap<SymbolId, number>,
  period: Period,
): Promise<BotSide> {
  const { symbols, interval } = config;
  const { from, to } = period;
  const allOrders = await store.orders.listOrders();
  const known = new Set<string>(symbols);
  const orders = allOrders.filter((order) => known.has(order.symbol));
  const notes = recordNotes(allOrders, orders, config);
  const fills = (await store.orders.listFills()).filter((fill) => known.has(fill.symbol));
  const rebuilt = rebuild({
    orders,
    fills,
    interval,
    marks,
    symbols,
    ...(from === null ? {} : { from }),
    to,
  });
  const decisions = await storedDecisions(store, symbols, interval, to);
  return { allOrders, orders, rebuilt, decisions, notes };
}

/** The backtest options that replay `config` over `candles`, as the bot trades it. */
function backtestOptions(
  config: Config,
  strategy: (symbol: SymbolId) => Strategy,
  candles: ReadonlyMap<SymbolId, readonly Candle[]>,
  decisions: MemoryDecisionStore,
  period: Period,
): BacktestOptions {
  const { interval, paper, trading } = config;
  return {
    candles,
    interval,
    strategy,
    startingCash: paper.startingCash,
    feeBps: paper.feeBps,
    slippageBps: paper.slippageBps,
    fillMode: 'next-open',
    risk: riskConfigFromConfig(config),
    protections: true,
    atrPeriod: trading.atrPeriod,
    trailingStopAtrMultiple: trading.trailingStopAtrMult,
    ...(trading.stopLossPct === undefined ? {} : { stopLossPct: trading.stopLossPct }),
    ...(trading.takeProfitPct === undefined ? {} : { takeProfitPct: trading.takeProfitPct }),
    cooldownMs: trading.signalCooldownMs,
    ...(period.from === null ? {} : { from: period.from }),
    to: period.to,
    closeAtEnd: false,
    stores: { ...memoryStores(), decisions },
  };
}

/** Replays `candles` through `runBacktest` with the bot's config and rebuilds its trades. */
export async function backtestSide(
  config: Config,
  strategy: (symbol: SymbolId) => Strategy,
  candles: ReadonlyMap<SymbolId, readonly Candle[]>,
  marks: ReadonlyMap<SymbolId, number>,
  period: Period,
): Promise<BacktestSide> {
  const store = new MemoryDecisionStore();
  const result = await runBacktest(backtestOptions(config, strategy, candles, store, period));
  const rebuilt = rebuild({
    orders: result.orders,
    fills: result.fills,
    interval: config.interval,
    marks,
    symbols: config.symbols,
  });
  const decisions = store.all().map((decision): RecordedDecision => ({
    symbol: decision.symbol,
    candleTime: decision.candleTime,
    action: decision.signal.action,
    outcome: decision.outcome,
    clientOrderId: decision.clientOrderId,
    note: decision.note,
  }));
  return { result, rebuilt, decisions };
}

function inPeriod(at: number, period: Period): boolean {
  return at <= period.to && (period.from === null || at >= period.from);
}

/** Open time of the first bot record (decision or order) in the period, if any. */
export function firstRecord(bot: BotSide, config: Config, period: Period): number | null {
  const times = [
    ...bot.decisions.map((decision) => decision.candleTime),
    ...bot.orders.map((order) => candleOpenTime(order.candleTime, config.interval)),
  ].filter((at) => inPeriod(at, period));
  return times.length === 0 ? null : Math.min(...times);
}

/** How many of the bot's orders were decided in the period. */
export function ordersInPeriod(bot: BotSide, config: Config, period: Period): number {
  return bot.orders.filter((order) =>
    inPeriod(candleOpenTime(order.candleTime, config.interval), period),
  ).length;
}
