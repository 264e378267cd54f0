/**
 * ATR-adaptive trailing stops for long spot positions: the stop trails the highest price since
 * entry by a multiple of the ATR the caller supplies, only ever rises, and survives restarts
 * through core's `RuntimeStateStore`.
 */
import {
  ValidationError,
  parseSymbol,
  type Candle,
  type Clock,
  type RuntimeStateStore,
  type SymbolId,
  type TrailingStopState,
} from '@lumenlink/core';
import { requirePositive, stopFillPrice } from './fill-model.js';

/** Options of a {@link TrailingStopManager}. */
export interface TrailingStopManagerOptions {
  /** Time for the stops' `updatedAt`. */
  readonly clock: Clock;
  /** Where stops are persisted; without it they live in memory only. */
  readonly store?: RuntimeStateStore;
}

/** What {@link TrailingStopManager.update} learns from a closed candle. */
export interface TrailingStopBar {
  /** The candle's high: raises the high-water mark. */
  readonly high: number;
  /** The candle's close: when given, the stop is never raised above it. */
  readonly close?: number;
}

/** Whether a candle or price reached a trailing stop, and where the exit fills. */
export type TrailingStopCheck =
  | {
      readonly hit: true;
      /** The exit price: the stop, or the open when the candle gapped below it, or the price. */
      readonly price: number;
      readonly stopPrice: number;
    }
  | { readonly hit: false; readonly price: null; readonly stopPrice: number };

/**
 * Trailing stops per symbol (long spot positions).
 *
 * - `open` sets `stop = entry - multiple x ATR` with the entry as high-water mark. Opening again
 *   (an add to the position) never lowers the stop or the mark.
 * - `update` raises the mark to the candle's high and the stop to
 *   `max(stop, mark - multiple x ATR)`, capped at the close when given (a stop is not raised
 *   above the market); it never moves down, also when the ATR widens.
 * - `check` tests a candle (its low reaches the stop: exit at the stop, or at the open when the
 *   candle gapped below it) or a price (at or below the stop: exit at that price). Check a candle
 *   against the stop from the candles before it, then `update` with it.
 * - Every change is written to the store before it takes effect in memory, so a failed write
 *   leaves both unchanged; `restore` reads them back after a restart.
 *
 * @example
 * ```ts
 * const stops = await TrailingStopManager.restore({ store: store.runtime, clock });
 * await stops.open('BTC-USD', 50_000, atr, 2); // stop at 50 000 - 2 x ATR
 * const result = stops.check('BTC-USD', candle); // before updating with the candle
 * if (result?.hit) await exit(result.price);
 * else await stops.update('BTC-USD', candle, atr);
 * ```
 */
export class TrailingStopManager {
  readonly #clock: Clock;
  readonly #store: RuntimeStateStore | null;
  readonly #stops = new Map<SymbolId, TrailingStopState>();

  constructor(options: TrailingStopManagerOptions) {
    this.#clock = options.clock;
    this.#store = options.store ?? null;
  }

  /**
   * A manager holding the stops stored in `store`.
   *
   * @throws {DataIntegrityError} when a stored stop is malformed.
   * @throws {StorageError} when the store fails.
   */
  static async restore(
    options: TrailingStopManagerOptions & { readonly store: RuntimeStateStore },
  ): Promise<TrailingStopManager> {
    const manager = new TrailingStopManager(options);
    for (const stop of await options.store.listTrailingStops())
      manager.#stops.set(stop.symbol, stop);
    return manager;
  }

  /** The stop of `symbol`, if one is open. */
  get(symbol: SymbolId): TrailingStopState | undefined {
    return this.#stops.get(symbol);
  }

  /** Every open stop, by symbol. */
  list(): TrailingStopState[] {
    return [...this.#stops.values()].sort((a, b) =>
      a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0,
    );
  }

  /**
   * Opens (or, on an add, keeps raising) the trailing stop of a position entered at
   * `entryPrice`: `entryPrice - multiple x atr`.
   *
   * @throws {ValidationError} for a price, ATR or multiple that is not a finite number above 0
   *   (a multiple of 0 means trailing stops are off: open none), or a stop that would be at or
   *   below 0.
   * @throws {StorageError} when the store fails (nothing changes).
   */
  async open(
    symbol: SymbolId,
    entryPrice: number,
    atr: number,
    multiple: number,
  ): Promise<TrailingStopState> {
    const checked = checkSymbol(symbol, 'open');
    requirePositive(`trailing stop open ${checked}: entryPrice`, entryPrice);
    requirePositive(`trailing stop open ${checked}: atr`, atr);
    requirePositive(`trailing stop open ${checked}: multiple`, multiple);
    const initial = entryPrice - multiple * atr;
    if (!(initial > 0)) {
      throw new ValidationError(
        `trailing stop open ${checked}: entryPrice ${entryPrice} - multiple ${multiple} x atr ${atr} = ${initial} is not a price above 0`,
      );
    }
    const existing = this.#stops.get(checked);
    const next: TrailingStopState = {
      symbol: checked,
      stopPrice: Math.max(initial, existing?.stopPrice ?? 0),
      highWater: Math.max(entryPrice, existing?.highWater ?? 0),
      atrMultiple: multiple,
      updatedAt: this.#clock.now(),
    };
    await this.#save(next);
    return next;
  }

  /**
   * Ratchets the stop with a closed candle: the mark rises to `bar.high`, the stop to
   * `max(stop, mark - multiple x atr)` (not above `bar.close` when given). Never lowers it.
   *
   * @throws {ValidationError} when no stop is open for `symbol`, or `high`, `close` or `atr` is
   *   not a finite number above 0.
   * @throws {StorageError} when the store fails (nothing changes).
   */
  async update(symbol: SymbolId, bar: TrailingStopBar, atr: number): Promise<TrailingStopState> {
    return this.updateNow(symbol, bar, atr);
  }

  /**
   * {@link update}, answered synchronously when nothing is stored: the stop did not move, or the
   * manager has no store (a backtest). Otherwise the promise of the save, as `update`.
   *
   * @throws {ValidationError} as `update` (thrown, not a rejection).
   * @throws {StorageError} (the promise rejects) when the store fails (nothing changes).
   */
  updateNow(
    symbol: SymbolId,
    bar: TrailingStopBar,
    atr: number,
  ): TrailingStopState | Promise<TrailingStopState> {
    const current = this.#mustGet(symbol, 'update');
    // Checked before a message is built: sound numbers allocate nothing.
    if (!isPrice(bar.high) || (bar.close !== undefined && !isPrice(bar.close)) || !isPrice(atr)) {
      const where = `trailing stop update ${current.symbol}`;
      requirePositive(`${where}: high`, bar.high);
      if (bar.close !== undefined) requirePositive(`${where}: close`, bar.close);
      requirePositive(`${where}: atr`, atr);
    }
    const highWater = Math.max(current.highWater, bar.high);
    let candidate = highWater - current.atrMultiple * atr;
    if (bar.close !== undefined) candidate = Math.min(candidate, bar.close);
    const stopPrice = Math.max(current.stopPrice, candidate);
    if (stopPrice === current.stopPrice && highWater === current.highWater) return current;
    const next: TrailingStopState = {
      ...current,
      stopPrice,
      highWater,
      updatedAt: this.#clock.now(),
    };
    if (this.#store === null) {
      this.#stops.set(next.symbol, next);
      return next;
    }
    return this.#save(next).then(() => next);
  }

  /**
   * Whether `candleOrPrice` reaches the stop of `symbol`, and the exit price; `null` when no stop
   * is open. A candle hits when its low is at or below the stop (exit at the stop, or at the open
   * when it opened below); a price when it is at or below the stop (exit at the price).
   *
   * @throws {ValidationError} for a price that is not a finite number above 0.
   */
  check(symbol: SymbolId, candleOrPrice: Candle | number): TrailingStopCheck | null {
    const stop = this.#stops.get(symbol);
    if (stop === undefined) return null;
    const { stopPrice } = stop;
    const price = this.exitPrice(symbol, candleOrPrice);
    return price === null
      ? { hit: false, price: null, stopPrice }
      : { hit: true, price, stopPrice };
  }

  /**
   * The exit price when `candleOrPrice` reaches the stop of `symbol` (as {@link check}), else
   * `null` (also when no stop is open); allocates nothing, for a check on every candle.
   *
   * @throws {ValidationError} for a price that is not a finite number above 0.
   */
  exitPrice(symbol: SymbolId, candleOrPrice: Candle | number): number | null {
    const stop = this.#stops.get(symbol);
    if (stop === undefined) return null;
    if (typeof candleOrPrice === 'number') {
      const price = requirePositive(`trailing stop check ${symbol}: price`, candleOrPrice);
      return price <= stop.stopPrice ? price : null;
    }
    return stopFillPrice('sell', stop.stopPrice, candleOrPrice);
  }

  /**
   * Removes the stop of `symbol` (its position closed); `false` when none was open.
   *
   * @throws {StorageError} when the store fails (the stop stays).
   */
  async close(symbol: SymbolId): Promise<boolean> {
    if (!this.#stops.has(symbol)) return false;
    if (this.#store !== null) await this.#store.deleteTrailingStop(symbol);
    this.#stops.delete(symbol);
    return true;
  }

  async #save(stop: TrailingStopState): Promise<void> {
    if (this.#store !== null) await this.#store.saveTrailingStop(stop);
    this.#stops.set(stop.symbol, stop);
  }

  #mustGet(symbol: SymbolId, action: string): TrailingStopState {
    const stop = this.#stops.get(symbol);
    if (stop === undefined) {
      throw new ValidationError(`trailing stop ${action}: no stop is open for ${String(symbol)}`);
    }
    return stop;
  }
}

function isPrice(value: number): boolean {
  return typeof value === 'number' && value > 0 && Number.isFinite(value);
}

function checkSymbol(symbol: SymbolId, action: string): SymbolId {
  try {
    return parseSymbol(String(symbol));
  } catch (cause) {
    throw new ValidationError(
      `trailing stop ${action}: symbol ${String(symbol)} is not BASE-QUOTE`,
      {
        cause,
      },
    );
  }
}
