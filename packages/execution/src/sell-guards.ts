/**
 * The errors of the sell guards (docs/architecture/order-lifecycle.md): one exit per position at
 * a time, and refusals of the same exit backed off. Both are thrown by `OrderManager.submit`
 * before anything is stored or sent; the engine records them as blocked decisions.
 */
import {
  LumenLinkError,
  TransientError,
  isFinalOrderStatus,
  type LumenLinkErrorOptions,
  type Order,
} from '@lumenlink/core';

/**
 * Why a sell in flight holds the other sells of its symbol back, in words: its outcome is not
 * known yet, or it filled and its fills are not stored yet.
 */
export function sellInFlightReason(order: Order): string {
  return isFinalOrderStatus(order.status)
    ? `sell ${order.clientOrderId} filled ${order.filledQuantity} but its fills are not stored yet`
    : `sell ${order.clientOrderId} is ${order.status}; no other sell until its outcome is known`;
}

/**
 * A sell of the symbol is in flight: pending, unknown, open, or filled with fills not yet
 * stored. No other sell of the symbol is sent until its outcome is known and its fills are in
 * the portfolio; otherwise a repeated exit could sell coins the position no longer holds.
 */
export class SellInFlightError extends TransientError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.SellInFlightError');
  }

  /** Whether `value` is a {@link SellInFlightError}, from any copy of this package. */
  static override isInstance(value: unknown): value is SellInFlightError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.SellInFlightError');
  }

  readonly code = 'SELL_IN_FLIGHT';
  /** The sell that holds the symbol. */
  readonly order: Order;

  constructor(message: string, order: Order, options: LumenLinkErrorOptions = {}) {
    super(message, options);
    this.order = order;
  }
}

/**
 * The exchange refused the previous attempts of this exit: the next attempt waits for an
 * exponential backoff after the last refusal (no bursts of refused orders, a ban risk on
 * Binance). An operator's force exit is not held back.
 */
export class RefusalBackoffError extends TransientError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.RefusalBackoffError');
  }

  /** Whether `value` is a {@link RefusalBackoffError}, from any copy of this package. */
  static override isInstance(value: unknown): value is RefusalBackoffError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.RefusalBackoffError');
  }

  readonly code = 'REFUSAL_BACKOFF';
  /** Refusals of this exit so far. */
  readonly refusals: number;
  /** When the next attempt may be sent (epoch ms). */
  readonly retryAt: number;

  constructor(
    message: string,
    details: { readonly refusals: number; readonly retryAt: number },
    options: LumenLinkErrorOptions = {},
  ) {
    super(message, options);
    this.refusals = details.refusals;
    this.retryAt = details.retryAt;
  }
}

/** How refusals of one exit are backed off. */
export interface RefusalBackoff {
  /** Wait after the first refusal, in ms (default 5 000); doubled after each further one. */
  readonly initialMs?: number;
  /** The longest wait, in ms (default 900 000: 15 minutes). */
  readonly maxMs?: number;
}

/** The wait after `refusals` refusals: `initialMs x 2^(refusals - 1)`, at most `maxMs`. */
export function refusalBackoffMs(refusals: number, backoff: Required<RefusalBackoff>): number {
  if (refusals <= 0) return 0;
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(refusals - 1, 40));
}
