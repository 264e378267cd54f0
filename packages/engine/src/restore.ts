/**
 * Restart recovery from the store, for any bot that composes the trade cycle: this broker's
 * orders and fills, the fills with their order roles for `Portfolio.restore`, the brackets of the
 * open positions, and a live account's starting cash.
 */
import {
  symbolParts,
  type Balance,
  type Clock,
  type DecisionStore,
  type Fill,
  type Logger,
  type Order,
  type OrderStore,
  type Position,
  type SymbolId,
} from '@lumenlink/core';
import { BracketTracker, protectiveLevels, type RoleFill } from '@lumenlink/execution';
import { inQuoteFees } from './trade-cycle.js';

/** The stored orders of one broker (`exchange` column) and their fills, in time order. */
export interface StoredHistory {
  readonly orders: readonly Order[];
  readonly fills: readonly Fill[];
}

/** Reads the orders stored for `exchange` (`paper` or an exchange id) and their fills. */
export async function storedHistory(store: OrderStore, exchange: string): Promise<StoredHistory> {
  const orders = (await store.listOrders()).filter((order) => order.exchange === exchange);
  const ids = new Set(orders.map((order) => order.clientOrderId));
  const fills = (await store.listFills())
    .filter((fill) => ids.has(fill.clientOrderId))
    .sort((a, b) => a.time - b.time);
  return { orders, fills };
}

/** The fills with their orders' roles, fees in the quote currency: `Portfolio.restore`'s input. */
export function roleFills(history: StoredHistory): RoleFill[] {
  const roles = new Map(history.orders.map((order) => [order.clientOrderId, order.role]));
  return history.fills.map((fill) => ({
    fill: inQuoteFees(fill),
    role: roles.get(fill.clientOrderId) ?? 'entry',
  }));
}

/** What {@link restoreBrackets} needs. */
export interface RestoreBracketsOptions {
  readonly clock: Clock;
  readonly positions: readonly Position[];
  readonly history: StoredHistory;
  readonly decisions: DecisionStore;
  readonly stopLossPct?: number;
  readonly takeProfitPct?: number;
  readonly logger: Logger;
}

/**
 * The client-side brackets of the open positions, as the trade cycle registered them: from the
 * price of the fill that opened each position, with the entry signal's own stop and target (from
 * its stored decision) or the config's percentages. A level the entry cannot carry is skipped
 * with a warning, as the cycle does.
 */
export async function restoreBrackets(options: RestoreBracketsOptions): Promise<BracketTracker> {
  const tracker = new BracketTracker({ clock: options.clock });
  const { stopLossPct, takeProfitPct } = options;
  for (const position of options.positions) {
    if (!(position.quantity > 0)) continue;
    const opening = openingFill(position.symbol, options.history.fills);
    if (opening === null) continue;
    const recent = await options.decisions.recentDecisions(position.symbol, 200);
    const signal = recent.find(
      (decision) => decision.clientOrderId === opening.clientOrderId,
    )?.signal;
    if (
      signal?.stopLoss === undefined &&
      signal?.takeProfit === undefined &&
      stopLossPct === undefined &&
      takeProfitPct === undefined
    ) {
      continue;
    }
    try {
      tracker.register(
        position.symbol,
        'buy',
        protectiveLevels({
          side: 'buy',
          entryPrice: inQuoteFees(opening).price,
          ...(signal?.stopLoss === undefined ? {} : { stopLoss: signal.stopLoss }),
          ...(signal?.takeProfit === undefined ? {} : { takeProfit: signal.takeProfit }),
          ...(stopLossPct === undefined ? {} : { defaultStopLossPct: stopLossPct }),
          ...(takeProfitPct === undefined ? {} : { defaultTakeProfitPct: takeProfitPct }),
        }),
      );
    } catch (error) {
      options.logger.warn(`${position.symbol}: its bracket could not be restored`, { error });
    }
  }
  return tracker;
}

/** The buy fill that opened the current position of `symbol` (from flat), or `null`. */
function openingFill(symbol: SymbolId, fills: readonly Fill[]): Fill | null {
  let held = 0;
  let opening: Fill | null = null;
  for (const raw of fills) {
    if (raw.symbol !== symbol) continue;
    const fill = inQuoteFees(raw);
    const before = held;
    held += fill.side === 'buy' ? fill.quantity : -fill.quantity;
    if (fill.side === 'buy' && before <= fill.quantity * 1e-9) opening = fill;
    if (held <= fill.quantity * 1e-9) held = 0;
  }
  return held > 0 ? opening : null;
}

/**
 * A live account's starting cash: what the quote balance was before the stored fills, so that
 * the portfolio rebuilt from them holds the cash the exchange reports now. Deposits and
 * withdrawals since the first fill move this base; it never goes below 0.
 */
export function liveStartingCash(
  balance: Balance,
  symbols: readonly SymbolId[],
  fills: readonly RoleFill[],
): { readonly quote: string; readonly startingCash: number } {
  const quotes = [...new Set(symbols.map((symbol) => symbolParts(symbol).quote))];
  const quote = quotes[0] ?? 'USD';
  let spent = 0;
  for (const { fill } of fills) {
    const value = fill.quantity * fill.price;
    spent += fill.side === 'buy' ? value + fill.fee : -(value - fill.fee);
  }
  const total = balance[quote]?.total ?? 0;
  return { quote, startingCash: Math.max(0, total + spent) };
}
