/**
 * A scripted `Broker` for the order tests: a small venue (orders by exchange id, trades, partial
 * fills) whose answers can be scripted: failures (with or without the order placed), lookups
 * that answer "not found" for a while, trades withheld, a hook run on each call.
 */
import {
  symbolParts,
  type Balance,
  type Broker,
  type BrokerOrder,
  type Clock,
  type Fill,
  type OrderRequest,
  type SymbolId,
} from '@lumenlink/core';

type Method = Exclude<keyof Broker, 'name'>;

interface Failure {
  readonly error: Error;
  readonly placed: boolean;
}

/** One recorded call. */
export interface ScriptedCall {
  readonly method: Method;
  readonly args: readonly unknown[];
  readonly at: number;
}

export class ScriptedBroker implements Broker {
  readonly name = 'scripted';
  readonly calls: ScriptedCall[] = [];
  readonly trades: Fill[] = [];
  /** Runs at the start of every call, before any scripted failure (e.g. to read the store). */
  onCall: ((method: Method, args: readonly unknown[]) => void | Promise<void>) | null = null;
  /** Market orders fill at once at this price when set; otherwise they rest `open`. */
  marketPrice: number | null = null;
  /** When true, `fetchFills` answers no trades (a venue that reports only order totals). */
  withholdTrades = false;
  readonly #clock: Clock;
  readonly #orders = new Map<string, BrokerOrder>();
  readonly #failures = new Map<Method, Failure[]>();
  readonly #hidden = new Map<string, number>();
  #nextId = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Queues a failure of the next call of `method`; `placed` places a createOrder first. */
  failNext(method: Method, error: Error, options: { placed?: boolean; times?: number } = {}): void {
    const queue = this.#failures.get(method) ?? [];
    for (let index = 0; index < (options.times ?? 1); index++) {
      queue.push({ error, placed: options.placed ?? false });
    }
    this.#failures.set(method, queue);
  }

  /** The next `times` lookups of `clientOrderId` answer "not found" even if it exists. */
  hide(clientOrderId: string, times: number): void {
    this.#hidden.set(clientOrderId, times);
  }

  /** Every order the venue knows. */
  get orders(): BrokerOrder[] {
    return [...this.#orders.values()];
  }

  /** Calls of one method. */
  callsOf(method: Method): ScriptedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Puts an order on the venue directly (placed by hand, another bot, or a lost database). */
  place(
    request: OrderRequest | (Omit<OrderRequest, 'clientOrderId'> & { clientOrderId: null }),
  ): BrokerOrder {
    const now = this.#clock.now();
    const order: BrokerOrder = {
      exchangeOrderId: `ex-${this.#nextId++}`,
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
    return order;
  }

  /** Fills `quantity` of an order at `price` with one trade (fee 0.1% in the quote currency). */
  fill(exchangeOrderId: string, quantity: number, price: number): BrokerOrder {
    const order = this.#mustFind(exchangeOrderId);
    const now = this.#clock.now();
    const fee = quantity * price * 0.001;
    const quote = symbolParts(order.symbol).quote;
    this.trades.push({
      tradeId: `t-${this.trades.length + 1}`,
      clientOrderId: order.clientOrderId ?? '',
      exchangeOrderId,
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
      ((order.avgFillPrice ?? 0) * order.filledQuantity + quantity * price) / filledQuantity;
    return this.#store({
      ...order,
      status: filledQuantity >= order.quantity - 1e-12 ? 'filled' : 'partially_filled',
      filledQuantity,
      avgFillPrice,
      fee: order.fee + fee,
      feeCurrency: quote,
      updatedAt: now,
    });
  }

  /** Sets an order's status on the venue (e.g. canceled by hand). */
  setStatus(exchangeOrderId: string, status: BrokerOrder['status']): BrokerOrder {
    return this.#store({
      ...this.#mustFind(exchangeOrderId),
      status,
      updatedAt: this.#clock.now(),
    });
  }

  createOrder(request: OrderRequest): Promise<BrokerOrder> {
    return this.#call('createOrder', [request], (failure) => {
      if (this.orders.some((order) => order.clientOrderId === request.clientOrderId)) {
        throw new Error(`duplicate client order id ${request.clientOrderId}`);
      }
      let order = this.place(request);
      if (request.type === 'market' && this.marketPrice !== null) {
        order = this.fill(order.exchangeOrderId, request.quantity, this.marketPrice);
      }
      if (failure?.placed) throw failure.error;
      return order;
    });
  }

  cancelOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    return this.#call('cancelOrder', [symbol, exchangeOrderId], () => {
      const order = this.#mustFind(exchangeOrderId);
      if (order.status !== 'open' && order.status !== 'partially_filled') {
        throw new Error(`order ${exchangeOrderId} is ${order.status}, cannot cancel`);
      }
      return this.setStatus(exchangeOrderId, 'canceled');
    });
  }

  fetchOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    return this.#call('fetchOrder', [symbol, exchangeOrderId], () =>
      this.#mustFind(exchangeOrderId),
    );
  }

  fetchOrderByClientId(symbol: SymbolId, clientOrderId: string): Promise<BrokerOrder | null> {
    return this.#call('fetchOrderByClientId', [symbol, clientOrderId], () => {
      const hidden = this.#hidden.get(clientOrderId) ?? 0;
      if (hidden > 0) {
        this.#hidden.set(clientOrderId, hidden - 1);
        return null;
      }
      return this.orders.find((order) => order.clientOrderId === clientOrderId) ?? null;
    });
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
      this.withholdTrades
        ? []
        : this.trades.filter((trade) => trade.symbol === symbol && trade.time >= since),
    );
  }

  fetchBalance(): Promise<Balance> {
    return this.#call('fetchBalance', [], () => ({}));
  }

  async #call<T>(
    method: Method,
    args: readonly unknown[],
    run: (failure?: Failure) => T,
  ): Promise<T> {
    this.calls.push({ method, args, at: this.#clock.now() });
    await this.onCall?.(method, args);
    await Promise.resolve();
    const failure = this.#failures.get(method)?.shift();
    if (failure && !(method === 'createOrder' && failure.placed)) throw failure.error;
    return run(failure);
  }

  #store(order: BrokerOrder): BrokerOrder {
    this.#orders.set(order.exchangeOrderId, order);
    return order;
  }

  #mustFind(exchangeOrderId: string): BrokerOrder {
    const order = this.#orders.get(exchangeOrderId);
    if (order === undefined) throw new Error(`order ${exchangeOrderId} not found`);
    return order;
  }
}
