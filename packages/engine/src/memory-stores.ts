import {
  DataIntegrityError,
  ValidationError,
  assertOrderUpdate,
  isFinalOrderStatus,
  type AccountSnapshot,
  type Decision,
  type DecisionStore,
  type Fill,
  type Order,
  type OrderStore,
  type OrderUpdate,
  type PortfolioStore,
  type Position,
  type RuntimeStateStore,
  type SymbolId,
  type SymbolPause,
  type PositionAdjustment,
  type Timeframe,
  type TradingStateRecord,
  type TrailingStopState,
} from '@lumenlink/core';

function pushTo<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}

/**
 * Orders and fills in memory, with the rules of the SQLite store: a client order id is used
 * once, every status change follows core's transition table, a fill is kept once per
 * (symbol, trade id). Backtests use it when no database is given.
 */
export class MemoryOrderStore implements OrderStore {
  readonly #orders = new Map<string, Order>();
  readonly #byExchangeId = new Map<string, string>();
  readonly #fills: Fill[] = [];
  /** Trade ids kept, per symbol (a fill is kept once per symbol and trade id). */
  readonly #tradeIds = new Map<SymbolId, Set<string>>();
  /** Fills by client order id and by symbol: lookups stay cheap as a long backtest grows. */
  readonly #fillsByOrder = new Map<string, Fill[]>();
  readonly #fillsBySymbol = new Map<SymbolId, Fill[]>();
  /** Client ids of the orders not final: the sell guard's reads. */
  readonly #nonFinal = new Set<string>();
  /**
   * The orders of each symbol, oldest first (ties by client id, like SQLite), kept sorted as they
   * are inserted: the sell guard's `listOrders({ symbol, since })` is a binary search, so a long
   * backtest stays linear.
   */
  readonly #bySymbol = new Map<SymbolId, Order[]>();

  insertOrder(order: Order): Promise<void> {
    if (this.#orders.has(order.clientOrderId)) {
      return Promise.reject(
        new DataIntegrityError(
          `Order ${order.clientOrderId} is already stored: a client order id is used once (look it up instead of inserting it again)`,
        ),
      );
    }
    if (!(order.quantity > 0) || !Number.isFinite(order.quantity)) {
      return Promise.reject(
        new ValidationError(
          `Order ${order.clientOrderId}: quantity ${order.quantity} must be a finite number > 0`,
        ),
      );
    }
    this.#orders.set(order.clientOrderId, order);
    insertSorted(this.#bySymbol, order);
    if (!isFinalOrderStatus(order.status)) this.#nonFinal.add(order.clientOrderId);
    if (order.exchangeOrderId !== null) {
      this.#byExchangeId.set(order.exchangeOrderId, order.clientOrderId);
    }
    return Promise.resolve();
  }

  updateOrder(clientOrderId: string, update: OrderUpdate): Promise<Order> {
    const current = this.#orders.get(clientOrderId);
    if (current === undefined) {
      return Promise.reject(
        new DataIntegrityError(`updateOrder ${clientOrderId}: no such order is stored`),
      );
    }
    try {
      assertOrderUpdate(current.status, update, clientOrderId);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // The fields an update can give (an undefined one changes nothing), read one by one like
    // the SQLite store's columns: no key enumeration, the order's field order kept.
    const order: { -readonly [K in keyof Order]: Order[K] } = { ...current };
    if (update.exchangeOrderId !== undefined) order.exchangeOrderId = update.exchangeOrderId;
    if (update.status !== undefined) order.status = update.status;
    if (update.filledQuantity !== undefined) order.filledQuantity = update.filledQuantity;
    if (update.avgFillPrice !== undefined) order.avgFillPrice = update.avgFillPrice;
    if (update.fee !== undefined) order.fee = update.fee;
    if (update.feeCurrency !== undefined) order.feeCurrency = update.feeCurrency;
    if (update.reason !== undefined) order.reason = update.reason;
    if (update.updatedAt !== undefined) order.updatedAt = update.updatedAt;
    this.#orders.set(clientOrderId, order);
    const list = this.#bySymbol.get(order.symbol);
    const at = list === undefined ? -1 : indexOfOrder(list, current);
    if (list !== undefined && at >= 0) list[at] = order;
    if (isFinalOrderStatus(order.status)) this.#nonFinal.delete(clientOrderId);
    else this.#nonFinal.add(clientOrderId);
    if (order.exchangeOrderId !== null) {
      this.#byExchangeId.set(order.exchangeOrderId, clientOrderId);
    }
    return Promise.resolve(order);
  }

  getOrder(clientOrderId: string): Promise<Order | null> {
    return Promise.resolve(this.#orders.get(clientOrderId) ?? null);
  }

  getOrderByExchangeId(exchangeOrderId: string): Promise<Order | null> {
    const clientOrderId = this.#byExchangeId.get(exchangeOrderId);
    return Promise.resolve(
      clientOrderId === undefined ? null : (this.#orders.get(clientOrderId) ?? null),
    );
  }

  listNonFinalOrders(): Promise<Order[]> {
    return Promise.resolve(this.#sorted(this.#nonFinal));
  }

  listOrders(
    options: { readonly symbol?: SymbolId; readonly since?: number; readonly limit?: number } = {},
  ): Promise<Order[]> {
    const { symbol, since, limit } = options;
    let orders: Order[];
    if (symbol === undefined) {
      orders = this.#sorted().filter((order) => since === undefined || order.createdAt >= since);
    } else {
      const list = this.#bySymbol.get(symbol) ?? [];
      orders = list.slice(since === undefined ? 0 : firstAtOrAfter(list, since));
    }
    if (limit === undefined) return Promise.resolve(orders);
    return Promise.resolve(limit === 0 ? [] : orders.slice(-limit));
  }

  saveFill(fill: Fill): Promise<boolean> {
    let tradeIds = this.#tradeIds.get(fill.symbol);
    if (tradeIds === undefined) {
      tradeIds = new Set();
      this.#tradeIds.set(fill.symbol, tradeIds);
    } else if (tradeIds.has(fill.tradeId)) {
      return Promise.resolve(false);
    }
    tradeIds.add(fill.tradeId);
    this.#fills.push(fill);
    pushTo(this.#fillsByOrder, fill.clientOrderId, fill);
    pushTo(this.#fillsBySymbol, fill.symbol, fill);
    return Promise.resolve(true);
  }

  listFills(
    options: {
      readonly symbol?: SymbolId;
      readonly clientOrderId?: string;
      readonly since?: number;
    } = {},
  ): Promise<Fill[]> {
    const { symbol, clientOrderId, since } = options;
    // An order's fills (the order manager's read after every fill): its own list, no filter.
    if (clientOrderId !== undefined && symbol === undefined && since === undefined) {
      return Promise.resolve(byTime(this.#fillsByOrder.get(clientOrderId)));
    }
    const candidates =
      clientOrderId !== undefined
        ? (this.#fillsByOrder.get(clientOrderId) ?? [])
        : symbol !== undefined
          ? (this.#fillsBySymbol.get(symbol) ?? [])
          : this.#fills;
    return Promise.resolve(
      candidates
        .filter(
          (fill) =>
            (symbol === undefined || fill.symbol === symbol) &&
            (clientOrderId === undefined || fill.clientOrderId === clientOrderId) &&
            (since === undefined || fill.time >= since),
        )
        .sort((a, b) => a.time - b.time),
    );
  }

  /** The orders (all, or those of `ids`) oldest first, ties by client id like SQLite. */
  #sorted(ids?: Iterable<string>): Order[] {
    const orders =
      ids === undefined
        ? [...this.#orders.values()]
        : [...ids].flatMap((id) => {
            const order = this.#orders.get(id);
            return order === undefined ? [] : [order];
          });
    return orders.sort(
      (a, b) =>
        a.createdAt - b.createdAt ||
        (a.clientOrderId < b.clientOrderId ? -1 : a.clientOrderId > b.clientOrderId ? 1 : 0),
    );
  }
}

/**
 * A copy of `fills` oldest first (stable: ties keep their order), as `filter` + `sort` would
 * give it; fills stored in time order (every backtest's) are copied without a sort.
 */
function byTime(fills: readonly Fill[] | undefined): Fill[] {
  if (fills === undefined) return [];
  for (let index = 1; index < fills.length; index++) {
    if (fills[index]!.time < fills[index - 1]!.time) {
      return fills.slice().sort((a, b) => a.time - b.time);
    }
  }
  return fills.slice();
}

/** Orders compare by creation time, then client id (SQLite's `ORDER BY`). */
function compareOrders(a: Order, b: Order): number {
  return (
    a.createdAt - b.createdAt ||
    (a.clientOrderId < b.clientOrderId ? -1 : a.clientOrderId > b.clientOrderId ? 1 : 0)
  );
}

/** The first index of `list` (sorted) whose order is not before `order`. */
function lowerBound(list: readonly Order[], order: Order): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareOrders(list[middle] as Order, order) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function insertSorted(index: Map<SymbolId, Order[]>, order: Order): void {
  const list = index.get(order.symbol);
  if (list === undefined) {
    index.set(order.symbol, [order]);
    return;
  }
  const last = list[list.length - 1];
  if (last === undefined || compareOrders(last, order) <= 0) list.push(order);
  else list.splice(lowerBound(list, order), 0, order);
}

function indexOfOrder(list: readonly Order[], order: Order): number {
  // The order updated is most often one of the latest (a backtest's is the last or next to it).
  const last = list.length - 1;
  if (list[last] === order) return last;
  if (list[last - 1] === order) return last - 1;
  const at = lowerBound(list, order);
  return list[at]?.clientOrderId === order.clientOrderId ? at : -1;
}

/** The first index of `list` (sorted) created at or after `since`. */
function firstAtOrAfter(list: readonly Order[], since: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((list[middle] as Order).createdAt < since) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Decisions in memory, newest first per symbol, like the SQLite store. */
export class MemoryDecisionStore implements DecisionStore {
  readonly #bySymbol = new Map<SymbolId, Decision[]>();

  recordDecision(decision: Decision): Promise<void> {
    const list = this.#bySymbol.get(decision.symbol) ?? [];
    list.push(decision);
    this.#bySymbol.set(decision.symbol, list);
    return Promise.resolve();
  }

  recentDecisions(symbol: SymbolId, limit: number): Promise<Decision[]> {
    const list = this.#bySymbol.get(symbol) ?? [];
    return Promise.resolve(list.slice(-limit).reverse());
  }

  /** Every decision recorded, oldest first. */
  all(): Decision[] {
    return [...this.#bySymbol.values()].flat().sort((a, b) => a.decidedAt - b.decidedAt);
  }
}

/** Positions and equity snapshots in memory. */
export class MemoryPortfolioStore implements PortfolioStore {
  readonly #positions = new Map<SymbolId, Position>();
  readonly #snapshots: AccountSnapshot[] = [];

  savePosition(position: Position): Promise<void> {
    this.#positions.set(position.symbol, position);
    return Promise.resolve();
  }

  deletePosition(symbol: SymbolId): Promise<void> {
    this.#positions.delete(symbol);
    return Promise.resolve();
  }

  listPositions(): Promise<Position[]> {
    return Promise.resolve([...this.#positions.values()]);
  }

  saveEquitySnapshot(snapshot: AccountSnapshot): Promise<void> {
    this.#snapshots.push(snapshot);
    return Promise.resolve();
  }

  equitySnapshots(from: number, to: number): Promise<AccountSnapshot[]> {
    return Promise.resolve(this.#snapshots.filter((item) => item.at >= from && item.at <= to));
  }
}

/** Trading state, trailing stops and the last processed candles in memory. */
export class MemoryRuntimeStateStore implements RuntimeStateStore {
  #tradingState: TradingStateRecord | null = null;
  readonly #stops = new Map<SymbolId, TrailingStopState>();
  readonly #processed = new Map<string, number>();
  readonly #pauses = new Map<SymbolId, SymbolPause>();
  readonly #adjustments = new Map<string, PositionAdjustment>();

  getTradingState(): Promise<TradingStateRecord | null> {
    return Promise.resolve(this.#tradingState);
  }

  setTradingState(record: TradingStateRecord): Promise<void> {
    this.#tradingState = record;
    return Promise.resolve();
  }

  listTrailingStops(): Promise<TrailingStopState[]> {
    return Promise.resolve([...this.#stops.values()]);
  }

  saveTrailingStop(stop: TrailingStopState): Promise<void> {
    this.#stops.set(stop.symbol, stop);
    return Promise.resolve();
  }

  deleteTrailingStop(symbol: SymbolId): Promise<void> {
    this.#stops.delete(symbol);
    return Promise.resolve();
  }

  getLastProcessedCandle(symbol: SymbolId, timeframe: Timeframe): Promise<number | null> {
    return Promise.resolve(this.#processed.get(`${symbol}@${timeframe}`) ?? null);
  }

  setLastProcessedCandle(symbol: SymbolId, timeframe: Timeframe, time: number): Promise<void> {
    this.#processed.set(`${symbol}@${timeframe}`, time);
    return Promise.resolve();
  }

  listSymbolPauses(): Promise<SymbolPause[]> {
    return Promise.resolve(
      [...this.#pauses.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1)),
    );
  }

  setSymbolPause(pause: SymbolPause): Promise<void> {
    this.#pauses.set(pause.symbol, pause);
    return Promise.resolve();
  }

  deleteSymbolPause(symbol: SymbolId): Promise<void> {
    this.#pauses.delete(symbol);
    return Promise.resolve();
  }

  listPositionAdjustments(): Promise<PositionAdjustment[]> {
    return Promise.resolve(
      [...this.#adjustments.values()].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1)),
    );
  }

  savePositionAdjustment(adjustment: PositionAdjustment): Promise<void> {
    this.#adjustments.set(adjustment.id, adjustment);
    return Promise.resolve();
  }
}

/** The four stores a trade cycle needs. */
export interface EngineStores {
  readonly orders: OrderStore;
  readonly decisions: DecisionStore;
  readonly portfolio: PortfolioStore;
  readonly runtime: RuntimeStateStore;
}

/** Fresh in-memory stores, for a backtest without a database. */
export function memoryStores(): EngineStores {
  return {
    orders: new MemoryOrderStore(),
    decisions: new MemoryDecisionStore(),
    portfolio: new MemoryPortfolioStore(),
    runtime: new MemoryRuntimeStateStore(),
  };
}
