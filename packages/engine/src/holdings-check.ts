/**
 * A live trade cycle's positions against the exchange's balances (docs/architecture/
 * order-lifecycle.md, "Never more than held"): the shortfalls that pause a symbol, and the
 * write-off an operator's resume records. The caller reads the balance and the price; these
 * decide, store and apply.
 */
import {
  ValidationError,
  type Balance,
  type Clock,
  type MarketInfo,
  type PositionAdjustment,
  type RuntimeStateStore,
  type SymbolId,
} from '@lumenlink/core';
import {
  holdingShortfalls,
  sellInFlightReason,
  type HoldingShortfall,
  type Portfolio,
} from '@lumenlink/execution';
import type { TradeCycle } from './trade-cycle.js';

/**
 * The assets the exchange holds less of than the cycle's positions, leaving out the symbols
 * with a sell in flight (or fills not stored yet): their coins may have left the account before
 * their fills reached the portfolio.
 *
 * @throws {StorageError} when the store fails.
 */
export async function settledShortfalls(
  cycle: TradeCycle,
  portfolio: Portfolio,
  balance: Balance,
  markets?: ReadonlyMap<SymbolId, MarketInfo>,
): Promise<HoldingShortfall[]> {
  const settled = [];
  for (const position of portfolio.positions()) {
    if ((await cycle.orderManager.sellInFlight(position.symbol, position.openedAt)) === null) {
      settled.push(position);
    }
  }
  return holdingShortfalls(settled, balance, markets);
}

/** Why a shortfall pauses its symbols, in words. */
export function shortfallReason(shortfall: HoldingShortfall): string {
  return `the exchange holds ${shortfall.exchangeTotal} ${shortfall.asset}, less than the bot's position of ${shortfall.positions} (sold or moved outside the bot, or a fill is missing)`;
}

/** What {@link writeOffMissing} needs. */
export interface WriteOffMissingOptions {
  readonly cycle: TradeCycle;
  readonly portfolio: Portfolio;
  /** Where the write-off is stored before it is applied (a restart replays it). */
  readonly runtime: RuntimeStateStore;
  readonly clock: Clock;
  readonly symbol: SymbolId;
  /** The exchange's balances, read just now (after a reconciliation). */
  readonly balance: Balance;
  /** The price the write-off is valued at; `null`: the position's average entry. */
  readonly price: number | null;
  /** Why, in the operator's words. */
  readonly reason: string;
  /** Who decided it: `http`, `telegram:<chat>`, ... */
  readonly adjustedBy: string;
  readonly markets?: ReadonlyMap<SymbolId, MarketInfo>;
}

/**
 * Writes off what of a symbol's position the exchange no longer holds (an operator resuming a
 * symbol paused for it): the write-off is stored first, then applied to the cycle (portfolio,
 * ledger, stops). Returns it, or `null` when nothing is missing or no position is open.
 *
 * @throws {ValidationError} while a sell of the symbol is in flight: resume once it settled.
 * @throws {StorageError} when the store fails.
 */
export async function writeOffMissing(
  options: WriteOffMissingOptions,
): Promise<PositionAdjustment | null> {
  const { cycle, portfolio, symbol } = options;
  const position = portfolio.position(symbol);
  if (position === undefined) return null;
  const inFlight = await cycle.orderManager.sellInFlight(symbol, position.openedAt);
  if (inFlight !== null) {
    throw new ValidationError(
      `${symbol}: ${sellInFlightReason(inFlight)}; resume once it has settled`,
    );
  }
  const [shortfall] = holdingShortfalls([position], options.balance, options.markets);
  if (shortfall === undefined) return null;
  const at = options.clock.now();
  const adjustment: PositionAdjustment = {
    id: `write-off:${symbol}:${at}`,
    symbol,
    quantity: Math.min(shortfall.missing, position.quantity),
    price: options.price ?? position.avgEntryPrice,
    reason: `${options.reason} (the exchange held ${shortfall.exchangeTotal} ${shortfall.asset} of the position's ${shortfall.positions})`,
    adjustedBy: options.adjustedBy,
    at,
    afterTradeId: portfolio.lastFillOf(symbol),
  };
  await options.runtime.savePositionAdjustment(adjustment);
  await cycle.writeOff(adjustment);
  return adjustment;
}
