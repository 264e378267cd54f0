/**
 * Symbols paused alone (DESIGN.md Orders): when a symbol's stored fills disagree with the
 * exchange (an over-sell on record, coins sold or moved outside the bot), its entries stop and
 * its exits go on, until an operator has looked and resumes it. Persisted, so a restart keeps it.
 */
import {
  ValidationError,
  type Clock,
  type RuntimeStateStore,
  type SymbolId,
  type SymbolPause,
} from '@lumenlink/core';
import { sanitizeTradingReason } from './trading-state-machine.js';

/** Options of {@link SymbolPauses.open}. */
export interface SymbolPausesOptions {
  /** Where the pauses are persisted (`store.runtime` of `@lumenlink/data`). */
  readonly store: RuntimeStateStore;
  readonly clock: Clock;
}

/**
 * The symbols paused alone, read by risk (`RiskState.symbolPaused`: entries blocked, exits
 * allowed) and changed by the bot's checks and its operators.
 *
 * @example
 * ```ts
 * const pauses = await SymbolPauses.open({ store: store.runtime, clock });
 * await pauses.pause('BTC-USDT', 'the exchange holds less BTC than the position', 'reconcile');
 * pauses.reason('BTC-USDT'); // the reason: entries of BTC-USDT are blocked
 * await pauses.resume('BTC-USDT', 'http'); // an operator has looked
 * ```
 */
export class SymbolPauses {
  readonly #store: RuntimeStateStore;
  readonly #clock: Clock;
  readonly #pauses = new Map<SymbolId, SymbolPause>();

  private constructor(options: SymbolPausesOptions, pauses: readonly SymbolPause[]) {
    this.#store = options.store;
    this.#clock = options.clock;
    for (const pause of pauses) this.#pauses.set(pause.symbol, pause);
  }

  /**
   * The pauses as stored.
   *
   * @throws {StorageError} when the store fails.
   */
  static async open(options: SymbolPausesOptions): Promise<SymbolPauses> {
    return new SymbolPauses(options, await options.store.listSymbolPauses());
  }

  /** Why `symbol` is paused, or `null` when it is not. */
  reason(symbol: SymbolId): string | null {
    return this.#pauses.get(symbol)?.reason ?? null;
  }

  /** Every pause, by symbol. */
  list(): SymbolPause[] {
    return [...this.#pauses.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  }

  /**
   * Pauses `symbol` (persisted first). A symbol already paused keeps its first reason: the
   * first inconsistency found is the one an operator needs. Returns whether it was newly paused.
   *
   * @throws {ValidationError} for an empty reason or author.
   * @throws {StorageError} when the pause cannot be stored (then it is not in force either).
   */
  async pause(symbol: SymbolId, reason: string, pausedBy: string): Promise<boolean> {
    if (reason.trim() === '' || pausedBy.trim() === '') {
      throw new ValidationError('SymbolPauses.pause: reason and pausedBy must be non-empty');
    }
    if (this.#pauses.has(symbol)) return false;
    const pause: SymbolPause = {
      symbol,
      reason: sanitizeTradingReason(reason),
      pausedBy: sanitizeTradingReason(pausedBy),
      pausedAt: this.#clock.now(),
    };
    await this.#store.setSymbolPause(pause);
    this.#pauses.set(symbol, pause);
    return true;
  }

  /**
   * Lifts the pause of `symbol` (an operator's decision). Returns the pause lifted, or `null`
   * when the symbol was not paused.
   *
   * @throws {StorageError} when the store fails (the pause then stays in force).
   */
  async resume(symbol: SymbolId): Promise<SymbolPause | null> {
    const pause = this.#pauses.get(symbol);
    if (pause === undefined) return null;
    await this.#store.deleteSymbolPause(symbol);
    this.#pauses.delete(symbol);
    return pause;
  }
}
