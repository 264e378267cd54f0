import type { SymbolId } from './symbol.js';

/**
 * The three trading states (docs/architecture/principles.md, principle 5): `active`; `reducing`
 * (exits only); `halted` (the kill switch: no orders at all, exits included).
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
  /**
   * When an operator resumed it (`null` or left out: still paused). A resumed pause is kept, so
   * that the issues it covered do not pause the symbol again at the next start.
   */
  readonly resumedAt?: number | null;
  /** The issues this pause is about (e.g. the trade id of an over-sell on record). */
  readonly issues?: readonly string[];
  /**
   * The issues operators have resumed the symbol over: met again (the same over-sell on record at
   * the next start), they do not pause it again.
   */
  readonly acknowledged?: readonly string[];
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
  /**
   * The trade id of the position's last fill when it was written off: a restart replays the
   * write-off right after that fill, whatever the clocks (exchange fill times and local times
   * differ). Left out or `null`: replayed by `at`.
   */
  readonly afterTradeId?: string | null;
}
