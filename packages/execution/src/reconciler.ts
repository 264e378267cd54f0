/**
 * The reconciler: brings the store in line with the exchange (DESIGN.md Principle 4). Run it
 * before any trade on start, then periodically: every non-final local order is resolved, exchange
 * orders with our prefix that the store does not know are adopted, foreign ones reported, and
 * missing fills stored once by trade id.
 */
import {
  StorageError,
  TransientError,
  ValidationError,
  isFinalOrderStatus,
  silentLogger,
  type Broker,
  type BrokerOrder,
  type Clock,
  type Logger,
  type LumenLinkErrorOptions,
  type Order,
  type OrderStatus,
  type OrderStore,
  type TimerHandle,
} from '@lumenlink/core';
import { clientOrderIdPrefix } from './client-order-id.js';
import type { OrderManager, OrderSync } from './order-manager.js';

/** Options of a {@link Reconciler}. */
export interface ReconcilerOptions {
  /** The broker the order manager sends to. */
  readonly broker: Broker;
  /** The store the order manager writes. */
  readonly orders: OrderStore;
  readonly clock: Clock;
  /** Resolves, refreshes and adopts orders (one state machine, one place that writes orders). */
  readonly manager: OrderManager;
  /** Client order id prefix that marks an exchange order as ours (default `ll`). */
  readonly prefix?: string;
  /**
   * Orders created this long ago or later (default 24 h) get their missing fills fetched, even
   * when final: a trade the exchange reported late is still stored once.
   */
  readonly fillLookbackMs?: number;
  readonly logger?: Logger;
  /** An open exchange order without our prefix (placed by hand or another bot): reported only. */
  readonly onForeignOrder?: (order: BrokerOrder) => void;
  /** An exchange order with our prefix that the store lacked, now stored. */
  readonly onAdopted?: (order: Order) => void;
  /** An open exchange order with our prefix whose stored order is final: alert an operator. */
  readonly onConflict?: (exchangeOrder: BrokerOrder, stored: Order) => void;
  /** A periodic run failed (the next run is still scheduled). */
  readonly onError?: (error: unknown) => void;
}

/** One order the reconciler could not bring up to date. */
export interface ReconcileFailure {
  readonly clientOrderId: string;
  readonly error: unknown;
}

/** What one reconciliation found and did. */
export interface ReconcileReport {
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Non-final local orders looked up. */
  readonly checked: number;
  /** Of those, how many changed status. */
  readonly changed: number;
  /** Of those, how many became `failed` (proven never placed). */
  readonly failed: number;
  /** Local orders by status after the run (the checked ones only). */
  readonly outcomes: Readonly<Partial<Record<OrderStatus, number>>>;
  /** Client ids of exchange orders with our prefix that were missing locally, now stored. */
  readonly adopted: readonly string[];
  /** Exchange ids of open exchange orders without our prefix: reported, never touched. */
  readonly foreign: readonly string[];
  /**
   * Client ids of open exchange orders with our prefix whose stored order is final (e.g. proven
   * `failed`, yet the exchange has it): the store cannot follow, an operator must look.
   */
  readonly conflicts: readonly string[];
  /** Fills newly stored by this run. */
  readonly fills: number;
  /** Orders that could not be brought up to date; empty when the run is complete. */
  readonly failures: readonly ReconcileFailure[];
}

/**
 * A reconciliation could not bring every order up to date (a lookup failed, the exchange
 * reported an illegal status change, ...). Do not trade on an incomplete picture: `report` holds
 * what was done and `report.failures` what was not. Transient: the next run may succeed.
 */
export class ReconcileError extends TransientError {
  readonly code = 'RECONCILE_INCOMPLETE';
  readonly report: ReconcileReport;

  constructor(report: ReconcileReport, options: LumenLinkErrorOptions = {}) {
    const ids = report.failures.map((failure) => failure.clientOrderId);
    super(
      `reconciliation incomplete: ${ids.length} order(s) could not be brought up to date (${ids.join(', ')})`,
      options,
    );
    this.report = report;
  }
}

const defaultFillLookbackMs = 24 * 60 * 60 * 1_000;

/**
 * Reconciles stored orders with the exchange, once or periodically.
 *
 * @example
 * ```ts
 * const reconciler = new Reconciler({ broker, orders: store.orders, clock, manager });
 * await reconciler.reconcile(); // before the first trade: throws ReconcileError if incomplete
 * reconciler.start(config.reconcileIntervalMs); // then every RECONCILE_INTERVAL_MS
 * // on shutdown
 * reconciler.stop();
 * ```
 */
export class Reconciler {
  readonly #broker: Broker;
  readonly #orders: OrderStore;
  readonly #clock: Clock;
  readonly #manager: OrderManager;
  readonly #prefix: string;
  readonly #fillLookbackMs: number;
  readonly #logger: Logger;
  readonly #onForeignOrder: ((order: BrokerOrder) => void) | undefined;
  readonly #onAdopted: ((order: Order) => void) | undefined;
  readonly #onConflict: ((exchangeOrder: BrokerOrder, stored: Order) => void) | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;
  #running: Promise<ReconcileReport> | null = null;
  #timer: TimerHandle | null = null;
  #intervalMs: number | null = null;

  /** @throws {ValidationError} for an empty prefix or a negative fill lookback. */
  constructor(options: ReconcilerOptions) {
    const prefix = options.prefix ?? clientOrderIdPrefix;
    if (prefix === '') throw new ValidationError('Reconciler: prefix is empty');
    const fillLookbackMs = options.fillLookbackMs ?? defaultFillLookbackMs;
    if (!Number.isSafeInteger(fillLookbackMs) || fillLookbackMs < 0) {
      throw new ValidationError(
        `Reconciler: fillLookbackMs ${fillLookbackMs} is not an integer >= 0`,
      );
    }
    this.#broker = options.broker;
    this.#orders = options.orders;
    this.#clock = options.clock;
    this.#manager = options.manager;
    this.#prefix = prefix;
    this.#fillLookbackMs = fillLookbackMs;
    this.#logger = (options.logger ?? silentLogger).child({ module: 'reconciler' });
    this.#onForeignOrder = options.onForeignOrder;
    this.#onAdopted = options.onAdopted;
    this.#onConflict = options.onConflict;
    this.#onError = options.onError;
  }

  /** Whether periodic runs are scheduled. */
  get started(): boolean {
    return this.#intervalMs !== null;
  }

  /**
   * Runs one reconciliation; a call while one runs returns that run (runs never overlap).
   *
   * 1. Every non-final local order: `pending`/`unknown` resolved by client id (becoming `failed`
   *    only after the manager's not-found grace), `open`/`partially_filled` refreshed by exchange
   *    id; fills stored once.
   * 2. Open exchange orders: ours (prefix) missing from the store are adopted; ours whose stored
   *    order is final are conflicts; others are foreign and only reported.
   * 3. Recent filled orders whose stored fills fall short get their missing fills.
   *
   * @throws {ReconcileError} when some order could not be brought up to date (after doing all
   *   the rest); its `report` says what was done.
   * @throws {StorageError} when the store fails (nothing can be trusted then); broker errors of
   *   `fetchOpenOrders` as thrown.
   */
  reconcile(): Promise<ReconcileReport> {
    if (this.#running !== null) return this.#running;
    const run = this.#reconcile().finally(() => {
      this.#running = null;
    });
    this.#running = run;
    return run;
  }

  /**
   * Runs {@link Reconciler.reconcile} every `intervalMs` of the clock, the next run scheduled
   * when the previous one ends (never overlapping). The first run is `intervalMs` from now: run
   * `reconcile()` yourself before trading. A failed run is logged and given to `onError`.
   *
   * @throws {ValidationError} when `intervalMs` is not a positive integer or it already runs.
   */
  start(intervalMs: number): void {
    if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
      throw new ValidationError(`Reconciler.start: intervalMs ${intervalMs} is not an integer > 0`);
    }
    if (this.#intervalMs !== null) throw new ValidationError('Reconciler.start: already started');
    this.#intervalMs = intervalMs;
    this.#schedule();
  }

  /** Stops the periodic runs; a run in progress finishes but schedules no other. */
  stop(): void {
    this.#intervalMs = null;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    const intervalMs = this.#intervalMs;
    if (intervalMs === null) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      void this.reconcile()
        .catch((error: unknown) => {
          this.#logger.error('periodic reconciliation failed', {
            error: error instanceof Error ? error.message : String(error),
          });
          this.#onError?.(error);
        })
        .finally(() => this.#schedule());
    }, intervalMs);
  }

  async #reconcile(): Promise<ReconcileReport> {
    const startedAt = this.#clock.now();
    const failures: ReconcileFailure[] = [];
    const outcomes: Partial<Record<OrderStatus, number>> = {};
    let changed = 0;
    let failed = 0;
    let fills = 0;
    const attempt = async (
      clientOrderId: string,
      operation: () => Promise<OrderSync>,
    ): Promise<OrderSync | null> => {
      try {
        const sync = await operation();
        fills += sync.fills.length;
        return sync;
      } catch (error) {
        if (error instanceof StorageError) throw error;
        this.#logger.error('could not reconcile an order', {
          clientOrderId,
          error: error instanceof Error ? error.message : String(error),
        });
        failures.push({ clientOrderId, error });
        return null;
      }
    };

    // 1. Local orders not final.
    const local = await this.#orders.listNonFinalOrders();
    for (const order of local) {
      const id = order.clientOrderId;
      const sync = await attempt(id, () =>
        order.status === 'pending' || order.status === 'unknown'
          ? this.#manager.resolve(id)
          : this.#manager.refresh(id),
      );
      const status = sync?.order.status ?? order.status;
      outcomes[status] = (outcomes[status] ?? 0) + 1;
      if (status !== order.status) changed += 1;
      if (status === 'failed' && order.status !== 'failed') failed += 1;
    }

    // 2. Exchange open orders: adopt ours the store lacks, report the rest.
    const adopted: string[] = [];
    const foreign: string[] = [];
    const conflicts: string[] = [];
    for (const exchangeOrder of await this.#broker.fetchOpenOrders()) {
      const id = exchangeOrder.clientOrderId;
      if (id === null || !id.startsWith(this.#prefix)) {
        foreign.push(exchangeOrder.exchangeOrderId);
        this.#logger.warn('foreign open order on the exchange; left alone', {
          exchangeOrderId: exchangeOrder.exchangeOrderId,
          clientOrderId: id,
          symbol: exchangeOrder.symbol,
        });
        this.#onForeignOrder?.(exchangeOrder);
        continue;
      }
      const stored = await this.#orders.getOrder(id);
      if (stored === null) {
        const sync = await attempt(id, () => this.#manager.adoptExchangeOrder(exchangeOrder));
        if (sync !== null) {
          adopted.push(id);
          this.#onAdopted?.(sync.order);
        }
      } else if (isFinalOrderStatus(stored.status)) {
        conflicts.push(id);
        this.#logger.error('exchange has an open order the store holds as final', {
          clientOrderId: id,
          stored: stored.status,
          exchange: exchangeOrder.status,
        });
        this.#onConflict?.(exchangeOrder, stored);
      }
    }

    // 3. Missing fills of recent orders (a trade reported after its order ended).
    const recent = await this.#orders.listOrders({ since: startedAt - this.#fillLookbackMs });
    for (const order of recent) {
      if (
        order.filledQuantity <= 0 ||
        failures.some((f) => f.clientOrderId === order.clientOrderId)
      )
        continue;
      await attempt(order.clientOrderId, () => this.#manager.syncFills(order.clientOrderId));
    }

    const report: ReconcileReport = {
      startedAt,
      finishedAt: this.#clock.now(),
      checked: local.length,
      changed,
      failed,
      outcomes,
      adopted,
      foreign,
      conflicts,
      fills,
      failures,
    };
    this.#logger.info('reconciled', {
      checked: report.checked,
      changed,
      failed,
      adopted: adopted.length,
      foreign: foreign.length,
      conflicts: conflicts.length,
      fills,
      failures: failures.length,
    });
    if (failures.length > 0) {
      throw new ReconcileError(report, {
        cause: new AggregateError(
          failures.map((failure) => failure.error),
          'per-order reconciliation errors',
        ),
      });
    }
    return report;
  }
}
