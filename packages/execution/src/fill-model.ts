/**
 * The paper fill model (docs/architecture/trade-cycle.md, "Fills and fees"), as pure functions
 * shared by the paper broker, the trailing stops and the bracket tracker: slippage and fees per
 * side, stops that gap-fill at the open, limits that fill when the range trades through them, and
 * walking an order book. Prices are in the quote currency, quantities in the base currency.
 */
import {
  DataIntegrityError,
  ValidationError,
  type Candle,
  type OrderBook,
  type OrderSide,
} from '@lumenlink/core';

/** Basis points in one whole: 10 000. */
const bpsPerUnit = 10_000;

/**
 * Relative tolerance for comparing quantities that went through floating-point sums: a
 * remainder below `quantityEpsilon` of the order or position counts as nothing.
 */
export const quantityEpsilon = 1e-9;

/**
 * The dust tolerance: a quantity within `dustQuantity(held, amountStep)` of `held` is the same
 * up to floating-point or sub-step residue. The paper broker writes off a base balance rest at
 * or below it; the portfolio and the holdings check allow a sale (or a shortfall) this much
 * beyond what is held. Whether a position's rest after a sale closes it is {@link isDustRest},
 * which also counts a rest below one whole step as dust.
 * It is half the market's amount step (an exchange rounds anything smaller to nothing), or,
 * without market info or for a larger position, {@link quantityEpsilon} of what was held.
 *
 * @example
 * ```ts
 * dustQuantity(2); // 2e-9
 * dustQuantity(2, 0.001); // 0.0005
 * ```
 */
export function dustQuantity(held: number, amountStep = 0): number {
  const step = Number.isFinite(amountStep) && amountStep > 0 ? amountStep : 0;
  return Math.max(step / 2, Math.abs(held) * quantityEpsilon);
}

/**
 * Whether `rest`, what a sale leaves of a position of `held`, is dust: the position is then
 * closed (the rest written off at its cost). A rest is dust when it can never be sold: less
 * than one amount step of the market (an exchange rounds a sale of it down to nothing; Binance
 * leaves such a rest when it takes a buy's fee in the bought asset), or at most
 * {@link quantityEpsilon} of what was held (float residue). A negative rest (a sale a float's
 * width above what was held) is dust too.
 *
 * @example
 * ```ts
 * isDustRest(0.000968, 4.027968, 0.001); // true: a fee-in-SOL rest below the 0.001 step
 * isDustRest(0.001, 4.028, 0.001); // false: one step can be sold
 * ```
 */
export function isDustRest(rest: number, held: number, amountStep = 0): boolean {
  if (rest <= Math.abs(held) * quantityEpsilon) return true;
  const step = Number.isFinite(amountStep) && amountStep > 0 ? amountStep : 0;
  return rest < step * (1 - quantityEpsilon);
}

/** A price or quantity check for a field, with the error class the caller wants. */
type ErrorClass = new (message: string) => Error;

/**
 * Returns `value` when it is a finite number above zero.
 *
 * @throws the given error class (default {@link ValidationError}) naming the field.
 */
export function requirePositive(
  field: string,
  value: unknown,
  error: ErrorClass = ValidationError,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new error(`${field} must be a finite number above 0, got ${String(value)}`);
  }
  return value;
}

/**
 * Returns `value` when it is a finite number at or above zero.
 *
 * @throws the given error class (default {@link ValidationError}) naming the field.
 */
export function requireNonNegative(
  field: string,
  value: unknown,
  error: ErrorClass = ValidationError,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new error(`${field} must be a finite number at or above 0, got ${String(value)}`);
  }
  return value;
}

/**
 * Returns `value` when it is a rate in basis points: finite, at least 0, below 10 000 (100 %).
 *
 * @throws {ValidationError} naming the field.
 */
export function requireBps(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= bpsPerUnit) {
    throw new ValidationError(
      `${field} must be basis points from 0 to below 10000, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * The price `price` moved against the taker by `slippageBps`: up for a buy, down for a sell.
 *
 * @example
 * ```ts
 * slippedPrice('buy', 100, 5); // 100.05
 * slippedPrice('sell', 100, 5); // 99.95
 * ```
 */
export function slippedPrice(side: OrderSide, price: number, slippageBps: number): number {
  const move = slippageBps / bpsPerUnit;
  return side === 'buy' ? price * (1 + move) : price * (1 - move);
}

/**
 * The fee on a fill of `notional` (quantity x price, quote currency) at `feeBps`, in the quote
 * currency. Charged on each side, buys and sells alike.
 *
 * @example
 * ```ts
 * feeFor(10_000, 10); // 10
 * ```
 */
export function feeFor(notional: number, feeBps: number): number {
  return (notional * feeBps) / bpsPerUnit;
}

/**
 * Where a stop order of `side` fills inside `candle`, or `null` when the candle does not reach
 * its stop. A sell stop (protecting a long) triggers when the low reaches the stop, a buy stop
 * when the high does. It fills at the stop price, or at the open when the candle opened beyond
 * the stop (a gap: the stop price never traded).
 *
 * @example
 * ```ts
 * stopFillPrice('sell', 95, { time: 0, open: 100, high: 101, low: 94, close: 96, volume: 1 }); // 95
 * stopFillPrice('sell', 95, { time: 0, open: 93, high: 97, low: 92, close: 96, volume: 1 }); // 93
 * ```
 */
export function stopFillPrice(side: OrderSide, stopPrice: number, candle: Candle): number | null {
  if (side === 'sell') {
    if (candle.low > stopPrice) return null;
    return candle.open <= stopPrice ? candle.open : stopPrice;
  }
  if (candle.high < stopPrice) return null;
  return candle.open >= stopPrice ? candle.open : stopPrice;
}

/**
 * Where a resting limit order of `side` fills inside `candle`, or `null` when the range does not
 * reach its limit. A buy limit fills when the low reaches the limit, at the better of the limit
 * and the open (`min(limit, open)`); a sell limit when the high reaches it, at
 * `max(limit, open)`.
 *
 * @example
 * ```ts
 * limitFillPrice('buy', 98, { time: 0, open: 100, high: 101, low: 97, close: 99, volume: 1 }); // 98
 * limitFillPrice('buy', 98, { time: 0, open: 96, high: 99, low: 95, close: 97, volume: 1 }); // 96
 * ```
 */
export function limitFillPrice(side: OrderSide, limitPrice: number, candle: Candle): number | null {
  if (side === 'buy') {
    if (candle.low > limitPrice) return null;
    return Math.min(limitPrice, candle.open);
  }
  if (candle.high < limitPrice) return null;
  return Math.max(limitPrice, candle.open);
}

/**
 * Whether a limit order of `side` at `limitPrice` can execute at `price`: a buy at or below its
 * limit, a sell at or above it.
 */
export function isMarketable(side: OrderSide, limitPrice: number, price: number): boolean {
  return side === 'buy' ? price <= limitPrice : price >= limitPrice;
}

/**
 * Whether the price `price` has reached a stop of `side`: a sell stop at or below it, a buy stop
 * at or above it.
 */
export function isStopReached(side: OrderSide, stopPrice: number, price: number): boolean {
  return side === 'sell' ? price <= stopPrice : price >= stopPrice;
}

/** One level taken while walking a book: the level's price and the quantity taken there. */
export interface BookFill {
  readonly price: number;
  readonly quantity: number;
}

/**
 * Walks `book` for a taker order of `side` and `quantity`: a buy takes the asks from the best
 * (lowest) up, a sell the bids from the best (highest) down, each level up to its size. With
 * `limitPrice`, levels beyond the limit are not taken. Returns one entry per level taken; their
 * quantities sum to less than `quantity` when the book (or the part within the limit) is thinner:
 * a partial fill.
 *
 * @example
 * ```ts
 * const book = { symbol: 'BTC-USD', time: 0, bids: [], asks: [[100, 0.5], [101, 2]] } as const;
 * walkBook('buy', 1, book); // [{ price: 100, quantity: 0.5 }, { price: 101, quantity: 0.5 }]
 * ```
 * @throws {DataIntegrityError} when a level is not a positive price with a non-negative size,
 *   or the levels are not ordered best first.
 */
export function walkBook(
  side: OrderSide,
  quantity: number,
  book: OrderBook,
  limitPrice?: number,
): BookFill[] {
  const levels = side === 'buy' ? book.asks : book.bids;
  const taken: BookFill[] = [];
  let remaining = quantity;
  let previous: number | null = null;
  for (const [index, [price, size]] of levels.entries()) {
    const where = `${book.symbol} order book ${side === 'buy' ? 'asks' : 'bids'}[${index}]`;
    requirePositive(`${where} price`, price, DataIntegrityError);
    requireNonNegative(`${where} size`, size, DataIntegrityError);
    if (previous !== null && (side === 'buy' ? price < previous : price > previous)) {
      throw new DataIntegrityError(`${where}: price ${price} is better than the level before it`);
    }
    previous = price;
    if (remaining <= quantity * quantityEpsilon) break;
    if (limitPrice !== undefined && !isMarketable(side, limitPrice, price)) break;
    if (size === 0) continue;
    const take = Math.min(size, remaining);
    taken.push({ price, quantity: take });
    remaining -= take;
  }
  return taken;
}

/**
 * The largest multiple of `step` at or below `quantity` (`quantity` when `step` is not
 * positive), for capping a fill at what the cash covers. The risk package rounds sized orders;
 * execution may not import it, and only ever needs this floor.
 */
export function floorToStep(quantity: number, step: number): number {
  if (!(step > 0) || !(quantity > 0)) return Math.max(0, quantity);
  const count = Math.floor(quantity / step + quantityEpsilon);
  const decimals = Math.min(15, Math.max(0, Math.ceil(-Math.log10(step)) + 2));
  const floored = Number((count * step).toFixed(decimals));
  return floored > quantity ? Math.max(0, Number(((count - 1) * step).toFixed(decimals))) : floored;
}
