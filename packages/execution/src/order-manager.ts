/**
 * The order manager: persist intent, then act (docs/architecture/order-lifecycle.md). Every order is stored as
 * `pending` under its deterministic client order id before it is sent; a send whose outcome is
 * unknown is marked `unknown` and resolved by looking the client id up, never sent again; an
 * order becomes `failed` only after repeated "not found" answers spread over a grace window, and
 * only then may the next attempt (a new client id) be sent. Status changes follow core's one
 * transition table, enforced by the store: an illegal one throws.
 */
import {
  DataIntegrityError,
  LumenLinkError,
  OrderNotFoundError,
  OrderRejectedError,
  PermanentError,
  ValidationError,
  fillsOnCandles,
  isFinalOrderStatus,
  silentLogger,
  symbolParts,
  type Broker,
  type BrokerOrder,
  type Clock,
  type Fill,
  type Logger,
  type Order,
  type OrderIntent,
  type OrderRequest,
  type OrderRole,
  type OrderStore,
  type OrderUpdate,
  type SymbolId,
} from '@lumenlink/core';
import {
  exitClientOrderId,
  clientOrderId as makeClientOrderId,
  type ClientOrderIdHash,
} from './client-order-id.js';
import { CircuitOpenError, type EntryCircuitBreaker } from './policies.js';
import {
  RefusalBackoffError,
  SellInFlightError,
  refusalBackoffMs,
  sellInFlightReason,
  type RefusalBackoff,
} from './sell-guards.js';

/** How long a missing order is given before it is proven never placed. */
export interface NotFoundGrace {
  /** "Not found" answers needed (default 3). */
  readonly checks?: number;
  /** Minimum time since the order was created, in ms (default 60 000). */
  readonly windowMs?: number;
}

/** Options of an {@link OrderManager}. */
export interface OrderManagerOptions {
  /** Where orders go: a `PaperBroker`, a `LiveBroker`, or any core `Broker`. */
  readonly broker: Broker;
  /** Orders and fills (the SQLite store of `@lumenlink/data` in the bot). */
  readonly orders: OrderStore;
  readonly clock: Clock;
  /** The exchange name stored with each order, e.g. `binance` or `paper`. */
  readonly exchange: string;
  readonly logger?: Logger;
  /**
   * When an `unknown` or `pending` order that the exchange does not know becomes `failed`: after
   * `checks` "not found" answers and at least `windowMs` since its creation. The count is kept in
   * memory: after a restart it starts again from 0 (which only delays the verdict).
   */
  readonly notFoundGrace?: NotFoundGrace;
  /**
   * The circuit breaker over entry orders (`LiveBroker.entryBreaker`). While it is open, an
   * entry throws `CircuitOpenError` before anything is stored or sent; entries are placed
   * through it. Exits and lookups never pass it. Left out: no breaker (the paper broker).
   */
  readonly entryBreaker?: EntryCircuitBreaker;
  /**
   * Called once per newly stored fill, in order, after it is stored (the portfolio update). An
   * error it throws propagates to the caller; the fill stays stored (rebuild from stored fills).
   */
  readonly onFill?: (fill: Fill, order: Order) => void | Promise<void>;
  /**
   * How refusals of the same exit back off: after a refusal the next attempt of that exit waits
   * `initialMs` (default 5 s), doubling per further refusal up to `maxMs` (default 15 min).
   * An operator's force exit is not held back.
   */
  readonly refusalBackoff?: RefusalBackoff;
  /**
   * How client order ids are hashed (`ClientOrderIdHash`): `sha256` (default; ids that survive a
   * restart) or `fast`, only with a broker that fills on candles in this process (a backtest's
   * `PaperBroker`).
   */
  readonly clientOrderIdHash?: ClientOrderIdHash;
}

/**
 * What became of a submission. `placed`: the exchange has the order (open, filled, ...).
 * `duplicate`: an order for this intent exists and is not `failed`; nothing was sent.
 * `rejected`: the exchange said no (final). `unknown`: sent, outcome not known yet; the
 * reconciler resolves it by client id. `failed`: proven never placed by the lookup that followed
 * an unknown outcome (only with a grace of one check and no window); submitting the intent again
 * sends the next attempt.
 */
export type SubmitStatus = 'placed' | 'duplicate' | 'rejected' | 'unknown' | 'failed';

/** The outcome of {@link OrderManager.submit}: what happened, and the order as stored now. */
export interface SubmitResult {
  readonly status: SubmitStatus;
  readonly order: Order;
}

/** The outcome of a lookup, refresh or cancel: the order as stored now, and fills newly stored. */
export interface OrderSync {
  readonly order: Order;
  /** Fills stored by this call (each reported to `onFill`). */
  readonly fills: readonly Fill[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const defaultGrace = { checks: 3, windowMs: 60_000 };
const defaultRefusalBackoff = { initialMs: 5_000, maxMs: 900_000 };

/** Trades this long before an order's creation are still fetched for it (exchange clock skew). */
const fillLookbackSlackMs = 60_000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function closeEnough(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Whether fills of `stored` base quantity cover an order's `filled` quantity. */
function fillsCover(stored: number, filled: number): boolean {
  return stored >= filled || closeEnough(stored, filled);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The fills' base quantity, added in their order (as `sum` of their quantities, no list built). */
function quantityOf(fills: readonly Fill[]): number {
  let total = 0;
  for (const fill of fills) total += fill.quantity;
  return total;
}

/** The role of an exchange order we adopt: an entry for a buy, a stop or an exit for a sell. */
function adoptedRole(order: BrokerOrder): OrderRole {
  if (order.side === 'buy') return 'entry';
  return order.type === 'stop_market' || order.type === 'stop_limit' ? 'stop' : 'exit';
}

/**
 * Places orders crash-safely and keeps their stored state in step with the exchange.
 *
 * @example
 * ```ts
 * const manager = new OrderManager({ broker, orders: store.orders, clock, exchange: 'paper' });
 * const { status, order } = await manager.submit({
 *   strategy: 'rsi_mean_reversion', symbol: 'BTC-USD', side: 'buy', type: 'market',
 *   role: 'entry', quantity: 0.01, candleTime, reason: 'RSI 28 < 30',
 * });
 * if (status === 'unknown') await reconciler.reconcile(); // resolved by client id, never resent
 * ```
 */
export class OrderManager {
  readonly #broker: Broker;
  readonly #idHash: ClientOrderIdHash;
  readonly #orders: OrderStore;
  readonly #clock: Clock;
  readonly #exchange: string;
  readonly #logger: Logger;
  readonly #checks: number;
  readonly #windowMs: number;
  readonly #entryBreaker: EntryCircuitBreaker | undefined;
  readonly #onFill: ((fill: Fill, order: Order) => void | Promise<void>) | undefined;
  readonly #refusalBackoff: Required<RefusalBackoff>;
  /** Submissions in progress, by the attempt-0 client id of their intent. */
  readonly #submissions = new Map<string, Promise<SubmitResult>>();
  /** The last sell submission per symbol: sells of one symbol run one after the other. */
  readonly #sellTails = new Map<string, Promise<void>>();
  /** Client ids stored and being sent right now: lookups leave them alone. */
  readonly #sending = new Set<string>();
  /** "Not found" answers per client id since the last start. */
  readonly #notFound = new Map<string, number>();

  /** @throws {ValidationError} for an empty exchange name or a bad grace. */
  constructor(options: OrderManagerOptions) {
    if (options.exchange.trim() === '') {
      throw new ValidationError('OrderManager: exchange is empty');
    }
    const checks = options.notFoundGrace?.checks ?? defaultGrace.checks;
    const windowMs = options.notFoundGrace?.windowMs ?? defaultGrace.windowMs;
    if (!Number.isSafeInteger(checks) || checks < 1) {
      throw new ValidationError(
        `OrderManager: notFoundGrace.checks ${checks} is not an integer >= 1`,
      );
    }
    if (!Number.isSafeInteger(windowMs) || windowMs < 0) {
      throw new ValidationError(
        `OrderManager: notFoundGrace.windowMs ${windowMs} is not an integer >= 0`,
      );
    }
    this.#idHash = options.clientOrderIdHash ?? 'sha256';
    if (this.#idHash === 'fast' && !fillsOnCandles(options.broker)) {
      throw new ValidationError(
        `OrderManager: clientOrderIdHash 'fast' is for brokers that fill on candles in this process (backtests); ${options.broker.name} needs ids that survive a restart ('sha256')`,
      );
    }
    this.#broker = options.broker;
    this.#orders = options.orders;
    this.#clock = options.clock;
    this.#exchange = options.exchange;
    this.#logger = (options.logger ?? silentLogger).child({ module: 'order-manager' });
    this.#checks = checks;
    this.#windowMs = windowMs;
    this.#entryBreaker = options.entryBreaker;
    this.#onFill = options.onFill;
    const backoff = { ...defaultRefusalBackoff, ...options.refusalBackoff };
    // A safety setting never turns itself off: 0 would send refused exits in bursts.
    for (const [name, value] of Object.entries(backoff)) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new ValidationError(
          `OrderManager: refusalBackoff.${name} ${value} is not an integer >= 1 (ms)`,
        );
      }
    }
    if (backoff.maxMs < backoff.initialMs) {
      throw new ValidationError(
        `OrderManager: refusalBackoff.maxMs ${backoff.maxMs} is below initialMs ${backoff.initialMs}; set maxMs >= initialMs`,
      );
    }
    this.#refusalBackoff = backoff;
  }

  /**
   * Submits an intent: computes its client order id, refuses a duplicate, stores it `pending`,
   * sends it once, and stores the result.
   *
   * - An entry's client id uses attempt 0, or the next attempt when every earlier attempt of the
   *   same (strategy, symbol, candle time, side, role) is `failed`. An existing order that is not
   *   `failed` is returned as `duplicate`, and nothing is sent.
   * - A sell with `positionOpenedAt` (every exit of the engine) is keyed by the position: its
   *   id is the position's exit chain (position open time, exit sequence, attempt), whatever the
   *   tick, candle or trigger, so a repeat of the same exit is the same client id. The next
   *   attempt follows only an attempt proven never placed (`failed`), refused (`rejected`) or
   *   canceled unfilled; the next sequence only an exit that sold something.
   * - **One sell per symbol at a time.** Sells of a symbol are submitted one after the other,
   *   and a sell is refused (`SellInFlightError`, nothing stored or sent) while another sell of
   *   the symbol is `pending`, `unknown`, `open` or `partially_filled`, or has filled more than
   *   its stored fills (those are fetched first; when that stores a fill, the position changed
   *   and the sell is refused too, to be decided again).
   * - **Refusals back off.** After the exchange refused an exit, its next attempt is refused
   *   (`RefusalBackoffError`) until the backoff since the last refusal has passed; a
   *   `force_exit` (an operator's) is never held back.
   * - An `OrderRejectedError` stores `rejected` with the reason and returns `rejected`.
   * - No definite answer (`OrderOutcomeUnknownError`, `ExchangeUnavailableError`,
   *   `RateLimitError`, or an error that is not a LumenLink error) stores `unknown` with the
   *   error's message, then looks the order up once by client id: found, it is adopted and
   *   `placed` (or `rejected`) is returned; not found or the lookup failing, `unknown`.
   *
   * @throws {CircuitOpenError} for an entry while the entry breaker is open: nothing was stored
   *   or sent. (Should the breaker open between the check and the send, the stored order is
   *   marked `failed`, proven never sent, and the error is thrown too.)
   * @throws {SellInFlightError} for a sell while another sell of the symbol is in flight.
   * @throws {RefusalBackoffError} for an exit refused before, within its backoff.
   * @throws {StorageError} when the intent cannot be stored: nothing was sent. Also when the
   *   result cannot be stored; the order is then resolved by the reconciler.
   * @throws {ValidationError} for an intent the store refuses (e.g. a quantity <= 0).
   * @throws {PermanentError} another definite refusal by the broker (`ExchangeAuthError`,
   *   `ExchangeRequestError`, ...), after storing the order `rejected` with it as the reason.
   * @throws a broker error of `fetchFills`, or of `onFill`, after the placed order was stored:
   *   submitting again returns it as `duplicate`; the reconciler stores the missing fills.
   */
  async submit(intent: OrderIntent): Promise<SubmitResult> {
    if (intent.side === 'sell') return this.#submitSell(intent);
    const key = makeClientOrderId({ ...intent, action: intent.side, attempt: 0 }, this.#idHash);
    const running = this.#submissions.get(key);
    if (running !== undefined) {
      // The same intent is being submitted in this process: it is that order.
      const first = await running;
      return { status: 'duplicate', order: first.order };
    }
    const submission = this.#submit(intent, key);
    this.#submissions.set(key, submission);
    try {
      return await submission;
    } finally {
      this.#submissions.delete(key);
    }
  }

  /** Sells of one symbol run one after the other, so the in-flight guard sees each one. */
  async #submitSell(intent: OrderIntent): Promise<SubmitResult> {
    const symbol = intent.symbol;
    const result = (this.#sellTails.get(symbol) ?? Promise.resolve()).then(() =>
      this.#submit(intent),
    );
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#sellTails.set(symbol, settled);
    try {
      return await result;
    } finally {
      if (this.#sellTails.get(symbol) === settled) this.#sellTails.delete(symbol);
    }
  }

  /**
   * Looks an order up by client id and stores what the exchange says. Found: its status,
   * exchange id, fills and fees are adopted. "Not found": counted; a `pending` or `unknown`
   * order becomes `failed` after `notFoundGrace.checks` answers and `notFoundGrace.windowMs`
   * since its creation, which frees the next attempt. A final order, or one being sent right
   * now, is returned as stored.
   *
   * @throws {ValidationError} when no order has this client id.
   * @throws {ExchangeUnavailableError} (or another broker error) when the lookup failed; the
   *   order is unchanged.
   * @throws {OrderTransitionError} when the exchange reports a status the state machine does not
   *   allow from the stored one.
   * @throws {StorageError} when the store fails.
   */
  async resolve(clientOrderId: string): Promise<OrderSync> {
    const order = await this.#mustGet(clientOrderId);
    if (this.#sending.has(clientOrderId)) return { order, fills: [] };
    return this.#resolveOrder(order, false);
  }

  /**
   * Brings an order up to date: an `open` or `partially_filled` order is fetched by exchange id,
   * a `pending` or `unknown` one is resolved by client id ({@link OrderManager.resolve}); a
   * final one only gets its missing fills, if any.
   *
   * @throws {ValidationError} when no order has this client id.
   * @throws {OrderNotFoundError} (or another broker error) when the fetch failed.
   * @throws {OrderTransitionError} when the exchange reports an illegal status change.
   * @throws {StorageError} when the store fails.
   */
  async refresh(clientOrderId: string): Promise<OrderSync> {
    const order = await this.#mustGet(clientOrderId);
    if (this.#sending.has(clientOrderId)) return { order, fills: [] };
    return this.#refreshOrder(order);
  }

  /**
   * Cancels an open order. A `pending` or `unknown` one is resolved first; a final one is
   * returned as stored. When the cancel call fails, the order is fetched again: if it ended
   * meanwhile (filled, canceled), that is stored and returned; otherwise the error is thrown.
   *
   * @throws {ValidationError} when no order has this client id.
   * @throws {OrderNotFoundError} when the exchange does not know the order yet (no exchange id).
   * @throws {ExchangeUnavailableError} (or another broker error) when the cancel failed.
   * @throws {StorageError} when the store fails.
   */
  async cancel(clientOrderId: string): Promise<OrderSync> {
    let order = await this.#mustGet(clientOrderId);
    if (isFinalOrderStatus(order.status)) return { order, fills: [] };
    if (
      order.exchangeOrderId === null ||
      order.status === 'pending' ||
      order.status === 'unknown'
    ) {
      const resolved = await this.#resolveOrder(order, false);
      order = resolved.order;
      if (isFinalOrderStatus(order.status)) return resolved;
    }
    const exchangeOrderId = order.exchangeOrderId;
    if (exchangeOrderId === null) {
      throw new OrderNotFoundError(
        `cancel ${clientOrderId}: the exchange does not know the order yet (status ${order.status})`,
      );
    }
    let canceled: BrokerOrder;
    try {
      canceled = await this.#broker.cancelOrder(order.symbol, exchangeOrderId);
    } catch (error) {
      // The cancel may have raced a fill, or happened without its answer: learn the state.
      this.#logger.warn('cancel failed; fetching the order', {
        clientOrderId,
        error: describe(error),
      });
      let refreshed: OrderSync;
      try {
        refreshed = await this.#refreshOrder(order);
      } catch (refreshError) {
        this.#logger.warn('fetching the order after a failed cancel failed too', {
          clientOrderId,
          error: describe(refreshError),
        });
        throw error;
      }
      if (isFinalOrderStatus(refreshed.order.status)) return refreshed;
      throw error;
    }
    return this.#adopt(order, canceled);
  }

  /**
   * Stores the fills of an order that are missing (its stored fills sum to less than its filled
   * quantity): fetched from the broker and matched by exchange order id or client id, each stored
   * once by trade id and reported to `onFill`. A trade that would take the stored fills past
   * the order's filled quantity is left for a later call. When the broker reports a filled
   * quantity but no trades for the order at all, one synthetic fill is stored for the missing
   * part: trade id `${clientOrderId}:${filledQuantity}`, priced so the fills average to the
   * order's average price, with the fee not yet covered by stored fills.
   *
   * @throws {ValidationError} when no order has this client id.
   * @throws {DataIntegrityError} when a synthetic fill is needed but the order has no price.
   * @throws {StorageError} when the store fails; broker errors of `fetchFills` as thrown.
   */
  async syncFills(clientOrderId: string): Promise<OrderSync> {
    const order = await this.#mustGet(clientOrderId);
    return { order, fills: await this.#syncFills(order) };
  }

  /**
   * Stores an exchange order that carries our prefix but that the store does not know (found
   * by the reconciler): strategy `adopted`, role `entry` for a buy (`stop` for a stop sell,
   * `exit` for another sell), its status, quantities and fills as the exchange reports them.
   *
   * @throws {ValidationError} when the order has no client id.
   * @throws {DuplicateOrderError} (a `DataIntegrityError` of the store) when it is stored already.
   * @throws {StorageError} when the store fails.
   */
  async adoptExchangeOrder(exchangeOrder: BrokerOrder): Promise<OrderSync> {
    const id = exchangeOrder.clientOrderId;
    if (id === null || id === '') {
      throw new ValidationError(
        `adoptExchangeOrder: exchange order ${exchangeOrder.exchangeOrderId} has no client id`,
      );
    }
    const now = this.#clock.now();
    const order: Order = {
      clientOrderId: id,
      exchangeOrderId: exchangeOrder.exchangeOrderId,
      exchange: this.#exchange,
      strategy: 'adopted',
      symbol: exchangeOrder.symbol,
      side: exchangeOrder.side,
      type: exchangeOrder.type,
      role: adoptedRole(exchangeOrder),
      quantity: exchangeOrder.quantity,
      limitPrice: exchangeOrder.limitPrice,
      stopPrice: exchangeOrder.stopPrice,
      status: exchangeOrder.status,
      filledQuantity: exchangeOrder.filledQuantity,
      avgFillPrice: exchangeOrder.avgFillPrice,
      fee: exchangeOrder.fee,
      feeCurrency: exchangeOrder.feeCurrency,
      reason: 'adopted: on the exchange with our prefix, missing from the store',
      candleTime: exchangeOrder.createdAt,
      attempt: 0,
      createdAt: exchangeOrder.createdAt,
      updatedAt: now,
    };
    await this.#orders.insertOrder(order);
    this.#logger.warn('adopted an exchange order missing from the store', {
      clientOrderId: id,
      exchangeOrderId: exchangeOrder.exchangeOrderId,
      status: exchangeOrder.status,
    });
    return { order, fills: order.filledQuantity > 0 ? await this.#syncFills(order) : [] };
  }

  /** `firstId`: the client id of attempt 0 when the caller computed it (an entry's in-flight key). */
  async #submit(intent: OrderIntent, firstId?: string): Promise<SubmitResult> {
    if (intent.role === 'entry' && this.#entryBreaker?.state() === 'open') {
      throw new CircuitOpenError(
        `entry ${intent.side} ${intent.quantity} ${intent.symbol} refused: the circuit breaker is open after repeated exchange failures`,
      );
    }
    const slot =
      intent.side === 'sell' && intent.positionOpenedAt !== undefined
        ? await this.#nextExitSlot(intent, intent.positionOpenedAt)
        : await this.#nextAttempt(intent, firstId);
    if ('duplicate' in slot) {
      this.#logger.info('duplicate intent; nothing sent', {
        clientOrderId: slot.duplicate.clientOrderId,
        status: slot.duplicate.status,
      });
      return { status: 'duplicate', order: slot.duplicate };
    }
    if (intent.side === 'sell') await this.#assertNoSellInFlight(intent);
    const now = this.#clock.now();
    const order: Order = {
      clientOrderId: slot.clientOrderId,
      exchangeOrderId: null,
      exchange: this.#exchange,
      strategy: intent.strategy,
      symbol: intent.symbol,
      side: intent.side,
      type: intent.type,
      role: intent.role,
      quantity: intent.quantity,
      limitPrice: intent.limitPrice ?? null,
      stopPrice: intent.stopPrice ?? null,
      status: 'pending',
      filledQuantity: 0,
      avgFillPrice: null,
      fee: 0,
      feeCurrency: null,
      reason: intent.reason,
      candleTime: intent.candleTime,
      attempt: slot.attempt,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.#orders.insertOrder(order);
    } catch (error) {
      // Another process may have stored this intent meanwhile; otherwise nothing is sent and
      // the insert's error is thrown (also when this re-read fails: the insert error is the one
      // that matters).
      const existing = await this.#orders.getOrder(order.clientOrderId).catch(() => null);
      if (existing !== null && existing.status !== 'failed') {
        return { status: 'duplicate', order: existing };
      }
      throw error;
    }
    this.#sending.add(order.clientOrderId);
    try {
      return await this.#send(order);
    } finally {
      this.#sending.delete(order.clientOrderId);
    }
  }

  /**
   * The slot of an exit in its position's chain (see {@link OrderManager.exitChain}), or the
   * live attempt as its duplicate.
   *
   * @throws {RefusalBackoffError} while refused attempts back off (not for a `force_exit`).
   */
  async #nextExitSlot(
    intent: OrderIntent,
    positionOpenedAt: number,
  ): Promise<{ clientOrderId: string; attempt: number } | { duplicate: Order }> {
    const chain = await this.#exitChain(intent, positionOpenedAt);
    if ('duplicate' in chain) return chain;
    const backoff = this.#backoffOf(intent, chain);
    if (backoff !== null) throw backoff;
    return { clientOrderId: chain.clientOrderId, attempt: chain.attempt };
  }

  /**
   * Whether the next attempt of an exit waits for the backoff after refusals, from the store
   * alone (no exchange request): the error `submit` would throw, or `null`. A `force_exit` never
   * waits. The engine asks before it sizes an exit, so ticks while it waits cost nothing.
   *
   * @throws {StorageError} when the store fails.
   */
  async exitBackoff(
    exit: Pick<OrderIntent, 'strategy' | 'symbol' | 'role'>,
    positionOpenedAt: number,
  ): Promise<RefusalBackoffError | null> {
    const chain = await this.#exitChain(exit, positionOpenedAt);
    return 'duplicate' in chain ? null : this.#backoffOf(exit, chain);
  }

  #backoffOf(
    exit: Pick<OrderIntent, 'symbol' | 'role'>,
    chain: { readonly refusals: number; readonly lastRefusal: Order | null },
  ): RefusalBackoffError | null {
    const { refusals, lastRefusal } = chain;
    if (lastRefusal === null || exit.role === 'force_exit') return null;
    const retryAt = lastRefusal.updatedAt + refusalBackoffMs(refusals, this.#refusalBackoff);
    if (this.#clock.now() >= retryAt) return null;
    return new RefusalBackoffError(
      `exit of ${exit.symbol} refused ${refusals} time(s), last ${lastRefusal.clientOrderId}: ${lastRefusal.reason ?? 'no reason'}; the next attempt waits until ${new Date(retryAt).toISOString()}`,
      { refusals, retryAt },
    );
  }

  /**
   * Walks an exit's chain in the store: the first exit sequence that has not sold anything, and
   * in it the first attempt not proven `failed`, refused, or ended by the exchange unfilled,
   * with the refusals met on the way. A live (non-final) attempt is returned as the duplicate.
   */
  async #exitChain(
    exit: Pick<OrderIntent, 'strategy' | 'symbol'>,
    positionOpenedAt: number,
  ): Promise<
    | { clientOrderId: string; attempt: number; refusals: number; lastRefusal: Order | null }
    | { duplicate: Order }
  > {
    const fields = { strategy: exit.strategy, symbol: exit.symbol, positionOpenedAt };
    for (let sequence = 0; ; sequence++) {
      let refusals = 0;
      let lastRefusal: Order | null = null;
      for (let attempt = 0; ; attempt++) {
        const id = exitClientOrderId({ ...fields, sequence, attempt }, this.#idHash);
        const existing = await this.#orders.getOrder(id);
        if (existing === null) return { clientOrderId: id, attempt, refusals, lastRefusal };
        const { status, filledQuantity } = existing;
        if (status === 'failed') continue;
        // Refused, or ended by the exchange with nothing filled (a market order expired on a
        // thin book, self-trade prevention): the next attempt backs off.
        if (
          status === 'rejected' ||
          ((status === 'canceled' || status === 'expired') && !(filledQuantity > 0))
        ) {
          refusals += 1;
          lastRefusal = existing;
          continue;
        }
        if (isFinalOrderStatus(status)) break; // it sold something: the next exit of the position
        return { duplicate: existing };
      }
    }
  }

  /**
   * Refuses a sell while another sell of its symbol is in flight: not final, or filled beyond
   * its stored fills. Missing fills are fetched first; storing one changes the position, so the
   * sell is refused then too, to be sized again.
   */
  async #assertNoSellInFlight(intent: OrderIntent): Promise<void> {
    const { symbol } = intent;
    const live = await this.#liveSell(symbol);
    if (live !== undefined) {
      throw new SellInFlightError(`${symbol}: ${sellInFlightReason(live)}`, live);
    }
    for (const order of await this.#sellsMissingFills(
      symbol,
      intent.positionOpenedAt ?? intent.candleTime,
    )) {
      let stored: readonly Fill[] = [];
      let error: unknown = null;
      try {
        stored = await this.#syncFills(order);
      } catch (syncError) {
        error = syncError;
      }
      if (stored.length > 0 || (await this.#fillsMissing(order))) {
        const why =
          stored.length > 0
            ? `sell ${order.clientOrderId}: its missing fills were just stored (the position changed: decide again)`
            : `${sellInFlightReason(order)}${error === null ? '' : ` (${describe(error)})`}`;
        throw new SellInFlightError(`${symbol}: ${why}`, order, {
          ...(error === null ? {} : { cause: error }),
        });
      }
    }
  }

  /**
   * The sell of `symbol` that holds any other sell back, from the store alone (no exchange
   * call): one not final, or one filled since `since` (epoch ms, e.g. the position's open time)
   * whose fills are not all stored. `null` when a sell may be sent. The engine asks before it
   * sizes an exit, so a stop firing on every tick costs no exchange request while it waits.
   *
   * @throws {StorageError} when the store fails.
   */
  async sellInFlight(symbol: SymbolId, since: number): Promise<Order | null> {
    return (
      (await this.#liveSell(symbol)) ?? (await this.#sellsMissingFills(symbol, since))[0] ?? null
    );
  }

  async #liveSell(symbol: SymbolId): Promise<Order | undefined> {
    return (await this.#orders.listNonFinalOrders()).find(
      (order) => order.symbol === symbol && order.side === 'sell',
    );
  }

  /** Sells of `symbol` created since `since` (less a slack) that filled more than is stored. */
  async #sellsMissingFills(symbol: SymbolId, since: number): Promise<Order[]> {
    const missing: Order[] = [];
    for (const order of await this.#orders.listOrders({
      symbol,
      since: since - fillLookbackSlackMs,
    })) {
      if (order.side === 'sell' && (await this.#fillsMissing(order))) missing.push(order);
    }
    return missing;
  }

  /** Whether an order's stored fills fall short of its filled quantity. */
  async #fillsMissing(order: Order): Promise<boolean> {
    if (!(order.filledQuantity > 0)) return false;
    const stored = await this.#orders.listFills({ clientOrderId: order.clientOrderId });
    return !fillsCover(quantityOf(stored), order.filledQuantity);
  }

  /** The first attempt of this intent not proven `failed`: new (to send) or a duplicate. */
  async #nextAttempt(
    intent: OrderIntent,
    firstId?: string,
  ): Promise<{ clientOrderId: string; attempt: number } | { duplicate: Order }> {
    for (let attempt = 0; ; attempt++) {
      const id =
        attempt === 0 && firstId !== undefined
          ? firstId
          : makeClientOrderId({ ...intent, action: intent.side, attempt }, this.#idHash);
      const existing = await this.#orders.getOrder(id);
      if (existing === null) return { clientOrderId: id, attempt };
      if (existing.status !== 'failed') return { duplicate: existing };
    }
  }

  async #send(order: Order): Promise<SubmitResult> {
    const request: OrderRequest = {
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      quantity: order.quantity,
      ...(order.limitPrice === null ? {} : { limitPrice: order.limitPrice }),
      ...(order.stopPrice === null ? {} : { stopPrice: order.stopPrice }),
    };
    const place = (): Promise<BrokerOrder> => this.#broker.createOrder(request);
    let placed: BrokerOrder;
    try {
      placed =
        order.role === 'entry' && this.#entryBreaker !== undefined
          ? await this.#entryBreaker.execute(place)
          : await place();
    } catch (error) {
      return this.#sendFailed(order, error);
    }
    const { order: stored } = await this.#adopt(order, placed);
    this.#logger.info('order placed', {
      clientOrderId: stored.clientOrderId,
      exchangeOrderId: stored.exchangeOrderId,
      status: stored.status,
    });
    return { status: stored.status === 'rejected' ? 'rejected' : 'placed', order: stored };
  }

  async #sendFailed(order: Order, error: unknown): Promise<SubmitResult> {
    const id = order.clientOrderId;
    if (CircuitOpenError.isInstance(error)) {
      // The breaker refused before calling the broker: proven never sent.
      await this.#update(id, { status: 'failed', reason: `not sent: ${error.message}` });
      throw error;
    }
    if (OrderRejectedError.isInstance(error)) {
      const rejected = await this.#update(id, {
        status: 'rejected',
        reason: `${error.reason}: ${error.message}`,
      });
      this.#logger.warn('order rejected', { clientOrderId: id, reason: rejected.reason });
      return { status: 'rejected', order: rejected };
    }
    if (PermanentError.isInstance(error)) {
      await this.#update(id, { status: 'rejected', reason: `${error.code}: ${error.message}` });
      this.#logger.error('order refused', { clientOrderId: id, error: error.message });
      throw error;
    }
    // No definite answer: it may exist. Never resend; look it up by client id.
    const unknown = await this.#update(id, { status: 'unknown', reason: describe(error) });
    this.#logger.warn('order outcome unknown; looking it up by client id', {
      clientOrderId: id,
      error: describe(error),
      retryable: LumenLinkError.isInstance(error) ? error.isRetryable : null,
    });
    const { order: resolved } = await this.#resolveOrder(unknown, true);
    switch (resolved.status) {
      case 'pending':
      case 'unknown':
        return { status: 'unknown', order: resolved };
      case 'failed':
      case 'rejected':
        return { status: resolved.status, order: resolved };
      case 'open':
      case 'partially_filled':
      case 'filled':
      case 'canceled':
      case 'expired':
        return { status: 'placed', order: resolved };
    }
  }

  async #resolveOrder(order: Order, tolerateLookupFailure: boolean): Promise<OrderSync> {
    if (isFinalOrderStatus(order.status)) return { order, fills: [] };
    const id = order.clientOrderId;
    let found: BrokerOrder | null;
    try {
      found = await this.#broker.fetchOrderByClientId(order.symbol, id);
    } catch (error) {
      if (OrderNotFoundError.isInstance(error)) {
        found = null;
      } else if (tolerateLookupFailure) {
        this.#logger.warn('lookup by client id failed; the order stays unknown', {
          clientOrderId: id,
          error: describe(error),
        });
        return { order, fills: [] };
      } else {
        throw error;
      }
    }
    if (found !== null) {
      this.#notFound.delete(id);
      return this.#adopt(order, found);
    }
    return this.#countNotFound(order);
  }

  async #countNotFound(order: Order): Promise<OrderSync> {
    const id = order.clientOrderId;
    if (order.status !== 'pending' && order.status !== 'unknown') {
      // An order the exchange acknowledged cannot be "never placed"; it is refreshed by its
      // exchange id instead.
      this.#logger.warn('acknowledged order not found by client id', {
        clientOrderId: id,
        status: order.status,
      });
      return { order, fills: [] };
    }
    const now = this.#clock.now();
    const count = (this.#notFound.get(id) ?? 0) + 1;
    this.#notFound.set(id, count);
    const age = now - order.createdAt;
    if (count >= this.#checks && age >= this.#windowMs) {
      // "Not found" is no proof while the exchange's trades show the order, or cannot be read.
      const evidence = await this.#tradesOf(order);
      if (evidence === null) return { order, fills: [] };
      if (evidence.length > 0) return this.#adoptFromTrades(order, evidence);
      const failed = await this.#update(id, {
        status: 'failed',
        reason: `never placed: not found on ${this.#broker.name} by client id ${count} times over ${age} ms since creation`,
      });
      this.#notFound.delete(id);
      this.#logger.warn('order proven never placed', { clientOrderId: id, checks: count });
      return { order: failed, fills: [] };
    }
    this.#logger.info('order not found yet; within its grace', {
      clientOrderId: id,
      checks: count,
      ageMs: age,
    });
    return { order, fills: [] };
  }

  /**
   * The exchange's trades of an order since its creation, by client id (or exchange id); `null`
   * when they cannot be read (then nothing can be proven about it).
   */
  async #tradesOf(order: Order): Promise<Fill[] | null> {
    try {
      return await this.#fetchTradesOf(order);
    } catch (error) {
      this.#logger.warn(
        'not found by client id, but the trades cannot be read to prove it never placed; it stays as it is',
        { clientOrderId: order.clientOrderId, error: describe(error) },
      );
      return null;
    }
  }

  /**
   * Adopts an order that lookups do not find but whose trades the exchange shows: its exchange
   * id, filled quantity and average price from the trades (`filled` when they cover its
   * quantity, else `partially_filled`, refreshed later), and the trades as its fills.
   */
  async #adoptFromTrades(order: Order, trades: readonly Fill[]): Promise<OrderSync> {
    const filled = sum(trades.map((trade) => trade.quantity));
    const value = sum(trades.map((trade) => trade.quantity * trade.price));
    const complete = filled >= order.quantity || closeEnough(filled, order.quantity);
    const exchangeOrderId =
      trades.find((trade) => trade.exchangeOrderId !== null)?.exchangeOrderId ?? null;
    if (exchangeOrderId === null && !complete) {
      // A partly filled order without its exchange id could not be refreshed: wait for a lookup.
      this.#logger.warn('trades show a partly filled order that lookups do not find yet', {
        clientOrderId: order.clientOrderId,
        filled,
      });
      return { order, fills: [] };
    }
    this.#notFound.delete(order.clientOrderId);
    this.#logger.warn('not found by client id, but its trades show it: adopted from the trades', {
      clientOrderId: order.clientOrderId,
      from: order.status,
      filled,
    });
    const now = this.#clock.now();
    return this.#adopt(order, {
      exchangeOrderId: exchangeOrderId ?? order.exchangeOrderId ?? order.clientOrderId,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      status: complete ? 'filled' : 'partially_filled',
      quantity: order.quantity,
      filledQuantity: Math.min(filled, order.quantity),
      avgFillPrice: filled > 0 ? value / filled : null,
      limitPrice: order.limitPrice,
      stopPrice: order.stopPrice,
      fee: 0,
      feeCurrency: null,
      createdAt: order.createdAt,
      updatedAt: now,
    });
  }

  /**
   * Resurrects a `failed` order that the exchange shows after all (found by client id, or its
   * trades listed): it takes the exchange's status and its fills are stored, so a fill is never
   * lost to a lookup that lagged past the grace window. Any other order is resolved or
   * refreshed as usual.
   *
   * @throws {ValidationError} when no order has this client id.
   * @throws broker errors of the lookup; {@link StorageError} when the store fails.
   */
  async resurrect(clientOrderId: string): Promise<OrderSync> {
    const order = await this.#mustGet(clientOrderId);
    if (order.status !== 'failed') return this.refresh(clientOrderId);
    let found: BrokerOrder | null;
    try {
      found = await this.#broker.fetchOrderByClientId(order.symbol, clientOrderId);
    } catch (error) {
      if (!OrderNotFoundError.isInstance(error)) throw error;
      found = null;
    }
    if (found === null) {
      const trades = await this.#tradesOf(order);
      if (trades === null || trades.length === 0) return { order, fills: [] };
      return this.#adoptFromTrades(order, trades);
    }
    if (found.status === 'rejected') return { order, fills: [] };
    this.#logger.error('an order proven never placed is on the exchange after all: resurrected', {
      clientOrderId,
      status: found.status,
      filled: found.filledQuantity,
    });
    return this.#adopt(order, found);
  }

  async #refreshOrder(order: Order): Promise<OrderSync> {
    if (isFinalOrderStatus(order.status)) return { order, fills: await this.#syncFills(order) };
    if (
      order.exchangeOrderId === null ||
      order.status === 'pending' ||
      order.status === 'unknown'
    ) {
      return this.#resolveOrder(order, false);
    }
    return this.#adopt(order, await this.#broker.fetchOrder(order.symbol, order.exchangeOrderId));
  }

  /** Stores what the exchange says about an order (only what changed), then its new fills. */
  async #adopt(order: Order, exchangeOrder: BrokerOrder): Promise<OrderSync> {
    const id = order.clientOrderId;
    if (exchangeOrder.clientOrderId !== null && exchangeOrder.clientOrderId !== id) {
      throw new DataIntegrityError(
        `${id}: the broker answered with order ${exchangeOrder.exchangeOrderId} of client id ${exchangeOrder.clientOrderId}`,
      );
    }
    const update: Mutable<OrderUpdate> = { updatedAt: this.#clock.now() };
    let changed = false;
    if (exchangeOrder.status !== order.status) {
      update.status = exchangeOrder.status;
      changed = true;
    }
    if (exchangeOrder.exchangeOrderId !== order.exchangeOrderId) {
      update.exchangeOrderId = exchangeOrder.exchangeOrderId;
      changed = true;
    }
    // A read can lag a fill the store already has: quantities and fees never go back.
    if (exchangeOrder.filledQuantity > order.filledQuantity) {
      update.filledQuantity = exchangeOrder.filledQuantity;
      if (exchangeOrder.avgFillPrice !== null) update.avgFillPrice = exchangeOrder.avgFillPrice;
      changed = true;
    } else if (order.avgFillPrice === null && exchangeOrder.avgFillPrice !== null) {
      update.avgFillPrice = exchangeOrder.avgFillPrice;
      changed = true;
    }
    if (exchangeOrder.fee > order.fee) {
      update.fee = exchangeOrder.fee;
      changed = true;
    }
    if (exchangeOrder.feeCurrency !== null && exchangeOrder.feeCurrency !== order.feeCurrency) {
      update.feeCurrency = exchangeOrder.feeCurrency;
      changed = true;
    }
    const stored = changed ? await this.#orders.updateOrder(id, update) : order;
    if (update.status !== undefined) {
      this.#logger.info('order status changed', {
        clientOrderId: id,
        from: order.status,
        to: stored.status,
        filled: stored.filledQuantity,
      });
    }
    if (!(stored.filledQuantity > 0)) return { order: stored, fills: [] };
    const { added, all } = await this.#syncFillsOf(stored);
    return { order: await this.#feeFromFills(stored, all), fills: added };
  }

  /**
   * An order whose answer carried no fee (a lookup by id or client id: Binance reports fees only
   * with trades) takes the sum of its stored fills' fees, when they are in one currency.
   */
  async #feeFromFills(order: Order, fills: readonly Fill[]): Promise<Order> {
    // One pass, no set or list: the fees must be in one currency.
    const currency = fills[0]?.feeCurrency;
    if (currency === undefined) return order;
    let fee = 0;
    for (const fill of fills) {
      if (fill.feeCurrency !== currency) return order;
      fee += fill.fee;
    }
    if (order.feeCurrency !== null && order.feeCurrency !== currency) return order;
    if (!(fee > order.fee) || closeEnough(fee, order.fee)) return order;
    return this.#update(order.clientOrderId, { fee, feeCurrency: currency });
  }

  /**
   * The exchange's trades of an order (by exchange id or client id) since a little before its
   * creation, oldest first.
   *
   * @throws the broker's error of `fetchFills`.
   */
  async #fetchTradesOf(order: Order): Promise<Fill[]> {
    const trades = await this.#broker.fetchFills(
      order.symbol,
      Math.max(0, order.createdAt - fillLookbackSlackMs),
    );
    return trades
      .filter(
        (trade) =>
          (order.exchangeOrderId !== null && trade.exchangeOrderId === order.exchangeOrderId) ||
          trade.clientOrderId === order.clientOrderId,
      )
      .sort((a, b) => a.time - b.time);
  }

  async #syncFills(order: Order): Promise<Fill[]> {
    return (await this.#syncFillsOf(order)).added;
  }

  /** Stores an order's missing fills; returns those added and every fill it now has. */
  async #syncFillsOf(order: Order): Promise<{ added: Fill[]; all: readonly Fill[] }> {
    if (order.filledQuantity <= 0) return { added: [], all: [] };
    const id = order.clientOrderId;
    const stored = await this.#orders.listFills({ clientOrderId: id });
    let storedQuantity = quantityOf(stored);
    if (fillsCover(storedQuantity, order.filledQuantity)) return { added: [], all: stored };
    const trades = await this.#fetchTradesOf(order);
    const known = new Set<string>();
    for (const fill of stored) known.add(fill.tradeId);
    const added: Fill[] = [];
    const store = async (fill: Fill): Promise<void> => {
      if (!(await this.#orders.saveFill(fill))) return;
      storedQuantity += fill.quantity;
      added.push(fill);
      await this.#onFill?.(fill, order);
    };
    for (const trade of trades) {
      if (known.has(trade.tradeId)) continue;
      const after = storedQuantity + trade.quantity;
      if (after > order.filledQuantity && !closeEnough(after, order.filledQuantity)) {
        this.#logger.warn('trade beyond the order filled quantity; left for a later sync', {
          clientOrderId: id,
          tradeId: trade.tradeId,
          filled: order.filledQuantity,
        });
        continue;
      }
      await store({
        ...trade,
        clientOrderId: id,
        exchangeOrderId: order.exchangeOrderId ?? trade.exchangeOrderId,
      });
    }
    if (trades.length === 0 && !closeEnough(storedQuantity, order.filledQuantity)) {
      await store(this.#syntheticFill(order, stored));
    }
    return { added, all: added.length === 0 ? stored : [...stored, ...added] };
  }

  /** One fill for the part of an order's filled quantity that no stored fill covers. */
  #syntheticFill(order: Order, stored: readonly Fill[]): Fill {
    const average = order.avgFillPrice;
    if (average === null || !(average > 0)) {
      throw new DataIntegrityError(
        `${order.clientOrderId}: the broker reports ${order.filledQuantity} filled without trades or an average price`,
      );
    }
    const storedQuantity = quantityOf(stored);
    const storedValue = sum(stored.map((fill) => fill.quantity * fill.price));
    const quantity = order.filledQuantity - storedQuantity;
    const price = (average * order.filledQuantity - storedValue) / quantity;
    return {
      tradeId: `${order.clientOrderId}:${order.filledQuantity}`,
      clientOrderId: order.clientOrderId,
      exchangeOrderId: order.exchangeOrderId,
      symbol: order.symbol,
      side: order.side,
      quantity,
      price: Number.isFinite(price) && price > 0 ? price : average,
      fee: Math.max(0, order.fee - sum(stored.map((fill) => fill.fee))),
      feeCurrency: order.feeCurrency ?? symbolParts(order.symbol).quote,
      time: order.updatedAt,
    };
  }

  #update(clientOrderId: string, update: Omit<OrderUpdate, 'updatedAt'>): Promise<Order> {
    return this.#orders.updateOrder(clientOrderId, { ...update, updatedAt: this.#clock.now() });
  }

  async #mustGet(clientOrderId: string): Promise<Order> {
    const order = await this.#orders.getOrder(clientOrderId);
    if (order === null) {
      throw new ValidationError(`no order with client id ${clientOrderId} is stored`);
    }
    return order;
  }
}
