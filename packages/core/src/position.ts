import { ValidationError } from './errors.js';
import type { SymbolId } from './symbol.js';

/**
 * Where a symbol's position is in its life: `flat` (none), `pending` (entry sent, not filled),
 * `filled` (entry filled), `managing` (stops registered, adds and trims happen here),
 * `exited` (closed; the next entry starts a new trade).
 */
export type PositionState = 'flat' | 'pending' | 'filled' | 'managing' | 'exited';

/** Legal position state changes: from each state, the states it may move to. */
export const positionTransitions: Readonly<Record<PositionState, readonly PositionState[]>> = {
  flat: ['pending'],
  pending: ['filled', 'flat'],
  filled: ['managing', 'exited'],
  managing: ['managing', 'exited'],
  exited: ['flat', 'pending'],
};

/** Whether a position may move from `from` to `to`. */
export function canTransitionPosition(from: PositionState, to: PositionState): boolean {
  return positionTransitions[from].includes(to);
}

/**
 * Throws unless `from -> to` is a legal position state change.
 *
 * @throws {ValidationError} naming both states and the legal targets.
 */
export function assertPositionTransition(
  from: PositionState,
  to: PositionState,
  symbol = 'position',
): void {
  if (!canTransitionPosition(from, to)) {
    throw new ValidationError(
      `${symbol}: illegal position state change ${from} -> ${to}; from ${from} only ${positionTransitions[from].join(', ')} is allowed`,
    );
  }
}

/** An open (long, spot) position. Money in the symbol's quote currency. */
export interface Position {
  readonly symbol: SymbolId;
  readonly state: PositionState;
  /** Base-currency quantity held. */
  readonly quantity: number;
  /** Volume-weighted entry price of the quantity held. */
  readonly avgEntryPrice: number;
  /** Realized P&L of this trade so far (partial exits), net of fees. */
  readonly realizedPnl: number;
  /** Fees paid on this trade so far, in the quote currency. */
  readonly fees: number;
  /** Time of the first entry fill (epoch ms). */
  readonly openedAt: number;
  readonly updatedAt: number;
}
