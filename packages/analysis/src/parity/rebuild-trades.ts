/**
 * Rebuilding trades from stored orders and fills with the engine's `TradeLedger`, as the trade
 * cycle builds them while it runs.
 */
import {
  candleCloseTime,
  candleOpenTime,
  isCandleAligned,
  type Fill,
  type Order,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import { TradeLedger, inQuoteFees } from '@lumenlink/engine';
import type { ParityTrade } from './types.js';

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

/** A rebuilt trade with the fills and orders behind it. */
export interface RebuiltTrade {
  readonly trade: ParityTrade;
  readonly fills: readonly Fill[];
  readonly entryOrder: Order;
  readonly exitOrder: Order | null;
  readonly entryFill: Fill;
  readonly exitFill: Fill | null;
}

/** Trades rebuilt from one side's records, with how many fills went into them. */
export interface Rebuilt {
  readonly trades: readonly RebuiltTrade[];
  readonly fills: number;
}

const stopTypes: ReadonlySet<Order['type']> = new Set(['stop_market', 'stop_limit']);

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
export function fillCandle(fill: Fill, order: Order, interval: Timeframe): number {
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

interface AppliedFill {
  readonly fill: Fill;
  readonly order: Order;
  readonly candle: number;
}

/** The fills of the period's orders, in the order the trade cycle applied them. */
function appliedFills(input: RebuildTradesInput): AppliedFill[] {
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
  return input.fills
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
}

interface Building {
  readonly fills: Fill[];
  readonly entryOrder: Order;
  readonly entryFill: Fill;
  exitOrder: Order | null;
  exitFill: Fill | null;
}

/** Rebuilds the trades of `input` with the orders and fills behind each. */
export function rebuild(input: RebuildTradesInput): Rebuilt {
  const { interval } = input;
  const applied = appliedFills(input);
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
