/**
 * The live broker: core's `Broker` port over an exchange adapter (such as `CcxtExchange` of
 * `@lumenlink/exchanges`), with the exchange policies applied: reads retried with backoff,
 * order placement never retried.
 */
import type { Balance, Broker, BrokerOrder, Fill, OrderRequest, SymbolId } from '@lumenlink/core';
import {
  createExchangePolicies,
  type BreakerState,
  type EntryCircuitBreaker,
  type ExchangePolicies,
} from './policies.js';

/** Options of a {@link LiveBroker}. */
export interface LiveBrokerOptions {
  /** The exchange adapter, e.g. `new CcxtExchange(...)`: its errors are core's exchange errors. */
  readonly exchange: Broker;
  /** The retry and breaker policies; `createExchangePolicies()` with its defaults when left out. */
  readonly policies?: ExchangePolicies;
}

/**
 * A `Broker` for live trading. Every read (`fetchOrder`, `fetchOrderByClientId`,
 * `fetchOpenOrders`, `fetchClosedOrders`, `fetchFills`, `fetchBalance`) and `cancelOrder`
 * (cancelling twice cannot trade) is retried with exponential backoff and jitter on
 * `ExchangeUnavailableError` and `RateLimitError`. `createOrder` is sent exactly once: a failure
 * there has an unknown outcome, which the `OrderManager` resolves by client id instead.
 *
 * The entry circuit breaker is not applied here, because the `Broker` port does not know an
 * order's role: the `OrderManager` places entries through {@link LiveBroker.entryBreaker} (pass it
 * as its `entryBreaker` option), so it can refuse an entry before storing it.
 *
 * @example
 * ```ts
 * const policies = createExchangePolicies({ onBreakerChange: (change) => alert(change) });
 * const broker = new LiveBroker({ exchange: new CcxtExchange(config), policies });
 * const manager = new OrderManager({
 *   broker, orders: store.orders, clock, exchange: 'binance', entryBreaker: broker.entryBreaker,
 * });
 * const circuitOpen = broker.breakerState() === 'open'; // a fact for risk
 * ```
 */
export class LiveBroker implements Broker {
  readonly name: string;
  /** The policies in use. */
  readonly policies: ExchangePolicies;
  readonly #exchange: Broker;

  constructor(options: LiveBrokerOptions) {
    this.#exchange = options.exchange;
    this.name = options.exchange.name;
    this.policies = options.policies ?? createExchangePolicies();
  }

  /** The circuit breaker over entry orders, for the `OrderManager`. */
  get entryBreaker(): EntryCircuitBreaker {
    return this.policies.entryBreaker;
  }

  /** The entry circuit breaker's state, for the engine (risk blocks entries while `open`). */
  breakerState(): BreakerState {
    return this.policies.breakerState();
  }

  /**
   * Sends the order once, never retried.
   *
   * @throws {OrderOutcomeUnknownError} (or another error of the exchange adapter) when no
   *   definite answer came back: look the order up by client id.
   * @throws {OrderRejectedError} when the exchange said no.
   */
  createOrder(request: OrderRequest): Promise<BrokerOrder> {
    return this.#exchange.createOrder(request);
  }

  /** Cancels an order, retried on exchange outages. */
  cancelOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    return this.policies.read(() => this.#exchange.cancelOrder(symbol, exchangeOrderId));
  }

  /** An order by exchange id, retried on exchange outages. */
  fetchOrder(symbol: SymbolId, exchangeOrderId: string): Promise<BrokerOrder> {
    return this.policies.read(() => this.#exchange.fetchOrder(symbol, exchangeOrderId));
  }

  /** An order by our client id (`null`: not found), retried on exchange outages. */
  fetchOrderByClientId(symbol: SymbolId, clientOrderId: string): Promise<BrokerOrder | null> {
    return this.policies.read(() => this.#exchange.fetchOrderByClientId(symbol, clientOrderId));
  }

  /** Open orders, retried on exchange outages. */
  fetchOpenOrders(symbol?: SymbolId): Promise<BrokerOrder[]> {
    return this.policies.read(() => this.#exchange.fetchOpenOrders(symbol));
  }

  /** Closed orders since a time, retried on exchange outages. */
  fetchClosedOrders(symbol: SymbolId, since?: number): Promise<BrokerOrder[]> {
    return this.policies.read(() => this.#exchange.fetchClosedOrders(symbol, since));
  }

  /** Our fills since a time, retried on exchange outages. */
  fetchFills(symbol: SymbolId, since?: number): Promise<Fill[]> {
    return this.policies.read(() => this.#exchange.fetchFills(symbol, since));
  }

  /** Balances, retried on exchange outages. */
  fetchBalance(): Promise<Balance> {
    return this.policies.read(() => this.#exchange.fetchBalance());
  }
}
