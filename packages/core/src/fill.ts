import type { OrderSide } from './order.js';
import type { SymbolId } from './symbol.js';

/**
 * One execution of (part of) an order. Stored once per exchange trade id; positions always
 * equal the sum of fills.
 */
export interface Fill {
  /** The exchange's trade id (the paper broker makes its own); unique. */
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly exchangeOrderId: string | null;
  readonly symbol: SymbolId;
  readonly side: OrderSide;
  /** Base-currency quantity. */
  readonly quantity: number;
  /** Execution price in the quote currency. */
  readonly price: number;
  readonly fee: number;
  readonly feeCurrency: string;
  /** Execution time, epoch ms. */
  readonly time: number;
}
