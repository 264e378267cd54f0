/**
 * The portfolio: cash and positions as the sum of the fills, with realized P&L net of fees,
 * unrealized P&L by mark, daily P&L, peak equity and stop-out times, persisted through core's
 * `PortfolioStore` (trade cycle step 7, and step 1 for marking to market).
 */
import {
  DataIntegrityError,
  ValidationError,
  parseSymbol,
  symbolParts,
  type AccountSnapshot,
  type Clock,
  type Fill,
  type MarketInfo,
  type OrderRole,
  type PortfolioStore,
  type Position,
  type PositionAdjustment,
  type PositionState,
  type SymbolId,
} from '@lumenlink/core';
import { dustQuantity, isDustRest, requireNonNegative, requirePositive } from './fill-model.js';

const dayMs = 86_400_000;

/** Order roles whose sell fills are stop-outs (they set `lastStopOutAt`). */
export const stopOutRoles: ReadonlySet<OrderRole> = new Set<OrderRole>([
  'stop',
  'trailing_stop',
  'bracket_stop',
]);

const orderRoles: Readonly<Record<OrderRole, true>> = {
  entry: true,
  exit: true,
  stop: true,
  take_profit: true,
  trailing_stop: true,
  force_exit: true,
  bracket_stop: true,
  bracket_take_profit: true,
};

/** Options of a {@link Portfolio}. */
export interface PortfolioOptions {
  /** Time for {@link Portfolio.persist} and {@link Portfolio.restore}. */
  readonly clock: Clock;
  /** Cash at the start, in the quote currency. */
  readonly startingCash: number;
  /** Where positions and equity snapshots are persisted; without it, nothing is. */
  readonly store?: PortfolioStore;
  /** When given, fills of symbols quoted in another currency are refused. */
  readonly quoteCurrency?: string;
  /**
   * Market rules: a position left with at most half its `amountStep` is closed (dust). Give the
   * paper broker the same markets, so that it writes off the same dust.
   */
  readonly markets?: ReadonlyMap<SymbolId, MarketInfo>;
}

/** A fill with the role of its order, as {@link Portfolio.restore} replays them. */
export interface RoleFill {
  readonly fill: Fill;
  readonly role: OrderRole;
}

/** One step of a replay: a fill (with whatever the caller keeps with it) or a write-off. */
export type ReplayStep<T> =
  | { readonly kind: 'fill'; readonly item: T }
  | { readonly kind: 'write-off'; readonly adjustment: PositionAdjustment };

/**
 * Fills and position write-offs in the order they happened, as {@link Portfolio.restore}
 * replays them (and a trade ledger rebuilt from the store must): fills by time; a write-off
 * right after the fill it was made after (`afterTradeId`), else before the first fill later
 * than its time; a write-off whose fill is not among `items` last.
 *
 * @example
 * ```ts
 * for (const step of replayOrder(fills, (fill) => fill, adjustments)) {
 *   if (step.kind === 'fill') ledger.apply(step.item, { role: 'entry' });
 *   else ledger.writeOff(step.adjustment);
 * }
 * ```
 */
export function replayOrder<T>(
  items: readonly T[],
  fillOf: (item: T) => Fill,
  adjustments: readonly PositionAdjustment[],
): ReplayStep<T>[] {
  const afterFill = new Map<string, PositionAdjustment[]>();
  const timed: PositionAdjustment[] = [];
  for (const adjustment of [...adjustments].sort((a, b) => a.at - b.at)) {
    const after = adjustment.afterTradeId ?? null;
    if (after === null) timed.push(adjustment);
    else afterFill.set(after, [...(afterFill.get(after) ?? []), adjustment]);
  }
  const steps: ReplayStep<T>[] = [];
  const writeOff = (adjustment: PositionAdjustment): void => {
    steps.push({ kind: 'write-off', adjustment });
  };
  let next = 0;
  const timedBefore = (until: number): void => {
    for (; next < timed.length && (timed[next]?.at ?? Infinity) < until; next++) {
      const adjustment = timed[next];
      if (adjustment !== undefined) writeOff(adjustment);
    }
  };
  for (const item of [...items].sort((a, b) => fillOf(a).time - fillOf(b).time)) {
    const fill = fillOf(item);
    timedBefore(fill.time);
    steps.push({ kind: 'fill', item });
    for (const adjustment of afterFill.get(fill.tradeId) ?? []) writeOff(adjustment);
    afterFill.delete(fill.tradeId);
  }
  timedBefore(Number.POSITIVE_INFINITY);
  for (const adjustment of [...afterFill.values()].flat()) writeOff(adjustment);
  return steps;
}

/** Options of {@link Portfolio.restore}. */
export interface PortfolioRestoreOptions extends Omit<PortfolioOptions, 'store'> {
  /** Every fill of the account, with its order's role (from the order store). */
  readonly fills: readonly RoleFill[];
  /**
   * The position write-offs (`RuntimeStateStore.listPositionAdjustments`), replayed in time order
   * with the fills (an adjustment after the fills of its time).
   */
  readonly adjustments?: readonly PositionAdjustment[];
}

/**
 * A fill that does not add up (met while {@link Portfolio.restore} replays the stored fills, or
 * by {@link Portfolio.applyFillOrRecord} while trading): the portfolio takes what it can and goes
 * on (a restart must never be bricked by its own records), and the caller reconciles the symbol
 * against the exchange, alerts and pauses it.
 */
export interface PortfolioFillIssue {
  readonly symbol: SymbolId;
  readonly tradeId: string;
  /**
   * `oversell`: a sell of more than the position held (the excess, coins the bot did not buy,
   * is left out: only what was held is sold), or a sell while nothing was held; `fee`: a fee in
   * another currency than the quote, counted as 0 (the fill itself applied); `skipped`: a fill
   * that could not be applied at all (a malformed fill, one applied before).
   */
  readonly kind: 'oversell' | 'fee' | 'skipped';
  /** In words, for the log and the alert. */
  readonly problem: string;
}

/** What a fill did to its symbol's position. */
export type PositionChangeKind = 'opened' | 'increased' | 'reduced' | 'closed';

/** The effect of one fill, as {@link Portfolio.applyFill} returns it. */
export interface PositionChange {
  readonly symbol: SymbolId;
  readonly kind: PositionChangeKind;
  readonly fill: Fill;
  readonly role: OrderRole;
  /** The position before the fill, or `null` when flat. */
  readonly before: Position | null;
  /** The position after the fill, or `null` when it closed. */
  readonly after: Position | null;
  /**
   * The P&L this fill realized, in the quote currency: for a sell, its value minus its fee, the
   * cost of the quantity sold at the average entry, and that quantity's share of the entry fees
   * (a sell that closes the position charges the cost of all that was held, dust included);
   * 0 for a buy (its fee is realized when the quantity is sold).
   */
  readonly realizedPnl: number;
  /** Whether the fill is an exit by a stop (role `stop`, `trailing_stop` or `bracket_stop`). */
  readonly stopOut: boolean;
}

/** A position with what the portfolio needs beyond core's `Position`. */
interface Holding {
  readonly symbol: SymbolId;
  state: PositionState;
  quantity: number;
  avgEntryPrice: number;
  /** Realized P&L of this trade so far. */
  realizedPnl: number;
  /** Fees paid on this trade so far. */
  fees: number;
  /** Entry fees of the quantity still held, realized proportionally as it is sold. */
  openEntryFees: number;
  readonly openedAt: number;
  updatedAt: number;
  /** The trade id of the last fill applied to this position. */
  lastTradeId: string;
  /**
   * The position as last handed out by `position()`, until the holding changes (`#changed`):
   * a strategy asks every candle.
   */
  view: Position | null;
}

function toPosition(holding: Holding): Position {
  return {
    symbol: holding.symbol,
    state: holding.state,
    quantity: holding.quantity,
    avgEntryPrice: holding.avgEntryPrice,
    realizedPnl: holding.realizedPnl,
    fees: holding.fees,
    openedAt: holding.openedAt,
    updatedAt: holding.updatedAt,
  };
}

/** 00:00 UTC of the day of `at`. */
function utcMidnight(at: number): number {
  return Math.floor(at / dayMs) * dayMs;
}

/**
 * Cash and long spot positions built from fills, as the trade cycle applies them (step 7).
 *
 * - A buy adds to the position at the volume-weighted average entry price; cash pays its value
 *   and its fee.
 * - A sell realizes `value - fee - quantity x average entry - quantity's share of the entry
 *   fees`, so realized P&L is net of both sides' fees; cash receives its value minus its fee. A
 *   position whose rest is at most half the market's amount step, or a billionth of what was
 *   held (`dustQuantity`, the rule the paper broker shares), is closed: dust. Selling more than
 *   is held is a `DataIntegrityError`.
 * - A sell whose order role is `stop`, `trailing_stop` or `bracket_stop` is a stop-out:
 *   `lastStopOutAt` of its symbol becomes the fill time (risk's cooldown and stop-loss guard).
 * - Unrealized P&L is `quantity x (mark - average entry)` less the entry fees not yet realized,
 *   so `equity = cash + positions at mark = startingCash + realized + unrealized`. Positions
 *   without a mark are valued at their last fill price.
 * - Daily P&L is equity now minus equity at 00:00 UTC (the equity after the last event before
 *   midnight); the day rolls over on any event (fill, mark, snapshot) of a later day.
 *
 * Positions and cash always equal what the sum of the fills implies. The portfolio trusts the
 * fills' prices and fees; the broker decides them.
 *
 * @example
 * ```ts
 * const portfolio = new Portfolio({ clock, startingCash: 10_000, store: store.portfolio });
 * for (const fill of broker.processCandle('BTC-USD', candle)) portfolio.applyFill(fill, { role: 'entry' });
 * portfolio.markToMarket({ 'BTC-USD': candle.close }, candle.time);
 * await portfolio.persist();
 * ```
 */
export class Portfolio {
  readonly #clock: Clock;
  readonly #startingCash: number;
  readonly #store: PortfolioStore | null;
  readonly #quote: string | null;
  readonly #markets: ReadonlyMap<SymbolId, MarketInfo> | null;
  readonly #holdings = new Map<SymbolId, Holding>();
  readonly #marks = new Map<SymbolId, number>();
  readonly #appliedTradeIds = new Set<string>();
  readonly #lastStopOutAt: Partial<Record<SymbolId, number>> = {};
  /** Symbols whose stored position must be deleted at the next persist. */
  readonly #closedSincePersist = new Set<SymbolId>();
  readonly #restoreIssues: PortfolioFillIssue[] = [];
  #cash: number;
  #realizedPnl = 0;
  #peakEquity: number;
  /** 00:00 UTC of the current day, once an event happened. */
  #dayStart: number | null = null;
  #dayStartEquity: number;

  /**
   * @throws {ValidationError} for a negative or non-finite starting cash or a malformed quote
   *   currency.
   */
  constructor(options: PortfolioOptions) {
    this.#clock = options.clock;
    this.#startingCash = requireNonNegative('Portfolio startingCash', options.startingCash);
    this.#store = options.store ?? null;
    this.#markets = options.markets ?? null;
    const quote = options.quoteCurrency;
    if (quote !== undefined && (typeof quote !== 'string' || !/^[A-Z0-9]{1,20}$/.test(quote))) {
      throw new ValidationError(
        `Portfolio quoteCurrency must be a currency code such as USD, got ${String(quote)}`,
      );
    }
    this.#quote = quote ?? null;
    this.#cash = this.#startingCash;
    this.#peakEquity = this.#startingCash;
    this.#dayStartEquity = this.#startingCash;
  }

  /**
   * Rebuilds a portfolio after a restart. The fills are the truth: they are replayed in time
   * order for cash, positions, realized P&L and stop-outs. The store adds what fills cannot
   * tell: each open position's state (`filled` or `managing`), the peak equity, and the equity at
   * 00:00 UTC today (from the latest equity snapshot). A stored position the fills no longer
   * imply is deleted at the next {@link Portfolio.persist}.
   *
   * @example
   * ```ts
   * const orders = await store.orders.listOrders();
   * const roles = new Map(orders.map((order) => [order.clientOrderId, order.role]));
   * const fills = (await store.orders.listFills()).map((fill) => ({ fill, role: roles.get(fill.clientOrderId)! }));
   * const portfolio = await Portfolio.restore(store.portfolio, { clock, startingCash: 10_000, fills });
   * ```
   * Never refused by its own records: a fill that does not add up (an over-sell on record, a
   * sell without a position, a fee in another currency) is applied as far as it can be or
   * skipped, and listed in {@link Portfolio.restoreIssues} for the caller to reconcile.
   *
   * @throws {StorageError} when the store fails.
   */
  static async restore(
    store: PortfolioStore,
    options: PortfolioRestoreOptions,
  ): Promise<Portfolio> {
    const { fills, adjustments = [], ...rest } = options;
    const portfolio = new Portfolio({ ...rest, store });
    for (const step of replayOrder(fills, (item) => item.fill, adjustments)) {
      if (step.kind === 'write-off') {
        portfolio.#replayWriteOff(step.adjustment);
        continue;
      }
      const { issue } = portfolio.applyFillOrRecord(step.item.fill, { role: step.item.role });
      if (issue !== null) portfolio.#restoreIssues.push(issue);
    }

    const stored = await store.listPositions();
    for (const position of stored) {
      const holding = portfolio.#holdings.get(position.symbol);
      if (holding === undefined) portfolio.#closedSincePersist.add(position.symbol);
      else if (position.state === 'managing') {
        holding.state = 'managing';
        holding.view = null;
      }
    }

    const now = options.clock.now();
    const latest = await latestSnapshot(store, now);
    const today = utcMidnight(now);
    const equity = portfolio.#equity();
    if (latest !== undefined) {
      portfolio.#peakEquity = Math.max(portfolio.#peakEquity, latest.peakEquity, equity);
      for (const [symbol, at] of Object.entries(latest.lastStopOutAt)) {
        const key = symbol as SymbolId;
        if (at !== undefined && at > (portfolio.#lastStopOutAt[key] ?? -Infinity)) {
          portfolio.#lastStopOutAt[key] = at;
        }
      }
    }
    portfolio.#dayStart = today;
    portfolio.#dayStartEquity =
      latest === undefined
        ? portfolio.#dayStartEquityFromReplay(today, equity)
        : latest.at >= today
          ? latest.equity - latest.dailyPnl
          : latest.equity;
    return portfolio;
  }

  /**
   * The stored fills that did not add up when {@link Portfolio.restore} replayed them (empty
   * otherwise): over-sells on record, fills it could not apply. Reconcile those symbols against
   * the exchange and pause them until an operator looks.
   */
  get restoreIssues(): readonly PortfolioFillIssue[] {
    return this.#restoreIssues;
  }

  /** Whether the portfolio has a store to {@link Portfolio.persist} to. */
  get persistent(): boolean {
    return this.#store !== null;
  }

  /** Cash now, in the quote currency. */
  get cash(): number {
    return this.#cash;
  }

  /** Realized P&L since the start, net of fees. */
  get realizedPnl(): number {
    return this.#realizedPnl;
  }

  /**
   * The trade id of the last fill applied to the open position of `symbol` (what a write-off
   * follows, `PositionAdjustment.afterTradeId`), or `null` when none is open.
   */
  lastFillOf(symbol: SymbolId): string | null {
    return this.#holdings.get(symbol)?.lastTradeId ?? null;
  }

  /** The open position of `symbol`, if any: one frozen object until the position changes. */
  position(symbol: SymbolId): Position | undefined {
    const holding = this.#holdings.get(symbol);
    if (holding === undefined) return undefined;
    // Frozen: the one object is handed to every caller (the strategy's context, risk, exits), so
    // a strategy writing to it must not change what risk lets the bot sell or the exit's id.
    holding.view ??= Object.freeze(toPosition(holding));
    return holding.view;
  }

  /** Whether a position of `symbol` is open (as `position(symbol) !== undefined`, allocating nothing). */
  holds(symbol: SymbolId): boolean {
    return this.#holdings.has(symbol);
  }

  /** Every open position, by symbol. */
  positions(): Position[] {
    return [...this.#holdings.values()]
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0))
      .map(toPosition);
  }

  /**
   * Applies one fill (see {@link Portfolio} for the accounting) and returns what it changed.
   * `role` is the role of the fill's order; a sell by a stop role is a stop-out.
   *
   * @throws {ValidationError} for a malformed fill (naming the field: a non-positive quantity
   *   or price, a negative fee, a bad time or symbol) or an unknown role.
   * @throws {DataIntegrityError} for a fill already applied (same trade id), a fee not in the
   *   symbol's quote currency, a symbol quoted in another currency than the portfolio's, or a
   *   sell of more than is held.
   */
  applyFill(fill: Fill, options: { readonly role: OrderRole }): PositionChange {
    const { role } = options;
    const symbol = this.#checkFill(fill, role);
    this.#rollDay(fill.time);

    const existing = this.#holdings.get(symbol);
    const before = existing === undefined ? null : toPosition(existing);
    const notional = fill.quantity * fill.price;
    let kind: PositionChangeKind;
    let realized = 0;
    let stopOut = false;

    if (fill.side === 'buy') {
      if (existing === undefined) {
        this.#holdings.set(symbol, {
          symbol,
          state: 'filled',
          quantity: fill.quantity,
          avgEntryPrice: fill.price,
          realizedPnl: 0,
          fees: fill.fee,
          openEntryFees: fill.fee,
          openedAt: fill.time,
          updatedAt: fill.time,
          lastTradeId: fill.tradeId,
          view: null,
        });
        this.#closedSincePersist.delete(symbol);
        kind = 'opened';
      } else {
        const quantity = existing.quantity + fill.quantity;
        existing.avgEntryPrice = (existing.avgEntryPrice * existing.quantity + notional) / quantity;
        existing.quantity = quantity;
        existing.fees += fill.fee;
        existing.openEntryFees += fill.fee;
        existing.updatedAt = fill.time;
        existing.lastTradeId = fill.tradeId;
        kind = 'increased';
      }
      this.#cash -= notional + fill.fee;
    } else {
      if (existing === undefined) {
        throw new DataIntegrityError(
          `fill ${fill.tradeId} sells ${fill.quantity} ${symbol}, but no ${symbol} position is held`,
        );
      }
      const dust = this.#dust(symbol, existing.quantity);
      if (fill.quantity > existing.quantity + dust) {
        throw new DataIntegrityError(
          `fill ${fill.tradeId} sells ${fill.quantity} ${symbol}, more than the ${existing.quantity} held`,
        );
      }
      const rest = existing.quantity - fill.quantity;
      const closes = isDustRest(rest, existing.quantity, this.#amountStep(symbol));
      // Closing sells what is held: a dust rest left behind is written off at its cost (a loss,
      // as the broker writes the same dust off), so equity stays start + realized + unrealized.
      const sold = closes ? existing.quantity : fill.quantity;
      const entryFeeShare = closes
        ? existing.openEntryFees
        : (existing.openEntryFees * sold) / existing.quantity;
      realized = notional - fill.fee - existing.avgEntryPrice * sold - entryFeeShare;
      this.#cash += notional - fill.fee;
      this.#realizedPnl += realized;
      existing.realizedPnl += realized;
      existing.fees += fill.fee;
      existing.openEntryFees -= entryFeeShare;
      existing.updatedAt = fill.time;
      existing.lastTradeId = fill.tradeId;
      stopOut = stopOutRoles.has(role);
      if (stopOut && fill.time > (this.#lastStopOutAt[symbol] ?? -Infinity)) {
        this.#lastStopOutAt[symbol] = fill.time;
      }
      kind = this.#reduce(existing, rest, closes);
    }
    if (existing !== undefined) existing.view = null;
    this.#marks.set(symbol, fill.price);
    this.#appliedTradeIds.add(fill.tradeId);
    this.#peakEquity = Math.max(this.#peakEquity, this.#equity());
    const after = this.#holdings.get(symbol);
    return {
      symbol,
      kind,
      fill,
      role,
      before,
      after: after === undefined ? null : toPosition(after),
      realizedPnl: realized,
      stopOut,
    };
  }

  /**
   * Writes off part of a position the exchange no longer holds (coins sold or moved outside the
   * bot, recorded by an operator's decision): the position shrinks by the adjustment's quantity
   * (at most what is held), realizing the cost of what is written off (and its share of the
   * entry fees) as a loss; cash is unchanged, since the coins left without paying the bot. A
   * rest that is dust closes the position.
   *
   * @throws {ValidationError} for a quantity that is not a finite number above 0, or no open
   *   position of the symbol.
   */
  writeOff(adjustment: PositionAdjustment): PositionChange {
    requirePositive(`writeOff ${adjustment.id}: quantity`, adjustment.quantity);
    checkTime(`writeOff ${adjustment.id}: at`, adjustment.at);
    const symbol = adjustment.symbol;
    const existing = this.#holdings.get(symbol);
    if (existing === undefined) {
      throw new ValidationError(`writeOff ${adjustment.id}: no ${symbol} position is open`);
    }
    this.#rollDay(adjustment.at);
    const before = toPosition(existing);
    const quantity = Math.min(adjustment.quantity, existing.quantity);
    const rest = existing.quantity - quantity;
    const closes = isDustRest(rest, existing.quantity, this.#amountStep(symbol));
    const gone = closes ? existing.quantity : quantity;
    const feeShare = closes
      ? existing.openEntryFees
      : (existing.openEntryFees * gone) / existing.quantity;
    const realized = -(existing.avgEntryPrice * gone) - feeShare;
    this.#realizedPnl += realized;
    existing.realizedPnl += realized;
    existing.openEntryFees -= feeShare;
    existing.updatedAt = adjustment.at;
    existing.view = null;
    const kind = this.#reduce(existing, rest, closes);
    const after = this.#holdings.get(symbol);
    return {
      symbol,
      kind,
      fill: {
        tradeId: adjustment.id,
        clientOrderId: adjustment.id,
        exchangeOrderId: null,
        symbol,
        side: 'sell',
        quantity: gone,
        price: adjustment.price,
        fee: 0,
        feeCurrency: symbolParts(symbol).quote,
        time: adjustment.at,
      },
      role: 'force_exit',
      before,
      after: after === undefined ? null : toPosition(after),
      realizedPnl: realized,
      stopOut: false,
    };
  }

  /** Leaves `rest` of a position, or closes it (its stored position deleted at the next persist). */
  #reduce(holding: Holding, rest: number, closes: boolean): PositionChangeKind {
    if (!closes) {
      holding.quantity = rest;
      return 'reduced';
    }
    holding.quantity = 0;
    this.#holdings.delete(holding.symbol);
    this.#closedSincePersist.add(holding.symbol);
    return 'closed';
  }

  /** A stored write-off replayed by {@link Portfolio.restore}; one it cannot apply is listed. */
  #replayWriteOff(adjustment: PositionAdjustment): void {
    try {
      this.writeOff(adjustment);
    } catch (error) {
      if (!ValidationError.isInstance(error)) throw error;
      this.#restoreIssues.push({
        symbol: adjustment.symbol,
        tradeId: adjustment.id,
        kind: 'skipped',
        problem: `write-off ${adjustment.id} skipped: ${error.message}`,
      });
    }
  }

  /**
   * Records the position state machine's state on an open position (persisted with it), so a
   * restart restores `managing`.
   *
   * @throws {ValidationError} when no position of `symbol` is open, or `state` is not `filled`
   *   or `managing` (the states of an open position).
   */
  setPositionState(symbol: SymbolId, state: PositionState): void {
    const holding = this.#holdings.get(symbol);
    if (holding === undefined) {
      throw new ValidationError(`setPositionState: no ${symbol} position is open`);
    }
    if (state !== 'filled' && state !== 'managing') {
      throw new ValidationError(
        `setPositionState ${symbol}: an open position is filled or managing, not ${String(state)}`,
      );
    }
    holding.state = state;
    holding.view = null;
  }

  /**
   * Marks positions at the given prices (trade cycle step 1) and returns the snapshot at `at`.
   * Prices of symbols without a position are kept for when one opens.
   *
   * @throws {ValidationError} for a price that is not a finite number above 0 (naming the
   *   symbol), or a bad time.
   */
  markToMarket(
    prices: ReadonlyMap<SymbolId, number> | Readonly<Partial<Record<SymbolId, number>>>,
    at: number,
  ): AccountSnapshot {
    checkTime('markToMarket at', at);
    const entries: [SymbolId, number | undefined][] =
      prices instanceof Map
        ? [...(prices as ReadonlyMap<SymbolId, number>)]
        : (Object.entries(prices) as [SymbolId, number | undefined][]);
    const checked = entries.map(
      ([symbol, price]) =>
        [symbol, requirePositive(`markToMarket price of ${symbol}`, price)] as const,
    );
    this.#rollDay(at);
    for (const [symbol, price] of checked) this.#marks.set(symbol, price);
    return this.snapshot(at);
  }

  /**
   * The equity at `at`, as `snapshot(at).equity` with the same effects (a new UTC day starts its
   * baseline, the peak rises) but no snapshot built: for an equity point per candle.
   *
   * @throws {ValidationError} for a time that is not an epoch time in ms.
   */
  equity(at: number): number {
    checkTime('equity at', at);
    this.#rollDay(at);
    const equity = this.#equity();
    this.#peakEquity = Math.max(this.#peakEquity, equity);
    return equity;
  }

  /**
   * Marks one symbol at `price` and returns the equity, as `markToMarket(new Map([[symbol,
   * price]]), at).equity` with the same effects, but no snapshot built (then
   * {@link Portfolio.dailyPnl} reads the daily P&L).
   *
   * @throws {ValidationError} for a price that is not a finite number above 0 or a bad time.
   */
  markOne(symbol: SymbolId, price: number, at: number): number {
    checkTime('markToMarket at', at);
    // Checked before the message is built: a sound price allocates nothing.
    if (!(price > 0) || !Number.isFinite(price)) {
      requirePositive(`markToMarket price of ${symbol}`, price);
    }
    this.#rollDay(at);
    this.#marks.set(symbol, price);
    return this.equity(at);
  }

  /** Equity now less the equity at 00:00 UTC of the current day (as a snapshot's `dailyPnl`). */
  dailyPnl(): number {
    return this.#equity() - this.#dayStartEquity;
  }

  /**
   * How many positions hold a quantity above 0 (as counting `snapshot(at).positions`, with no
   * snapshot built): the risk state of every order reads it.
   */
  openPositionCount(): number {
    let count = 0;
    for (const holding of this.#holdings.values()) if (holding.quantity > 0) count += 1;
    return count;
  }

  /** The last losing exit per symbol (epoch ms), read-only and shared (a snapshot copies it). */
  get lastStopOutAt(): Readonly<Partial<Record<SymbolId, number>>> {
    return this.#lastStopOutAt;
  }

  /**
   * The account at `at`: cash, equity at the marks, realized and unrealized P&L, daily P&L,
   * peak equity (updated here too) and the last stop-out per symbol.
   *
   * @throws {ValidationError} for a bad time.
   */
  snapshot(at: number): AccountSnapshot {
    checkTime('snapshot at', at);
    this.#rollDay(at);
    const equity = this.#equity();
    this.#peakEquity = Math.max(this.#peakEquity, equity);
    let unrealized = 0;
    for (const holding of this.#holdings.values()) {
      unrealized +=
        holding.quantity * (this.#markOf(holding) - holding.avgEntryPrice) - holding.openEntryFees;
    }
    return {
      at,
      cash: this.#cash,
      equity,
      positions: this.positions(),
      realizedPnl: this.#realizedPnl,
      unrealizedPnl: unrealized,
      dailyPnl: equity - this.#dayStartEquity,
      peakEquity: this.#peakEquity,
      lastStopOutAt: { ...this.#lastStopOutAt },
    };
  }

  /**
   * Persists the open positions, deletes the stored positions closed since the last persist,
   * and saves an equity snapshot at the clock's time, which it returns.
   *
   * @throws {ValidationError} when the portfolio has no store.
   * @throws {StorageError} when the store fails (nothing is dropped: a later persist retries).
   */
  async persist(): Promise<AccountSnapshot> {
    const store = this.#store;
    if (store === null) {
      throw new ValidationError('Portfolio.persist: the portfolio was created without a store');
    }
    const snapshot = this.snapshot(this.#clock.now());
    for (const position of snapshot.positions) await store.savePosition(position);
    for (const symbol of [...this.#closedSincePersist]) {
      if (this.#holdings.has(symbol)) continue;
      await store.deletePosition(symbol);
      this.#closedSincePersist.delete(symbol);
    }
    await store.saveEquitySnapshot(snapshot);
    return snapshot;
  }

  /**
   * Applies a fill as far as it adds up, never refusing it for its data (trade cycle step 7 and
   * {@link Portfolio.restore}): what the exchange did happened, and the books must follow what
   * was the bot's. A sell of more than is held sells what is held (its fee in proportion): the
   * excess was not the bot's, an over-sell, returned as the `issue`. A sell while nothing is held
   * is not counted (an over-sell too). A fee in another currency than the quote counts as 0. A
   * fill that cannot be applied at all (a malformed one, one applied before) is skipped.
   *
   * @returns the change (`null` when nothing was applied) and the issue (`null` when the fill
   *   added up).
   */
  applyFillOrRecord(
    fill: Fill,
    options: { readonly role: OrderRole },
  ): { readonly change: PositionChange | null; readonly issue: PortfolioFillIssue | null } {
    const { role } = options;
    try {
      return { change: this.applyFill(fill, { role }), issue: null };
    } catch (error) {
      if (!(DataIntegrityError.isInstance(error) || ValidationError.isInstance(error))) throw error;
      return this.#applyWhatAddsUp(fill, role, error);
    }
  }

  #applyWhatAddsUp(
    fill: Fill,
    role: OrderRole,
    error: Error,
  ): { readonly change: PositionChange | null; readonly issue: PortfolioFillIssue | null } {
    const symbol = fill.symbol;
    const held = this.#holdings.get(symbol)?.quantity ?? 0;
    const skipped = (problem: string): { change: null; issue: PortfolioFillIssue } => ({
      change: null,
      issue: { symbol, tradeId: fill.tradeId, kind: 'skipped', problem },
    });
    if (this.#appliedTradeIds.has(fill.tradeId)) {
      return skipped(`fill ${fill.tradeId} skipped: ${error.message}`);
    }
    let quote: string;
    try {
      quote = symbolParts(symbol).quote;
    } catch {
      return skipped(`fill ${fill.tradeId} skipped: ${error.message}`);
    }
    // The fee in another currency (the BNB balance paid it) is no cost to the quote cash.
    const priced = fill.feeCurrency === quote ? fill : { ...fill, fee: 0, feeCurrency: quote };
    if (fill.side === 'sell' && !(held > 0)) {
      return {
        change: null,
        issue: {
          symbol,
          tradeId: fill.tradeId,
          kind: 'oversell',
          problem: `fill ${fill.tradeId} sold ${tidy(fill.quantity)} ${symbol} while the position held nothing: they were not the bot's (an over-sell on record); the fill is not counted`,
        },
      };
    }
    const oversold = fill.side === 'sell' && fill.quantity > held + this.#dust(symbol, held);
    const counted = oversold
      ? { ...priced, quantity: held, fee: priced.fee * (held / fill.quantity) }
      : priced;
    let change: PositionChange;
    try {
      change = this.applyFill(counted, { role });
    } catch (retryError) {
      if (!(DataIntegrityError.isInstance(retryError) || ValidationError.isInstance(retryError))) {
        throw retryError;
      }
      return skipped(`fill ${fill.tradeId} skipped: ${error.message}`);
    }
    if (oversold) {
      return {
        change,
        issue: {
          symbol,
          tradeId: fill.tradeId,
          kind: 'oversell',
          problem: `fill ${fill.tradeId} sold ${tidy(fill.quantity)} ${symbol}, more than the ${tidy(held)} the position held: ${tidy(fill.quantity - held)} were not the bot's (an over-sell on record); only the ${tidy(held)} held are counted`,
        },
      };
    }
    return {
      change,
      issue: {
        symbol,
        tradeId: fill.tradeId,
        kind: 'fee',
        problem: `fill ${fill.tradeId} paid its fee of ${fill.fee} in ${String(fill.feeCurrency)}, not in ${quote}: counted as 0`,
      },
    };
  }

  /** Validates a fill and its role; returns its canonical symbol. */
  #checkFill(fill: Fill, role: OrderRole): SymbolId {
    if (typeof fill !== 'object' || fill === null) {
      throw new ValidationError('applyFill: fill must be an object');
    }
    const id = typeof fill.tradeId === 'string' ? fill.tradeId : '';
    if (id.trim() === '')
      throw new ValidationError('applyFill: fill.tradeId must be a non-empty string');
    const where = `applyFill ${id}`;
    if (!Object.hasOwn(orderRoles, role)) {
      throw new ValidationError(`${where}: role ${String(role)} is not an order role`);
    }
    let symbol: SymbolId;
    try {
      symbol = parseSymbol(String(fill.symbol));
    } catch (cause) {
      throw new ValidationError(`${where}: fill.symbol ${String(fill.symbol)} is not BASE-QUOTE`, {
        cause,
      });
    }
    if (fill.side !== 'buy' && fill.side !== 'sell') {
      throw new ValidationError(
        `${where}: fill.side must be buy or sell, got ${String(fill.side)}`,
      );
    }
    requirePositive(`${where}: fill.quantity`, fill.quantity);
    requirePositive(`${where}: fill.price`, fill.price);
    requireNonNegative(`${where}: fill.fee`, fill.fee);
    checkTime(`${where}: fill.time`, fill.time);
    const { quote } = symbolParts(symbol);
    if (this.#quote !== null && quote !== this.#quote) {
      throw new DataIntegrityError(
        `${where}: ${symbol} is quoted in ${quote}, but the portfolio holds ${this.#quote}`,
      );
    }
    if (fill.feeCurrency !== quote) {
      throw new DataIntegrityError(
        `${where}: fill.feeCurrency ${String(fill.feeCurrency)} is not the quote currency ${quote} of ${symbol}; convert the fee first`,
      );
    }
    if (this.#appliedTradeIds.has(id)) {
      throw new DataIntegrityError(`${where}: trade ${id} was already applied`);
    }
    return symbol;
  }

  /** The quantity at or below which a position's rest is dust (the rule the broker shares). */
  #dust(symbol: SymbolId, held: number): number {
    return dustQuantity(held, this.#amountStep(symbol));
  }

  #amountStep(symbol: SymbolId): number {
    return this.#markets?.get(symbol)?.amountStep ?? 0;
  }

  #markOf(holding: Holding): number {
    return this.#marks.get(holding.symbol) ?? holding.avgEntryPrice;
  }

  #equity(): number {
    let equity = this.#cash;
    for (const holding of this.#holdings.values())
      equity += holding.quantity * this.#markOf(holding);
    return equity;
  }

  /** Starts a new day when `at` is past the current one: its baseline is the equity so far. */
  #rollDay(at: number): void {
    const day = utcMidnight(at);
    if (this.#dayStart === null) {
      this.#dayStart = day;
      return;
    }
    if (day > this.#dayStart) {
      this.#dayStartEquity = this.#equity();
      this.#dayStart = day;
    }
  }

  /** Without snapshots: the equity at the start of today as the replayed fills tell it. */
  #dayStartEquityFromReplay(today: number, equity: number): number {
    return this.#dayStart !== null && this.#dayStart >= today ? this.#dayStartEquity : equity;
  }
}

/** The latest equity snapshot at or before `now`, looking back a week first. */
async function latestSnapshot(
  store: PortfolioStore,
  now: number,
): Promise<AccountSnapshot | undefined> {
  const recent = await store.equitySnapshots(Math.max(0, now - 7 * dayMs), now);
  const found = recent.at(-1) ?? (await store.equitySnapshots(0, now)).at(-1);
  return found;
}

/** A quantity without float noise, for messages (12 significant digits). */
function tidy(quantity: number): number {
  return Number(quantity.toPrecision(12));
}

function checkTime(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`${field} must be an epoch time in ms, got ${String(value)}`);
  }
}
