/**
 * The `orders` and `fills` tables behind core's {@link OrderStore} port.
 */
import {
  DataIntegrityError,
  ValidationError,
  assertOrderUpdate,
  finalOrderStatuses,
  orderStatuses,
  type Fill,
  type Order,
  type OrderRole,
  type OrderSide,
  type OrderStatus,
  type OrderStore,
  type OrderType,
  type OrderUpdate,
  type SymbolId,
} from '@lumenlink/core';
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { Checker, type CheckError } from './checks.js';
import type { Database, FillTable, OrderTable } from './database.js';
import { DuplicateOrderError, guarded } from './store-errors.js';
import { defaultStoreRedactor, redactNullable, type TextRedactor } from './store-redaction.js';

const sides: Record<OrderSide, true> = { buy: true, sell: true };
const types: Record<OrderType, true> = {
  market: true,
  limit: true,
  stop_market: true,
  stop_limit: true,
};
const roles: Record<OrderRole, true> = {
  entry: true,
  exit: true,
  stop: true,
  take_profit: true,
  trailing_stop: true,
  force_exit: true,
  bracket_stop: true,
  bracket_take_profit: true,
};
const statuses = Object.fromEntries(orderStatuses.map((status) => [status, true])) as Record<
  OrderStatus,
  true
>;
const nonFinalStatuses = orderStatuses.filter((status) => !finalOrderStatuses.has(status));

/** Checks an order against its type, throwing `error` (input or stored data). */
function checkOrder(value: Order | Selectable<OrderTable>, error: CheckError): Order {
  const row = 'clientOrderId' in value ? toOrderRow(value) : value;
  const check = new Checker(error, `Order ${String(row.client_order_id)}`);
  return {
    clientOrderId: check.string('clientOrderId', row.client_order_id),
    exchangeOrderId: check.stringOrNull('exchangeOrderId', row.exchange_order_id),
    exchange: check.string('exchange', row.exchange),
    strategy: check.string('strategy', row.strategy),
    symbol: check.string('symbol', row.symbol) as SymbolId,
    side: check.oneOf('side', row.side, sides),
    type: check.oneOf('type', row.type, types),
    role: check.oneOf('role', row.role, roles),
    quantity: check.number('quantity', row.quantity, { positive: true }),
    limitPrice: check.priceOrNull('limitPrice', row.limit_price),
    stopPrice: check.priceOrNull('stopPrice', row.stop_price),
    status: check.oneOf('status', row.status, statuses),
    filledQuantity: check.number('filledQuantity', row.filled_quantity, { min: 0 }),
    avgFillPrice: check.priceOrNull('avgFillPrice', row.avg_fill_price),
    fee: check.number('fee', row.fee),
    feeCurrency: check.stringOrNull('feeCurrency', row.fee_currency),
    reason: check.stringOrNull('reason', row.reason),
    candleTime: check.integer('candleTime', row.candle_time),
    attempt: check.integer('attempt', row.attempt),
    createdAt: check.integer('createdAt', row.created_at),
    updatedAt: check.integer('updatedAt', row.updated_at),
  };
}

function toOrderRow(order: Order): Insertable<OrderTable> & Selectable<OrderTable> {
  return {
    client_order_id: order.clientOrderId,
    exchange_order_id: order.exchangeOrderId,
    exchange: order.exchange,
    strategy: order.strategy,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    role: order.role,
    quantity: order.quantity,
    limit_price: order.limitPrice,
    stop_price: order.stopPrice,
    status: order.status,
    filled_quantity: order.filledQuantity,
    avg_fill_price: order.avgFillPrice,
    fee: order.fee,
    fee_currency: order.feeCurrency,
    reason: order.reason,
    candle_time: order.candleTime,
    attempt: order.attempt,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}

/** The columns an update changes, checked. */
function toUpdateRow(clientOrderId: string, update: OrderUpdate): Updateable<OrderTable> {
  const check = new Checker(ValidationError, `Update of order ${clientOrderId}`);
  const set: Updateable<OrderTable> = {
    updated_at: check.integer('updatedAt', update.updatedAt),
  };
  if (update.exchangeOrderId !== undefined) {
    set.exchange_order_id = check.stringOrNull('exchangeOrderId', update.exchangeOrderId);
  }
  if (update.status !== undefined) set.status = check.oneOf('status', update.status, statuses);
  if (update.filledQuantity !== undefined) {
    set.filled_quantity = check.number('filledQuantity', update.filledQuantity, { min: 0 });
  }
  if (update.avgFillPrice !== undefined) {
    set.avg_fill_price = check.priceOrNull('avgFillPrice', update.avgFillPrice);
  }
  if (update.fee !== undefined) set.fee = check.number('fee', update.fee);
  if (update.feeCurrency !== undefined) {
    set.fee_currency = check.stringOrNull('feeCurrency', update.feeCurrency);
  }
  if (update.reason !== undefined) set.reason = check.stringOrNull('reason', update.reason);
  return set;
}

/** Checks a fill against its type, throwing `error` (input or stored data). */
function checkFill(value: Fill | Selectable<FillTable>, error: CheckError): Fill {
  const row = 'tradeId' in value ? toFillRow(value) : value;
  const check = new Checker(error, `Fill ${String(row.trade_id)}`);
  return {
    tradeId: check.string('tradeId', row.trade_id),
    clientOrderId: check.string('clientOrderId', row.client_order_id),
    exchangeOrderId: check.stringOrNull('exchangeOrderId', row.exchange_order_id),
    symbol: check.string('symbol', row.symbol) as SymbolId,
    side: check.oneOf('side', row.side, sides),
    quantity: check.number('quantity', row.quantity, { positive: true }),
    price: check.number('price', row.price, { positive: true }),
    fee: check.number('fee', row.fee),
    feeCurrency: check.string('feeCurrency', row.fee_currency),
    time: check.integer('time', row.time),
  };
}

function toFillRow(fill: Fill): Selectable<FillTable> {
  return {
    trade_id: fill.tradeId,
    client_order_id: fill.clientOrderId,
    exchange_order_id: fill.exchangeOrderId,
    symbol: fill.symbol,
    side: fill.side,
    quantity: fill.quantity,
    price: fill.price,
    fee: fill.fee,
    fee_currency: fill.feeCurrency,
    time: fill.time,
  };
}

/**
 * Orders and fills in SQLite. Orders are keyed by client order id; the order state machine of
 * core is enforced on every update, inside the transaction that reads the current status. An
 * order's reason (free text, often an exchange's error) is redacted before it is written.
 */
export class SqliteOrderStore implements OrderStore {
  readonly #db: Kysely<Database>;
  readonly #redact: TextRedactor;

  /** @param redact applied to every reason written (default: well-known secret shapes only). */
  constructor(db: Kysely<Database>, redact: TextRedactor = defaultStoreRedactor) {
    this.#db = db;
    this.#redact = redact;
  }

  /**
   * Stores a new order (its intent, before it is sent).
   *
   * @throws {DuplicateOrderError} when the client order id is already stored.
   * @throws {ValidationError} when a field breaks the `Order` type (e.g. a quantity <= 0).
   * @throws {DataIntegrityError} when the exchange order id belongs to another order.
   * @throws {StorageError} when SQLite fails.
   */
  async insertOrder(order: Order): Promise<void> {
    checkOrder(order, ValidationError);
    const result = await guarded(`insertOrder ${order.clientOrderId}`, () =>
      this.#db
        .insertInto('orders')
        .values({ ...toOrderRow(order), reason: redactNullable(order.reason, this.#redact) })
        .onConflict((conflict) => conflict.column('client_order_id').doNothing())
        .executeTakeFirst(),
    );
    if (result.numInsertedOrUpdatedRows === 0n) {
      throw new DuplicateOrderError(order.clientOrderId);
    }
  }

  /**
   * Applies an update in one transaction and returns the updated order. The status moves only
   * along core's `orderTransitions`; an update without a status keeps it, which a final order
   * does not allow either (a final order never changes).
   *
   * @throws {OrderTransitionError} when the status change is illegal; nothing is changed.
   * @throws {DataIntegrityError} when no order has this client order id, or the exchange
   *   order id belongs to another order.
   * @throws {ValidationError} when a field breaks the `Order` type.
   * @throws {StorageError} when SQLite fails.
   */
  async updateOrder(clientOrderId: string, update: OrderUpdate): Promise<Order> {
    const set = toUpdateRow(clientOrderId, update);
    if (typeof set.reason === 'string') set.reason = this.#redact(set.reason);
    return guarded(`updateOrder ${clientOrderId}`, () =>
      this.#db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('orders')
          .select('status')
          .where('client_order_id', '=', clientOrderId)
          .executeTakeFirst();
        if (current === undefined) {
          throw new DataIntegrityError(`updateOrder ${clientOrderId}: no such order is stored`);
        }
        const from = new Checker(DataIntegrityError, `Order ${clientOrderId}`).oneOf(
          'status',
          current.status,
          statuses,
        );
        assertOrderUpdate(from, update, clientOrderId);
        const row = await trx
          .updateTable('orders')
          .set(set)
          .where('client_order_id', '=', clientOrderId)
          .returningAll()
          .executeTakeFirstOrThrow();
        return checkOrder(row, DataIntegrityError);
      }),
    );
  }

  /**
   * The order with this client order id, or `null`.
   *
   * @throws {StorageError} when SQLite fails.
   */
  async getOrder(clientOrderId: string): Promise<Order | null> {
    const row = await guarded(`getOrder ${clientOrderId}`, () =>
      this.#db
        .selectFrom('orders')
        .selectAll()
        .where('client_order_id', '=', clientOrderId)
        .executeTakeFirst(),
    );
    return row === undefined ? null : checkOrder(row, DataIntegrityError);
  }

  /**
   * The order with this exchange order id, or `null`.
   *
   * @throws {StorageError} when SQLite fails.
   */
  async getOrderByExchangeId(exchangeOrderId: string): Promise<Order | null> {
    const row = await guarded(`getOrderByExchangeId ${exchangeOrderId}`, () =>
      this.#db
        .selectFrom('orders')
        .selectAll()
        .where('exchange_order_id', '=', exchangeOrderId)
        .executeTakeFirst(),
    );
    return row === undefined ? null : checkOrder(row, DataIntegrityError);
  }

  /**
   * Every order not in a final status, oldest first (by creation, then client order id).
   *
   * @throws {StorageError} when SQLite fails.
   */
  async listNonFinalOrders(): Promise<Order[]> {
    const rows = await guarded('listNonFinalOrders', () =>
      this.#db
        .selectFrom('orders')
        .selectAll()
        .where('status', 'in', nonFinalStatuses)
        .orderBy('created_at', 'asc')
        .orderBy('client_order_id', 'asc')
        .execute(),
    );
    return rows.map((row) => checkOrder(row, DataIntegrityError));
  }

  /**
   * Orders created at or after `since` (all by default), of one symbol or all, oldest first.
   * With `limit`, the most recent `limit` of them, still oldest first.
   *
   * @throws {StorageError} when SQLite fails.
   */
  async listOrders(
    options: { readonly symbol?: SymbolId; readonly since?: number; readonly limit?: number } = {},
  ): Promise<Order[]> {
    const { symbol, since, limit } = options;
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
      throw new ValidationError(`listOrders: limit ${limit} is not a non-negative integer`);
    }
    const rows = await guarded('listOrders', () => {
      let query = this.#db.selectFrom('orders').selectAll();
      if (symbol !== undefined) query = query.where('symbol', '=', symbol);
      if (since !== undefined) query = query.where('created_at', '>=', since);
      if (limit === undefined) {
        return query.orderBy('created_at', 'asc').orderBy('client_order_id', 'asc').execute();
      }
      return query
        .orderBy('created_at', 'desc')
        .orderBy('client_order_id', 'desc')
        .limit(limit)
        .execute()
        .then((latest) => latest.reverse());
    });
    return rows.map((row) => checkOrder(row, DataIntegrityError));
  }

  /**
   * Stores a fill once per (symbol, trade id): `false` when it was already stored (Binance and
   * Bybit number trades per market, so the symbol is part of the key).
   *
   * @throws {ValidationError} when a field breaks the `Fill` type.
   * @throws {DataIntegrityError} when no order has the fill's client order id.
   * @throws {StorageError} when SQLite fails.
   */
  async saveFill(fill: Fill): Promise<boolean> {
    checkFill(fill, ValidationError);
    const result = await guarded(
      `saveFill ${fill.symbol} trade ${fill.tradeId} of order ${fill.clientOrderId}`,
      () =>
        this.#db
          .insertInto('fills')
          .values(toFillRow(fill))
          .onConflict((conflict) => conflict.columns(['symbol', 'trade_id']).doNothing())
          .executeTakeFirst(),
    );
    return result.numInsertedOrUpdatedRows !== 0n;
  }

  /**
   * Fills, filtered, in execution order (time, then trade id).
   *
   * @throws {StorageError} when SQLite fails.
   */
  async listFills(
    options: {
      readonly symbol?: SymbolId;
      readonly clientOrderId?: string;
      readonly since?: number;
    } = {},
  ): Promise<Fill[]> {
    const { symbol, clientOrderId, since } = options;
    const rows = await guarded('listFills', () => {
      let query = this.#db.selectFrom('fills').selectAll();
      if (symbol !== undefined) query = query.where('symbol', '=', symbol);
      if (clientOrderId !== undefined) query = query.where('client_order_id', '=', clientOrderId);
      if (since !== undefined) query = query.where('time', '>=', since);
      return query.orderBy('time', 'asc').orderBy('trade_id', 'asc').execute();
    });
    return rows.map((row) => checkFill(row, DataIntegrityError));
  }
}
