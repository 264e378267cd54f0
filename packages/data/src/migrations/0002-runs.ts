/**
 * Migration 0002: the `runs` table, one row per start of a bot or the demo with what produced
 * its results (a `RunProvenance` of `@lumenlink/core` as JSON). Frozen once released: later
 * changes are new migrations. Existing databases get the table empty.
 */
import { SqliteAdapter, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Adds `runs`: id, start time, mode, strategy key and the provenance JSON. */
export const runsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
    await db.schema
      .createTable('runs')
      .addColumn('id', sqlite ? 'integer' : 'bigint', (column) =>
        // SQLite: an INTEGER PRIMARY KEY is the rowid, assigned on insert.
        sqlite ? column.primaryKey() : column.primaryKey().generatedByDefaultAsIdentity(),
      )
      .addColumn('started_at', 'bigint', (column) => column.notNull())
      .addColumn('mode', 'text', (column) => column.notNull())
      .addColumn('strategy', 'text', (column) => column.notNull())
      .addColumn('provenance', 'text', (column) => column.notNull())
      .execute();
    await db.schema.createIndex('runs_started_at').on('runs').column('started_at').execute();
  },
};
