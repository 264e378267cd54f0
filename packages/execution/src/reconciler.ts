/**
 * The reconciler: brings the store in line with the exchange (docs/architecture/order-lifecycle.md). Run it
 * before any trade on start, then periodically: every non-final local order is resolved, exchange
 * orders with our exact client id format that the store does not know are adopted, foreign ones
 * reported, missing fills stored once by trade id, and the exchange's recent trades of each
 * traded symbol swept for fills of ours the store lacks (a `failed` order they show is
 * resurrected), so a fill is never lost.
 */
import {
  LumenLinkError,
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
  type Fill,
  type Order,
  type OrderStatus,
  type OrderStore,
  type SymbolId,
  type TimerHandle,
} from '@lumenlink/core';
import { isOurClientOrderId } from './client-order-id.js';
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
  /**
   * Whether a client order id is ours (default: exactly LumenLink's format, `ll` + 30 lowercase
   * base32 characters, `isOurClientOrderId`). Anything else is foreign: reported, never adopted,
   * even when it merely starts with `ll`.
   */
  readonly isOurs?: (clientOrderId: string) => boolean;
  /**
   * Orders created this long ago or later (default 24 h) get their missing fills fetched, even
   * when final: a trade the exchange reported late is still stored once. Also how far back the
   * first trade sweep of each symbol looks.
   */
  readonly fillLookbackMs?: number;
  /**
   * The traded symbols: their open orders are listed one symbol at a time (cheaper than all at
   * once), and their recent exchange trades are swept for fills of ours the store lacks (an
   * order proven `failed` that the exchange shows after all is resurrected; an order of ours
   * missing from the store is adopted) and for foreign trades (reported). The symbols of the
   * stored orders (not final, or recent) are always added, so a symbol dropped from this list
   * is still watched. Left out: open orders of every symbol, and the stored orders' symbols
   * swept.
   */
  readonly symbols?: readonly SymbolId[];
  /** How often the trade sweep runs, in ms of the clock (default 60 000; 0: every run). */
  readonly tradeSweepIntervalMs?: number;
  readonly logger?: Logger;
  /** An open exchange order not ours (placed by hand or another bot): reported only. */
  readonly onForeignOrder?: (order: BrokerOrder) => void;
  /** An exchange order of ours that the store lacked, now stored. */
  readonly onAdopted?: (order: Order) => void;
  /** An order proven `failed` that the exchange shows after all, resurrected with its fills. */
  readonly onResurrected?: (order: Order) => void;
  /** A trade of a traded symbol by an order not ours (a manual trade): reported once. */
  readonly onForeignTrade?: (fill: Fill) => void;
  /** An open exchange order of ours whose stored order is final: alert an operator. */
  readonly onConflict?: (exchangeOrder: BrokerOrder, stored: Order) => void;
  /** A periodic run failed (the next run is still scheduled). */
  readonly onError?: (error: unknown) => void;
}

/** One order the reconciler could not bring up to date. */
export interface ReconcileFailure {
  /** The order's client id, or `trades:<symbol>` for a trade sweep that failed. */
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
  /** Client ids of exchange orders of ours that were missing locally, now stored. */
  readonly adopted: readonly string[];
  /** Client ids of orders proven `failed` that the exchange showed after all, resurrected. */
  readonly resurrected: readonly string[];
  /** Exchange ids of open exchange orders not ours: reported, never touched. */
  readonly foreign: readonly string[];
  /** Trade ids of trades by orders not ours found by the trade sweep (first seen this run). */
  readonly foreignTrades: readonly string[];
  /**
   * Client ids of open exchange orders of ours whose stored order is final (filled, canceled,
   * rejected, expired; a `failed` one is resurrected instead): an operator must look.
   */
  readonly conflicts: readonly string[];
  /** Fills newly stored by this run. */
  readonly fills: number;
  /** Orders that could not be brought up to date; empty when the run is complete. */
  readonly failures: readonly ReconcileFailure[];
  /**
   * Symbols whose trade sweep failed (`trades:<symbol>`): retried next run. Not a failure of
   * the run: the steps above brought every known order up to date.
   */
  readonly sweepFailures: readonly ReconcileFailure[];
}

/**
 * A reconciliation could not bring every order up to date (a lookup failed, the exchange
 * reported an illegal status change, ...). Do not trade on an incomplete picture: `report` holds
 * what was done and `report.failures` what was not. Transient: the next run may succeed.
 */
export class ReconcileError extends TransientError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.ReconcileError');
  }

  /** Whether `value` is a {@link ReconcileError}, from any copy of this package. */
  static override isInstance(value: unknown): value is ReconcileError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.ReconcileError');
  }

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

/** What one symbol's trade sweep found and did. */
interface SweepResult {
  readonly adopted: string[];
  readonly resurrected: string[];
  readonly foreignTrades: string[];
  readonly fills: Fill[];
  /**
   * Time of the oldest trade of ours still without its stored fill (its order not found yet,
   * its trades unreadable), or `null`: the next sweep looks back to it.
   */
  readonly unresolvedFrom: number | null;
}

const defaultFillLookbackMs = 24 * 60 * 60 * 1_000;
const defaultTradeSweepIntervalMs = 60_000;
/** A sweep looks back this much before the previous one (trades reported a little late). */
const sweepOverlapMs = 5 * 60_000;
/** Foreign trade ids remembered, so each is reported once. */
const foreignTradeMemory = 10_000;

/**
 * Reconciles stored orders with the exchange, once or periodically.
 *
 * @example
 * ```ts
 * const reconciler = new Reconciler({ broker, orders: store.orders, clock, manager, symbols });
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
  readonly #isOurs: (clientOrderId: string) => boolean;
  readonly #fillLookbackMs: number;
  readonly #symbols: readonly SymbolId[] | null;
  readonly #tradeSweepIntervalMs: number;
  readonly #logger: Logger;
  readonly #onForeignOrder: ((order: BrokerOrder) => void) | undefined;
  readonly #onAdopted: ((order: Order) => void) | undefined;
  readonly #onResurrected: ((order: Order) => void) | undefined;
  readonly #onForeignTrade: ((fill: Fill) => void) | undefined;
  readonly #onConflict: ((exchangeOrder: BrokerOrder, stored: Order) => void) | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;
  /** Up to when each symbol's trades are swept: every trade of ours before it stored (epoch ms). */
  readonly #sweptAt = new Map<SymbolId, number>();
  readonly #foreignTradesSeen = new Set<string>();
  #lastSweepAt: number | null = null;
  #running: Promise<ReconcileReport> | null = null;
  #timer: TimerHandle | null = null;
  #intervalMs: number | null = null;

  /** @throws {ValidationError} for a negative fill lookback or trade sweep interval. */
  constructor(options: ReconcilerOptions) {
    const fillLookbackMs = options.fillLookbackMs ?? defaultFillLookbackMs;
    if (!Number.isSafeInteger(fillLookbackMs) || fillLookbackMs < 0) {
      throw new ValidationError(
        `Reconciler: fillLookbackMs ${fillLookbackMs} is not an integer >= 0`,
      );
    }
    const sweepMs = options.tradeSweepIntervalMs ?? defaultTradeSweepIntervalMs;
    if (!Number.isSafeInteger(sweepMs) || sweepMs < 0) {
      throw new ValidationError(
        `Reconciler: tradeSweepIntervalMs ${sweepMs} is not an integer >= 0`,
      );
    }
    this.#broker = options.broker;
    this.#orders = options.orders;
    this.#clock = options.clock;
    this.#manager = options.manager;
    this.#isOurs = options.isOurs ?? isOurClientOrderId;
    this.#fillLookbackMs = fillLookbackMs;
    this.#symbols = options.symbols ?? null;
    this.#tradeSweepIntervalMs = sweepMs;
    this.#logger = (options.logger ?? silentLogger).child({ module: 'reconciler' });
    this.#onForeignOrder = options.onForeignOrder;
    this.#onAdopted = options.onAdopted;
    this.#onResurrected = options.onResurrected;
    this.#onForeignTrade = options.onForeignTrade;
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
   * 2. Open exchange orders: ours (exact client id format) missing from the store are adopted;
   *    ours stored `failed` are resurrected; ours whose stored order is otherwise final are
   *    conflicts; others are foreign and only reported.
   * 3. Recent filled orders whose stored fills fall short get their missing fills.
   * 4. The trade sweep (every `tradeSweepIntervalMs`, and on the first run): each traded
   *    symbol's exchange trades since the last sweep; a trade of ours not stored as a fill gets
   *    its order resurrected (`failed`), adopted (missing) or its fills synced; a trade of an
   *    order not ours is reported once (a manual trade).
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
    /** Runs one step; a failure other than storage is recorded and the run goes on. */
    const guarded = async <T>(what: string, operation: () => Promise<T>): Promise<T | null> => {
      try {
        return await operation();
      } catch (error) {
        if (StorageError.isInstance(error)) throw error;
        this.#logger.error('could not reconcile', {
          what,
          error: error instanceof Error ? error.message : String(error),
        });
        failures.push({ clientOrderId: what, error });
        return null;
      }
    };
    const attempt = async (
      clientOrderId: string,
      operation: () => Promise<OrderSync>,
    ): Promise<OrderSync | null> => {
      const sync = await guarded(clientOrderId, operation);
      if (sync !== null) fills += sync.fills.length;
      return sync;
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

    // 2. Exchange open orders: adopt ours the store lacks, resurrect ours proven failed, report
    // the rest.
    const adopted: string[] = [];
    const resurrected: string[] = [];
    const foreign: string[] = [];
    const conflicts: string[] = [];
    for (const exchangeOrder of await this.#openOrders(local)) {
      const id = exchangeOrder.clientOrderId;
      if (id === null || !this.#isOurs(id)) {
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
      } else if (stored.status === 'failed') {
        const sync = await attempt(id, () => this.#manager.resurrect(id));
        if (sync !== null && sync.order.status !== 'failed') {
          resurrected.push(id);
          this.#onResurrected?.(sync.order);
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

    // 4. The trade sweep: trades of ours the store lacks, and foreign trades.
    const foreignTrades: string[] = [];
    const sweepFailures: ReconcileFailure[] = [];
    if (this.#lastSweepAt === null || startedAt - this.#lastSweepAt >= this.#tradeSweepIntervalMs) {
      this.#lastSweepAt = startedAt;
      // The traded symbols and those of the recent orders: a dropped symbol is still swept.
      for (const symbol of this.#withSymbolsOf(recent)) {
        let found: SweepResult;
        try {
          found = await this.#sweep(symbol, startedAt);
        } catch (error) {
          // The sweep is a safety net over the steps above: its failure (e.g. trades whose
          // order the exchange cannot find yet) is reported and retried, not a failed run.
          if (StorageError.isInstance(error)) throw error;
          this.#logger.warn('trade sweep failed; retried next run', {
            symbol,
            error: error instanceof Error ? error.message : String(error),
          });
          sweepFailures.push({ clientOrderId: `trades:${symbol}`, error });
          continue;
        }
        adopted.push(...found.adopted);
        resurrected.push(...found.resurrected);
        foreignTrades.push(...found.foreignTrades);
        fills += found.fills.length;
        // Never past a trade of ours left unresolved: the next sweep lists it again.
        this.#sweptAt.set(symbol, Math.min(startedAt, found.unresolvedFrom ?? startedAt));
      }
    }

    const report: ReconcileReport = {
      startedAt,
      finishedAt: this.#clock.now(),
      checked: local.length,
      changed,
      failed,
      outcomes,
      adopted,
      resurrected,
      foreign,
      foreignTrades,
      conflicts,
      fills,
      failures,
      sweepFailures,
    };
    this.#logger.info('reconciled', {
      checked: report.checked,
      changed,
      failed,
      adopted: adopted.length,
      resurrected: resurrected.length,
      foreign: foreign.length,
      foreignTrades: foreignTrades.length,
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
  /**
   * The exchange's open orders: of each traded symbol when they are known (Binance weighs an
   * all-symbol listing 80, one symbol 6), and of each symbol with an order of ours not final
   * (one dropped from the traded symbols keeps being watched); else of every symbol.
   */
  async #openOrders(local: readonly Order[]): Promise<BrokerOrder[]> {
    if (this.#symbols === null) return this.#broker.fetchOpenOrders();
    const open: BrokerOrder[] = [];
    for (const symbol of this.#withSymbolsOf(local)) {
      open.push(...(await this.#broker.fetchOpenOrders(symbol)));
    }
    return open;
  }

  /** The traded symbols (if given) and those of `orders`, each once. */
  #withSymbolsOf(orders: readonly Order[]): SymbolId[] {
    return [...new Set([...(this.#symbols ?? []), ...orders.map((order) => order.symbol)])];
  }

  /** One symbol's trades since its last sweep: ours stored, foreign ones reported once. */
  async #sweep(symbol: SymbolId, startedAt: number): Promise<SweepResult> {
    const previous = this.#sweptAt.get(symbol);
    const since = Math.max(
      0,
      startedAt - this.#fillLookbackMs,
      previous === undefined ? 0 : previous - sweepOverlapMs,
    );
    const trades = await this.#broker.fetchFills(symbol, since);
    const storedIds = new Set(
      (await this.#orders.listFills({ symbol, since: since - sweepOverlapMs })).map(
        (fill) => fill.tradeId,
      ),
    );
    const result = {
      adopted: [] as string[],
      resurrected: [] as string[],
      foreignTrades: [] as string[],
      fills: [] as Fill[],
    };
    const handled = new Set<string>();
    for (const trade of trades) {
      if (storedIds.has(trade.tradeId)) continue;
      const id = trade.clientOrderId;
      if (!this.#isOurs(id)) {
        if (this.#foreignTradesSeen.has(trade.tradeId)) continue;
        this.#rememberForeign(trade.tradeId);
        result.foreignTrades.push(trade.tradeId);
        this.#logger.warn('a trade of an order not ours (a manual trade?)', {
          symbol,
          tradeId: trade.tradeId,
          side: trade.side,
          quantity: trade.quantity,
        });
        this.#onForeignTrade?.(trade);
        continue;
      }
      if (handled.has(id)) continue;
      handled.add(id);
      const stored = await this.#orders.getOrder(id);
      if (stored === null) {
        const exchangeOrder = await this.#broker.fetchOrderByClientId(symbol, id);
        if (exchangeOrder === null) {
          this.#logger.warn('a trade of ours whose order is not found yet; next sweep', {
            clientOrderId: id,
            tradeId: trade.tradeId,
          });
          continue;
        }
        const sync = await this.#manager.adoptExchangeOrder(exchangeOrder);
        result.adopted.push(id);
        result.fills.push(...sync.fills);
        this.#onAdopted?.(sync.order);
      } else if (stored.status === 'failed') {
        const sync = await this.#manager.resurrect(id);
        result.fills.push(...sync.fills);
        if (sync.order.status !== 'failed') {
          result.resurrected.push(id);
          this.#onResurrected?.(sync.order);
        }
      } else {
        const sync = await this.#manager.refresh(id);
        result.fills.push(...sync.fills);
      }
    }
    if (handled.size === 0) return { ...result, unresolvedFrom: null };
    // Whatever path handled a trade of ours, it is resolved only once its fill is stored.
    const nowStored = new Set(
      (await this.#orders.listFills({ symbol, since: since - sweepOverlapMs })).map(
        (fill) => fill.tradeId,
      ),
    );
    const unresolved = trades.filter(
      (trade) => handled.has(trade.clientOrderId) && !nowStored.has(trade.tradeId),
    );
    const unresolvedFrom =
      unresolved.length === 0 ? null : Math.min(...unresolved.map((trade) => trade.time));
    return { ...result, unresolvedFrom };
  }

  #rememberForeign(tradeId: string): void {
    if (this.#foreignTradesSeen.size >= foreignTradeMemory) {
      const oldest = this.#foreignTradesSeen.values().next().value;
      if (oldest !== undefined) this.#foreignTradesSeen.delete(oldest);
    }
    this.#foreignTradesSeen.add(tradeId);
  }
}
