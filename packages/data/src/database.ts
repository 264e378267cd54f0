/**
 * The typed schema of the LumenLink database, as kysely sees it: one interface per table, column
 * names as stored (snake_case). Times are epoch milliseconds (SQLite INTEGER), money and
 * quantities are 8-byte floats (SQLite REAL), JSON columns are text.
 */
import type { Generated } from 'kysely';

/** `candles`: one row per symbol, interval and open time (the primary key); saved by upsert. */
export interface CandleTable {
  /** Canonical symbol, e.g. `BTC-USD`. */
  symbol: string;
  /** Timeframe, e.g. `1h`. */
  interval: string;
  /** Open time, epoch ms, aligned to the interval. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-currency volume. */
  volume: number;
}

/**
 * `orders`: one row per order, keyed by our client order id
 * (docs/architecture/order-lifecycle.md, "Client order ids").
 */
export interface OrderTable {
  client_order_id: string;
  /** The exchange's id once known; unique when set. */
  exchange_order_id: string | null;
  /** `paper` or the exchange id. */
  exchange: string;
  strategy: string;
  symbol: string;
  side: string;
  type: string;
  role: string;
  quantity: number;
  limit_price: number | null;
  stop_price: number | null;
  status: string;
  filled_quantity: number;
  avg_fill_price: number | null;
  fee: number;
  fee_currency: string | null;
  reason: string | null;
  candle_time: number;
  attempt: number;
  created_at: number;
  updated_at: number;
}

/** `fills`: one row per exchange trade id; each belongs to a stored order. */
export interface FillTable {
  trade_id: string;
  client_order_id: string;
  exchange_order_id: string | null;
  symbol: string;
  side: string;
  quantity: number;
  price: number;
  fee: number;
  fee_currency: string;
  time: number;
}

/** `positions`: the open position per symbol. */
export interface PositionTable {
  symbol: string;
  state: string;
  quantity: number;
  avg_entry_price: number;
  realized_pnl: number;
  fees: number;
  opened_at: number;
  updated_at: number;
}

/** `equity_snapshots`: the portfolio over time, one row per snapshot time. */
export interface EquitySnapshotTable {
  at: number;
  cash: number;
  equity: number;
  realized_pnl: number;
  unrealized_pnl: number;
  daily_pnl: number;
  peak_equity: number;
  /** JSON array of positions at the time. */
  positions: string;
  /** JSON object: symbol to the time of its last losing exit. */
  last_stop_out_at: string;
}

/** `decisions`: every recorded decision with its signal and risk verdict. */
export interface DecisionTable {
  id: Generated<number>;
  symbol: string;
  strategy: string;
  candle_time: number;
  decided_at: number;
  /** The signal's action, for queries without parsing `signal`. */
  action: string;
  outcome: string;
  /** JSON of the `Signal`. */
  signal: string;
  /** JSON of the `RiskVerdict` with every check, or null when risk did not run. */
  verdict: string | null;
  client_order_id: string | null;
  note: string;
}

/**
 * `runtime_state`: state that survives restarts, as JSON values under a kind and a key:
 * `trading_state` (key `''`), `trailing_stop` (key: symbol), `last_candle` (key:
 * `symbol|interval`).
 */
export interface RuntimeStateTable {
  kind: string;
  key: string;
  /** JSON of the value. */
  value: string;
  updated_at: number;
}

/**
 * `runs`: one row per start of a bot or the demo, with what produced its results (migration
 * 0002). Read and written through `LumenLinkStore.runs`.
 */
export interface RunTable {
  id: Generated<number>;
  /** When the run started, epoch ms. */
  started_at: number;
  /** `paper` or `live`. */
  mode: string;
  /** The strategy's key, for queries without parsing `provenance`. */
  strategy: string;
  /** JSON of the `RunProvenance` (core). */
  provenance: string;
}

/**
 * The whole schema, for `Kysely<Database>`.
 *
 * @example
 * ```ts
 * const rows = await store.db.selectFrom('orders').selectAll().where('status', '=', 'open').execute();
 * ```
 */
export interface Database {
  candles: CandleTable;
  orders: OrderTable;
  fills: FillTable;
  positions: PositionTable;
  equity_snapshots: EquitySnapshotTable;
  decisions: DecisionTable;
  runtime_state: RuntimeStateTable;
  runs: RunTable;
}
