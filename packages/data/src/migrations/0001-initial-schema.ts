/**
 * Migration 0001: the tables of the store (docs/architecture/storage.md). Frozen once released:
 * later changes are new migrations. Lists of allowed values are written out here, not imported, so
 * this migration means the same thing whatever core later adds.
 *
 * Types are portable: `bigint` (SQLite INTEGER affinity) for epoch-ms times and `double
 * precision` (SQLite REAL, an 8-byte float) for money and quantities. The only dialect branches
 * are an integer key that the database assigns and SQLite's `WITHOUT ROWID` for the candles.
 */
import { SqliteAdapter, sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

const orderStatusList = [
  'pending',
  'unknown',
  'open',
  'partially_filled',
  'filled',
  'canceled',
  'rejected',
  'expired',
  'failed',
];
const positionStateList = ['flat', 'pending', 'filled', 'managing', 'exited'];

function oneOf(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((value) => sql.lit(value)))})`;
}

/** The initial schema: candles, orders, fills, positions, equity snapshots, decisions, runtime state. */
export const initialSchemaMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;

    let candles = db.schema
      .createTable('candles')
      .addColumn('symbol', 'text', (column) => column.notNull())
      .addColumn('interval', 'text', (column) => column.notNull())
      .addColumn('time', 'bigint', (column) => column.notNull())
      .addColumn('open', 'double precision', (column) => column.notNull())
      .addColumn('high', 'double precision', (column) => column.notNull())
      .addColumn('low', 'double precision', (column) => column.notNull())
      .addColumn('close', 'double precision', (column) => column.notNull())
      .addColumn('volume', 'double precision', (column) => column.notNull())
      .addPrimaryKeyConstraint('candles_pk', ['symbol', 'interval', 'time']);
    // Clusters candles by key: one b-tree to write, range reads without row lookups.
    if (sqlite) candles = candles.modifyEnd(sql`without rowid`);
    await candles.execute();

    await db.schema
      .createTable('orders')
      .addColumn('client_order_id', 'text', (column) => column.primaryKey())
      .addColumn('exchange_order_id', 'text', (column) => column.unique())
      .addColumn('exchange', 'text', (column) => column.notNull())
      .addColumn('strategy', 'text', (column) => column.notNull())
      .addColumn('symbol', 'text', (column) => column.notNull())
      .addColumn('side', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('role', 'text', (column) => column.notNull())
      .addColumn('quantity', 'double precision', (column) => column.notNull())
      .addColumn('limit_price', 'double precision')
      .addColumn('stop_price', 'double precision')
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('filled_quantity', 'double precision', (column) => column.notNull().defaultTo(0))
      .addColumn('avg_fill_price', 'double precision')
      .addColumn('fee', 'double precision', (column) => column.notNull().defaultTo(0))
      .addColumn('fee_currency', 'text')
      .addColumn('reason', 'text')
      .addColumn('candle_time', 'bigint', (column) => column.notNull())
      .addColumn('attempt', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .addCheckConstraint('orders_status_check', oneOf('status', orderStatusList))
      .addCheckConstraint('orders_side_check', oneOf('side', ['buy', 'sell']))
      .addCheckConstraint('orders_quantity_check', sql`quantity > 0 and filled_quantity >= 0`)
      .addCheckConstraint('orders_attempt_check', sql`attempt >= 0`)
      .execute();
    await db.schema.createIndex('orders_status_idx').on('orders').column('status').execute();
    await db.schema
      .createIndex('orders_symbol_created_idx')
      .on('orders')
      .columns(['symbol', 'created_at'])
      .execute();
    await db.schema.createIndex('orders_created_idx').on('orders').column('created_at').execute();

    // Trade ids are unique per symbol (Binance and Bybit number trades per market).
    await db.schema
      .createTable('fills')
      .addColumn('symbol', 'text', (column) => column.notNull())
      .addColumn('trade_id', 'text', (column) => column.notNull())
      .addColumn('client_order_id', 'text', (column) =>
        column.notNull().references('orders.client_order_id'),
      )
      .addColumn('exchange_order_id', 'text')
      .addColumn('side', 'text', (column) => column.notNull())
      .addColumn('quantity', 'double precision', (column) => column.notNull())
      .addColumn('price', 'double precision', (column) => column.notNull())
      .addColumn('fee', 'double precision', (column) => column.notNull())
      .addColumn('fee_currency', 'text', (column) => column.notNull())
      .addColumn('time', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('fills_pk', ['symbol', 'trade_id'])
      .addCheckConstraint('fills_side_check', oneOf('side', ['buy', 'sell']))
      .execute();
    await db.schema.createIndex('fills_order_idx').on('fills').column('client_order_id').execute();
    await db.schema.createIndex('fills_time_idx').on('fills').column('time').execute();

    await db.schema
      .createTable('positions')
      .addColumn('symbol', 'text', (column) => column.primaryKey())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('quantity', 'double precision', (column) => column.notNull())
      .addColumn('avg_entry_price', 'double precision', (column) => column.notNull())
      .addColumn('realized_pnl', 'double precision', (column) => column.notNull())
      .addColumn('fees', 'double precision', (column) => column.notNull())
      .addColumn('opened_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .addCheckConstraint('positions_state_check', oneOf('state', positionStateList))
      .execute();

    await db.schema
      .createTable('equity_snapshots')
      .addColumn('at', 'bigint', (column) => column.primaryKey())
      .addColumn('cash', 'double precision', (column) => column.notNull())
      .addColumn('equity', 'double precision', (column) => column.notNull())
      .addColumn('realized_pnl', 'double precision', (column) => column.notNull())
      .addColumn('unrealized_pnl', 'double precision', (column) => column.notNull())
      .addColumn('daily_pnl', 'double precision', (column) => column.notNull())
      .addColumn('peak_equity', 'double precision', (column) => column.notNull())
      .addColumn('positions', 'text', (column) => column.notNull())
      .addColumn('last_stop_out_at', 'text', (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('decisions')
      .addColumn('id', sqlite ? 'integer' : 'bigint', (column) =>
        // SQLite: an INTEGER PRIMARY KEY is the rowid, assigned on insert.
        sqlite ? column.primaryKey() : column.primaryKey().generatedByDefaultAsIdentity(),
      )
      .addColumn('symbol', 'text', (column) => column.notNull())
      .addColumn('strategy', 'text', (column) => column.notNull())
      .addColumn('candle_time', 'bigint', (column) => column.notNull())
      .addColumn('decided_at', 'bigint', (column) => column.notNull())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('outcome', 'text', (column) => column.notNull())
      .addColumn('signal', 'text', (column) => column.notNull())
      .addColumn('verdict', 'text')
      .addColumn('client_order_id', 'text')
      .addColumn('note', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('decisions_symbol_decided_idx')
      .on('decisions')
      .columns(['symbol', 'decided_at'])
      .execute();

    await db.schema
      .createTable('runtime_state')
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('key', 'text', (column) => column.notNull())
      .addColumn('value', 'text', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('runtime_state_pk', ['kind', 'key'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'runtime_state',
      'decisions',
      'equity_snapshots',
      'positions',
      'fills',
      'orders',
      'candles',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
