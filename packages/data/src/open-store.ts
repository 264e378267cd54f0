/**
 * Opening the LumenLink database: one SQLite file (or memory), WAL, migrations on open, and the
 * repositories that implement core's store ports.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  StorageError,
  ValidationError,
  silentLogger,
  systemClock,
  type CandleStore,
  type Clock,
  type DecisionStore,
  type Logger,
  type OrderStore,
  type PortfolioStore,
  type RuntimeStateStore,
  type SymbolId,
} from '@lumenlink/core';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { SqliteCandleStore } from './candle-repository.js';
import type { Database } from './database.js';
import { SqliteDecisionStore, type DecisionRecord } from './decision-repository.js';
import { refuseForeignDatabase } from './foreign-database.js';
import { migrationProvider } from './migrations/index.js';
import { SqliteOrderStore } from './order-repository.js';
import { SqlitePortfolioStore } from './portfolio-repository.js';
import { SqliteRunStore, type RunStore } from './run-repository.js';
import { SqliteRuntimeStateStore } from './runtime-state-repository.js';
import { StoreSqliteDialect } from './sqlite-dialect.js';
import { toStoreError } from './store-errors.js';
import { defaultStoreRedactor, failClosed } from './store-redaction.js';
import { DataInputError } from './input-error.js';

/** Where and how to open the store. */
export interface OpenStoreOptions {
  /** The database file (its directory is created), or `':memory:'` for a private in-memory one. */
  readonly path: string;
  /** Receives migration and open/close lines; silent by default. */
  readonly logger?: Logger;
  /** Time for `updated_at` columns the store fills itself; the system clock by default. */
  readonly clock?: Clock;
  /** How long a statement waits for another connection's lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * Applied to every free text the store writes, before it reaches the file: order reasons,
   * decision notes, the reasons inside a decision's signal and verdict, and the text inside
   * runtime state (the trading state's reason and who changed it). These often quote an
   * exchange's error, which may echo the request (API key, signature). Pass core's redactor
   * with the configured secrets: `createRedactor(configSecrets(config))`. By default only
   * well-known secret shapes are removed (`signature=...`, `X-MBX-APIKEY: ...`, bearer tokens).
   * A redactor that throws fails closed: the text is replaced whole.
   */
  readonly redact?: (text: string) => string;
}

/** An open store: the kysely handle, one repository per store port, and `close`. */
export interface LumenLinkStore {
  /** The file path, or `':memory:'`. */
  readonly path: string;
  /**
   * Typed kysely access to every table, for queries the ports do not cover. The repositories
   * share its one connection: do not call them inside a `db.transaction()` callback (they would
   * wait for that transaction to end). Writes through it bypass the repositories' checks and
   * their redaction (`OpenStoreOptions.redact`).
   */
  readonly db: Kysely<Database>;
  readonly candles: CandleStore;
  readonly orders: OrderStore;
  readonly decisions: DecisionStore;
  /** Every decision of some symbols, in stored order: what an audit or the parity report reads. */
  readonly decisionLog: {
    listDecisions(symbols: readonly SymbolId[]): Promise<DecisionRecord[]>;
  };
  readonly portfolio: PortfolioStore;
  readonly runtime: RuntimeStateStore;
  /** Each start of a bot with what produced its results (strategy, parameters, settings). */
  readonly runs: RunStore;
  /** The SQLite journal mode in effect: `wal` for a file, `memory` in memory. */
  readonly journalMode: string;
  /** Names of the migrations this open applied (empty when the schema was current). */
  readonly appliedMigrations: readonly string[];
  /** Closes the database (checkpointing the WAL). Later calls do nothing. */
  close(): Promise<void>;
}

/** The default of {@link OpenStoreOptions.busyTimeoutMs}. */
export const defaultBusyTimeoutMs = 5_000;

const memoryPath = ':memory:';

/**
 * Opens (creating it when missing) the LumenLink SQLite database: WAL journal,
 * `synchronous=NORMAL`, foreign keys on, a busy timeout, then every pending migration in one
 * transaction. Open one store per file per process: other processes may read and write the file
 * meanwhile, but two connections in one process would wait on each other with the event loop
 * blocked (better-sqlite3 is synchronous) until the busy timeout.
 *
 * @example
 * ```ts
 * const store = await openStore({
 *   path: './data/lumenlink.db',
 *   redact: createRedactor(configSecrets(config)), // from @lumenlink/core and @lumenlink/config
 * });
 * await store.candles.saveCandles('BTC-USD', '1h', candles);
 * const recent = await store.candles.getRecentCandles('BTC-USD', '1h', 200);
 * await store.close();
 * ```
 * @throws {ValidationError} for an empty path, a bad busy timeout or a `redact` that is not a
 *   function.
 * @throws {StorageError} when the file cannot be created or opened, is not a database, is
 *   another program's SQLite database (left untouched: nothing is written to it), or a
 *   migration fails (nothing of a failed migration run is kept).
 */
export async function openStore(options: OpenStoreOptions): Promise<LumenLinkStore> {
  const { path: file, busyTimeoutMs = defaultBusyTimeoutMs } = options;
  const logger = (options.logger ?? silentLogger).child({ module: 'store' });
  const clock = options.clock ?? systemClock;
  if (options.redact !== undefined && typeof options.redact !== 'function') {
    throw new ValidationError('openStore: redact must be a function from text to text');
  }
  const redact = failClosed(options.redact ?? defaultStoreRedactor);
  if (typeof file !== 'string' || file.trim() === '') {
    throw new ValidationError('openStore: path must be a file path or ":memory:"');
  }
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new ValidationError(
      `openStore: busyTimeoutMs ${busyTimeoutMs} is not a non-negative integer`,
    );
  }
  const inMemory = file === memoryPath;
  const sqlite = openSqlite(file, inMemory);
  let journalMode: string;
  try {
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // Before anything writes (WAL rewrites the header, kysely adds its tables): another
    // program's database stays untouched.
    if (!inMemory) refuseForeignDatabase(sqlite, file);
    sqlite.pragma('foreign_keys = ON');
    journalMode = inMemory
      ? String(sqlite.pragma('journal_mode', { simple: true }))
      : String(sqlite.pragma('journal_mode = WAL', { simple: true }));
    if (journalMode === 'wal') sqlite.pragma('synchronous = NORMAL');
    else if (!inMemory) {
      logger.warn('WAL is unavailable here; using the rollback journal', {
        path: file,
        journalMode,
      });
    }
  } catch (error) {
    sqlite.close();
    throw toStoreError(error, `openStore ${file}`);
  }

  const db = new Kysely<Database>({ dialect: new StoreSqliteDialect(sqlite) });
  const appliedMigrations = await migrate(db, file, logger).catch(async (error: unknown) => {
    await db.destroy();
    if (sqlite.open) sqlite.close();
    throw error;
  });
  logger.debug('store open', { path: file, journalMode });

  let closed = false;
  const decisions = new SqliteDecisionStore(db, redact);
  return {
    path: file,
    db,
    candles: new SqliteCandleStore(db, sqlite),
    orders: new SqliteOrderStore(db, redact),
    decisions,
    decisionLog: decisions,
    portfolio: new SqlitePortfolioStore(db),
    runtime: new SqliteRuntimeStateStore(db, clock, redact),
    runs: new SqliteRunStore(db),
    journalMode,
    appliedMigrations,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
        if (sqlite.open) sqlite.close();
      } catch (error) {
        throw toStoreError(error, `close ${file}`);
      }
      logger.debug('store closed', { path: file });
    },
  };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : JSON.stringify(error);
}

function openSqlite(file: string, inMemory: boolean): BetterSqlite3.Database {
  try {
    if (!inMemory) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new BetterSqlite3(file);
  } catch (error) {
    const mapped = toStoreError(error, `openStore ${file}`);
    if (StorageError.isInstance(mapped)) throw mapped;
    throw new StorageError(
      `openStore ${file}: cannot create or open the database file (${describeError(error)})`,
      { cause: error },
    );
  }
}

/** Runs every pending migration; returns the names applied. */
async function migrate(db: Kysely<Database>, file: string, logger: Logger): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    // One transaction: whatever ran before the failure was rolled back with it.
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    logger.error('migration failed; the schema is unchanged', { migration: failed, path: file });
    const mapped = toStoreError(error, `migrating ${file}`);
    if (StorageError.isInstance(mapped)) throw mapped;
    throw new StorageError(`migrating ${file} failed: ${describeError(error)}`, {
      cause: error,
    });
  }
  const applied = results
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
  for (const migration of applied) logger.info('migration applied', { migration, path: file });
  return applied;
}

/**
 * Opens a store for a backtest's records, refusing one that holds an earlier run or the bot's
 * state (orders, positions, a trading state): a backtest's orders and positions start from
 * nothing.
 *
 * @example
 * ```ts
 * const store = await openEmptyStore('runs/ema.db');
 * ```
 * @throws {DataInputError} on `--db` naming what the file already holds.
 */
export async function openEmptyStore(file: string): Promise<LumenLinkStore> {
  const store = await openStore({ path: file });
  try {
    const [orders, positions, state] = await Promise.all([
      store.orders.listOrders({ limit: 1 }),
      store.portfolio.listPositions(),
      store.runtime.getTradingState(),
    ]);
    if (orders.length > 0 || positions.length > 0 || state !== null) {
      const held =
        orders.length > 0 ? 'orders' : positions.length > 0 ? 'positions' : 'a trading state';
      throw new DataInputError(
        '--db',
        `${file} already holds ${held} (an earlier run, or the bot's database): give a new file, a backtest's orders and positions start from nothing`,
      );
    }
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}
