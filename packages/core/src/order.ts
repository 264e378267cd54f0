import { OrderTransitionError } from './errors.js';
import type { OrderUpdate } from './ports.js';
import type { SymbolId } from './symbol.js';

/** Buy or sell. */
export type OrderSide = 'buy' | 'sell';

/** How an order executes. `stop_market` triggers a market order at `stopPrice`. */
export type OrderType = 'market' | 'limit' | 'stop_market' | 'stop_limit';

/**
 * Why an order exists; tells apart the orders of one candle and enters the client order id
 * (docs/architecture/order-lifecycle.md).
 */
export type OrderRole =
  | 'entry'
  | 'exit'
  | 'stop'
  | 'take_profit'
  | 'trailing_stop'
  | 'force_exit'
  | 'bracket_stop'
  | 'bracket_take_profit';

/** Every order status, in lifecycle order. */
export const orderStatuses = [
  'pending',
  'unknown',
  'open',
  'partially_filled',
  'filled',
  'canceled',
  'rejected',
  'expired',
  'failed',
] as const;

/**
 * An order's status. `pending`: stored, not yet sent. `unknown`: sent, outcome not known (never
 * resent; resolved by client id). `failed`: proven never placed. Final: filled, canceled,
 * rejected, expired, failed.
 */
export type OrderStatus = (typeof orderStatuses)[number];

/** Statuses after which an order never changes again. */
export const finalOrderStatuses: ReadonlySet<OrderStatus> = new Set([
  'filled',
  'canceled',
  'rejected',
  'expired',
  'failed',
]);

/**
 * The order state machine: the one table of legal status transitions. A non-final status may
 * also be "updated" to itself (more fills, a refreshed lookup); a final one never changes, with
 * one exception: a `failed` order (proven never placed by repeated "not found" answers) that the
 * exchange shows after all (a lookup or its trades) is resurrected to what the exchange says, so
 * its fills are never lost (docs/architecture/order-lifecycle.md).
 */
export const orderTransitions: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: [
    'unknown',
    'open',
    'partially_filled',
    'filled',
    'canceled',
    'rejected',
    'expired',
    'failed',
  ],
  unknown: ['open', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired', 'failed'],
  open: ['partially_filled', 'filled', 'canceled', 'rejected', 'expired'],
  partially_filled: ['filled', 'canceled', 'expired'],
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
  failed: ['open', 'partially_filled', 'filled', 'canceled', 'expired'],
};

/** Whether an order in `status` can never change again. */
export function isFinalOrderStatus(status: OrderStatus): boolean {
  return finalOrderStatuses.has(status);
}

/** Statuses a `failed` order may be resurrected to, when the exchange shows it after all. */
export const resurrectionStatuses: ReadonlySet<OrderStatus> = new Set(orderTransitions.failed);

/** Whether the state machine allows moving from `from` to `to`. */
export function canTransitionOrder(from: OrderStatus, to: OrderStatus): boolean {
  if (from === to) return !isFinalOrderStatus(from);
  return orderTransitions[from].includes(to);
}

/**
 * Throws unless `from -> to` is legal.
 *
 * @throws {OrderTransitionError} naming the order, both statuses and the legal targets.
 */
export function assertOrderTransition(
  from: OrderStatus,
  to: OrderStatus,
  clientOrderId = 'order',
): void {
  if (!canTransitionOrder(from, to)) {
    const legal = orderTransitions[from];
    throw new OrderTransitionError(
      `${clientOrderId}: illegal status change ${from} -> ${to}; from ${from} only ${
        legal.length > 0 ? legal.join(', ') : 'nothing (final)'
      } is allowed`,
    );
  }
}

/**
 * Checks an update of an order now `from` against its lifecycle, as every order store must:
 * a new status must be a legal transition ({@link assertOrderTransition}). An update that only
 * fills in the fee (`fee`, `feeCurrency`, `updatedAt`) is allowed on any status: the order
 * manager learns the fee of an order resolved by lookup from its fills, after it may be final.
 *
 * @throws {OrderTransitionError} for an illegal status change, or any other change of a final
 *   order.
 */
export function assertOrderUpdate(
  from: OrderStatus,
  update: OrderUpdate,
  clientOrderId = 'order',
): void {
  // The fields the update sets (own, not undefined), read without building a list: every order
  // update of a backtest passes here.
  let fee = false;
  let other = false;
  for (const key in update) {
    if (!Object.hasOwn(update, key) || (update as Record<string, unknown>)[key] === undefined) {
      continue;
    }
    if (key === 'fee' || key === 'feeCurrency') fee = true;
    else if (key !== 'updatedAt') other = true;
  }
  const feeOnly = fee && !other;
  if (!feeOnly) assertOrderTransition(from, update.status ?? from, clientOrderId);
}

/** What the engine asks the order manager to do. */
export interface OrderIntent {
  readonly strategy: string;
  readonly symbol: SymbolId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly role: OrderRole;
  /** Base-currency quantity, already rounded to the market's precision. */
  readonly quantity: number;
  /** Limit price (quote currency) for limit and stop-limit orders. */
  readonly limitPrice?: number;
  /** Trigger price (quote currency) for stop orders. */
  readonly stopPrice?: number;
  /** Open time of the candle whose close produced the decision (epoch ms). */
  readonly candleTime: number;
  /**
   * For a sell: the open time of the position it exits (epoch ms, `Position.openedAt`). The
   * exits of one position share one chain of client order ids, keyed by the position and an
   * exit sequence rather than by the candle or tick, so a repeat of the same exit is the same
   * client id (docs/architecture/order-lifecycle.md). Left out, a sell is keyed by its candle like an entry.
   */
  readonly positionOpenedAt?: number;
  /** Why, for the order log and alerts. */
  readonly reason: string;
}

/** An order as LumenLink stores it (the `orders` table). Prices in the quote currency. */
export interface Order {
  /** Ours, the primary key: `ll` + a base32 hash, at most 32 characters. */
  readonly clientOrderId: string;
  /** The exchange's id, once known. */
  readonly exchangeOrderId: string | null;
  readonly exchange: string;
  readonly strategy: string;
  readonly symbol: SymbolId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly role: OrderRole;
  readonly quantity: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly status: OrderStatus;
  readonly filledQuantity: number;
  readonly avgFillPrice: number | null;
  /** Fees paid so far, in `feeCurrency`. */
  readonly fee: number;
  readonly feeCurrency: string | null;
  readonly reason: string | null;
  readonly candleTime: number;
  /** 0 for the first attempt; increases only after the previous attempt is proven `failed`. */
  readonly attempt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}
