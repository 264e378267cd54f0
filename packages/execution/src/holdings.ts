/**
 * The bot's positions against the exchange's balances (docs/architecture/order-lifecycle.md: a sell is never larger
 * than the position or the free balance). An account may hold more than the bot bought (the
 * user's own coins): that is fine. Holding less than the bot's positions is not: coins were sold
 * or moved outside the bot, or a fill is missing, and the bot must not count on them.
 */
import {
  symbolParts,
  type Balance,
  type MarketInfo,
  type Position,
  type SymbolId,
} from '@lumenlink/core';
import { dustQuantity } from './fill-model.js';

/** A base asset of which the exchange holds less than the bot's positions in it. */
export interface HoldingShortfall {
  /** The base asset, e.g. `BTC`. */
  readonly asset: string;
  /** The bot's positions in it (one symbol each, e.g. `BTC-USDT`). */
  readonly symbols: readonly SymbolId[];
  /** What the bot's positions hold in all. */
  readonly positions: number;
  /** What the exchange holds (free and locked). */
  readonly exchangeTotal: number;
  /** `positions - exchangeTotal`. */
  readonly missing: number;
}

/**
 * The base assets the exchange holds less of than the bot's positions, beyond a tolerance of
 * half an amount step (or a billionth of the position).
 *
 * @example
 * ```ts
 * const shortfalls = holdingShortfalls(portfolio.positions(), await broker.fetchBalance(), markets);
 * for (const shortfall of shortfalls) await pauses.pause(shortfall.symbols[0], describe(shortfall), 'reconcile');
 * ```
 */
export function holdingShortfalls(
  positions: readonly Position[],
  balance: Balance,
  markets?: ReadonlyMap<SymbolId, MarketInfo>,
): HoldingShortfall[] {
  const byAsset = new Map<string, { symbols: SymbolId[]; quantity: number; step: number }>();
  for (const position of positions) {
    if (!(position.quantity > 0)) continue;
    const { base } = symbolParts(position.symbol);
    const entry = byAsset.get(base) ?? { symbols: [], quantity: 0, step: 0 };
    entry.symbols.push(position.symbol);
    entry.quantity += position.quantity;
    entry.step = Math.max(entry.step, markets?.get(position.symbol)?.amountStep ?? 0);
    byAsset.set(base, entry);
  }
  const shortfalls: HoldingShortfall[] = [];
  for (const [asset, { symbols, quantity, step }] of byAsset) {
    const total = balance[asset]?.total ?? 0;
    if (total < quantity - dustQuantity(quantity, step)) {
      shortfalls.push({
        asset,
        symbols,
        positions: quantity,
        exchangeTotal: total,
        missing: quantity - total,
      });
    }
  }
  return shortfalls;
}
