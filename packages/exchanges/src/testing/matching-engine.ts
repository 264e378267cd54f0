/**
 * The emulator's exchange state: prices, a synthetic order book around each price, balances,
 * orders and fills. Market orders walk the book; limit orders that cross fill at once and the
 * rest rests (its funds locked) until the price moves through it.
 */
import {
  EmulatorApiError,
  filterFailure,
  insufficientBalance,
  orderDoesNotExist,
} from './api-error.js';
import type { CandleSeries } from './candles.js';
import { isMultipleOf, roundTo, toTick, type ResolvedMarket } from './markets.js';
import type { EmulatorOrder, EmulatorOrderStatus, EmulatorTrade } from './types.js';

/** Binance's spot fee without BNB discount: 0.1% of what is received. */
export const feeRate = 0.001;

/** Binance's order types the emulator executes. */
export type BinanceOrderType = 'MARKET' | 'LIMIT' | 'LIMIT_MAKER';
/** Time in force of a limit order. */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

/** An order as the engine keeps it (mutable, internal). */
export interface OrderRecord {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly market: ResolvedMarket;
  readonly side: 'buy' | 'sell';
  readonly binanceType: BinanceOrderType;
  readonly timeInForce: TimeInForce | null;
  /** Limit price; `null` for a market order. */
  readonly price: number | null;
  readonly quantity: number;
  /** The quote amount of a market order sent with `quoteOrderQty`, else 0. */
  readonly quoteOrderQty: number;
  filled: number;
  quoteFilled: number;
  status: EmulatorOrderStatus;
  readonly createdAt: number;
  updatedAt: number;
  /** Funds still locked by this order: quote for a buy, base for a sell. */
  locked: number;
}

/** A new order, with its numbers parsed. */
export interface NewOrder {
  readonly market: ResolvedMarket;
  readonly side: 'buy' | 'sell';
  readonly type: BinanceOrderType;
  /** Binance makes one up when absent. */
  readonly clientOrderId?: string;
  /** Base quantity; a market order may give `quoteOrderQty` instead. */
  readonly quantity?: number;
  readonly quoteOrderQty?: number;
  /** Limit price (LIMIT, LIMIT_MAKER). */
  readonly price?: number;
  readonly timeInForce?: TimeInForce;
  /** Fill only this share (0..1) of a market order now; the rest stays open. */
  readonly partialFillRatio?: number;
}

/** An accepted order and the fills it got on arrival. */
export interface Placement {
  readonly order: OrderRecord;
  readonly fills: readonly EmulatorTrade[];
}

/** One price level of the book: price, quantity. */
export type BookLevel = readonly [price: number, quantity: number];

interface MarketState {
  readonly market: ResolvedMarket;
  readonly series: CandleSeries | undefined;
  price: number;
  /** Index of the candle the price comes from (-1 before the first, or without candles). */
  candleIndex: number;
}

interface Balance {
  free: number;
  locked: number;
}

interface Execution {
  readonly fills: { readonly price: number; readonly quantity: number }[];
  readonly remainingSteps: number;
}

const epsilon = 1e-9;

function isOpen(order: OrderRecord): boolean {
  return order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
}

/** The exchange state behind the emulator's routes. */
export class MatchingEngine {
  readonly #states = new Map<string, MarketState>();
  readonly #balances = new Map<string, Balance>();
  readonly #orders: OrderRecord[] = [];
  readonly #ordersById = new Map<number, OrderRecord>();
  readonly #trades: EmulatorTrade[] = [];
  readonly #depthLevels: number;
  readonly #now: () => number;
  #nextOrderId = 1;
  #nextTradeId = 1;
  /** Bumped whenever a book moves: the depth's `lastUpdateId`. */
  #bookVersion = 1;

  constructor(options: {
    readonly markets: readonly ResolvedMarket[];
    readonly series: ReadonlyMap<string, CandleSeries>;
    readonly balances: Readonly<Record<string, number>>;
    readonly depthLevels: number;
    readonly now: () => number;
  }) {
    this.#depthLevels = options.depthLevels;
    this.#now = options.now;
    for (const [asset, free] of Object.entries(options.balances)) {
      this.#balances.set(asset, { free, locked: 0 });
    }
    const now = this.#now();
    for (const market of options.markets) {
      for (const asset of [market.base, market.quote]) {
        if (!this.#balances.has(asset)) this.#balances.set(asset, { free: 0, locked: 0 });
      }
      const series = options.series.get(market.symbol);
      const candleIndex = series?.indexAt(now) ?? -1;
      const candle = series?.candles[candleIndex];
      this.#states.set(market.id, {
        market,
        series,
        candleIndex,
        price: candle === undefined ? market.price : toTick(market, candle.close),
      });
    }
  }

  /** Every market, in listing order. */
  markets(): ResolvedMarket[] {
    return [...this.#states.values()].map((state) => state.market);
  }

  /** The market with this Binance id (`BTCUSDT`) or ccxt symbol (`BTC/USDT`), if listed. */
  findMarket(symbol: string): ResolvedMarket | undefined {
    return this.#states.get(symbol.replace('/', ''))?.market;
  }

  /** The candles of a market, if it has any. */
  series(market: ResolvedMarket): CandleSeries | undefined {
    return this.#state(market).series;
  }

  /** Current mid price of a market, on its tick grid. */
  price(market: ResolvedMarket): number {
    this.#sync();
    return this.#state(market).price;
  }

  /** The `lastUpdateId` of the books. */
  bookVersion(): number {
    this.#sync();
    return this.#bookVersion;
  }

  /** The book around the current price: best levels first, `levels` per side (at most depthLevels). */
  book(
    market: ResolvedMarket,
    levels = this.#depthLevels,
  ): { bids: BookLevel[]; asks: BookLevel[] } {
    this.#sync();
    const count = Math.min(levels, this.#depthLevels);
    return { bids: this.#levels(market, 'bids', count), asks: this.#levels(market, 'asks', count) };
  }

  /**
   * Moves a market's price: resting limits the price reaches fill at their limit, the rest of
   * partially filled market orders fills against the new book.
   */
  setPrice(market: ResolvedMarket, price: number): void {
    this.#sync();
    const state = this.#state(market);
    state.price = toTick(market, price);
    this.#bookVersion++;
    this.#crossResting(state, state.price, state.price);
    this.#fillOpenMarketOrders(state);
  }

  /**
   * Accepts and executes an order.
   *
   * @throws {EmulatorApiError} as Binance refuses: a filter failure (-1013), a duplicate open
   * client order id, an insufficient balance or a maker order that would take (-2010).
   */
  place(request: NewOrder): Placement {
    this.#sync();
    const quantity = this.#admit(request);
    const locked = this.#reserve(request, quantity);
    const now = this.#now();
    const orderId = this.#nextOrderId++;
    const order: OrderRecord = {
      orderId,
      clientOrderId: request.clientOrderId ?? `emulator-${orderId}`,
      market: request.market,
      side: request.side,
      binanceType: request.type,
      timeInForce: request.type === 'MARKET' ? null : (request.timeInForce ?? 'GTC'),
      price: request.type === 'MARKET' ? null : (request.price ?? null),
      quantity,
      quoteOrderQty: request.quoteOrderQty ?? 0,
      filled: 0,
      quoteFilled: 0,
      status: 'NEW',
      createdAt: now,
      updatedAt: now,
      locked,
    };
    this.#orders.push(order);
    this.#ordersById.set(order.orderId, order);
    const firstTrade = this.#trades.length;
    if (order.price === null) this.#runMarketOrder(order, request.partialFillRatio);
    else if (order.binanceType === 'LIMIT') this.#runLimitOrder(order, order.price);
    return { order, fills: this.#trades.slice(firstTrade) };
  }

  /**
   * Cancels an open order and releases its locked funds.
   *
   * @throws {EmulatorApiError} -2011 when the order is no longer open.
   */
  cancel(order: OrderRecord): void {
    this.#sync();
    if (!isOpen(order)) throw new EmulatorApiError(400, -2011, 'Unknown order sent.');
    this.#finish(order, 'CANCELED');
  }

  /**
   * Finds an order of a market by id or, failing that, the latest one with this client id.
   * When both are given they must name the same order.
   *
   * @throws {EmulatorApiError} -2013 when there is no such order.
   */
  findOrder(
    market: ResolvedMarket,
    key: { readonly orderId?: number; readonly clientOrderId?: string },
  ): OrderRecord {
    this.#sync();
    const order =
      key.orderId === undefined
        ? this.#orders.findLast(
            (candidate) =>
              candidate.market === market && candidate.clientOrderId === key.clientOrderId,
          )
        : this.#ordersById.get(key.orderId);
    if (
      order === undefined ||
      order.market !== market ||
      (key.clientOrderId !== undefined && order.clientOrderId !== key.clientOrderId)
    ) {
      throw orderDoesNotExist();
    }
    return order;
  }

  /** Every order, oldest first, optionally of one market and only the open ones. */
  orderList(
    filter: { readonly market?: ResolvedMarket; readonly open?: boolean } = {},
  ): OrderRecord[] {
    this.#sync();
    return this.#orders.filter(
      (order) =>
        (filter.market === undefined || order.market === filter.market) &&
        (filter.open !== true || isOpen(order)),
    );
  }

  /** Every fill, oldest first. */
  tradeList(): readonly EmulatorTrade[] {
    this.#sync();
    return this.#trades;
  }

  /** Balances per asset (copies). */
  balances(): Record<string, { free: number; locked: number }> {
    this.#sync();
    return Object.fromEntries(
      [...this.#balances].map(([asset, { free, locked }]) => [asset, { free, locked }]),
    );
  }

  /** The public view of an order. */
  static view(order: OrderRecord): EmulatorOrder {
    return {
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      symbol: order.market.symbol,
      side: order.side,
      type: order.binanceType === 'MARKET' ? 'market' : 'limit',
      price: order.price,
      quantity: order.quantity,
      filled: order.filled,
      quoteFilled: order.quoteFilled,
      status: order.status,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    };
  }

  /** Follows the candles: each candle that opened since the last look trades its range. */
  #sync(): void {
    const now = this.#now();
    for (const state of this.#states.values()) {
      if (state.series === undefined) continue;
      const index = state.series.indexAt(now);
      if (index === state.candleIndex) continue;
      for (let next = Math.max(state.candleIndex + 1, 0); next <= index; next++) {
        const candle = state.series.candles[next]!;
        this.#crossResting(state, candle.low, candle.high);
      }
      state.candleIndex = index;
      const candle = state.series.candles[index];
      state.price = candle === undefined ? state.market.price : toTick(state.market, candle.close);
      this.#bookVersion++;
      this.#fillOpenMarketOrders(state);
    }
  }

  /**
   * Binance's checks before an order is accepted: a duplicate open client id, then the
   * PRICE_FILTER, LOT_SIZE and NOTIONAL filters. Returns the base quantity (derived from
   * `quoteOrderQty` by walking the book when the order gives a quote amount).
   */
  #admit(request: NewOrder): number {
    const { market, clientOrderId } = request;
    if (
      clientOrderId !== undefined &&
      this.#orders.some((order) => isOpen(order) && order.clientOrderId === clientOrderId)
    ) {
      throw new EmulatorApiError(400, -2010, 'Duplicate order sent.');
    }
    const limitPrice = request.type === 'MARKET' ? undefined : request.price;
    if (
      limitPrice !== undefined &&
      (limitPrice < market.tickSize ||
        limitPrice > market.maxPrice ||
        !isMultipleOf(limitPrice, market.tickSize))
    ) {
      throw filterFailure('PRICE_FILTER');
    }
    const quantity =
      request.quantity ?? this.#quantityForBudget(market, request.side, request.quoteOrderQty ?? 0);
    if (
      quantity + epsilon < market.minQty ||
      quantity > market.maxQty ||
      !isMultipleOf(quantity, market.stepSize)
    ) {
      throw filterFailure('LOT_SIZE');
    }
    const notional = request.quoteOrderQty ?? quantity * (limitPrice ?? this.#state(market).price);
    if (notional + epsilon < market.minNotional) throw filterFailure('NOTIONAL');
    if (limitPrice !== undefined && notional > market.maxNotional) throw filterFailure('NOTIONAL');
    return quantity;
  }

  /**
   * Checks the balance covers the order and locks a limit order's funds (quote for a buy, base
   * for a sell). Returns the locked amount.
   */
  #reserve(request: NewOrder, quantity: number): number {
    const { market, side } = request;
    const balance = this.#balance(side === 'buy' ? market.quote : market.base);
    if (request.type === 'MARKET' || request.price === undefined) {
      const steps = Math.round(quantity / market.stepSize);
      const needed = side === 'buy' ? this.#cost(this.#execute(market, side, steps)) : quantity;
      if (needed > balance.free + epsilon) throw insufficientBalance();
      return 0;
    }
    if (request.type === 'LIMIT_MAKER' && this.#crosses(market, side, request.price)) {
      throw new EmulatorApiError(400, -2010, 'Order would immediately match and take.');
    }
    const locked = side === 'buy' ? roundTo(request.price * quantity) : quantity;
    if (locked > balance.free + epsilon) throw insufficientBalance();
    balance.free = roundTo(balance.free - locked);
    balance.locked = roundTo(balance.locked + locked);
    return locked;
  }

  /**
   * A market order walks the book; what the book cannot fill expires. With a partial-fill ratio
   * only that share fills now and the rest stays open.
   */
  #runMarketOrder(order: OrderRecord, partialFillRatio: number | undefined): void {
    const steps = Math.round(order.quantity / order.market.stepSize);
    const target = partialFillRatio === undefined ? steps : Math.floor(steps * partialFillRatio);
    const execution = this.#execute(order.market, order.side, target);
    this.#takeFills(order, execution);
    if (partialFillRatio !== undefined) {
      order.status = order.filled > 0 ? 'PARTIALLY_FILLED' : 'NEW';
    } else {
      this.#finish(order, execution.remainingSteps === 0 ? 'FILLED' : 'EXPIRED');
    }
  }

  /** A limit order takes what the book offers up to its limit; the rest rests (GTC) or expires. */
  #runLimitOrder(order: OrderRecord, limit: number): void {
    const steps = Math.round(order.quantity / order.market.stepSize);
    const execution = this.#execute(order.market, order.side, steps, limit);
    if (order.timeInForce === 'FOK' && execution.remainingSteps > 0) {
      this.#finish(order, 'EXPIRED');
      return;
    }
    this.#takeFills(order, execution);
    if (execution.remainingSteps === 0) this.#finish(order, 'FILLED');
    else if (order.timeInForce === 'IOC') this.#finish(order, 'EXPIRED');
    else order.status = order.filled > 0 ? 'PARTIALLY_FILLED' : 'NEW';
  }

  #state(market: ResolvedMarket): MarketState {
    const state = this.#states.get(market.id);
    if (state === undefined) throw new Error(`MatchingEngine: unknown market ${market.symbol}`);
    return state;
  }

  #balance(asset: string): Balance {
    let balance = this.#balances.get(asset);
    if (balance === undefined) {
      balance = { free: 0, locked: 0 };
      this.#balances.set(asset, balance);
    }
    return balance;
  }

  /** The synthetic book side: one level per tick from the spread out, deeper levels larger. */
  #levels(market: ResolvedMarket, side: 'bids' | 'asks', count: number): BookLevel[] {
    const midTicks = Math.round(this.#state(market).price / market.tickSize);
    const notionalUnit = market.minNotional > 0 ? market.minNotional : 1;
    const levels: BookLevel[] = [];
    for (let index = 0; index < count; index++) {
      const ticks = side === 'asks' ? midTicks + 1 + index : midTicks - 1 - index;
      if (ticks <= 0) break;
      const price = roundTo(ticks * market.tickSize, market.priceDecimals);
      const steps = Math.floor((notionalUnit * 5_000 * (1 + index / 2)) / price / market.stepSize);
      const quantity = Math.max(market.minQty, steps * market.stepSize);
      levels.push([price, roundTo(quantity, market.quantityDecimals)]);
    }
    return levels;
  }

  #crosses(market: ResolvedMarket, side: 'buy' | 'sell', price: number): boolean {
    const [best] = this.#levels(market, side === 'buy' ? 'asks' : 'bids', 1);
    return best !== undefined && (side === 'buy' ? price >= best[0] : price <= best[0]);
  }

  /** Walks the book for `steps` lots of the market's step, never past `limit`. */
  #execute(market: ResolvedMarket, side: 'buy' | 'sell', steps: number, limit?: number): Execution {
    const fills: { price: number; quantity: number }[] = [];
    let remainingSteps = steps;
    for (const [price, quantity] of this.#levels(
      market,
      side === 'buy' ? 'asks' : 'bids',
      this.#depthLevels,
    )) {
      if (remainingSteps === 0) break;
      if (limit !== undefined && (side === 'buy' ? price > limit : price < limit)) break;
      const taken = Math.min(remainingSteps, Math.round(quantity / market.stepSize));
      fills.push({ price, quantity: roundTo(taken * market.stepSize, market.quantityDecimals) });
      remainingSteps -= taken;
    }
    return { fills, remainingSteps };
  }

  /** How much of the base a market order worth `budget` of the quote trades, walking the book. */
  #quantityForBudget(market: ResolvedMarket, side: 'buy' | 'sell', budget: number): number {
    let left = budget;
    let steps = 0;
    const levels = this.#levels(market, side === 'buy' ? 'asks' : 'bids', this.#depthLevels);
    for (const [price, quantity] of levels) {
      const affordable = Math.floor((left + epsilon) / (price * market.stepSize));
      const taken = Math.min(affordable, Math.round(quantity / market.stepSize));
      steps += taken;
      left -= taken * price * market.stepSize;
      if (taken === 0) break;
    }
    return roundTo(steps * market.stepSize, market.quantityDecimals);
  }

  /** The quote value of an execution's fills. */
  #cost(execution: Execution): number {
    return roundTo(execution.fills.reduce((sum, fill) => sum + fill.price * fill.quantity, 0));
  }

  #takeFills(order: OrderRecord, execution: Execution): void {
    for (const fill of execution.fills) {
      this.#fill(order, fill.price, fill.quantity, false);
    }
  }

  /** Books one fill: the trade, the fee, the balances and the order's progress. */
  #fill(order: OrderRecord, price: number, rawQuantity: number, isMaker: boolean): void {
    const { market } = order;
    const quantity = roundTo(rawQuantity, market.quantityDecimals);
    const value = roundTo(price * quantity);
    const base = this.#balance(market.base);
    const quote = this.#balance(market.quote);
    const completes = roundTo(order.filled + quantity, market.quantityDecimals) >= order.quantity;
    const fee = roundTo((order.side === 'buy' ? quantity : value) * feeRate);
    if (order.side === 'buy') {
      const release = completes
        ? order.locked
        : Math.min(order.locked, roundTo((order.price ?? 0) * quantity));
      order.locked = roundTo(order.locked - release);
      quote.locked = roundTo(quote.locked - release);
      quote.free = roundTo(quote.free + release - value);
      base.free = roundTo(base.free + quantity - fee);
    } else {
      const release = completes ? order.locked : Math.min(order.locked, quantity);
      order.locked = roundTo(order.locked - release);
      base.locked = roundTo(base.locked - release);
      base.free = roundTo(base.free + release - quantity);
      quote.free = roundTo(quote.free + value - fee);
    }
    const time = this.#now();
    order.filled = roundTo(order.filled + quantity, market.quantityDecimals);
    order.quoteFilled = roundTo(order.quoteFilled + value);
    order.updatedAt = time;
    this.#trades.push({
      id: this.#nextTradeId++,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      symbol: market.symbol,
      side: order.side,
      price,
      quantity,
      fee,
      feeAsset: order.side === 'buy' ? market.base : market.quote,
      isMaker,
      time,
    });
  }

  /** Ends an order: releases what it still locks and sets its final status. */
  #finish(order: OrderRecord, status: EmulatorOrderStatus): void {
    if (order.locked > 0) {
      const balance = this.#balance(order.side === 'buy' ? order.market.quote : order.market.base);
      balance.locked = roundTo(balance.locked - order.locked);
      balance.free = roundTo(balance.free + order.locked);
      order.locked = 0;
    }
    order.status = status;
    order.updatedAt = this.#now();
  }

  /** Resting limits of a market that a traded range `low..high` reaches fill at their limit. */
  #crossResting(state: MarketState, low: number, high: number): void {
    for (const order of this.#orders) {
      if (order.market !== state.market || !isOpen(order) || order.price === null) continue;
      if (order.side === 'buy' ? low <= order.price : high >= order.price) {
        this.#fill(order, order.price, order.quantity - order.filled, true);
        this.#finish(order, 'FILLED');
      }
    }
  }

  /** The open rest of partially filled market orders fills against the current book. */
  #fillOpenMarketOrders(state: MarketState): void {
    const { market } = state;
    for (const order of this.#orders) {
      if (order.market !== market || !isOpen(order) || order.price !== null) continue;
      const steps = Math.round((order.quantity - order.filled) / market.stepSize);
      const execution = this.#execute(market, order.side, steps);
      const needed = order.side === 'buy' ? this.#cost(execution) : order.quantity - order.filled;
      const available = this.#balance(order.side === 'buy' ? market.quote : market.base).free;
      if (needed > available + epsilon) {
        this.#finish(order, 'EXPIRED');
        continue;
      }
      this.#takeFills(order, execution);
      this.#finish(order, execution.remainingSteps === 0 ? 'FILLED' : 'EXPIRED');
    }
  }
}
