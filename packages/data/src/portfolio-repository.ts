/**
 * The `positions` and `equity_snapshots` tables behind core's {@link PortfolioStore} port.
 */
import {
  DataIntegrityError,
  ValidationError,
  positionTransitions,
  type AccountSnapshot,
  type PortfolioStore,
  type Position,
  type PositionState,
  type SymbolId,
} from '@lumenlink/core';
import type { Kysely, Selectable } from 'kysely';
import { Checker } from './checks.js';
import type { Database, EquitySnapshotTable, PositionTable } from './database.js';
import { guarded } from './store-errors.js';

const states = Object.fromEntries(
  Object.keys(positionTransitions).map((state) => [state, true]),
) as Record<PositionState, true>;

function toPositionRow(position: Position): Selectable<PositionTable> {
  return {
    symbol: position.symbol,
    state: position.state,
    quantity: position.quantity,
    avg_entry_price: position.avgEntryPrice,
    realized_pnl: position.realizedPnl,
    fees: position.fees,
    opened_at: position.openedAt,
    updated_at: position.updatedAt,
  };
}

/** Checks a position (given, read from JSON, or mapped from a row) against its type. */
function checkPosition(value: unknown, check: Checker, name = 'position'): Position {
  const position = check.record(name, value);
  return {
    symbol: check.string(`${name}.symbol`, position.symbol) as SymbolId,
    state: check.oneOf(`${name}.state`, position.state, states),
    quantity: check.number(`${name}.quantity`, position.quantity, { min: 0 }),
    avgEntryPrice: check.number(`${name}.avgEntryPrice`, position.avgEntryPrice, { min: 0 }),
    realizedPnl: check.number(`${name}.realizedPnl`, position.realizedPnl),
    fees: check.number(`${name}.fees`, position.fees),
    openedAt: check.integer(`${name}.openedAt`, position.openedAt),
    updatedAt: check.integer(`${name}.updatedAt`, position.updatedAt),
  };
}

function fromPositionRow(row: Selectable<PositionTable>): Position {
  return checkPosition(
    {
      symbol: row.symbol,
      state: row.state,
      quantity: row.quantity,
      avgEntryPrice: row.avg_entry_price,
      realizedPnl: row.realized_pnl,
      fees: row.fees,
      openedAt: row.opened_at,
      updatedAt: row.updated_at,
    },
    new Checker(DataIntegrityError, `Position ${row.symbol}`),
  );
}

/** Checks a snapshot (given, or mapped from a row with its JSON parsed) against its type. */
function checkSnapshot(value: Readonly<Record<string, unknown>>, check: Checker): AccountSnapshot {
  const lastStopOutAt: Partial<Record<SymbolId, number>> = {};
  for (const [symbol, time] of Object.entries(check.record('lastStopOutAt', value.lastStopOutAt))) {
    if (time !== undefined) {
      lastStopOutAt[symbol as SymbolId] = check.integer(`lastStopOutAt.${symbol}`, time);
    }
  }
  return {
    at: check.integer('at', value.at),
    cash: check.number('cash', value.cash),
    equity: check.number('equity', value.equity),
    positions: check
      .array('positions', value.positions)
      .map((position, index) => checkPosition(position, check, `positions[${index}]`)),
    realizedPnl: check.number('realizedPnl', value.realizedPnl),
    unrealizedPnl: check.number('unrealizedPnl', value.unrealizedPnl),
    dailyPnl: check.number('dailyPnl', value.dailyPnl),
    peakEquity: check.number('peakEquity', value.peakEquity),
    lastStopOutAt,
  };
}

function fromSnapshotRow(row: Selectable<EquitySnapshotTable>): AccountSnapshot {
  const check = new Checker(DataIntegrityError, `Equity snapshot at ${row.at}`);
  return checkSnapshot(
    {
      at: row.at,
      cash: row.cash,
      equity: row.equity,
      positions: check.json('positions', row.positions),
      realizedPnl: row.realized_pnl,
      unrealizedPnl: row.unrealized_pnl,
      dailyPnl: row.daily_pnl,
      peakEquity: row.peak_equity,
      lastStopOutAt: check.json('lastStopOutAt', row.last_stop_out_at),
    },
    check,
  );
}

/** Positions and equity snapshots in SQLite. */
export class SqlitePortfolioStore implements PortfolioStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Inserts or replaces the position of its symbol.
   *
   * @throws {ValidationError} when a field breaks the `Position` type.
   * @throws {StorageError} when SQLite fails.
   */
  async savePosition(position: Position): Promise<void> {
    const checked = checkPosition(position, new Checker(ValidationError, 'savePosition'));
    const row = toPositionRow(checked);
    await guarded(`savePosition ${position.symbol}`, () =>
      this.#db
        .insertInto('positions')
        .values(row)
        .onConflict((conflict) =>
          conflict.column('symbol').doUpdateSet({
            state: row.state,
            quantity: row.quantity,
            avg_entry_price: row.avg_entry_price,
            realized_pnl: row.realized_pnl,
            fees: row.fees,
            opened_at: row.opened_at,
            updated_at: row.updated_at,
          }),
        )
        .execute(),
    );
  }

  /**
   * Removes the position of a symbol; removing none is not an error.
   *
   * @throws {StorageError} when SQLite fails.
   */
  async deletePosition(symbol: SymbolId): Promise<void> {
    await guarded(`deletePosition ${symbol}`, () =>
      this.#db.deleteFrom('positions').where('symbol', '=', symbol).execute(),
    );
  }

  /**
   * Every stored position, by symbol.
   *
   * @throws {DataIntegrityError} when a stored row breaks the `Position` type.
   * @throws {StorageError} when SQLite fails.
   */
  async listPositions(): Promise<Position[]> {
    const rows = await guarded('listPositions', () =>
      this.#db.selectFrom('positions').selectAll().orderBy('symbol', 'asc').execute(),
    );
    return rows.map(fromPositionRow);
  }

  /**
   * Stores a snapshot; a second snapshot at the same time replaces the first.
   *
   * @throws {ValidationError} when a field breaks the `AccountSnapshot` type.
   * @throws {StorageError} when SQLite fails.
   */
  async saveEquitySnapshot(snapshot: AccountSnapshot): Promise<void> {
    const checked = checkSnapshot(
      snapshot as unknown as Readonly<Record<string, unknown>>,
      new Checker(ValidationError, `Equity snapshot at ${String(snapshot.at)}`),
    );
    const values = {
      cash: checked.cash,
      equity: checked.equity,
      realized_pnl: checked.realizedPnl,
      unrealized_pnl: checked.unrealizedPnl,
      daily_pnl: checked.dailyPnl,
      peak_equity: checked.peakEquity,
      positions: JSON.stringify(checked.positions),
      last_stop_out_at: JSON.stringify(checked.lastStopOutAt),
    };
    await guarded(`saveEquitySnapshot ${snapshot.at}`, () =>
      this.#db
        .insertInto('equity_snapshots')
        .values({ at: checked.at, ...values })
        .onConflict((conflict) => conflict.column('at').doUpdateSet(values))
        .execute(),
    );
  }

  /**
   * Snapshots taken in [from, to], oldest first.
   *
   * @throws {DataIntegrityError} when a stored row does not parse back into a snapshot.
   * @throws {StorageError} when SQLite fails.
   */
  async equitySnapshots(from: number, to: number): Promise<AccountSnapshot[]> {
    const rows = await guarded('equitySnapshots', () =>
      this.#db
        .selectFrom('equity_snapshots')
        .selectAll()
        .where('at', '>=', from)
        .where('at', '<=', to)
        .orderBy('at', 'asc')
        .execute(),
    );
    return rows.map(fromSnapshotRow);
  }
}
