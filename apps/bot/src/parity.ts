/**
 * The parity report (`pnpm parity`): replays the candles the bot stored through the engine's
 * backtest driver with the same config, rebuilds the bot's trades from its stored orders and
 * fills, and explains each difference between the two (docs/architecture/parity.md).
 */
import { statSync } from 'node:fs';
import {
  ValidationError,
  candleCloseTime,
  candleOpenTime,
  isCandleAligned,
  timeframeMs,
  type Candle,
  type Config,
  type Fill,
  type Order,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import {
  MemoryDecisionStore,
  TradeLedger,
  inQuoteFees,
  memoryStores,
  runBacktest,
  type BacktestOptions,
  type Trade,
} from '@lumenlink/engine';
import { slippedPrice } from '@lumenlink/execution';
import { riskConfigFromConfig } from '@lumenlink/risk';
import { createStrategy } from '@lumenlink/strategies';

/**
 * What a difference is put down to (docs/architecture/parity.md, "Where live trading cannot
 * match"); `unexplained` when no rule fits.
 */
export const parityCauses = [
  'fill model',
  'rejection',
  'latency',
  'intra-candle stop',
  'data',
  'unexplained',
] as const;

/** One of {@link parityCauses}. */
type ParityCause = (typeof parityCauses)[number];

/** A trade of either side, with what the parity rules need beyond the engine's {@link Trade}. */
export interface ParityTrade extends Trade {
  /** Stored time of the first entry fill (epoch ms); `entryTime` is the open of its candle. */
  readonly entryFilledAt: number;
  /** Stored time of the last exit fill; `null` while open. */
  readonly exitFilledAt: number | null;
  /** Client order id of the first entry. */
  readonly entryOrderId: string;
  /** Client order id of the last exit; `null` while open. */
  readonly exitOrderId: string | null;
}

/** The fields of a trade that are compared, in the order a difference propagates. */
const tradeFields = [
  'entrySignalTime',
  'entryTime',
  'entryPrice',
  'quantity',
  'exitSignalTime',
  'exitTime',
  'exitReason',
  'exitPrice',
  'fees',
  'pnl',
] as const;

/** One of {@link tradeFields}. */
export type TradeField = (typeof tradeFields)[number];

/** How the report names each field. */
export const tradeFieldLabels: Readonly<Record<TradeField, string>> = {
  entrySignalTime: 'entry signal',
  entryTime: 'entry time',
  entryPrice: 'entry price',
  quantity: 'quantity',
  exitSignalTime: 'exit signal',
  exitTime: 'exit time',
  exitReason: 'exit reason',
  exitPrice: 'exit price',
  fees: 'fees',
  pnl: 'P&L',
};

/** One field that differs between the bot's trade and the backtest's. */
export interface FieldDifference {
  readonly field: TradeField;
  readonly bot: number | string | null;
  readonly backtest: number | string | null;
  /** `bot - backtest` when both are numbers, else `null`. */
  readonly delta: number | null;
  readonly cause: ParityCause;
  /** The evidence for the cause, in one line. */
  readonly note: string;
}

/**
 * `missing_in_bot`: the backtest traded and the bot did not; `extra_in_bot`: the reverse;
 * `changed`: both traded, and some fields differ.
 */
type DifferenceKind = 'missing_in_bot' | 'extra_in_bot' | 'changed';

/** One trade that differs. */
export interface TradeDifference {
  readonly kind: DifferenceKind;
  readonly symbol: SymbolId;
  /** The earlier entry signal time of the two trades (epoch ms). */
  readonly time: number;
  /** The cause of the first field that differs, or of the missing or extra trade. */
  readonly cause: ParityCause;
  readonly note: string;
  /** For `changed`: every field that differs, each with its own cause. Empty otherwise. */
  readonly fields: readonly FieldDifference[];
  readonly bot: ParityTrade | null;
  readonly backtest: ParityTrade | null;
}

/** Where the replayed period's end came from. */
type PeriodEndSource = 'flag' | 'last processed candle' | 'bot records' | 'last stored candle';

/** The result of {@link runParity}. Times are epoch ms; money is in the quote currency. */
export interface ParityReport {
  readonly db: string;
  readonly strategy: string;
  readonly symbols: readonly SymbolId[];
  readonly interval: Timeframe;
  readonly startingCash: number;
  readonly feeBps: number;
  readonly slippageBps: number;
  readonly period: {
    /** Open time of the first candle replayed (warm-up included). */
    readonly firstCandle: number;
    /** `--from`: candles before it only warm up; `null` when trading starts with the data. */
    readonly from: number | null;
    /** Open time of the last candle replayed. */
    readonly to: number;
    readonly toSource: PeriodEndSource;
  };
  /** Candles replayed over every symbol, warm-up included. */
  readonly candles: number;
  readonly bot: { readonly orders: number; readonly fills: number; readonly trades: number };
  readonly backtest: { readonly orders: number; readonly fills: number; readonly trades: number };
  /** Trades found on both sides (identical or not). */
  readonly matched: number;
  /** In time order. Empty when the bot and the backtest agree. */
  readonly differences: readonly TradeDifference[];
  /** Differences per cause. */
  readonly causes: Readonly<Record<ParityCause, number>>;
  /** What the comparison noticed about its inputs (ignored orders, another strategy). */
  readonly notes: readonly string[];
}

/** What {@link runParity} compares. */
export interface ParityOptions {
  /** The bot's SQLite database. It must exist: the report never creates one. */
  readonly dbPath: string;
  /** The bot's configuration (`.env` and the environment through core's `loadConfig`). */
  readonly config: Config;
  /**
   * Open time of the first candle the bot traded: as the bot does on start, the strategies warm up
   * on the `max(warm-up, ATR_PERIOD + 1)` stored candles before it.
   */
  readonly from?: number;
  /** Open time of the last candle to compare (default: the bot's last processed candle). */
  readonly to?: number;
}

/** A rebuilt trade with the fills and orders behind it. */
interface RebuiltTrade {
  readonly trade: ParityTrade;
  readonly fills: readonly Fill[];
  readonly entryOrder: Order;
  readonly exitOrder: Order | null;
  readonly entryFill: Fill;
  readonly exitFill: Fill | null;
}

/** What {@link rebuildTrades} reads. */
export interface RebuildTradesInput {
  readonly orders: readonly Order[];
  readonly fills: readonly Fill[];
  readonly interval: Timeframe;
  /** Last price per symbol, to mark trades still open. */
  readonly marks: ReadonlyMap<SymbolId, number>;
  /**
   * The config's symbols: fills of one candle are taken symbol by symbol in this order, as the
   * trade cycle processes them (default: alphabetical).
   */
  readonly symbols?: readonly SymbolId[];
  /** Orders decided on candles before this open time are left out. */
  readonly from?: number;
  /** Orders decided and fills made on candles after this open time are left out. */
  readonly to?: number;
}

const stopTypes: ReadonlySet<Order['type']> = new Set(['stop_market', 'stop_limit']);
const stopLikeReasons: ReadonlySet<string> = new Set(['stop', 'trailing_stop', 'take_profit']);
const refusedStatuses: ReadonlySet<Order['status']> = new Set(['rejected', 'failed']);
const refusedOutcomes: ReadonlySet<string> = new Set(['blocked', 'error', 'cooldown']);

/**
 * The open time of the candle a fill belongs to: the candle the trade cycle was processing when
 * the fill reached it, which is what the engine's trade ledger records in a backtest.
 *
 * - A paper fill on a candle (a market order at the next open, a resting order inside the range)
 *   is stored with that candle's open time: the candle is the stored time.
 * - A paper stop exit fills as it is created, at the close of the candle whose range hit it (the
 *   clock reads the close): its fill and creation times are that close, and the candle is the
 *   one it was decided on.
 * - A live fill (or a paper fill at a live price) happens while a candle forms: the candle is the
 *   one containing its time.
 */
function fillCandle(fill: Fill, order: Order, interval: Timeframe): number {
  if (
    stopTypes.has(order.type) &&
    fill.time === order.createdAt &&
    isCandleAligned(order.candleTime, interval) &&
    fill.time === candleCloseTime(order.candleTime, interval)
  ) {
    return order.candleTime;
  }
  return candleOpenTime(fill.time, interval);
}

function rebuild(input: RebuildTradesInput): { trades: RebuiltTrade[]; fills: number } {
  const { interval } = input;
  const from = input.from ?? Number.NEGATIVE_INFINITY;
  const to = input.to ?? Number.POSITIVE_INFINITY;
  const symbolOrder = input.symbols ?? [...new Set(input.fills.map((fill) => fill.symbol))].sort();
  const rank = (symbol: SymbolId): number => symbolOrder.indexOf(symbol);
  const orders = new Map<string, Order>();
  for (const order of input.orders) {
    const signal = candleOpenTime(order.candleTime, interval);
    if (signal >= from && signal <= to) orders.set(order.clientOrderId, order);
  }
  const applied = input.fills
    .flatMap((stored, index) => {
      const order = orders.get(stored.clientOrderId);
      if (order === undefined) return [];
      const candle = fillCandle(stored, order, interval);
      return candle > to ? [] : [{ fill: inQuoteFees(stored), order, candle, index }];
    })
    .sort(
      (a, b) =>
        a.candle - b.candle ||
        rank(a.fill.symbol) - rank(b.fill.symbol) ||
        a.fill.time - b.fill.time ||
        a.index - b.index,
    );

  interface Building {
    fills: Fill[];
    entryOrder: Order;
    entryFill: Fill;
    exitOrder: Order | null;
    exitFill: Fill | null;
  }
  const ledger = new TradeLedger();
  const open = new Map<SymbolId, Building>();
  const closed: Building[] = [];
  for (const { fill, order, candle } of applied) {
    let building = open.get(fill.symbol);
    if (building === undefined) {
      // A sell from flat makes no trade: the ledger ignores it too.
      if (fill.side === 'sell') continue;
      building = { fills: [], entryOrder: order, entryFill: fill, exitOrder: null, exitFill: null };
      open.set(fill.symbol, building);
    }
    const before = ledger.closedTrades().length;
    ledger.apply(fill, {
      role: order.role,
      candleTime: candleOpenTime(order.candleTime, interval),
      fillTime: candle,
    });
    building.fills.push(fill);
    if (fill.side === 'sell') {
      building.exitOrder = order;
      building.exitFill = fill;
    }
    if (ledger.closedTrades().length > before) {
      closed.push(building);
      open.delete(fill.symbol);
    }
  }
  const trades = ledger.trades(input.marks).map((trade, index): RebuiltTrade => {
    const building = index < closed.length ? closed[index]! : open.get(trade.symbol)!;
    const exitFill = trade.exitTime === null ? null : building.exitFill;
    const exitOrder = trade.exitTime === null ? null : building.exitOrder;
    return {
      trade: {
        ...trade,
        entryFilledAt: building.entryFill.time,
        exitFilledAt: exitFill?.time ?? null,
        entryOrderId: building.entryOrder.clientOrderId,
        exitOrderId: exitOrder?.clientOrderId ?? null,
      },
      fills: building.fills,
      entryOrder: building.entryOrder,
      exitOrder,
      entryFill: building.entryFill,
      exitFill,
    };
  });
  return { trades, fills: applied.length };
}

/**
 * Rebuilds trades from stored orders and fills with the engine's `TradeLedger`, as the trade
 * cycle builds them while it runs: fees in the quote currency, signal times from the orders'
 * candle times, and each fill's time the open of the candle it belongs to (a paper fill on a
 * candle is stored with that candle's open time; a paper stop exit, filled as it was created at
 * a candle's close, belongs to the candle that hit it; a live fill to the candle it happened in).
 *
 * @example
 * ```ts
 * const trades = rebuildTrades({
 *   orders: await store.orders.listOrders(),
 *   fills: await store.orders.listFills(),
 *   interval: '1h',
 *   marks: new Map([['BTC-USDT', 64_000]]),
 * });
 * ```
 */
export function rebuildTrades(input: RebuildTradesInput): ParityTrade[] {
  return rebuild(input).trades.map((rebuilt) => rebuilt.trade);
}

/** The backtest options that replay `config` over `candles`, as the bot trades it. */
function backtestOptions(
  config: Config,
  candles: ReadonlyMap<SymbolId, readonly Candle[]>,
  decisions: MemoryDecisionStore,
  period: { readonly from: number | null; readonly to: number },
): BacktestOptions {
  const { interval, paper, trading } = config;
  return {
    candles,
    interval,
    strategy: () => createStrategy(config.strategy, undefined, { interval }),
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

/** A decision, as the attribution rules read it. */
interface DecisionFact {
  readonly symbol: SymbolId;
  readonly candleTime: number;
  readonly action: string;
  readonly outcome: string;
  readonly clientOrderId: string | null;
  readonly note: string;
}

async function storedDecisions(
  store: LumenLinkStore,
  symbols: readonly SymbolId[],
  interval: Timeframe,
  to: number,
): Promise<DecisionFact[]> {
  if (symbols.length === 0) return [];
  const rows = await store.db
    .selectFrom('decisions')
    .select(['symbol', 'candle_time', 'action', 'outcome', 'client_order_id', 'note'])
    .where('symbol', 'in', [...symbols])
    .orderBy('id', 'asc')
    .execute();
  return rows
    .map((row) => ({
      symbol: row.symbol as SymbolId,
      candleTime: candleOpenTime(row.candle_time, interval),
      action: row.action,
      outcome: row.outcome,
      clientOrderId: row.client_order_id,
      note: row.note,
    }))
    .filter((decision) => decision.candleTime <= to);
}

/** Missing candle times of a symbol, as runs of consecutive missing opens. */
interface Gap {
  readonly from: number;
  readonly to: number;
}

function findGaps(candles: readonly Candle[], intervalMs: number): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < candles.length; i++) {
    const previous = candles[i - 1]!.time;
    const current = candles[i]!.time;
    if (current - previous > intervalMs) {
      gaps.push({ from: previous + intervalMs, to: current - intervalMs });
    }
  }
  return gaps;
}

/** `2024-01-05 10:00` (UTC), the way the report prints times. */
export function formatParityTime(time: number): string {
  const iso = new Date(time).toISOString();
  return time % 60_000 === 0 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.replace('T', ' ');
}

const time = formatParityTime;

function price(value: number): string {
  return String(Number(value.toPrecision(10)));
}

function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
}

function sameValue(a: number | string | null, b: number | string | null): boolean {
  if (typeof a === 'number' && typeof b === 'number') return sameNumber(a, b);
  return a === b;
}

function bpsOf(fills: readonly Fill[]): number {
  let fees = 0;
  let value = 0;
  for (const fill of fills) {
    fees += fill.fee;
    value += fill.price * fill.quantity;
  }
  return value > 0 ? (fees / value) * 10_000 : 0;
}

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}

interface Attribution {
  readonly cause: ParityCause;
  readonly note: string;
}

/** Pairs trades of one symbol: by entry signal time, then the nearest overlapping one. */
function matchTrades(
  bot: readonly RebuiltTrade[],
  backtest: readonly RebuiltTrade[],
): { bot: RebuiltTrade | null; backtest: RebuiltTrade | null }[] {
  const pairs: { bot: RebuiltTrade | null; backtest: RebuiltTrade | null }[] = [];
  const freeBot = new Set(bot);
  const freeBacktest = new Set(backtest);
  for (const ours of bot) {
    const twin = [...freeBacktest].find(
      (theirs) =>
        theirs.trade.symbol === ours.trade.symbol &&
        theirs.trade.entrySignalTime === ours.trade.entrySignalTime,
    );
    if (twin === undefined) continue;
    pairs.push({ bot: ours, backtest: twin });
    freeBot.delete(ours);
    freeBacktest.delete(twin);
  }
  const end = (trade: ParityTrade): number => trade.exitTime ?? Number.POSITIVE_INFINITY;
  const candidates: { bot: RebuiltTrade; backtest: RebuiltTrade; distance: number }[] = [];
  for (const ours of freeBot) {
    for (const theirs of freeBacktest) {
      const a = ours.trade;
      const b = theirs.trade;
      if (a.symbol !== b.symbol) continue;
      if (a.entrySignalTime > end(b) || b.entrySignalTime > end(a)) continue;
      candidates.push({
        bot: ours,
        backtest: theirs,
        distance: Math.abs(a.entrySignalTime - b.entrySignalTime),
      });
    }
  }
  candidates.sort(
    (x, y) =>
      x.distance - y.distance ||
      x.bot.trade.entrySignalTime - y.bot.trade.entrySignalTime ||
      x.backtest.trade.entrySignalTime - y.backtest.trade.entrySignalTime,
  );
  for (const candidate of candidates) {
    if (!freeBot.has(candidate.bot) || !freeBacktest.has(candidate.backtest)) continue;
    pairs.push({ bot: candidate.bot, backtest: candidate.backtest });
    freeBot.delete(candidate.bot);
    freeBacktest.delete(candidate.backtest);
  }
  for (const ours of freeBot) pairs.push({ bot: ours, backtest: null });
  for (const theirs of freeBacktest) pairs.push({ bot: null, backtest: theirs });
  return pairs;
}

/** What the attribution rules know about both sides. */
interface Evidence {
  readonly config: Config;
  /** How far back a decision looks, in ms (the strategy's warm-up, or the ATR period). */
  readonly lookbackMs: number;
  readonly candles: ReadonlyMap<SymbolId, ReadonlyMap<number, Candle>>;
  readonly gaps: ReadonlyMap<SymbolId, readonly Gap[]>;
  readonly botOrders: readonly Order[];
  readonly botOrderIds: ReadonlySet<string>;
  readonly botDecisions: readonly DecisionFact[];
  readonly backtestDecisions: readonly DecisionFact[];
  /** The bot's last processed candle, when it recorded one. */
  readonly lastProcessed: number | null;
  /** The bot's first record (decision or order), when it has one. */
  readonly firstRecord: number | null;
  /** The slippage every paper market fill of the bot implies, when they all agree. */
  readonly botSlippageBps: number | null;
}

/** The paper fill model's view of a bot fill made on a candle. */
function fillEvidence(fill: Fill, order: Order, evidence: Evidence): Attribution | null {
  const { config } = evidence;
  if (order.exchange !== 'paper' || order.type !== 'market') return null;
  if (!isCandleAligned(fill.time, config.interval)) return null;
  const candle = evidence.candles.get(fill.symbol)?.get(fill.time);
  if (candle === undefined) {
    return {
      cause: 'data',
      note: `the bot filled on the ${fill.symbol} candle of ${time(fill.time)}, which the store does not hold`,
    };
  }
  const value = fill.price * fill.quantity;
  const feeBps = value > 0 ? (fill.fee / value) * 10_000 : 0;
  if (Math.abs(feeBps - config.paper.feeBps) > 1e-6) {
    return {
      cause: 'fill model',
      note: `the bot's fill (${fill.side} ${price(fill.quantity)} at ${price(fill.price)}, fee ${price(fill.fee)}) paid ${round(feeBps)} bps of its value; the paper model charges PAPER_FEE_BPS=${config.paper.feeBps} on its price`,
    };
  }
  const expected = slippedPrice(fill.side, candle.open, config.paper.slippageBps);
  if (sameNumber(fill.price, expected)) return null;
  const implied = impliedSlippageBps(fill, candle.open);
  if (evidence.botSlippageBps !== null && Math.abs(implied - evidence.botSlippageBps) < 1e-6) {
    return {
      cause: 'fill model',
      note: `every paper market fill of the bot has ${round(implied)} bps of slippage; PAPER_SLIPPAGE_BPS is ${config.paper.slippageBps}`,
    };
  }
  const move = config.paper.slippageBps / 10_000;
  const seenOpen = fill.side === 'buy' ? fill.price / (1 + move) : fill.price / (1 - move);
  return {
    cause: 'data',
    note: `the bot's fill at ${price(fill.price)} implies a ${fill.symbol} open of ${price(seenOpen)} at ${time(fill.time)}; the stored candle opens at ${price(candle.open)}: it was stored again after the bot traded`,
  };
}

function impliedSlippageBps(fill: Fill, open: number): number {
  return (fill.side === 'buy' ? fill.price / open - 1 : 1 - fill.price / open) * 10_000;
}

/** The slippage all the bot's paper market fills on candles share, if they share one. */
function uniformSlippage(
  rebuilt: readonly RebuiltTrade[],
  candles: ReadonlyMap<SymbolId, ReadonlyMap<number, Candle>>,
  config: Config,
): number | null {
  const implied: number[] = [];
  for (const trade of rebuilt) {
    for (const [fill, order] of [
      [trade.entryFill, trade.entryOrder],
      [trade.exitFill, trade.exitOrder],
    ] as const) {
      if (fill === null || order === null) continue;
      if (order.exchange !== 'paper' || order.type !== 'market') continue;
      const candle = candles.get(fill.symbol)?.get(fill.time);
      if (candle === undefined) continue;
      implied.push(impliedSlippageBps(fill, candle.open));
    }
  }
  if (implied.length < 2) return null;
  const low = Math.min(...implied);
  const high = Math.max(...implied);
  return high - low < 1e-6 && Math.abs(low - config.paper.slippageBps) > 1e-6 ? low : null;
}

function refusal(
  evidence: Evidence,
  side: 'bot' | 'backtest',
  symbol: SymbolId,
  candleTime: number,
  action: 'buy' | 'sell',
): Attribution | null {
  if (side === 'bot') {
    const order = evidence.botOrders.find(
      (candidate) =>
        candidate.symbol === symbol &&
        candidate.side === action &&
        refusedStatuses.has(candidate.status) &&
        candleOpenTime(candidate.candleTime, evidence.config.interval) === candleTime,
    );
    if (order !== undefined) {
      return {
        cause: 'rejection',
        note: `the bot's ${order.role} order ${order.clientOrderId} on ${time(candleTime)} was ${order.status}${order.reason === null ? '' : ` (${order.reason})`}`,
      };
    }
  }
  const decisions = side === 'bot' ? evidence.botDecisions : evidence.backtestDecisions;
  const decision = decisions.find(
    (candidate) =>
      candidate.symbol === symbol &&
      candidate.candleTime === candleTime &&
      candidate.action === action &&
      refusedOutcomes.has(candidate.outcome),
  );
  if (decision === undefined) return null;
  const what = decision.outcome === 'blocked' ? 'blocked' : `ended in ${decision.outcome}`;
  return {
    cause: 'rejection',
    note: `the ${side}'s ${action} signal on ${time(candleTime)} was ${what}: ${decision.note}`,
  };
}

function missingOrderRecord(
  evidence: Evidence,
  symbol: SymbolId,
  candleTime: number,
  action: 'buy' | 'sell',
): Attribution | null {
  const decision = evidence.botDecisions.find(
    (candidate) =>
      candidate.symbol === symbol &&
      candidate.candleTime === candleTime &&
      candidate.action === action &&
      candidate.outcome === 'submitted' &&
      candidate.clientOrderId !== null &&
      !evidence.botOrderIds.has(candidate.clientOrderId),
  );
  if (decision === undefined) return null;
  return {
    cause: 'data',
    note: `the bot's ${action} decision on ${time(candleTime)} submitted order ${decision.clientOrderId}, which the orders table does not hold`,
  };
}

function gapIn(evidence: Evidence, symbol: SymbolId, from: number, to: number): Attribution | null {
  const gap = evidence.gaps
    .get(symbol)
    ?.find((candidate) => candidate.to >= from && candidate.from <= to);
  if (gap === undefined) return null;
  const span = gap.to === gap.from ? time(gap.from) : `${time(gap.from)} to ${time(gap.to)}`;
  return {
    cause: 'data',
    note: `the store has no ${symbol} candle at ${span}`,
  };
}

function outsideBot(evidence: Evidence, signalTime: number): Attribution | null {
  if (evidence.lastProcessed !== null && signalTime > evidence.lastProcessed) {
    return {
      cause: 'data',
      note: `the bot processed candles up to ${time(evidence.lastProcessed)}; the candle of ${time(signalTime)} was stored after it traded`,
    };
  }
  if (evidence.firstRecord !== null && signalTime < evidence.firstRecord) {
    return {
      cause: 'data',
      note: `the bot's first decision is on ${time(evidence.firstRecord)}: the store holds candles from before the bot traded (pass --from)`,
    };
  }
  return null;
}

function unexplained(note: string): Attribution {
  return { cause: 'unexplained', note };
}

function firstOf(...rules: (() => Attribution | null)[]): Attribution | null {
  for (const rule of rules) {
    const found = rule();
    if (found !== null) return found;
  }
  return null;
}

/** Why the backtest traded and the bot did not. */
function attributeMissing(evidence: Evidence, trade: ParityTrade): Attribution {
  const { symbol, entrySignalTime } = trade;
  return (
    firstOf(
      () => refusal(evidence, 'bot', symbol, entrySignalTime, 'buy'),
      () => missingOrderRecord(evidence, symbol, entrySignalTime, 'buy'),
      () =>
        gapIn(
          evidence,
          symbol,
          entrySignalTime - evidence.lookbackMs,
          trade.exitTime ?? entrySignalTime,
        ),
      () => outsideBot(evidence, entrySignalTime),
    ) ??
    unexplained(
      `the bot has no order, decision or refusal on the ${symbol} candle of ${time(entrySignalTime)}`,
    )
  );
}

/** Why the bot traded and the backtest did not. */
function attributeExtra(evidence: Evidence, trade: ParityTrade): Attribution {
  const { symbol, entrySignalTime } = trade;
  const signalCandle = evidence.candles.get(symbol)?.get(entrySignalTime);
  return (
    firstOf(
      () => refusal(evidence, 'backtest', symbol, entrySignalTime, 'buy'),
      () =>
        signalCandle === undefined
          ? {
              cause: 'data',
              note: `the bot decided on the ${symbol} candle of ${time(entrySignalTime)}, which the store does not hold`,
            }
          : null,
      () =>
        gapIn(
          evidence,
          symbol,
          entrySignalTime - evidence.lookbackMs,
          trade.exitTime ?? entrySignalTime,
        ),
    ) ??
    unexplained(
      `the backtest's strategy gave no buy on the ${symbol} candle of ${time(entrySignalTime)}`,
    )
  );
}

function isStopLike(reason: string | null): boolean {
  return reason !== null && stopLikeReasons.has(reason);
}

/** Whether the bot's exit was decided on a price between candles (a tick), not on a candle. */
function exitBetweenCandles(evidence: Evidence, bot: RebuiltTrade): boolean {
  const order = bot.exitOrder;
  return order !== null && !isCandleAligned(order.candleTime, evidence.config.interval);
}

function compareFields(
  bot: ParityTrade,
  backtest: ParityTrade,
): Map<TradeField, [number | string | null, number | string | null]> {
  const differing = new Map<TradeField, [number | string | null, number | string | null]>();
  for (const field of tradeFields) {
    const ours = bot[field];
    const theirs = backtest[field];
    if (!sameValue(ours, theirs)) differing.set(field, [ours, theirs]);
  }
  return differing;
}

/** Attributes each differing field of a matched pair. */
function attributeChanged(
  evidence: Evidence,
  bot: RebuiltTrade,
  backtest: RebuiltTrade,
  differing: ReadonlyMap<TradeField, unknown>,
  earlier: TradeDifference | undefined,
): Map<TradeField, Attribution> {
  const ours = bot.trade;
  const theirs = backtest.trade;
  const { symbol } = ours;
  const causes = new Map<TradeField, Attribution>();
  const differs = (field: TradeField): boolean => differing.has(field);
  // A field that follows from another takes its cause; the evidence is on that field's line.
  const inherit = (field: TradeField, why: string): Attribution => {
    const label = tradeFieldLabels[field];
    return {
      cause: causes.get(field)!.cause,
      note: why.includes(label) ? why : `${why} (see the ${label})`,
    };
  };

  if (differs('entrySignalTime')) {
    const later = theirs.entrySignalTime < ours.entrySignalTime ? 'bot' : 'backtest';
    const first = Math.min(ours.entrySignalTime, theirs.entrySignalTime);
    causes.set(
      'entrySignalTime',
      firstOf(
        () => refusal(evidence, later, symbol, first, 'buy'),
        () => (later === 'bot' ? missingOrderRecord(evidence, symbol, first, 'buy') : null),
        () =>
          gapIn(
            evidence,
            symbol,
            first - evidence.lookbackMs,
            Math.max(ours.entrySignalTime, theirs.entrySignalTime),
          ),
      ) ??
        unexplained(
          `the bot's strategy entered on the candle of ${time(ours.entrySignalTime)}, the backtest's on ${time(theirs.entrySignalTime)}`,
        ),
    );
  }
  if (differs('entryTime')) {
    causes.set(
      'entryTime',
      differs('entrySignalTime')
        ? inherit('entrySignalTime', 'the entry follows its signal')
        : (firstOf(
            () =>
              gapIn(
                evidence,
                symbol,
                ours.entrySignalTime,
                Math.max(ours.entryTime, theirs.entryTime),
              ),
            () =>
              ours.entryFilledAt > theirs.entryFilledAt
                ? {
                    cause: 'latency',
                    note: `the bot's entry filled at ${time(ours.entryFilledAt)}, the backtest's at ${time(theirs.entryFilledAt)}`,
                  }
                : null,
          ) ?? {
            cause: 'fill model',
            note: `the bot's entry filled on the candle of ${time(ours.entryTime)}, the paper model's on ${time(theirs.entryTime)}`,
          }),
    );
  }
  if (differs('entryPrice')) {
    causes.set(
      'entryPrice',
      differs('entryTime')
        ? inherit('entryTime', 'filled on another candle')
        : (firstOf(
            () =>
              ours.entryFilledAt > theirs.entryFilledAt
                ? {
                    cause: 'latency',
                    note: `the bot's entry filled at ${time(ours.entryFilledAt)}, ${ours.entryFilledAt - theirs.entryFilledAt} ms after the backtest's`,
                  }
                : null,
            () => fillEvidence(bot.entryFill, bot.entryOrder, evidence),
          ) ?? {
            cause: 'fill model',
            note: `the bot's entry filled at ${price(ours.entryPrice)} (${bot.entryOrder.exchange}), the paper model's at ${price(theirs.entryPrice)}`,
          }),
    );
  }
  if (differs('quantity')) {
    const order = bot.entryOrder;
    causes.set(
      'quantity',
      firstOf(
        () =>
          order.filledQuantity < order.quantity && !sameNumber(order.filledQuantity, order.quantity)
            ? {
                cause: 'fill model',
                note: `the bot's entry order ${order.clientOrderId} filled ${order.filledQuantity} of ${order.quantity}`,
              }
            : null,
        () =>
          differs('entrySignalTime') ? inherit('entrySignalTime', 'sized on another candle') : null,
        () =>
          earlier === undefined
            ? null
            : {
                cause: earlier.cause,
                note: `sized from an account that the earlier ${earlier.symbol} difference of ${time(earlier.time)} changed (${earlier.cause})`,
              },
      ) ??
        unexplained(
          `the bot bought ${ours.quantity}, the backtest ${theirs.quantity}, on the same candle`,
        ),
    );
  }

  const exitSignalDiffers = differs('exitSignalTime') || differs('exitReason');
  if (exitSignalDiffers || differs('exitTime')) {
    const stopLike = isStopLike(ours.exitReason) || isStopLike(theirs.exitReason);
    const tick = exitBetweenCandles(evidence, bot);
    let exit: Attribution;
    if (!exitSignalDiffers) {
      // Same exit decision, filled on another candle.
      exit = firstOf(
        () =>
          gapIn(
            evidence,
            symbol,
            ours.exitSignalTime ?? 0,
            Math.max(ours.exitTime ?? 0, theirs.exitTime ?? 0),
          ),
        () =>
          (ours.exitFilledAt ?? 0) > (theirs.exitFilledAt ?? 0)
            ? {
                cause: 'latency',
                note: `the bot's exit filled at ${time(ours.exitFilledAt ?? 0)}, the backtest's at ${time(theirs.exitFilledAt ?? 0)}`,
              }
            : null,
      ) ?? {
        cause: 'fill model',
        note: `the bot's exit filled on the candle of ${time(ours.exitTime ?? 0)}, the paper model's on ${time(theirs.exitTime ?? 0)}`,
      };
    } else {
      const oursAt = ours.exitSignalTime ?? Number.POSITIVE_INFINITY;
      const theirsAt = theirs.exitSignalTime ?? Number.POSITIVE_INFINITY;
      const first = Math.min(oursAt, theirsAt);
      const later = theirsAt < oursAt ? 'bot' : 'backtest';
      const describeExit = (trade: ParityTrade): string =>
        trade.exitSignalTime === null
          ? 'still open'
          : `${trade.exitReason ?? 'exit'} on ${time(trade.exitSignalTime)}`;
      exit =
        firstOf(
          () =>
            tick && stopLike
              ? {
                  cause: 'intra-candle stop',
                  note: `the bot's ${bot.exitOrder?.role ?? 'stop'} triggered on a price between candles at ${time(bot.exitOrder?.candleTime ?? 0)}; the backtest checks stops against candle ranges (${describeExit(theirs)})`,
                }
              : null,
          () => (Number.isFinite(first) ? refusal(evidence, later, symbol, first, 'sell') : null),
          () =>
            stopLike && differs('entryPrice')
              ? inherit('entryPrice', 'stop levels are set from the entry price, which differs')
              : null,
          () =>
            stopLike
              ? {
                  cause: 'intra-candle stop',
                  note: `the bot exited by ${describeExit(ours)}, the backtest by ${describeExit(theirs)}`,
                }
              : null,
          () =>
            gapIn(
              evidence,
              symbol,
              Math.min(ours.entrySignalTime, theirs.entrySignalTime) - evidence.lookbackMs,
              Math.max(ours.exitTime ?? 0, theirs.exitTime ?? 0, ours.entryTime),
            ),
          () =>
            differs('entryTime')
              ? inherit('entryTime', 'the exit follows a different entry')
              : null,
        ) ??
        unexplained(
          `the bot exited by ${describeExit(ours)}, the backtest by ${describeExit(theirs)}`,
        );
    }
    for (const field of ['exitSignalTime', 'exitTime', 'exitReason'] as const) {
      if (differs(field)) causes.set(field, exit);
    }
  }
  if (differs('exitPrice')) {
    const exitField = (['exitSignalTime', 'exitReason', 'exitTime'] as const).find(differs);
    causes.set(
      'exitPrice',
      exitField !== undefined
        ? inherit(exitField, 'exited on another candle')
        : (firstOf(
            () =>
              exitBetweenCandles(evidence, bot) && isStopLike(ours.exitReason)
                ? {
                    cause: 'intra-candle stop',
                    note: `the bot's ${bot.exitOrder?.role ?? 'stop'} triggered on a price between candles at ${time(bot.exitOrder?.candleTime ?? 0)} and filled at ${price(ours.exitPrice ?? 0)}; the paper model fills at the stop level`,
                  }
                : null,
            () =>
              (ours.exitFilledAt ?? 0) > (theirs.exitFilledAt ?? 0)
                ? {
                    cause: 'latency',
                    note: `the bot's exit filled at ${time(ours.exitFilledAt ?? 0)}, ${(ours.exitFilledAt ?? 0) - (theirs.exitFilledAt ?? 0)} ms after the backtest's`,
                  }
                : null,
            () =>
              bot.exitFill === null || bot.exitOrder === null
                ? null
                : fillEvidence(bot.exitFill, bot.exitOrder, evidence),
            () =>
              isStopLike(ours.exitReason) && differs('entryPrice')
                ? inherit('entryPrice', 'stop levels are set from the entry price, which differs')
                : null,
          ) ?? {
            cause: 'fill model',
            note: `the bot's exit filled at ${price(ours.exitPrice ?? 0)} (${bot.exitOrder?.exchange ?? 'unknown'}), the paper model's at ${price(theirs.exitPrice ?? 0)}`,
          }),
    );
  }
  if (differs('fees')) {
    const oursBps = bpsOf(bot.fills);
    const theirsBps = bpsOf(backtest.fills);
    const source = (
      ['entryPrice', 'exitPrice', 'quantity', 'exitTime', 'exitSignalTime'] as const
    ).find((field) => causes.has(field));
    causes.set(
      'fees',
      Math.abs(oursBps - theirsBps) > 1e-6
        ? {
            cause: 'fill model',
            note: `the bot paid ${round(oursBps)} bps in fees, the backtest ${round(theirsBps)} bps (PAPER_FEE_BPS=${evidence.config.paper.feeBps})`,
          }
        : source !== undefined
          ? inherit(source, 'the fee follows the traded value')
          : {
              cause: 'fill model',
              note: `the fees differ at the same rate of ${round(oursBps)} bps`,
            },
    );
  }
  if (differs('pnl')) {
    const source = tradeFields.find((field) => field !== 'pnl' && causes.has(field));
    causes.set(
      'pnl',
      source !== undefined
        ? inherit(source, `follows the ${tradeFieldLabels[source]}`)
        : unexplained('the P&L differs with the same fills'),
    );
  }
  return causes;
}

/** Bot fills and orders left out because their symbols are not in the config. */
function foreignSymbols(orders: readonly Order[], symbols: readonly SymbolId[]): SymbolId[] {
  const known = new Set(symbols);
  return [...new Set(orders.map((order) => order.symbol).filter((symbol) => !known.has(symbol)))];
}

async function periodEnd(
  store: LumenLinkStore,
  config: Config,
  to: number | undefined,
): Promise<{ to: number; source: PeriodEndSource; lastProcessed: number | null } | null> {
  const { symbols, interval } = config;
  let lastProcessed: number | null = null;
  for (const symbol of symbols) {
    const processed = await store.runtime.getLastProcessedCandle(symbol, interval);
    if (processed !== null) lastProcessed = Math.max(lastProcessed ?? processed, processed);
  }
  if (to !== undefined) return { to, source: 'flag', lastProcessed };
  if (lastProcessed !== null)
    return { to: lastProcessed, source: 'last processed candle', lastProcessed };
  let recorded: number | null = null;
  const note = (at: number): void => {
    recorded = Math.max(recorded ?? at, at);
  };
  const known = new Set<string>(symbols);
  const orders = (await store.orders.listOrders()).filter((order) => known.has(order.symbol));
  const byId = new Map(orders.map((order) => [order.clientOrderId, order]));
  for (const order of orders) note(candleOpenTime(order.candleTime, interval));
  for (const fill of await store.orders.listFills()) {
    const order = byId.get(fill.clientOrderId);
    if (order !== undefined) note(fillCandle(fill, order, interval));
  }
  for (const decision of await storedDecisions(
    store,
    symbols,
    interval,
    Number.POSITIVE_INFINITY,
  )) {
    note(decision.candleTime);
  }
  if (recorded !== null) return { to: recorded, source: 'bot records', lastProcessed };
  let stored: number | null = null;
  for (const symbol of symbols) {
    const latest = await store.candles.latestCandleTime(symbol, interval);
    if (latest !== null) stored = Math.max(stored ?? latest, latest);
  }
  return stored === null ? null : { to: stored, source: 'last stored candle', lastProcessed };
}

function checkFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new ValidationError(`the database ${path} does not exist: give the bot's DB_PATH`);
  }
  if (!isFile) throw new ValidationError(`the database ${path} is not a file`);
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
 * The bot's trades are rebuilt from its stored orders and fills (see {@link rebuildTrades}); the
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
 * const report = await runParity({ dbPath: './data/lumenlink.db', config: loadConfig(process.env) });
 * console.log(report.differences.length === 0 ? 'in parity' : report.causes);
 * ```
 * @throws {ValidationError} for a database that does not exist, a period without candles, or
 *   `from` after `to`.
 * @throws {StorageError} when the file is not a LumenLink database.
 * @throws {DataIntegrityError} for malformed stored candles.
 */
export async function runParity(options: ParityOptions): Promise<ParityReport> {
  const { config, dbPath } = options;
  const { symbols, interval } = config;
  const intervalMs = timeframeMs(interval);
  if (options.from !== undefined && options.to !== undefined && options.from > options.to) {
    throw new ValidationError(
      `from ${time(options.from)} is after to ${time(options.to)}: give a period that ends after it starts`,
    );
  }
  checkFile(dbPath);
  const store = await openStore({ path: dbPath });
  try {
    const end = await periodEnd(store, config, options.to);
    if (end === null) {
      throw new ValidationError(
        `${dbPath} holds no ${interval} candles of ${symbols.join(', ')} and no bot records: check SYMBOLS and INTERVAL`,
      );
    }
    const to = end.to;
    const from = options.from ?? null;
    // The bot warms up on this many candles before the first it trades (bot.ts, candle-driver.ts).
    const warmupCandles = Math.max(
      createStrategy(config.strategy, undefined, { interval }).warmup,
      config.trading.atrPeriod + 1,
    );
    const loadFrom = from === null ? 0 : Math.max(0, from - warmupCandles * intervalMs);
    const candles = new Map<SymbolId, Candle[]>();
    for (const symbol of symbols) {
      const list = await store.candles.getCandles(symbol, interval, loadFrom, to);
      if (list.length === 0) {
        throw new ValidationError(
          `${dbPath} holds no ${interval} candles of ${symbol} up to ${time(to)}: check SYMBOLS and INTERVAL, or --to`,
        );
      }
      candles.set(symbol, list);
    }
    if (from !== null && ![...candles.values()].some((list) => (list.at(-1)?.time ?? 0) >= from)) {
      throw new ValidationError(
        `no stored candles from ${time(from)} to ${time(to)}: check --from`,
      );
    }
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

    const notes: string[] = [];
    const allOrders = await store.orders.listOrders();
    const known = new Set<string>(symbols);
    const botOrders = allOrders.filter((order) => known.has(order.symbol));
    const foreign = foreignSymbols(allOrders, symbols);
    if (foreign.length > 0) {
      notes.push(
        `orders of ${foreign.join(', ')} are left out: those symbols are not in SYMBOLS (${symbols.join(',')})`,
      );
    }
    const strategies = [...new Set(botOrders.map((order) => order.strategy))].filter(
      (key) => key !== config.strategy,
    );
    if (strategies.length > 0) {
      notes.push(
        `the bot's orders come from ${strategies.join(', ')}, the config names ${config.strategy}: compare with the STRATEGY the bot ran`,
      );
    }
    const botFills = (await store.orders.listFills()).filter((fill) => known.has(fill.symbol));
    const period = { from, to };
    const bot = rebuild({
      orders: botOrders,
      fills: botFills,
      interval,
      marks,
      symbols,
      ...(from === null ? {} : { from }),
      to,
    });
    const botTrades = bot.trades;
    const botDecisions = await storedDecisions(store, symbols, interval, to);

    const decisions = new MemoryDecisionStore();
    const result = await runBacktest(backtestOptions(config, candles, decisions, period));
    const backtestTrades = rebuild({
      orders: result.orders,
      fills: result.fills,
      interval,
      marks,
      symbols,
    }).trades;
    const backtestDecisions: DecisionFact[] = decisions.all().map((decision) => ({
      symbol: decision.symbol,
      candleTime: decision.candleTime,
      action: decision.signal.action,
      outcome: decision.outcome,
      clientOrderId: decision.clientOrderId,
      note: decision.note,
    }));

    const inPeriod = (at: number): boolean => at <= to && (from === null || at >= from);
    const recordTimes = [
      ...botDecisions.map((decision) => decision.candleTime),
      ...botOrders.map((order) => candleOpenTime(order.candleTime, interval)),
    ].filter(inPeriod);
    const evidence: Evidence = {
      config,
      lookbackMs: warmupCandles * intervalMs,
      candles: byTime,
      gaps,
      botOrders,
      botOrderIds: new Set(allOrders.map((order) => order.clientOrderId)),
      botDecisions,
      backtestDecisions,
      lastProcessed: end.lastProcessed,
      firstRecord: recordTimes.length === 0 ? null : Math.min(...recordTimes),
      botSlippageBps: uniformSlippage(botTrades, byTime, config),
    };

    const pairs = matchTrades(botTrades, backtestTrades).sort((a, b) => {
      const at = (pair: typeof a): number =>
        Math.min(
          pair.bot?.trade.entrySignalTime ?? Number.POSITIVE_INFINITY,
          pair.backtest?.trade.entrySignalTime ?? Number.POSITIVE_INFINITY,
        );
      const order = (pair: typeof a): number =>
        symbols.indexOf((pair.bot ?? pair.backtest)!.trade.symbol);
      return at(a) - at(b) || order(a) - order(b);
    });
    const differences: TradeDifference[] = [];
    let matched = 0;
    for (const pair of pairs) {
      const earlier = differences.at(-1);
      if (pair.bot !== null && pair.backtest !== null) {
        matched += 1;
        const differing = compareFields(pair.bot.trade, pair.backtest.trade);
        if (differing.size === 0) continue;
        const causes = attributeChanged(evidence, pair.bot, pair.backtest, differing, earlier);
        const fields = [...differing].map(([field, [ours, theirs]]): FieldDifference => {
          const attribution = causes.get(field)!;
          return {
            field,
            bot: ours,
            backtest: theirs,
            delta: typeof ours === 'number' && typeof theirs === 'number' ? ours - theirs : null,
            cause: attribution.cause,
            note: attribution.note,
          };
        });
        differences.push({
          kind: 'changed',
          symbol: pair.bot.trade.symbol,
          time: Math.min(pair.bot.trade.entrySignalTime, pair.backtest.trade.entrySignalTime),
          cause: fields[0]!.cause,
          note: fields[0]!.note,
          fields,
          bot: pair.bot.trade,
          backtest: pair.backtest.trade,
        });
      } else if (pair.backtest !== null) {
        const attribution = attributeMissing(evidence, pair.backtest.trade);
        differences.push({
          kind: 'missing_in_bot',
          symbol: pair.backtest.trade.symbol,
          time: pair.backtest.trade.entrySignalTime,
          ...attribution,
          fields: [],
          bot: null,
          backtest: pair.backtest.trade,
        });
      } else if (pair.bot !== null) {
        const attribution = attributeExtra(evidence, pair.bot.trade);
        differences.push({
          kind: 'extra_in_bot',
          symbol: pair.bot.trade.symbol,
          time: pair.bot.trade.entrySignalTime,
          ...attribution,
          fields: [],
          bot: pair.bot.trade,
          backtest: null,
        });
      }
    }
    const causes = Object.fromEntries(parityCauses.map((cause) => [cause, 0])) as Record<
      ParityCause,
      number
    >;
    for (const difference of differences) causes[difference.cause] += 1;
    return {
      db: dbPath,
      strategy: config.strategy,
      symbols,
      interval,
      startingCash: config.paper.startingCash,
      feeBps: config.paper.feeBps,
      slippageBps: config.paper.slippageBps,
      period: { firstCandle, from, to, toSource: end.source },
      candles: count,
      bot: {
        orders: botOrders.filter((order) => inPeriod(candleOpenTime(order.candleTime, interval)))
          .length,
        fills: bot.fills,
        trades: botTrades.length,
      },
      backtest: {
        orders: result.orders.length,
        fills: result.fills.length,
        trades: backtestTrades.length,
      },
      matched,
      differences,
      causes,
      notes,
    };
  } finally {
    await store.close();
  }
}
