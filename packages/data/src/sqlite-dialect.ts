/**
 * kysely's SQLite dialect with two changes for a database that more than one process opens:
 * transactions begin `IMMEDIATE` (they take the write lock up front, so a read-then-write
 * transaction waits for another writer under `busy_timeout` instead of failing with
 * `SQLITE_BUSY_SNAPSHOT`), and DDL is transactional (SQLite supports it), so the `Migrator` runs
 * all pending migrations in one transaction that commits whole or not at all.
 */
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type SqliteDatabase,
} from 'kysely';

/** SQLite's driver, beginning every transaction with `BEGIN IMMEDIATE`. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SQLite's adapter, declaring the transactional DDL SQLite has. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** The dialect `openStore` gives kysely: SQLite with immediate transactions and transactional DDL. */
export class StoreSqliteDialect implements Dialect {
  readonly #database: SqliteDatabase;

  constructor(database: SqliteDatabase) {
    this.#database = database;
  }

  createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
