import type { SymbolId } from './symbol.js';

/**
 * The three trading states (DESIGN.md Principle 5): `active`; `reducing` (exits only);
 * `halted` (the kill switch: no orders at all, exits included).
 */
export const tradingStates = ['active', 'reducing', 'halted'] as const;

/** One of {@link tradingStates}. */
export type TradingState = (typeof tradingStates)[number];

/** The persisted trading state, with why and by whom it was set. */
export interface TradingStateRecord {
  readonly state: TradingState;
  readonly reason: string;
  /** Who changed it: `config`, `protection:daily_loss`, `telegram:<chat id>`, `http`, ... */
  readonly changedBy: string;
  readonly changedAt: number;
  /** When a protection's pause ends and trading returns to `active` (epoch ms), if it does. */
  readonly until: number | null;
}

/** Whether the state allows a new entry. */
export function allowsEntries(state: TradingState): boolean {
  return state === 'active';
}

/** Whether the state allows an exit order. */
export function allowsExits(state: TradingState): boolean {
  return state !== 'halted';
}

/**
 * One symbol paused alone until an operator resumes it: its entries are blocked, its exits still
 * go (like `reducing`, for one symbol). The bot pauses a symbol whose stored fills disagree with
 * the exchange (an over-sell on record, coins sold outside the bot).
 */
export interface SymbolPause {
  readonly symbol: SymbolId;
  readonly reason: string;
  /** Who paused it: `reconcile`, `restore`, `http`, ... */
  readonly pausedBy: string;
  readonly pausedAt: number;
}

/**
 * A write-off of part of a position that the exchange no longer holds (coins sold or moved
 * outside the bot), recorded when an operator resumes the paused symbol: the position shrinks by
 * `quantity` at its cost (a realized loss of that cost), cash is unchanged. Persisted, so a
 * restart rebuilds the same position from the fills and the adjustments.
 */
export interface PositionAdjustment {
  /** Unique, e.g. `write-off:BTC-USDT:1767225600000`. */
  readonly id: string;
  readonly symbol: SymbolId;
  /** Base quantity written off (> 0). */
  readonly quantity: number;
  /** The price it was valued at when written off (quote currency), for the record. */
  readonly price: number;
  readonly reason: string;
  /** Who wrote it off: `http`, `telegram:<chat>`, ... */
  readonly adjustedBy: string;
  readonly at: number;
}
