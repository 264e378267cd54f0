/**
 * Symbols paused alone (docs/architecture/order-lifecycle.md): when a symbol's stored fills disagree with the
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
  /** Every stored record by symbol, resumed ones included (they keep what was acknowledged). */
  readonly #records = new Map<SymbolId, SymbolPause>();

  private constructor(options: SymbolPausesOptions, pauses: readonly SymbolPause[]) {
    this.#store = options.store;
    this.#clock = options.clock;
    for (const pause of pauses) this.#records.set(pause.symbol, pause);
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
    const record = this.#records.get(symbol);
    return record === undefined || isResumed(record) ? null : record.reason;
  }

  /** Every pause in force, by symbol. */
  list(): SymbolPause[] {
    return [...this.#records.values()]
      .filter((record) => !isResumed(record))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  }

  /**
   * Pauses `symbol` (in force at once, then persisted) for `issues` (ids of what disagrees, e.g. trade ids; none
   * for a condition that is checked again, like a shortfall). A symbol already paused keeps its
   * first reason (the first inconsistency found is the one an operator needs); issues an
   * operator has resumed the symbol over before pause nothing. Returns whether it was newly
   * paused.
   *
   * @throws {ValidationError} for an empty reason or author.
   * @throws {StorageError} when the pause cannot be stored: it is in force anyway (a safety
   *   pause fails closed) but lasts only until the process ends.
   */
  async pause(
    symbol: SymbolId,
    reason: string,
    pausedBy: string,
    issues: readonly string[] = [],
  ): Promise<boolean> {
    if (reason.trim() === '' || pausedBy.trim() === '') {
      throw new ValidationError('SymbolPauses.pause: reason and pausedBy must be non-empty');
    }
    const previous = this.#records.get(symbol);
    if (previous !== undefined && !isResumed(previous)) return false;
    const acknowledged = previous?.acknowledged ?? [];
    if (issues.length > 0 && issues.every((issue) => acknowledged.includes(issue))) return false;
    const pause: SymbolPause = {
      symbol,
      reason: sanitizeTradingReason(reason),
      pausedBy: sanitizeTradingReason(pausedBy),
      pausedAt: this.#clock.now(),
      resumedAt: null,
      issues: [...issues],
      acknowledged: [...acknowledged],
    };
    this.#records.set(symbol, pause);
    await this.#store.setSymbolPause(pause);
    return true;
  }

  /**
   * Lifts the pause of `symbol` (an operator's decision): its issues are acknowledged and will
   * not pause it again. Returns the pause lifted, or `null` when the symbol was not paused.
   *
   * @throws {StorageError} when the store fails (the pause then stays in force).
   */
  async resume(symbol: SymbolId): Promise<SymbolPause | null> {
    const pause = this.#records.get(symbol);
    if (pause === undefined || isResumed(pause)) return null;
    const resumed: SymbolPause = {
      ...pause,
      resumedAt: this.#clock.now(),
      acknowledged: [...new Set([...(pause.acknowledged ?? []), ...(pause.issues ?? [])])],
    };
    await this.#store.setSymbolPause(resumed);
    this.#records.set(symbol, resumed);
    return pause;
  }
}

function isResumed(pause: SymbolPause): boolean {
  return pause.resumedAt !== undefined && pause.resumedAt !== null;
}
