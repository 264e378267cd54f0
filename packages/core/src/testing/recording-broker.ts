import type { Clock } from '../clock.js';
import type { Fill } from '../fill.js';
import type { Balance } from '../market.js';
import type { Broker, BrokerOrder, OrderRequest } from '../ports.js';
import { symbolParts, type SymbolId } from '../symbol.js';

/** One call made to the broker. */
export interface BrokerCall {
  readonly method: keyof Broker;
  readonly args: readonly unknown[];
  readonly at: number;
}

type BrokerMethod = Exclude<keyof Broker, 'name'>;

interface ScriptedFailure {
  readonly error: Error;
  /** For createOrder: the order is placed before the error is thrown (a lost response). */
  readonly placed: boolean;
}

/** Options of a {@link RecordingBroker}. */
export interface RecordingBrokerOptions {
  readonly clock: Clock;
  readonly name?: string;
  /** Fee per fill, in basis points of the fill's value, charged in the quote currency. */
  readonly feeBps?: number;
  /** Starting balances per currency, e.g. `{ USD: 10_000 }`. */
  readonly balances?: Readonly<Record<string, number>>;
}

/**
 * A broker that records every call and behaves like a simple venue: market orders fill at once
 * at the price set with {@link RecordingBroker.setPrice}, limit and stop orders rest until
 * {@link RecordingBroker.fillOrder}, duplicate client ids are rejected, and failures can be
 * scripted, including an order placed whose response is lost.
 *
 * @example
 * ```ts
 * const broker = new RecordingBroker({ clock: new ManualClock(), balances: { USD: 1_000 } });
 * broker.setPrice('BTC-USD', 50_000);
 * broker.failNext('createOrder', new Error('ETIMEDOUT'), { placed: true });
 * ```
 */
export class RecordingBroker implements Broker {
  readonly name: string;
  readonly calls: BrokerCall[] = [];
  readonly #clock: Clock;
  readonly #feeBps: number;
  readonly #orders = new Map<string, BrokerOrder>();
  readonly #fills: Fill[] = [];
  readonly #prices = new Map<SymbolId, number>();
  readonly #balances = new Map<string, number>();
  readonly #failures = new Map<BrokerMethod, ScriptedFailure[]>();
  #nextId = 1;

  constructor(options: RecordingBrokerOptions) {
    this.#clock = options.clock;
    this.name = options.name ?? 'recording';
    this.#feeBps = options.feeBps ?? 0;
    for (const [currency, amount] of Object.entries(options.balances ?? {}))
      this.#balances.set(currency, amount);
  }

  /** Sets the price at which market orders on `symbol` fill. */
  setPrice(symbol: SymbolId, price: number): void {
    this.#prices.set(symbol, price);
  }

  /** Makes the next call of `method` throw `error` (queued: call repeatedly for several). */
  failNext(method: BrokerMethod, error: Error, options: { placed?: boolean } = {}): void {
    const queue = this.#failures.get(method) ?? [];
    queue.push({ error, placed: options.placed ?? false });
    this.#failures.set(method, queue);
  }

  /** Every order the venue knows, in creation order. */
  get orders(): readonly BrokerOrder[] {
    return [...this.#orders.values()];
  }

  /** Every fill, in time order. */
  get fills(): readonly Fill[] {
    return this.#fills;
  }

  /** Calls of one method. */
  callsOf(method: keyof Broker): BrokerCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Fills a resting order completely at `price` (default: its limit, stop, or the set price). */
  fillOrder(exchangeOrderId: string, price?: number): BrokerOrder {
    const order = this.#mustFind(exchangeOrderId);
    if (order.status !== 'open' && order.status !== 'partially_filled') {
      throw new Error(`RecordingBroker: order ${exchangeOrderId} is ${order.status}, not fillable`);
    }
    const fillPrice = price ?? order.limitPrice ?? order.stopPrice ?? this.#priceOf(order.symbol);
    return this.#fill(order, order.quantity - order.filledQuantity, fillPrice);
  }

  createOrder(request: OrderRequest): Promise<BrokerOrder> {
    return this.#call('createOrder', [request], (failure) => {
      if (request.clientOrderId !== '' && this.#findByClientId(request.clientOrderId)) {
        throw new Error(`RecordingBroker: duplicate client order id ${request.clientOrderId}`);
      }
      const now = this.#clock.now();
      const order: BrokerOrder = {
        exchangeOrderId: `rb-${this.#nextId++}`,
        clientOrderId: request.clientOrderId,
        symbol: request.symbol,
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
      };
      this.#orders.set(order.exchangeOrderId, order);
      const result =
        request.type === 'market'
          ? this.#fill(order, request.quantity, this.#priceOf(request.symbol))
          : order;
      if (failure?.placed) throw failure.error;
      return result;
    });
  }

  cancelOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    return this.#call('cancelOrder', [symbol, exchangeOrderId], () => {
      const order = this.#mustFind(exchangeOrderId);
      if (order.status !== 'open' && order.status !== 'partially_filled') {
        throw new Error(
          `RecordingBroker: order ${exchangeOrderId} is ${order.status}, cannot cancel`,
        );
      }
      return this.#store({ ...order, status: 'canceled', updatedAt: this.#clock.now() });
    });
  }

  fetchOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    return this.#call('fetchOrder', [symbol, exchangeOrderId], () =>
      this.#mustFind(exchangeOrderId),
    );
  }

  fetchOrderByClientId(symbol: SymbolId, clientOrderId: string): Promise<BrokerOrder | null> {
    return this.#call(
      'fetchOrderByClientId',
      [symbol, clientOrderId],
      () => this.#findByClientId(clientOrderId) ?? null,
    );
  }

  fetchOpenOrders(symbol?: SymbolId): Promise<BrokerOrder[]> {
    return this.#call('fetchOpenOrders', [symbol], () =>
      this.orders.filter(
        (order) =>
          (symbol === undefined || order.symbol === symbol) &&
          (order.status === 'open' || order.status === 'partially_filled'),
      ),
    );
  }

  fetchClosedOrders(symbol: SymbolId, since = 0): Promise<BrokerOrder[]> {
    return this.#call('fetchClosedOrders', [symbol, since], () =>
      this.orders.filter(
        (order) =>
          order.symbol === symbol &&
          order.updatedAt >= since &&
          order.status !== 'open' &&
          order.status !== 'partially_filled',
      ),
    );
  }

  fetchFills(symbol: SymbolId, since = 0): Promise<Fill[]> {
    return this.#call('fetchFills', [symbol, since], () =>
      this.#fills.filter((fill) => fill.symbol === symbol && fill.time >= since),
    );
  }

  fetchBalance(): Promise<Balance> {
    return this.#call('fetchBalance', [], () =>
      Object.fromEntries(
        [...this.#balances].map(([currency, total]) => [currency, { free: total, used: 0, total }]),
      ),
    );
  }

  async #call<T>(
    method: BrokerMethod,
    args: readonly unknown[],
    run: (failure?: ScriptedFailure) => T,
  ): Promise<T> {
    this.calls.push({ method, args, at: this.#clock.now() });
    await Promise.resolve();
    const failure = this.#failures.get(method)?.shift();
    if (failure && !(method === 'createOrder' && failure.placed)) throw failure.error;
    return run(failure);
  }

  #fill(order: BrokerOrder, quantity: number, price: number): BrokerOrder {
    const now = this.#clock.now();
    const { base, quote } = symbolParts(order.symbol);
    const value = quantity * price;
    const fee = (value * this.#feeBps) / 10_000;
    const sign = order.side === 'buy' ? 1 : -1;
    this.#balances.set(base, (this.#balances.get(base) ?? 0) + sign * quantity);
    this.#balances.set(quote, (this.#balances.get(quote) ?? 0) - sign * value - fee);
    this.#fills.push({
      tradeId: `rb-trade-${this.#fills.length + 1}`,
      clientOrderId: order.clientOrderId ?? '',
      exchangeOrderId: order.exchangeOrderId,
      symbol: order.symbol,
      side: order.side,
      quantity,
      price,
      fee,
      feeCurrency: quote,
      time: now,
    });
    const filledQuantity = order.filledQuantity + quantity;
    const avgFillPrice =
      ((order.avgFillPrice ?? 0) * order.filledQuantity + value) / filledQuantity;
    return this.#store({
      ...order,
      status: filledQuantity >= order.quantity ? 'filled' : 'partially_filled',
      filledQuantity,
      avgFillPrice,
      fee: order.fee + fee,
      feeCurrency: quote,
      updatedAt: now,
    });
  }

  #store(order: BrokerOrder): BrokerOrder {
    this.#orders.set(order.exchangeOrderId, order);
    return order;
  }

  #priceOf(symbol: SymbolId): number {
    const price = this.#prices.get(symbol);
    if (price === undefined)
      throw new Error(`RecordingBroker: no price set for ${symbol}; call setPrice first`);
    return price;
  }

  #mustFind(exchangeOrderId: string): BrokerOrder {
    const order = this.#orders.get(exchangeOrderId);
    if (!order) throw new Error(`RecordingBroker: order ${exchangeOrderId} not found`);
    return order;
  }

  #findByClientId(clientOrderId: string): BrokerOrder | undefined {
    return this.orders.find((order) => order.clientOrderId === clientOrderId);
  }
}
