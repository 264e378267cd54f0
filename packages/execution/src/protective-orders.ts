/**
 * Protective orders: the stop-loss and take-profit levels of an entry (from the signal, else the
 * configured percentages), and a client-side bracket (one-cancels-the-other) for venues without
 * native stop or OCO orders.
 */
import {
  ValidationError,
  parseSymbol,
  type Candle,
  type Clock,
  type OrderRole,
  type OrderSide,
  type SymbolId,
} from '@lumenlink/core';
import { limitFillPrice, requirePositive, stopFillPrice } from './fill-model.js';

/** What {@link protectiveLevels} computes levels from. */
export interface ProtectiveLevelsInput {
  /** The entry's side: `buy` opens a long (stop below, target above). */
  readonly side: OrderSide;
  /** The entry price (the signal's limit price, or the decision price). */
  readonly entryPrice: number;
  /** The signal's stop-loss price, which wins over the default. */
  readonly stopLoss?: number;
  /** The signal's take-profit price, which wins over the default. */
  readonly takeProfit?: number;
  /** `STOP_LOSS_PCT`: percent from the entry, in (0, 100). */
  readonly defaultStopLossPct?: number;
  /** `TAKE_PROFIT_PCT`: percent from the entry, above 0. */
  readonly defaultTakeProfitPct?: number;
}

/** Stop-loss and take-profit prices; `null` where there is none. */
export interface ProtectiveLevels {
  readonly stopLoss: number | null;
  readonly takeProfit: number | null;
}

/**
 * The stop-loss and take-profit of an entry: the signal's prices when given, else the config's
 * percentages from the entry (a long's stop `entry - entry x pct/100`, target
 * `entry + entry x pct/100`; mirrored for a sell), else `null`.
 *
 * @example
 * ```ts
 * protectiveLevels({ side: 'buy', entryPrice: 100, defaultStopLossPct: 2, takeProfit: 110 });
 * // { stopLoss: 98, takeProfit: 110 }
 * ```
 * @throws {ValidationError} naming the field: a non-positive or non-finite price or percentage,
 *   a stop-loss percentage of 100 or more, a stop not below the entry of a long (above for a
 *   sell), or a target not above it (below for a sell).
 */
export function protectiveLevels(input: ProtectiveLevelsInput): ProtectiveLevels {
  const { side, entryPrice, stopLoss, takeProfit, defaultStopLossPct, defaultTakeProfitPct } =
    input;
  if (side !== 'buy' && side !== 'sell') {
    throw new ValidationError(`protectiveLevels: side must be buy or sell, got ${String(side)}`);
  }
  requirePositive('protectiveLevels: entryPrice', entryPrice);
  const long = side === 'buy';
  let stop: number | null = null;
  if (stopLoss !== undefined) stop = requirePositive('protectiveLevels: stopLoss', stopLoss);
  else if (defaultStopLossPct !== undefined) {
    const pct = requirePositive('protectiveLevels: defaultStopLossPct', defaultStopLossPct);
    if (pct >= 100) {
      throw new ValidationError(
        `protectiveLevels: defaultStopLossPct must be below 100, got ${pct}`,
      );
    }
    const distance = (entryPrice * pct) / 100;
    stop = long ? entryPrice - distance : entryPrice + distance;
  }
  let target: number | null = null;
  if (takeProfit !== undefined) {
    target = requirePositive('protectiveLevels: takeProfit', takeProfit);
  } else if (defaultTakeProfitPct !== undefined) {
    const pct = requirePositive('protectiveLevels: defaultTakeProfitPct', defaultTakeProfitPct);
    if (!long && pct >= 100) {
      throw new ValidationError(
        `protectiveLevels: defaultTakeProfitPct must be below 100 for a sell, got ${pct}`,
      );
    }
    const distance = (entryPrice * pct) / 100;
    target = long ? entryPrice + distance : entryPrice - distance;
  }
  if (stop !== null && (long ? stop >= entryPrice : stop <= entryPrice)) {
    throw new ValidationError(
      `protectiveLevels: stopLoss ${stop} must be ${long ? 'below' : 'above'} the entry price ${entryPrice} of a ${side}`,
    );
  }
  if (target !== null && (long ? target <= entryPrice : target >= entryPrice)) {
    throw new ValidationError(
      `protectiveLevels: takeProfit ${target} must be ${long ? 'above' : 'below'} the entry price ${entryPrice} of a ${side}`,
    );
  }
  return { stopLoss: stop, takeProfit: target };
}

/** A bracket the tracker watches: the exits of one position. */
export interface Bracket {
  readonly symbol: SymbolId;
  /** The side of the entry it protects: `buy` for a long (the exits sell). */
  readonly entrySide: OrderSide;
  readonly stopLoss: number | null;
  readonly takeProfit: number | null;
  /** When it was registered (epoch ms). */
  readonly registeredAt: number;
}

/** Which leg of a bracket triggered, at which price, and the role of the exit order. */
export interface BracketTrigger {
  readonly symbol: SymbolId;
  readonly leg: 'stop' | 'take_profit';
  /** The exit price: the level, the open when the candle gapped through it, or the price. */
  readonly price: number;
  readonly role: Extract<OrderRole, 'bracket_stop' | 'bracket_take_profit'>;
  readonly bracket: Bracket;
}

/** Options of a {@link BracketTracker}. */
export interface BracketTrackerOptions {
  /** Time for `registeredAt`. */
  readonly clock: Clock;
  /** Brackets to start with, e.g. rebuilt after a restart. */
  readonly brackets?: readonly Bracket[];
}

/**
 * Client-side brackets (OCO emulation) for venues that lack native stop or OCO orders: the
 * engine registers a position's stop and target, checks each closed candle (or, live, each
 * price) and sends the exit itself when a leg triggers, then cancels the bracket.
 *
 * `check` uses the paper fill rule: a candle triggers the stop when its range reaches it (exit at
 * the stop, or at the open when it gapped through), the target likewise (exit at the target, or
 * at the open when it gapped beyond it); when both are inside one candle the stop wins. A price
 * triggers a leg it reached, at that price. Checking does not remove the bracket: `cancel` it when
 * the exit has filled.
 *
 * Brackets live in memory: core's `RuntimeStateStore` has no place for them. After a restart,
 * rebuild them with the `brackets` option, e.g. from each open position's entry with
 * {@link protectiveLevels} and the config's percentages.
 *
 * @example
 * ```ts
 * const brackets = new BracketTracker({ clock });
 * brackets.register('BTC-USD', 'buy', protectiveLevels({ side: 'buy', entryPrice: 100, stopLoss: 95, takeProfit: 110 }));
 * const trigger = brackets.check('BTC-USD', candle); // { leg: 'stop', price: 95, role: 'bracket_stop', ... }
 * ```
 */
export class BracketTracker {
  readonly #clock: Clock;
  readonly #brackets = new Map<SymbolId, Bracket>();

  /**
   * @throws {ValidationError} for a starting bracket that {@link BracketTracker.register} would
   *   refuse.
   */
  constructor(options: BracketTrackerOptions) {
    this.#clock = options.clock;
    for (const bracket of options.brackets ?? []) {
      const checked = checkBracket(bracket);
      this.#brackets.set(checked.symbol, checked);
    }
  }

  /**
   * Registers (or replaces) the bracket of `symbol` protecting an entry of `entrySide`.
   *
   * @throws {ValidationError} when both levels are `null`, a level is not a finite price above
   *   0, or the stop is not on the losing side of the target (below it for a long).
   */
  register(symbol: SymbolId, entrySide: OrderSide, levels: ProtectiveLevels): Bracket {
    const bracket = checkBracket({
      symbol,
      entrySide,
      stopLoss: levels.stopLoss,
      takeProfit: levels.takeProfit,
      registeredAt: this.#clock.now(),
    });
    this.#brackets.set(bracket.symbol, bracket);
    return bracket;
  }

  /** The bracket of `symbol`, if any. */
  get(symbol: SymbolId): Bracket | undefined {
    return this.#brackets.get(symbol);
  }

  /** Every bracket, by symbol. */
  list(): Bracket[] {
    return [...this.#brackets.values()].sort((a, b) =>
      a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0,
    );
  }

  /**
   * Which leg of `symbol`'s bracket `candleOrPrice` triggers, or `null` (none, or no bracket).
   *
   * @throws {ValidationError} for a price that is not a finite number above 0.
   */
  check(symbol: SymbolId, candleOrPrice: Candle | number): BracketTrigger | null {
    const bracket = this.#brackets.get(symbol);
    if (bracket === undefined) return null;
    const exitSide: OrderSide = bracket.entrySide === 'buy' ? 'sell' : 'buy';
    const long = bracket.entrySide === 'buy';
    const { stopLoss, takeProfit } = bracket;
    let stopAt: number | null = null;
    let targetAt: number | null = null;
    if (typeof candleOrPrice === 'number') {
      const price = requirePositive(`bracket check ${symbol}: price`, candleOrPrice);
      if (stopLoss !== null && (long ? price <= stopLoss : price >= stopLoss)) stopAt = price;
      if (takeProfit !== null && (long ? price >= takeProfit : price <= takeProfit)) {
        targetAt = price;
      }
    } else {
      if (stopLoss !== null) stopAt = stopFillPrice(exitSide, stopLoss, candleOrPrice);
      if (takeProfit !== null) targetAt = limitFillPrice(exitSide, takeProfit, candleOrPrice);
    }
    if (stopAt !== null) {
      return { symbol, leg: 'stop', price: stopAt, role: 'bracket_stop', bracket };
    }
    if (targetAt !== null) {
      return { symbol, leg: 'take_profit', price: targetAt, role: 'bracket_take_profit', bracket };
    }
    return null;
  }

  /** Removes the bracket of `symbol` (both legs); `false` when there was none. */
  cancel(symbol: SymbolId): boolean {
    return this.#brackets.delete(symbol);
  }
}

function checkBracket(bracket: Bracket): Bracket {
  let symbol: SymbolId;
  try {
    symbol = parseSymbol(String(bracket.symbol));
  } catch (cause) {
    throw new ValidationError(`bracket: symbol ${String(bracket.symbol)} is not BASE-QUOTE`, {
      cause,
    });
  }
  const where = `bracket ${symbol}`;
  if (bracket.entrySide !== 'buy' && bracket.entrySide !== 'sell') {
    throw new ValidationError(
      `${where}: entrySide must be buy or sell, got ${String(bracket.entrySide)}`,
    );
  }
  const { stopLoss, takeProfit } = bracket;
  if (stopLoss === null && takeProfit === null) {
    throw new ValidationError(`${where}: stopLoss and takeProfit are both null; nothing to watch`);
  }
  if (stopLoss !== null) requirePositive(`${where}: stopLoss`, stopLoss);
  if (takeProfit !== null) requirePositive(`${where}: takeProfit`, takeProfit);
  const long = bracket.entrySide === 'buy';
  if (
    stopLoss !== null &&
    takeProfit !== null &&
    (long ? stopLoss >= takeProfit : stopLoss <= takeProfit)
  ) {
    throw new ValidationError(
      `${where}: stopLoss ${stopLoss} must be ${long ? 'below' : 'above'} takeProfit ${takeProfit} for a ${bracket.entrySide} entry`,
    );
  }
  if (!Number.isSafeInteger(bracket.registeredAt) || bracket.registeredAt < 0) {
    throw new ValidationError(
      `${where}: registeredAt must be an epoch time in ms, got ${String(bracket.registeredAt)}`,
    );
  }
  return { ...bracket, symbol };
}
