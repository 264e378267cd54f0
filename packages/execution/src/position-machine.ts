/**
 * The position state machine per symbol: flat -> pending -> filled -> managing -> exited, with
 * the one transition table of core (`positionTransitions`).
 */
import {
  ValidationError,
  assertPositionTransition,
  canTransitionPosition,
  positionTransitions,
  type Position,
  type PositionState,
  type SymbolId,
} from '@lumenlink/core';

/** One change of a symbol's position state. */
export interface PositionTransition {
  readonly symbol: SymbolId;
  readonly from: PositionState;
  readonly to: PositionState;
}

function checkState(state: unknown, context: string): PositionState {
  if (typeof state !== 'string' || !Object.hasOwn(positionTransitions, state)) {
    throw new ValidationError(
      `${context}: ${String(state)} is not a position state (${Object.keys(positionTransitions).join(', ')})`,
    );
  }
  return state as PositionState;
}

/**
 * Where each symbol's position is in its life. Every symbol starts `flat`; `transition` applies
 * core's table (`flat -> pending -> filled -> managing -> exited -> flat`, a canceled entry
 * `pending -> flat`, adds and trims `managing -> managing`, a new entry `exited -> pending`) and
 * throws on anything else. A symbol back at `flat` is forgotten.
 *
 * @example
 * ```ts
 * const positions = PositionStateMachine.fromPositions(await store.portfolio.listPositions());
 * positions.transition('BTC-USD', 'pending'); // entry sent
 * positions.transition('BTC-USD', 'filled');
 * positions.transition('BTC-USD', 'flat'); // throws ValidationError: filled -> flat is illegal
 * ```
 */
export class PositionStateMachine {
  readonly #states = new Map<SymbolId, PositionState>();

  /**
   * @param initial states to start from (e.g. after a restart); `flat` entries are ignored.
   * @throws {ValidationError} for a value that is not a position state.
   */
  constructor(initial: Iterable<readonly [SymbolId, PositionState]> = []) {
    for (const [symbol, state] of initial) {
      const checked = checkState(state, `PositionStateMachine ${symbol}`);
      if (checked !== 'flat') this.#states.set(symbol, checked);
    }
  }

  /**
   * A machine with each stored position in its stored state (`filled` or `managing`).
   *
   * @throws {ValidationError} for a value that is not a position state.
   */
  static fromPositions(
    positions: readonly Pick<Position, 'symbol' | 'state'>[],
  ): PositionStateMachine {
    return new PositionStateMachine(positions.map((position) => [position.symbol, position.state]));
  }

  /** The state of `symbol`'s position; `flat` when nothing is known. */
  state(symbol: SymbolId): PositionState {
    return this.#states.get(symbol) ?? 'flat';
  }

  /** Whether `symbol` may move to `to` now. */
  can(symbol: SymbolId, to: PositionState): boolean {
    return canTransitionPosition(this.state(symbol), to);
  }

  /**
   * Moves `symbol` to `to`.
   *
   * @throws {ValidationError} for an illegal change (naming the symbol, both states and the legal
   *   targets) or a value that is not a position state; the state is then unchanged.
   */
  transition(symbol: SymbolId, to: PositionState): PositionTransition {
    const target = checkState(to, `position ${symbol} transition`);
    const from = this.state(symbol);
    assertPositionTransition(from, target, symbol);
    if (target === 'flat') this.#states.delete(symbol);
    else this.#states.set(symbol, target);
    return { symbol, from, to: target };
  }

  /** Every symbol not flat, with its state, by symbol. */
  entries(): [SymbolId, PositionState][] {
    return [...this.#states].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
