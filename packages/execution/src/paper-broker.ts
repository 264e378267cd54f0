/**
 * The paper broker: simulated fills with the paper fill model (docs/architecture/trade-cycle.md,
 * "Fills and fees"), cash and base balances, and the full `Broker` port from memory. Backtests
 * and replay drive it one candle at a time (`processCandle`, step 0 of the trade cycle); live
 * paper trading also gives it a `MarketDataSource`, and orders then execute at once against the
 * order book or the ticker.
 */
import {
  DataIntegrityError,
  LumenLinkError,
  OrderNotFoundError,
  OrderRejectedError,
  ValidationError,
  assertValidCandle,
  parseSymbol,
  symbolParts,
  type Balance,
  type Broker,
  type BrokerOrder,
  type Candle,
  type Clock,
  type Fill,
  type MarketDataSource,
  type MarketInfo,
  type Order,
  type OrderBook,
  type OrderRequest,
  type OrderSide,
  type OrderType,
  type SymbolId,
} from '@lumenlink/core';
import {
  dustQuantity,
  feeFor,
  floorToStep,
  isMarketable,
  isDustRest,
  isStopReached,
  limitFillPrice,
  quantityEpsilon,
  requireBps,
  requireNonNegative,
  slippedPrice,
  stopFillPrice,
  walkBook,
  type BookFill,
} from './fill-model.js';

/**
 * When market orders fill in backtests and replay: `next-open` (the default; see
 * docs/architecture/trade-cycle.md, "Fills and fees") at the open of the next processed candle;
 * `close` at once, at the close of the last processed candle.
 */
export type PaperFillMode = 'next-open' | 'close';

/** Stored orders and fills to rebuild a paper broker from after a restart. */
export interface PaperBrokerHistory {
  /** The paper orders (`exchange: 'paper'`) from the order store, any status. */
  readonly orders: readonly Order[];
  /** Every stored fill of those orders. */
  readonly fills: readonly Fill[];
}

/** Options of a {@link PaperBroker}. */
export interface PaperBrokerOptions {
  /** Time for orders and for fills made when an order is created. */
  readonly clock: Clock;
  /** Fee per fill, in basis points of its value, charged in the quote currency on both sides. */
  readonly feeBps: number;
  /** Slippage against market fills, in basis points (buys pay more, sells get less). */
  readonly slippageBps: number;
  /** Cash at the start, in {@link PaperBrokerOptions.quoteCurrency}. */
  readonly startingCash: number;
  /**
   * The currency of the cash, e.g. `USD`. Default: the quote of `markets` when they share one,
   * else the quote of the first symbol the broker trades or processes. Symbols quoted in
   * another currency are rejected.
   */
  readonly quoteCurrency?: string;
  /** When market orders fill without market data; default `next-open`. */
  readonly fillMode?: PaperFillMode;
  /**
   * Market rules. When given, other symbols are rejected, inactive markets are refused, orders
   * below `minAmount`/`minCost` are rejected, and quantities capped by the cash are floored to
   * `amountStep`.
   */
  readonly markets?: ReadonlyMap<SymbolId, MarketInfo>;
  /**
   * Live paper trading: orders execute when created, against the order book (walking its
   * levels, so a thin book gives a partial fill) or, without a book, the ticker. Leave it out
   * for backtests and replay, which fill on candles only.
   */
  readonly marketData?: MarketDataSource;
  /** Rebuilds the state after a restart; see {@link PaperBroker}. */
  readonly restore?: PaperBrokerHistory;
  /**
   * The caller checked every candle it will process with core's `assertValidCandle` (a backtest
   * validates its data once, up front): `processCandle` then skips that check. Default `false`.
   */
  readonly candlesValidated?: boolean;
}

/** Both legs of a one-cancels-the-other pair. */
export interface OcoOrderRequest {
  /** The protective leg: `stop_market` or `stop_limit`. */
  readonly stop: OrderRequest;
  /** The target leg: a `limit` order, same symbol, side and quantity. */
  readonly takeProfit: OrderRequest;
}

/** The two orders of an OCO pair, as placed. */
export interface OcoOrders {
  readonly stop: BrokerOrder;
  readonly takeProfit: BrokerOrder;
}

/** An order as the broker works it. */
interface WorkingOrder {
  order: BrokerOrder;
  /**
   * Quote per base unit reserved for the unfilled part of a buy (before fees): the limit price,
   * the stop price, or the reference price of a market order.
   */
  readonly reservePrice: number;
  /** For stop-limit orders: whether the stop has triggered (the order now rests as a limit). */
  triggered: boolean;
  /** The candle (open time) during which a stop-limit triggered, when it did on a candle. */
  triggeredOnCandle: number | null;
  /** The other leg of an OCO pair. */
  ocoWith: string | null;
}

/** One symbol's open orders, in placement order: a candle looks at its own symbol's only. */
interface SymbolBook {
  readonly symbol: SymbolId;
  readonly open: WorkingOrder[];
}

/** What `processCandle` returns when nothing filled: shared, so a quiet candle allocates nothing. */
const noFills: readonly Fill[] = Object.freeze([]);

/** Prices fetched for an order in live paper trading. */
interface LiveQuote {
  readonly book: OrderBook | null;
  readonly last: number | null;
}

const orderTypes: Readonly<Record<OrderType, true>> = {
  market: true,
  limit: true,
  stop_market: true,
  stop_limit: true,
};
const orderSides: Readonly<Record<OrderSide, true>> = { buy: true, sell: true };
const fillModes: Readonly<Record<PaperFillMode, true>> = { 'next-open': true, close: true };
const tradeIdPattern = /^paper-(\d+)$/;
const orderIdPattern = /^paper-order-(\d+)$/;

function rejectInvalid(message: string): OrderRejectedError {
  return new OrderRejectedError('invalid_order', message);
}

function isOpen(order: BrokerOrder): boolean {
  return order.status === 'open' || order.status === 'partially_filled';
}

function remainingOf(order: BrokerOrder): number {
  const remaining = order.quantity - order.filledQuantity;
  return remaining <= order.quantity * quantityEpsilon ? 0 : remaining;
}

/**
 * A simulated broker with the paper fill model (docs/architecture/trade-cycle.md, "Fills and
 * fees"); implements core's `Broker` (name `paper`).
 *
 * **Candles** (`processCandle`, step 0 of the trade cycle), per symbol, in this order:
 * 1. market orders still open fill at the candle's open moved against us by the slippage
 *    (buy `open x (1 + bps)`, sell `open x (1 - bps)`);
 * 2. stops: a stop-market fills at its stop, or at the open when the candle gapped through it;
 *    a stop-limit triggers there and then rests as a limit (it fills at the trigger price when
 *    that is within its limit, or at its limit when the candle gapped beyond the limit and came
 *    back to it);
 * 3. resting limits fill when the range reaches them: a buy at `min(limit, open)` when
 *    `low <= limit`, a sell at `max(limit, open)` when `high >= limit`.
 * Stops come before limits, so when both legs of an OCO pair are inside one candle the stop
 * fills and the take-profit is canceled. Fills on a candle carry the candle's open time.
 *
 * **At creation**: in `close` mode a market order fills at the close of the last processed
 * candle (with slippage). A stop order whose stop the last processed candle already traded
 * through fills at once at the stop, or at that candle's open when it gapped (the engine's exit
 * check relies on this). With `marketData` (live paper), market and marketable limit orders walk
 * the order book (one fill per level; what the book cannot fill rests: a market remainder fills
 * at the next candle's open), or fill at the ticker's last price with slippage when there is no
 * book; a stop whose price the market is already through executes the same way. Fills made at
 * creation carry the clock's time.
 *
 * **Money**: fees are `feeBps` of each fill's value, in the quote currency, on both sides.
 * Orders reserve what they may spend (buys: quantity x limit, stop or reference price, plus the
 * fee; sells: the base quantity; an OCO pair once); an order that the free balance cannot cover
 * at creation is rejected with `OrderRejectedError('insufficient_funds')`, priced at the last
 * price for market orders. A market or stop buy that costs more when it fills (a gap) fills what
 * the cash covers, and the rest is canceled.
 *
 * **Dust**: the broker and the `Portfolio` share one rule (`dustQuantity`). A sale that leaves
 * at most half the market's `amountStep` of the base, or a billionth of what was held (float
 * residue), leaves 0: the portfolio closes the position there, and the broker writes the rest
 * off and cancels the sell orders of that base still open (what they reserve is that dust).
 * An order whose quantity is dust by the same rule (at most half the amount step, or a
 * billionth of the base held) is refused as `invalid_order`. Give the broker and the portfolio
 * the same `markets`.
 *
 * **Restart**: pass `restore: { orders, fills }` from the order store. The balances are the
 * starting cash plus the sum of the fills (dust written off as it was then); orders still open
 * rest again with their filled part from the fills; an open `bracket_stop` and
 * `bracket_take_profit` of one symbol and candle are linked again as an OCO pair; order and trade
 * ids continue after the highest restored. A stop-limit that had triggered rests untriggered
 * again, and market orders still open fill at the next processed candle. Orders stored without an
 * exchange id never reached the broker and stay unknown to it (the order manager resolves them).
 *
 * @example
 * ```ts
 * const broker = new PaperBroker({ clock, feeBps: 10, slippageBps: 5, startingCash: 10_000 });
 * broker.processCandle('BTC-USD', candles[0]); // sets the last price
 * const order = await broker.createOrder({
 *   clientOrderId: 'll1', symbol: 'BTC-USD', side: 'buy', type: 'market', quantity: 0.1,
 * });
 * const fills = broker.processCandle('BTC-USD', candles[1]); // fills at candles[1].open + 5 bps
 * ```
 */
export class PaperBroker implements Broker {
  readonly name = 'paper';
  readonly #clock: Clock;
  readonly #feeBps: number;
  readonly #slippageBps: number;
  readonly #startingCash: number;
  readonly #fillMode: PaperFillMode;
  readonly #markets: ReadonlyMap<SymbolId, MarketInfo> | null;
  readonly #marketData: MarketDataSource | null;
  #quote: string | null;
  /** Balance totals per currency; the quote is set once known. */
  readonly #totals = new Map<string, number>();
  /** Every order, in placement order. */
  readonly #orders = new Map<string, WorkingOrder>();
  /** The open and partially filled orders, in placement order. */
  readonly #open = new Map<string, WorkingOrder>();
  readonly #byClientId = new Map<string, WorkingOrder>();
  readonly #inFlight = new Set<string>();
  /**
   * Fills per symbol in the order they happened, and whether their times never go back (then a
   * lookup since a time is a binary search: long backtests stay linear).
   */
  readonly #fills = new Map<SymbolId, { readonly list: Fill[]; sorted: boolean }>();
  readonly #lastCandles = new Map<SymbolId, Candle>();
  /** Open orders per canonical symbol (kept in step with `#open` by `#register` and `#update`). */
  readonly #books = new Map<SymbolId, SymbolBook>();
  /**
   * Symbols as `processCandle` was given them, already checked (parsed, known, in the account's
   * quote currency): each is checked once.
   */
  readonly #checkedSymbols = new Map<string, SymbolBook>();
  readonly #candlesValidated: boolean;
  #nextOrderNumber = 1;
  #nextTradeNumber = 1;

  /**
   * @throws {ValidationError} when an option is out of range (negative cash, fees or slippage of
   *   10000 bps or more, an unknown fill mode).
   * @throws {DataIntegrityError} when `restore` holds fills that do not add up (a fill of an
   *   order not given, a sale of more than was bought, reservations beyond the balances).
   */
  constructor(options: PaperBrokerOptions) {
    this.#clock = options.clock;
    this.#feeBps = requireBps('PaperBroker feeBps', options.feeBps);
    this.#slippageBps = requireBps('PaperBroker slippageBps', options.slippageBps);
    this.#startingCash = requireNonNegative('PaperBroker startingCash', options.startingCash);
    const fillMode = options.fillMode ?? 'next-open';
    if (!Object.hasOwn(fillModes, fillMode)) {
      throw new ValidationError(
        `PaperBroker fillMode must be next-open or close, got ${String(fillMode)}`,
      );
    }
    this.#fillMode = fillMode;
    this.#markets = options.markets ?? null;
    this.#marketData = options.marketData ?? null;
    this.#candlesValidated = options.candlesValidated === true;
    this.#quote = null;
    const quote = options.quoteCurrency ?? this.#sharedMarketQuote();
    if (quote !== undefined) {
      if (typeof quote !== 'string' || !/^[A-Z0-9]{1,20}$/.test(quote)) {
        throw new ValidationError(
          `PaperBroker quoteCurrency must be a currency code such as USD, got ${String(quote)}`,
        );
      }
      this.#setQuote(quote);
    }
    if (options.restore !== undefined) this.#restore(options.restore);
  }

  /** The cash currency, once known. */
  get quoteCurrency(): string | null {
    return this.#quote;
  }

  /** The last candle processed for `symbol`, if any. */
  lastCandle(symbol: SymbolId): Candle | undefined {
    return this.#lastCandles.get(symbol);
  }

  /**
   * Step 0 of the trade cycle: fills the open orders of `symbol` against a new closed candle
   * (market orders at its open, then stops, then limits; see {@link PaperBroker}) and returns
   * the fills, in the order they happened (a shared empty list when nothing filled). Candles of
   * a symbol must come in time order. A symbol is checked the first time it is processed; a
   * candle is validated unless the broker was built with `candlesValidated`.
   *
   * @throws {ValidationError} for a symbol the broker cannot trade, or a candle not after the
   *   last one processed for the symbol.
   * @throws {DataIntegrityError} for a candle that breaks its invariants (see core's
   *   `assertValidCandle`).
   */
  processCandle(symbol: SymbolId, candle: Candle): readonly Fill[] {
    const known = this.#checkedSymbols.get(symbol);
    const checked =
      known?.symbol ?? this.#checkSymbol(symbol, (message) => new ValidationError(message));
    if (!this.#candlesValidated) assertValidCandle(candle, checked);
    const last = this.#lastCandles.get(checked);
    if (last !== undefined && candle.time <= last.time) {
      throw new ValidationError(
        `processCandle ${checked}: candle time ${candle.time} is not after the last processed candle ${last.time}`,
      );
    }
    let book = known;
    if (book === undefined) {
      this.#ensureQuote(checked);
      book = this.#bookOf(checked);
      this.#checkedSymbols.set(symbol, book);
    }
    if (book.open.length === 0) {
      this.#lastCandles.set(checked, candle);
      return noFills;
    }
    const fills: Fill[] = [];
    const time = candle.time;

    for (const working of this.#openOrdersOf(book, ['market'])) {
      if (!isOpen(working.order)) continue;
      const price = slippedPrice(working.order.side, candle.open, this.#slippageBps);
      this.#fillRemaining(working, price, time, fills);
    }

    for (const working of this.#openOrdersOf(book, ['stop_market', 'stop_limit'])) {
      if (!isOpen(working.order) || working.triggered) continue;
      const { side, stopPrice, limitPrice } = working.order;
      const trigger = stopFillPrice(side, stopPrice ?? 0, candle);
      if (trigger === null) continue;
      if (working.order.type === 'stop_market') {
        this.#fillRemaining(working, trigger, time, fills);
        continue;
      }
      working.triggered = true;
      working.triggeredOnCandle = time;
      const limit = limitPrice ?? 0;
      if (isMarketable(side, limit, trigger)) {
        this.#fillRemaining(working, trigger, time, fills);
      } else if (trigger === candle.open && limitFillPrice(side, limit, candle) !== null) {
        // Gapped beyond the limit at the open, then traded back to it within the candle.
        this.#fillRemaining(working, limit, time, fills);
      }
    }

    for (const working of this.#openOrdersOf(book, ['limit', 'stop_limit'])) {
      if (!isOpen(working.order)) continue;
      if (working.order.type === 'stop_limit') {
        if (!working.triggered || working.triggeredOnCandle === time) continue;
      }
      const price = limitFillPrice(working.order.side, working.order.limitPrice ?? 0, candle);
      if (price !== null) this.#fillRemaining(working, price, time, fills);
    }

    this.#lastCandles.set(checked, candle);
    return fills.length === 0 ? noFills : fills;
  }

  /**
   * Places an order. Market orders fill at the next processed candle's open (`next-open`), at
   * once at the last close (`close`), or at once against the book or ticker (live paper); limit
   * and stop orders rest until a candle (or, live, the market) reaches them.
   *
   * @throws {OrderRejectedError} `invalid_order` for a malformed request (naming the field), an
   *   unknown symbol or one in another quote currency, a quantity that is dust (at most half the
   *   amount step, or a billionth of the base held) or below the market minimum, or no known
   *   price for a market buy; `market_closed` for an inactive market; `duplicate_client_id`
   *   for a client order id already used; `insufficient_funds` when the free balance cannot
   *   cover it.
   * @throws whatever the market data source throws in live paper trading (the order is then not
   *   placed).
   */
  async createOrder(request: OrderRequest): Promise<BrokerOrder> {
    const checked = this.#checkRequest(request, 'createOrder');
    if (this.#marketData === null) {
      // No quote to wait for (backtests, candle-driven paper): placed at once, nothing in flight.
      this.#refuseUsedIds([checked.clientOrderId]);
      const [placed] = this.#place([checked], null);
      if (placed === undefined) throw new Error('PaperBroker: an order was not placed');
      return placed;
    }
    return this.#withClientIds([checked.clientOrderId], async () => {
      const quote = await this.#liveQuote(checked);
      const [placed] = this.#place([checked], quote);
      if (placed === undefined) throw new Error('PaperBroker: an order was not placed');
      return placed;
    });
  }

  /**
   * Places a one-cancels-the-other pair: a protective stop and a take-profit limit on the same
   * symbol, side and quantity, reserving the balance once. When either leg fills (even in part)
   * the other is canceled; when both are inside one candle, the stop fills first. Canceling
   * either leg cancels both.
   *
   * @throws {OrderRejectedError} as {@link PaperBroker.createOrder}, and `invalid_order` when
   *   the legs do not form a pair (types, symbol, side, quantity, or a target on the wrong side
   *   of the stop).
   */
  async createOcoOrders(request: OcoOrderRequest): Promise<OcoOrders> {
    const stop = this.#checkRequest(request.stop, 'createOcoOrders stop');
    const target = this.#checkRequest(request.takeProfit, 'createOcoOrders takeProfit');
    if (stop.type !== 'stop_market' && stop.type !== 'stop_limit') {
      throw rejectInvalid(
        `createOcoOrders: stop.type must be stop_market or stop_limit, got ${stop.type}`,
      );
    }
    if (target.type !== 'limit') {
      throw rejectInvalid(`createOcoOrders: takeProfit.type must be limit, got ${target.type}`);
    }
    for (const field of ['symbol', 'side', 'quantity'] as const) {
      if (stop[field] !== target[field]) {
        throw rejectInvalid(
          `createOcoOrders: stop.${field} ${String(stop[field])} and takeProfit.${field} ${String(target[field])} differ`,
        );
      }
    }
    const stopPrice = stop.stopPrice ?? 0;
    const targetPrice = target.limitPrice ?? 0;
    if (stop.side === 'sell' ? targetPrice <= stopPrice : targetPrice >= stopPrice) {
      throw rejectInvalid(
        `createOcoOrders: takeProfit.limitPrice ${targetPrice} must be ${stop.side === 'sell' ? 'above' : 'below'} stop.stopPrice ${stopPrice} for a ${stop.side} pair`,
      );
    }
    if (stop.clientOrderId === target.clientOrderId) {
      throw new OrderRejectedError(
        'duplicate_client_id',
        `createOcoOrders: both legs use client order id ${stop.clientOrderId}`,
      );
    }
    return this.#withClientIds([stop.clientOrderId, target.clientOrderId], async () => {
      const quote = await this.#liveQuote(stop);
      const [placedStop, placedTarget] = this.#place([stop, target], quote);
      if (placedStop === undefined || placedTarget === undefined) {
        throw new Error('PaperBroker: an OCO leg was not placed');
      }
      return { stop: placedStop, takeProfit: placedTarget };
    });
  }

  /**
   * Cancels an open order, keeping what it filled; canceling one leg of an OCO pair cancels
   * both.
   *
   * @throws {OrderNotFoundError} for an unknown order, another symbol's, or one already final
   *   (as exchanges answer).
   */
  cancelOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    return Promise.resolve().then(() => {
      const working = this.#mustFind(symbol, exchangeOrderId);
      if (!isOpen(working.order)) {
        throw new OrderNotFoundError(
          `paper order ${exchangeOrderId} is ${working.order.status}: nothing to cancel`,
        );
      }
      this.#cancel(working);
      return working.order;
    });
  }

  /**
   * One order by its exchange id.
   *
   * @throws {OrderNotFoundError} for an unknown order or another symbol's.
   */
  fetchOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    return Promise.resolve().then(() => this.#mustFind(symbol, exchangeOrderId).order);
  }

  /** The order with our client id, or `null` when the broker never placed it. */
  fetchOrderByClientId(symbol: SymbolId, clientOrderId: string): Promise<BrokerOrder | null> {
    const working = this.#byClientId.get(clientOrderId);
    return Promise.resolve(
      working !== undefined && working.order.symbol === symbol ? working.order : null,
    );
  }

  /** Open and partially filled orders (of one symbol, or all), oldest first. */
  fetchOpenOrders(symbol?: SymbolId): Promise<BrokerOrder[]> {
    const open = symbol === undefined ? this.#open.values() : (this.#books.get(symbol)?.open ?? []);
    return Promise.resolve(Array.from(open, (working) => working.order));
  }

  /** Final orders of a symbol updated at or after `since` (epoch ms), most recent last. */
  fetchClosedOrders(symbol: SymbolId, since = 0): Promise<BrokerOrder[]> {
    return Promise.resolve(
      [...this.#orders.values()]
        .map((working) => working.order)
        .filter((order) => order.symbol === symbol && !isOpen(order) && order.updatedAt >= since)
        .sort((a, b) => a.updatedAt - b.updatedAt),
    );
  }

  #keepFill(fill: Fill): void {
    const entry = this.#fills.get(fill.symbol);
    if (entry === undefined) {
      this.#fills.set(fill.symbol, { list: [fill], sorted: true });
      return;
    }
    const last = entry.list.at(-1);
    if (last !== undefined && fill.time < last.time) entry.sorted = false;
    entry.list.push(fill);
  }

  /** Fills of a symbol at or after `since` (epoch ms), in the order they happened. */
  fetchFills(symbol: SymbolId, since = 0): Promise<Fill[]> {
    const entry = this.#fills.get(symbol);
    if (entry === undefined) return Promise.resolve([]);
    if (!entry.sorted) return Promise.resolve(entry.list.filter((fill) => fill.time >= since));
    let low = 0;
    let high = entry.list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (entry.list[middle]!.time < since) low = middle + 1;
      else high = middle;
    }
    return Promise.resolve(entry.list.slice(low));
  }

  /**
   * Balances: `total` is the starting cash plus the sum of the fills, `used` what open orders
   * reserve, `free` the rest. Empty until the quote currency is known.
   */
  fetchBalance(): Promise<Balance> {
    return Promise.resolve(this.balance());
  }

  /** The balances now, synchronously (see {@link PaperBroker.fetchBalance}). */
  balance(): Balance {
    const used = this.#used();
    const balance: Record<string, { free: number; used: number; total: number }> = {};
    for (const [currency, total] of this.#totals) {
      const reserved = used.get(currency) ?? 0;
      balance[currency] = { free: total - reserved, used: reserved, total };
    }
    return balance;
  }

  // ---- placing -------------------------------------------------------------------------------

  /** Validates a request; returns it with the symbol canonical. */
  #checkRequest(request: OrderRequest, context: string): OrderRequest {
    if (typeof request !== 'object' || request === null) {
      throw rejectInvalid(`${context}: the request must be an object`);
    }
    const { clientOrderId, side, type, quantity, limitPrice, stopPrice } = request;
    if (typeof clientOrderId !== 'string' || clientOrderId.trim() === '') {
      throw rejectInvalid(`${context}: clientOrderId must be a non-empty string`);
    }
    const where = `${context} ${clientOrderId}`;
    const symbol = this.#checkSymbol(request.symbol, (message) =>
      rejectInvalid(`${where}: ${message}`),
    );
    if (!Object.hasOwn(orderSides, side)) {
      throw rejectInvalid(`${where}: side must be buy or sell, got ${String(side)}`);
    }
    if (!Object.hasOwn(orderTypes, type)) {
      throw rejectInvalid(
        `${where}: type must be market, limit, stop_market or stop_limit, got ${String(type)}`,
      );
    }
    if (typeof quantity !== 'number' || !Number.isFinite(quantity) || quantity <= 0) {
      throw rejectInvalid(
        `${where}: quantity must be a finite number above 0, got ${String(quantity)}`,
      );
    }
    const needsLimit = type === 'limit' || type === 'stop_limit';
    const needsStop = type === 'stop_market' || type === 'stop_limit';
    for (const [field, value, needed] of [
      ['limitPrice', limitPrice, needsLimit],
      ['stopPrice', stopPrice, needsStop],
    ] as const) {
      if (needed && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
        throw rejectInvalid(
          `${where}: a ${type} order needs ${field} as a finite number above 0, got ${String(value)}`,
        );
      }
      if (!needed && value !== undefined) {
        throw rejectInvalid(`${where}: a ${type} order takes no ${field} (got ${String(value)})`);
      }
    }
    const market = this.#markets?.get(symbol);
    if (market !== undefined) {
      if (!market.active) {
        throw new OrderRejectedError('market_closed', `${where}: market ${symbol} is not active`);
      }
      if (quantity < market.minAmount) {
        throw rejectInvalid(
          `${where}: quantity ${quantity} is below the ${symbol} minimum amount ${market.minAmount}`,
        );
      }
      if (market.maxAmount !== null && quantity > market.maxAmount) {
        throw rejectInvalid(
          `${where}: quantity ${quantity} is above the ${symbol} maximum amount ${market.maxAmount}`,
        );
      }
      const price = limitPrice ?? stopPrice ?? this.#lastCandles.get(symbol)?.close;
      if (price !== undefined && quantity * price < market.minCost) {
        throw rejectInvalid(
          `${where}: value ${quantity * price} is below the ${symbol} minimum cost ${market.minCost}`,
        );
      }
    }
    return { ...request, symbol };
  }

  /**
   * Runs `place` with the client ids held against duplicates, also while it awaits market data.
   */
  async #withClientIds<T>(ids: readonly string[], place: () => Promise<T>): Promise<T> {
    this.#refuseUsedIds(ids);
    for (const id of ids) this.#inFlight.add(id);
    try {
      return await place();
    } finally {
      for (const id of ids) this.#inFlight.delete(id);
    }
  }

  /**
   * @throws {OrderRejectedError} `duplicate_client_id` for an id of a placed order or of one
   *   being placed.
   */
  #refuseUsedIds(ids: readonly string[]): void {
    for (const id of ids) {
      if (this.#byClientId.has(id) || this.#inFlight.has(id)) {
        throw new OrderRejectedError(
          'duplicate_client_id',
          `client order id ${id} is already used by a paper order`,
        );
      }
    }
  }

  /** In live paper trading, the book (or, without one, the last price) for an order. */
  async #liveQuote(request: OrderRequest): Promise<LiveQuote | null> {
    const source = this.#marketData;
    if (source === null) return null;
    let book: OrderBook | null = null;
    try {
      book = await source.fetchOrderBook(request.symbol);
    } catch (error) {
      // A source that has no book at all (replay) says so with this code; anything else is a
      // failure the caller must see.
      if (!(LumenLinkError.isInstance(error) && error.code === 'NO_ORDER_BOOK')) throw error;
    }
    const side = request.side === 'buy' ? book?.asks : book?.bids;
    if (book !== null && side !== undefined && side.length > 0) return { book, last: null };
    const ticker = await source.fetchTicker(request.symbol);
    return { book: null, last: ticker.last };
  }

  /**
   * Places checked requests synchronously (one, or the two legs of an OCO pair): funds check,
   * registration, then whatever executes at creation.
   */
  #place(requests: readonly OrderRequest[], live: LiveQuote | null): BrokerOrder[] {
    const first = requests[0];
    if (first === undefined) return [];
    const symbol = first.symbol;
    this.#ensureQuote(symbol);
    const now = this.#clock.now();
    this.#checkDust(requests);
    const reservePrices = requests.map((request) => this.#reservePrice(request, live));
    this.#checkFunds(requests, reservePrices);

    const placed: WorkingOrder[] = requests.map((request, index) => {
      const working: WorkingOrder = {
        order: {
          exchangeOrderId: `paper-order-${this.#nextOrderNumber++}`,
          clientOrderId: request.clientOrderId,
          symbol,
          side: request.side,
          type: request.type,
          status: 'open',
          quantity: request.quantity,
          filledQuantity: 0,
          avgFillPrice: null,
          limitPrice: request.limitPrice ?? null,
          stopPrice: request.stopPrice ?? null,
          fee: 0,
          feeCurrency: null,
          createdAt: now,
          updatedAt: now,
        },
        reservePrice: reservePrices[index] ?? 0,
        triggered: false,
        triggeredOnCandle: null,
        ocoWith: null,
      };
      this.#register(working);
      return working;
    });
    const [a, b] = placed;
    if (a !== undefined && b !== undefined) {
      a.ocoWith = b.order.exchangeOrderId;
      b.ocoWith = a.order.exchangeOrderId;
    }
    const ignored: Fill[] = [];
    for (const working of placed) {
      if (isOpen(working.order)) this.#executeAtCreation(working, live, now, ignored);
    }
    return placed.map((working) => working.order);
  }

  /** What executes when an order is created; see {@link PaperBroker}. */
  #executeAtCreation(
    working: WorkingOrder,
    live: LiveQuote | null,
    now: number,
    fills: Fill[],
  ): void {
    const { symbol, side, type, stopPrice, limitPrice } = working.order;
    const last = this.#lastCandles.get(symbol);
    switch (type) {
      case 'market':
        if (live !== null) this.#executeLive(working, live, null, now, fills);
        else if (this.#fillMode === 'close' && last !== undefined) {
          this.#fillRemaining(
            working,
            slippedPrice(side, last.close, this.#slippageBps),
            now,
            fills,
          );
        }
        return;
      case 'limit':
        if (live !== null) this.#executeLive(working, live, limitPrice, now, fills);
        return;
      case 'stop_market':
      case 'stop_limit': {
        const stop = stopPrice ?? 0;
        const trigger = last === undefined ? null : stopFillPrice(side, stop, last);
        if (trigger !== null) {
          if (type === 'stop_market') {
            this.#fillRemaining(working, trigger, now, fills);
            return;
          }
          working.triggered = true;
          working.triggeredOnCandle = last?.time ?? null;
          if (isMarketable(side, limitPrice ?? 0, trigger)) {
            this.#fillRemaining(working, trigger, now, fills);
          }
          return;
        }
        const current = live === null ? null : this.#livePrice(side, live);
        if (current !== null && live !== null && isStopReached(side, stop, current)) {
          if (type === 'stop_limit') working.triggered = true;
          this.#executeLive(working, live, type === 'stop_limit' ? limitPrice : null, now, fills);
        }
        return;
      }
    }
  }

  /** The price a stop compares with in live paper trading: the best level we would take, else the last. */
  #livePrice(side: OrderSide, live: LiveQuote): number | null {
    if (live.book !== null) {
      const best = (side === 'buy' ? live.book.asks : live.book.bids)[0];
      if (best !== undefined) return best[0];
    }
    return live.last;
  }

  /** Executes against the live book (walking its levels) or the last price, within a limit. */
  #executeLive(
    working: WorkingOrder,
    live: LiveQuote,
    limitPrice: number | null,
    now: number,
    fills: Fill[],
  ): void {
    const { side } = working.order;
    let levels: BookFill[];
    if (live.book !== null) {
      levels = walkBook(side, remainingOf(working.order), live.book, limitPrice ?? undefined);
    } else if (live.last !== null) {
      const price = slippedPrice(side, live.last, this.#slippageBps);
      const fillable = limitPrice === null || isMarketable(side, limitPrice, price);
      levels = fillable ? [{ price, quantity: remainingOf(working.order) }] : [];
    } else {
      levels = [];
    }
    for (const level of levels) {
      if (!isOpen(working.order)) break;
      this.#fill(
        working,
        Math.min(level.quantity, remainingOf(working.order)),
        level.price,
        now,
        fills,
      );
    }
  }

  /**
   * The quote per base unit a buy reserves (before fees), and the reference for the funds check.
   *
   * @throws {OrderRejectedError} `invalid_order` for a market buy when no price is known.
   */
  #reservePrice(request: OrderRequest, live: LiveQuote | null): number {
    if (request.type === 'limit' || request.type === 'stop_limit') return request.limitPrice ?? 0;
    if (request.type === 'stop_market') return request.stopPrice ?? 0;
    let reference: number | null = null;
    if (live !== null) reference = this.#livePrice(request.side, live);
    reference ??= this.#lastCandles.get(request.symbol)?.close ?? null;
    if (reference === null) {
      if (request.side === 'sell' && this.#fillMode === 'next-open') return 0;
      throw rejectInvalid(
        `createOrder ${request.clientOrderId}: no price is known for ${request.symbol}; process a candle first${
          this.#marketData === null ? '' : ' or give the market data a ticker'
        }`,
      );
    }
    return slippedPrice(request.side, reference, this.#slippageBps);
  }

  /**
   * Refuses an order whose quantity is dust by the rule the portfolio shares: at most half the
   * amount step (it rounds to nothing) or a billionth of the base held (float residue, such as
   * what is left of a balance after reserving the rest; the funds check's float tolerance could
   * let it outrun the balance).
   *
   * @throws {OrderRejectedError} `invalid_order`, with the quantity and the dust limit.
   */
  #checkDust(requests: readonly OrderRequest[]): void {
    for (const request of requests) {
      const { base } = symbolParts(request.symbol);
      const held = this.#totals.get(base) ?? 0;
      const step = this.#amountStep(request.symbol);
      const dust = dustQuantity(held, step);
      if (request.quantity <= dust) {
        throw rejectInvalid(
          `createOrder ${request.clientOrderId}: quantity ${request.quantity} ${base} is dust: at most ${dust}, half the ${request.symbol} amount step ${step} or a billionth of the ${held} ${base} held`,
        );
      }
    }
  }

  /**
   * Rejects the orders when the free balance cannot cover them.
   *
   * @throws {OrderRejectedError} `insufficient_funds`, with what is needed and what is free.
   */
  #checkFunds(requests: readonly OrderRequest[], reservePrices: readonly number[]): void {
    const first = requests[0];
    if (first === undefined) return;
    const { base, quote } = symbolParts(first.symbol);
    // The free balance of the one currency needed (as `balance()` gives it, no balance built).
    const used = this.#used();
    const freeOf = (currency: string): number => {
      const total = this.#totals.get(currency);
      return total === undefined ? 0 : total - (used.get(currency) ?? 0);
    };
    if (first.side === 'buy') {
      // An OCO pair reserves once: the larger of its legs.
      const needed = Math.max(
        ...requests.map((request, index) =>
          this.#buyCost(request.quantity, reservePrices[index] ?? 0),
        ),
      );
      const free = freeOf(quote);
      if (needed > free * (1 + quantityEpsilon)) {
        throw new OrderRejectedError(
          'insufficient_funds',
          `insufficient funds: buying ${first.quantity} ${first.symbol} at about ${reservePrices[0] ?? 0} needs ${needed} ${quote} with fees; ${free} ${quote} is free`,
        );
      }
      return;
    }
    const free = freeOf(base);
    if (first.quantity > free * (1 + quantityEpsilon)) {
      throw new OrderRejectedError(
        'insufficient_funds',
        `insufficient funds: selling ${first.quantity} ${base} of ${first.symbol}; ${free} ${base} is free`,
      );
    }
  }

  #buyCost(quantity: number, price: number): number {
    const notional = quantity * price;
    return notional + feeFor(notional, this.#feeBps);
  }

  // ---- filling -------------------------------------------------------------------------------

  /** Fills the rest of an order at one price. */
  #fillRemaining(working: WorkingOrder, price: number, time: number, fills: Fill[]): void {
    this.#fill(working, remainingOf(working.order), price, time, fills);
  }

  /**
   * Fills `quantity` of an order at `price`: balances, the order, the fill list, and the OCO
   * partner canceled. A buy that the cash cannot fully cover fills what it covers and the rest
   * is canceled.
   *
   * @throws {DataIntegrityError} when a sale exceeds the base held (the reservations prevent it;
   *   it means restored state that does not add up).
   */
  #fill(working: WorkingOrder, wanted: number, price: number, time: number, fills: Fill[]): void {
    if (!(wanted > 0)) return;
    const order = working.order;
    const { base, quote } = symbolParts(order.symbol);
    let quantity = wanted;
    let short = false;
    if (order.side === 'buy') {
      const available = (this.#totals.get(quote) ?? 0) - this.#usedExcept(quote, working);
      if (this.#buyCost(quantity, price) > available) {
        const step = this.#markets?.get(order.symbol)?.amountStep ?? 1e-8;
        const perUnit = this.#buyCost(1, price);
        quantity = floorToStep(Math.max(0, available) / perUnit, step);
        while (quantity > 0 && this.#buyCost(quantity, price) > available) {
          quantity = floorToStep(quantity - step, step);
        }
        short = true;
      }
    } else {
      const held = (this.#totals.get(base) ?? 0) - this.#usedExcept(base, working);
      if (quantity > held * (1 + quantityEpsilon)) {
        throw new DataIntegrityError(
          `paper order ${order.exchangeOrderId} would sell ${quantity} ${base} but only ${held} is held`,
        );
      }
    }
    if (quantity > 0) {
      const notional = quantity * price;
      const fee = feeFor(notional, this.#feeBps);
      const sign = order.side === 'buy' ? 1 : -1;
      const writtenOff = this.#addBase(order.symbol, sign * quantity);
      this.#totals.set(quote, (this.#totals.get(quote) ?? 0) - sign * notional - fee);
      const fill: Fill = {
        tradeId: `paper-${this.#nextTradeNumber++}`,
        clientOrderId: order.clientOrderId ?? '',
        exchangeOrderId: order.exchangeOrderId,
        symbol: order.symbol,
        side: order.side,
        quantity,
        price,
        fee,
        feeCurrency: quote,
        time,
      };
      this.#keepFill(fill);
      fills.push(fill);
      const filledQuantity = order.filledQuantity + quantity;
      const done = order.quantity - filledQuantity <= order.quantity * quantityEpsilon;
      this.#update(working, {
        ...order,
        status: done ? 'filled' : 'partially_filled',
        filledQuantity: done ? order.quantity : filledQuantity,
        avgFillPrice:
          ((order.avgFillPrice ?? 0) * order.filledQuantity + notional) / filledQuantity,
        fee: order.fee + fee,
        feeCurrency: quote,
        updatedAt: this.#clock.now(),
      });
      const partner = this.#partnerOf(working);
      if (partner !== undefined && isOpen(partner.order)) this.#close(partner, 'canceled');
      if (writtenOff) this.#cancelSellsOf(base);
    }
    if (short && isOpen(working.order)) this.#close(working, 'canceled');
  }

  /**
   * Adds `delta` (negative for a sale) to the base balance of `symbol`. A sale that leaves dust
   * by the portfolio's rule ({@link dustQuantity}: at most half the amount step, or a billionth
   * of what was held, float residue of either sign included) leaves 0 instead, as the
   * portfolio closes the position then. Returns whether it wrote dust off.
   */
  #addBase(symbol: SymbolId, delta: number): boolean {
    const { base } = symbolParts(symbol);
    const held = this.#totals.get(base) ?? 0;
    const rest = held + delta;
    const writeOff = delta < 0 && isDustRest(rest, held, this.#amountStep(symbol));
    this.#totals.set(base, writeOff ? 0 : rest);
    return writeOff;
  }

  /**
   * Cancels the open sell orders of `base` once its balance was written off as dust: what they
   * still reserve is dust itself (the reservations never exceed the balance beyond float
   * tolerance), with nothing left to sell.
   */
  #cancelSellsOf(base: string): void {
    for (const working of [...this.#open.values()]) {
      if (!isOpen(working.order) || working.order.side !== 'sell') continue;
      if (symbolParts(working.order.symbol).base === base) this.#close(working, 'canceled');
    }
  }

  #amountStep(symbol: SymbolId): number {
    return this.#markets?.get(symbol)?.amountStep ?? 0;
  }

  /** Cancels an open order and its OCO partner. */
  #cancel(working: WorkingOrder): void {
    this.#close(working, 'canceled');
    const partner = this.#partnerOf(working);
    if (partner !== undefined && isOpen(partner.order)) this.#close(partner, 'canceled');
  }

  #close(working: WorkingOrder, status: 'canceled'): void {
    this.#update(working, { ...working.order, status, updatedAt: this.#clock.now() });
  }

  /** Adds a new order to the books. */
  #register(working: WorkingOrder): void {
    this.#orders.set(working.order.exchangeOrderId, working);
    if (working.order.clientOrderId !== null) {
      this.#byClientId.set(working.order.clientOrderId, working);
    }
    if (isOpen(working.order)) {
      this.#open.set(working.order.exchangeOrderId, working);
      this.#bookOf(working.order.symbol).open.push(working);
    }
  }

  /** The open orders of a canonical symbol (created empty). */
  #bookOf(symbol: SymbolId): SymbolBook {
    let book = this.#books.get(symbol);
    if (book === undefined) {
      book = { symbol, open: [] };
      this.#books.set(symbol, book);
    }
    return book;
  }

  /** The one place an order changes: keeps the open list in step with the status. */
  #update(working: WorkingOrder, order: BrokerOrder): void {
    working.order = order;
    if (!isOpen(order) && this.#open.delete(order.exchangeOrderId)) {
      const open = this.#bookOf(order.symbol).open;
      open.splice(open.indexOf(working), 1);
    }
  }

  #partnerOf(working: WorkingOrder): WorkingOrder | undefined {
    return working.ocoWith === null ? undefined : this.#orders.get(working.ocoWith);
  }

  // ---- balances ------------------------------------------------------------------------------

  /** What open orders reserve, per currency; an OCO pair counts once (its larger leg). */
  #used(except?: WorkingOrder): Map<string, number> {
    const used = new Map<string, number>();
    if (this.#open.size === 0) return used;
    const exclude = new Set<string>();
    if (except !== undefined) {
      exclude.add(except.order.exchangeOrderId);
      if (except.ocoWith !== null) exclude.add(except.ocoWith);
    }
    const counted = new Set<string>();
    for (const working of this.#open.values()) {
      const id = working.order.exchangeOrderId;
      if (exclude.has(id) || counted.has(id)) continue;
      const partner = this.#partnerOf(working);
      const legs = partner !== undefined && isOpen(partner.order) ? [working, partner] : [working];
      for (const leg of legs) counted.add(leg.order.exchangeOrderId);
      const { base, quote } = symbolParts(working.order.symbol);
      const currency = working.order.side === 'buy' ? quote : base;
      const amount = Math.max(
        ...legs.map((leg) =>
          leg.order.side === 'buy'
            ? this.#buyCost(remainingOf(leg.order), leg.reservePrice)
            : remainingOf(leg.order),
        ),
      );
      used.set(currency, (used.get(currency) ?? 0) + amount);
    }
    return used;
  }

  #usedExcept(currency: string, working: WorkingOrder): number {
    return this.#used(working).get(currency) ?? 0;
  }

  // ---- lookups -------------------------------------------------------------------------------

  /** The open orders of a symbol and types, in placement order (a copy: filling changes the list). */
  #openOrdersOf(book: SymbolBook, types: readonly OrderType[]): WorkingOrder[] {
    return book.open.filter((working) => types.includes(working.order.type));
  }

  #mustFind(symbol: SymbolId, exchangeOrderId: string): WorkingOrder {
    const working = this.#orders.get(exchangeOrderId);
    if (working === undefined || working.order.symbol !== symbol) {
      throw new OrderNotFoundError(`paper order ${exchangeOrderId} of ${symbol} not found`);
    }
    return working;
  }

  // ---- symbols and currencies ----------------------------------------------------------------

  /** The canonical symbol, when the broker can trade it. */
  #checkSymbol(symbol: unknown, error: (message: string) => Error): SymbolId {
    let canonical: SymbolId;
    try {
      canonical = parseSymbol(String(symbol));
    } catch (cause) {
      throw error(`symbol ${String(symbol)} is not BASE-QUOTE such as BTC-USD (${String(cause)})`);
    }
    if (this.#markets !== null && !this.#markets.has(canonical)) {
      throw error(
        `unknown symbol ${canonical}: the paper broker has markets for ${[...this.#markets.keys()].join(', ')}`,
      );
    }
    const { quote } = symbolParts(canonical);
    if (this.#quote !== null && quote !== this.#quote) {
      throw error(
        `symbol ${canonical} is quoted in ${quote}, but the paper account holds ${this.#quote}`,
      );
    }
    return canonical;
  }

  #sharedMarketQuote(): string | undefined {
    if (this.#markets === null) return undefined;
    const quotes = new Set([...this.#markets.values()].map((market) => market.quote));
    return quotes.size === 1 ? [...quotes][0] : undefined;
  }

  #ensureQuote(symbol: SymbolId): void {
    if (this.#quote === null) this.#setQuote(symbolParts(symbol).quote);
  }

  #setQuote(quote: string): void {
    this.#quote = quote;
    this.#totals.set(quote, (this.#totals.get(quote) ?? 0) + this.#startingCash);
  }

  // ---- restore -------------------------------------------------------------------------------

  #restore(history: PaperBrokerHistory): void {
    const byClientId = new Map<string, Order>();
    for (const order of history.orders) {
      if (order.exchange !== this.name) {
        throw new ValidationError(
          `PaperBroker restore: order ${order.clientOrderId} belongs to exchange ${order.exchange}, not paper`,
        );
      }
      byClientId.set(order.clientOrderId, order);
    }
    const fillsByOrder = new Map<string, Fill[]>();
    const fills = [...history.fills].sort((a, b) => a.time - b.time);
    for (const fill of fills) {
      const order = byClientId.get(fill.clientOrderId);
      if (order === undefined || order.exchangeOrderId === null) {
        throw new DataIntegrityError(
          `PaperBroker restore: fill ${fill.tradeId} belongs to order ${fill.clientOrderId}, which is not among the paper orders given`,
        );
      }
      const list = fillsByOrder.get(fill.clientOrderId) ?? [];
      list.push(fill);
      fillsByOrder.set(fill.clientOrderId, list);
    }

    // Orders without an exchange id, and failed ones, never reached the broker.
    const placed = history.orders
      .filter((order) => order.exchangeOrderId !== null && order.status !== 'failed')
      .sort((a, b) => a.createdAt - b.createdAt || idNumber(a) - idNumber(b));
    for (const order of placed) {
      this.#register(this.#restoredOrder(order, fillsByOrder.get(order.clientOrderId) ?? []));
      this.#nextOrderNumber = Math.max(this.#nextOrderNumber, idNumber(order) + 1);
    }

    for (const fill of fills) {
      const symbol = fill.symbol;
      const { base, quote } = symbolParts(symbol);
      const sign = fill.side === 'buy' ? 1 : -1;
      const held = this.#totals.get(base) ?? 0;
      if (
        fill.side === 'sell' &&
        fill.quantity > held + dustQuantity(held, this.#amountStep(symbol))
      ) {
        throw new DataIntegrityError(
          `PaperBroker restore: fill ${fill.tradeId} sells ${fill.quantity} ${base} but only ${held} was held`,
        );
      }
      this.#addBase(symbol, sign * fill.quantity);
      this.#totals.set(
        quote,
        (this.#totals.get(quote) ?? 0) - sign * fill.quantity * fill.price - fill.fee,
      );
      this.#keepFill(fill);
      const number = tradeIdPattern.exec(fill.tradeId)?.[1];
      if (number !== undefined) {
        this.#nextTradeNumber = Math.max(this.#nextTradeNumber, Number(number) + 1);
      }
    }

    this.#relinkOcoPairs(placed);
    for (const [currency, reserved] of this.#used()) {
      const total = this.#totals.get(currency) ?? 0;
      if (reserved > total * (1 + quantityEpsilon) + Number.EPSILON) {
        throw new DataIntegrityError(
          `PaperBroker restore: open orders reserve ${reserved} ${currency} but the fills leave ${total}`,
        );
      }
    }
  }

  /**
   * A stored order as the broker works it again: filled quantity, average price and fee from
   * its fills; a non-final order rests again (or is filled, when its fills complete it).
   *
   * @throws {DataIntegrityError} when the fills exceed the order, or a filled order lacks fills.
   */
  #restoredOrder(order: Order, fills: readonly Fill[]): WorkingOrder {
    const context = `PaperBroker restore: order ${order.clientOrderId}`;
    const symbol = this.#checkSymbol(
      order.symbol,
      (message) => new DataIntegrityError(`${context}: ${message}`),
    );
    this.#ensureQuote(symbol);
    const filledQuantity = fills.reduce((sum, fill) => sum + fill.quantity, 0);
    const notional = fills.reduce((sum, fill) => sum + fill.quantity * fill.price, 0);
    const fee = fills.reduce((sum, fill) => sum + fill.fee, 0);
    if (filledQuantity > order.quantity * (1 + quantityEpsilon)) {
      throw new DataIntegrityError(
        `${context} has fills of ${filledQuantity}, more than its quantity ${order.quantity}`,
      );
    }
    const full = order.quantity - filledQuantity <= order.quantity * quantityEpsilon;
    if (order.status === 'filled' && !full) {
      throw new DataIntegrityError(
        `${context} is stored filled, but its stored fills add up to ${filledQuantity} of ${order.quantity}`,
      );
    }
    let status: BrokerOrder['status'];
    switch (order.status) {
      case 'filled':
      case 'canceled':
      case 'rejected':
      case 'expired':
        status = order.status;
        break;
      case 'pending':
      case 'unknown':
      case 'open':
      case 'partially_filled':
      case 'failed':
        status = full ? 'filled' : filledQuantity > 0 ? 'partially_filled' : 'open';
        break;
    }
    return {
      order: {
        exchangeOrderId: order.exchangeOrderId ?? '',
        clientOrderId: order.clientOrderId,
        symbol,
        side: order.side,
        type: order.type,
        status,
        quantity: order.quantity,
        filledQuantity: full ? order.quantity : filledQuantity,
        avgFillPrice: filledQuantity > 0 ? notional / filledQuantity : null,
        limitPrice: order.limitPrice,
        stopPrice: order.stopPrice,
        fee,
        feeCurrency: fills[0]?.feeCurrency ?? null,
        createdAt: order.createdAt,
        updatedAt: order.updatedAt,
      },
      reservePrice: order.limitPrice ?? order.stopPrice ?? 0,
      triggered: false,
      triggeredOnCandle: null,
      ocoWith: null,
    };
  }

  /** Links each open bracket stop with the open bracket take-profit of its symbol and candle. */
  #relinkOcoPairs(orders: readonly Order[]): void {
    const stops = new Map<string, WorkingOrder>();
    for (const order of orders) {
      const working = this.#byClientId.get(order.clientOrderId);
      if (working === undefined || !isOpen(working.order)) continue;
      if (order.role === 'bracket_stop') stops.set(`${order.symbol}|${order.candleTime}`, working);
    }
    for (const order of orders) {
      const working = this.#byClientId.get(order.clientOrderId);
      if (working === undefined || !isOpen(working.order) || order.role !== 'bracket_take_profit') {
        continue;
      }
      const stop = stops.get(`${order.symbol}|${order.candleTime}`);
      if (stop === undefined || stop.ocoWith !== null) continue;
      stop.ocoWith = working.order.exchangeOrderId;
      working.ocoWith = stop.order.exchangeOrderId;
    }
  }
}

/** The number in a paper order id (`paper-order-<n>`), or 0. */
function idNumber(order: Order): number {
  const number = orderIdPattern.exec(order.exchangeOrderId ?? '')?.[1];
  return number === undefined ? 0 : Number(number);
}
