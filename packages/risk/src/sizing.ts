import type { MarketInfo, OrderSide, RiskState, Signal } from '@lumenlink/core';
import { baseOf, formatAmount, formatMoney, quoteOf } from './format.js';
import type { RiskLimits } from './risk-options.js';
import { roundDownToStep, roundUpToStep } from './rounding.js';

/** The limits sizing reads. */
export type SizingLimits = Pick<
  RiskLimits,
  'maxPositionUsd' | 'sizing' | 'perTradePct' | 'atrMultiplier'
>;

/** Options of {@link sizeOrder}. */
export interface SizeOrderOptions {
  /**
   * Cap an entry at the room left under the max position (existing position plus the order).
   * Default `true`; `false` (the `position_size` check switched off) caps each order at the max
   * position alone, so adds can grow a position past it.
   */
  readonly capAtRoom?: boolean;
}

/** How an order was sized: the quantity and every step that led to it. */
export interface OrderSize {
  readonly side: OrderSide;
  /** `confidence` or `atr` for entries (buys), `exit` for sells. */
  readonly method: 'confidence' | 'atr' | 'exit';
  /** The price sized at: the signal's limit price, else the decision price (quote currency). */
  readonly price: number;
  /** What the formula asked for before caps and rounding (quote currency). */
  readonly targetValue: number;
  /**
   * Entries: the room left under the max position before this order (quote currency), never
   * negative. Exits: `null`.
   */
  readonly room: number | null;
  /** The most this order may cost: the room, and the cash net of the taker fee (quote currency). */
  readonly capValue: number;
  /** Base quantity held before the order (the position). */
  readonly heldQuantity: number;
  /**
   * Exits: what may be sold at most, the position capped at the exchange's free balance of the
   * base asset when it is known. Entries: the position.
   */
  readonly sellableQuantity: number;
  /** Base quantity, rounded down to the market's amount step; 0 when nothing can be ordered. */
  readonly quantity: number;
  /** `quantity x price` (quote currency). */
  readonly value: number;
  /** The smallest quantity the market accepts at this price (base; 0 without market info). */
  readonly minQuantity: number;
  /** Whether `quantity` is positive and meets the market's minimum amount and cost. */
  readonly meetsMinimum: boolean;
  /** The steps, in words, e.g. `confidence 0.8 x portion 1 x max 250.00 USD = 200.00 USD`. */
  readonly notes: readonly string[];
}

/** Whether a quantity meets a market's minimum amount and cost. */
export function meetsMarketMinimum(
  quantity: number,
  price: number,
  market: MarketInfo | null,
): boolean {
  if (!(quantity > 0)) return false;
  if (market === null) return true;
  return quantity >= market.minAmount && quantity * price >= market.minCost;
}

/** The smallest step multiple that meets a market's minimum amount and cost at a price. */
export function minimumQuantity(price: number, market: MarketInfo | null): number {
  if (market === null) return 0;
  const step = market.amountStep;
  let quantity = roundUpToStep(
    Math.max(market.minAmount, market.minCost > 0 ? market.minCost / price : 0),
    step,
  );
  for (let i = 0; i < 4 && quantity * price < market.minCost; i++) {
    quantity = step > 0 ? roundUpToStep(quantity + step, step) : quantity * (1 + 4e-16);
  }
  return quantity;
}

/** The next smaller quantity: one step down, or one float step without a step. */
function stepDown(quantity: number, step: number): number {
  if (step > 0) return roundDownToStep(Math.max(0, quantity - step), step);
  return quantity - Math.max(quantity * Number.EPSILON, Number.MIN_VALUE);
}

/** Lowers `quantity` until `quantity x price <= cap` (floating point included). */
function fitUnder(quantity: number, price: number, cap: number, step: number): number {
  let fitted = quantity;
  for (let i = 0; fitted > 0 && fitted * price > cap; i++) {
    fitted = i < 8 ? stepDown(fitted, step) : 0;
  }
  return Math.max(0, fitted);
}

/**
 * Sizes the order of a buy or sell signal (docs/architecture/trade-cycle.md, step 5) and rounds
 * it to the market. Entries: `confidence x portion x max position`, or with ATR sizing
 * `portion x equity x risk% / (ATR x multiplier / price)`; capped at the room left under the max
 * position and at the cash (net of the taker fee); rounded down to the amount step; raised to the
 * market minimum when the sized amount is positive but below it and the caps leave room for it.
 * Exits: `portion x position`, rounded down; the whole position when the rest would be below the
 * market minimum (dust); never more than held.
 *
 * @example
 * ```ts
 * const size = sizeOrder(signal, state, { maxPositionUsd: 250, sizing: 'confidence', perTradePct: 1, atrMultiplier: 2 });
 * size.quantity; // base quantity, a multiple of state.market.amountStep
 * ```
 */
export function sizeOrder(
  signal: Signal,
  state: RiskState,
  limits: SizingLimits,
  options: SizeOrderOptions = {},
): OrderSize {
  return signal.action === 'sell'
    ? sizeExit(signal, state)
    : sizeEntry(signal, state, limits, options.capAtRoom ?? true);
}

function sizeEntry(
  signal: Signal,
  state: RiskState,
  limits: SizingLimits,
  capAtRoom: boolean,
): OrderSize {
  const { market } = state;
  const quote = quoteOf(state.symbol);
  const step = market?.amountStep ?? 0;
  const price = signal.limitPrice ?? state.price;
  const portion = signal.portion ?? 1;
  const held = state.position?.quantity ?? 0;
  const heldValue = held * state.price;
  const notes: string[] = [];

  let method: 'confidence' | 'atr' = 'confidence';
  let targetValue: number;
  const atr = state.atr ?? 0;
  const stopFraction = (atr * limits.atrMultiplier) / state.price;
  if (limits.sizing === 'atr' && stopFraction > 0 && Number.isFinite(stopFraction)) {
    method = 'atr';
    const riskBudget = (Math.max(0, state.equity) * limits.perTradePct) / 100;
    targetValue = (portion * riskBudget) / stopFraction;
    notes.push(
      `ATR sizing: portion ${portion} x ${formatMoney(riskBudget, quote)} at risk / (ATR ${formatAmount(atr)} x ${limits.atrMultiplier} / ${formatAmount(state.price)}) = ${formatMoney(targetValue, quote)}`,
    );
  } else {
    targetValue = signal.confidence * portion * limits.maxPositionUsd;
    notes.push(
      `${limits.sizing === 'atr' ? 'no ATR, so confidence sizing: ' : ''}confidence ${signal.confidence} x portion ${portion} x max ${formatMoney(limits.maxPositionUsd, quote)} = ${formatMoney(targetValue, quote)}`,
    );
  }

  // A degenerate input (an ATR so small the stop distance underflows) must not size NaN.
  if (!(targetValue >= 0)) targetValue = 0;
  const room = capAtRoom ? Math.max(0, limits.maxPositionUsd - heldValue) : limits.maxPositionUsd;
  const cashCap = Math.max(0, state.cash) / (1 + Math.max(0, market?.takerFee ?? 0));
  const capValue = Math.min(room, cashCap);
  if (targetValue > room) {
    notes.push(
      capAtRoom
        ? `capped at the room ${formatMoney(room, quote)} (position ${formatMoney(heldValue, quote)} of max ${formatMoney(limits.maxPositionUsd, quote)})`
        : `capped at the max ${formatMoney(room, quote)} per order (position_size off)`,
    );
  }
  if (Math.min(targetValue, room) > cashCap) {
    notes.push(`capped at the cash ${formatMoney(cashCap, quote)}`);
  }

  const wanted = Math.min(targetValue, capValue) / price;
  let quantity = fitUnder(roundDownToStep(wanted, step), price, capValue, step);
  if (step > 0 && quantity < wanted) {
    notes.push(`rounded down to the step ${formatAmount(step)} ${baseOf(state.symbol)}`);
  }
  if (market?.maxAmount != null && quantity > market.maxAmount) {
    quantity = roundDownToStep(market.maxAmount, step);
    notes.push(`capped at the market maximum ${formatAmount(market.maxAmount)}`);
  }
  const minQuantity = minimumQuantity(price, market);
  if (
    targetValue > 0 &&
    !meetsMarketMinimum(quantity, price, market) &&
    minQuantity * price <= capValue &&
    (market?.maxAmount == null || minQuantity <= market.maxAmount)
  ) {
    quantity = minQuantity;
    notes.push(
      `raised to the market minimum ${formatAmount(minQuantity)} (${formatMoney(minQuantity * price, quote)})`,
    );
  }
  return {
    side: 'buy',
    method,
    price,
    targetValue,
    room: capAtRoom ? room : null,
    capValue,
    heldQuantity: held,
    sellableQuantity: held,
    quantity,
    value: quantity * price,
    minQuantity,
    meetsMinimum: meetsMarketMinimum(quantity, price, market),
    notes,
  };
}

function sizeExit(signal: Signal, state: RiskState): OrderSize {
  const { market } = state;
  const step = market?.amountStep ?? 0;
  const price = signal.limitPrice ?? state.price;
  const portion = signal.portion ?? 1;
  const position = Math.max(0, state.position?.quantity ?? 0);
  const free = state.freeBase ?? null;
  // Never more than the bot's position, nor than the exchange holds free of the base asset.
  const held = free === null ? position : Math.min(position, Math.max(0, free));
  const sellable = roundDownToStep(held, step);
  const notes: string[] = [];
  if (free !== null && free < position) {
    notes.push(
      `capped at the free balance ${formatAmount(Math.max(0, free))} ${baseOf(state.symbol)} (position ${formatAmount(position)})`,
    );
  }

  let quantity =
    portion >= 1 ? sellable : Math.min(roundDownToStep(held * portion, step), sellable);
  notes.push(
    `exit: portion ${portion} x position ${formatAmount(held)} = ${formatAmount(quantity)} after rounding down`,
  );
  const minQuantity = minimumQuantity(price, market);
  if (market !== null && quantity < sellable) {
    const rest = held - quantity;
    if (rest < market.minAmount || rest * price < market.minCost) {
      quantity = sellable;
      notes.push(
        `selling all ${formatAmount(sellable)}: the rest would be below the market minimum`,
      );
    }
  }
  if (quantity < sellable && !meetsMarketMinimum(quantity, price, market)) {
    // Without market info the minimum is 0: a portion that rounds to nothing sells it all.
    quantity = minQuantity > 0 ? Math.min(minQuantity, sellable) : sellable;
    notes.push(`raised to the market minimum ${formatAmount(quantity)}`);
  }
  if (market?.maxAmount != null && quantity > market.maxAmount) {
    quantity = roundDownToStep(market.maxAmount, step);
    notes.push(`capped at the market maximum ${formatAmount(market.maxAmount)}`);
  }
  return {
    side: 'sell',
    method: 'exit',
    price,
    targetValue: portion * held * price,
    room: null,
    capValue: sellable * price,
    heldQuantity: position,
    sellableQuantity: held,
    quantity,
    value: quantity * price,
    minQuantity,
    meetsMinimum: meetsMarketMinimum(quantity, price, market),
    notes,
  };
}
