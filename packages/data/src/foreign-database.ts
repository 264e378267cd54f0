/**
 * A SQLite file of another program stays untouched: `openStore` reads the file's schema before it
 * writes anything (no WAL switch, which rewrites the header, no migration bookkeeping) and
 * refuses a database that is not LumenLink's.
 */
import { StorageError } from '@lumenlink/core';
import type BetterSqlite3 from 'better-sqlite3';
import { migrations } from './migrations/index.js';

/** kysely's migration record, which every database LumenLink ever migrated has. */
const migrationTable = 'kysely_migration';
/** kysely's bookkeeping: the migration record and its lock. */
const bookkeepingTables: readonly string[] = [migrationTable, 'kysely_migration_lock'];

/** At most this many names are quoted in the message. */
const shownNames = 5;

function quoteNames(names: readonly string[]): string {
  const shown = names.slice(0, shownNames).join(', ');
  return names.length > shownNames ? `${shown} and ${names.length - shownNames} more` : shown;
}

function refuse(file: string, problem: string): never {
  throw new StorageError(
    `openStore ${file}: not a LumenLink database: ${problem}. LumenLink left the file untouched; point DB_PATH (the store's path) at a new file, or at a LumenLink database`,
  );
}

/**
 * Throws when `file`, open in `sqlite`, is another program's database: it holds tables (or other
 * schema objects) but no LumenLink migration record, a migration record (another kysely
 * program's) that names none of LumenLink's migrations, or an empty one beside other tables. A new or empty file, and a LumenLink
 * database of any version, pass. It only reads: call it before any pragma or statement that
 * writes.
 *
 * @throws {StorageError} naming the file, what it holds and what to do (one line).
 */
export function refuseForeignDatabase(sqlite: BetterSqlite3.Database, file: string): void {
  const objects = sqlite
    .prepare<[], { name: string; type: string }>(
      "select name, type from sqlite_master where name not like 'sqlite\\_%' escape '\\' order by name",
    )
    .all();
  if (objects.length === 0) return;
  const names = objects.map((object) => object.name);
  if (!names.includes(migrationTable)) {
    const tables = objects.filter((object) => object.type === 'table').map((object) => object.name);
    refuse(
      file,
      tables.length > 0
        ? `it holds the tables ${quoteNames(tables)} and no LumenLink migration record`
        : `it holds ${quoteNames(names)} and no LumenLink migration record`,
    );
  }
  let recorded: unknown[];
  try {
    recorded = sqlite.prepare(`select name from ${migrationTable}`).pluck().all();
  } catch {
    refuse(file, `its ${migrationTable} table is not LumenLink's migration record`);
  }
  const ours = recorded.filter(
    (name) => typeof name === 'string' && Object.hasOwn(migrations, name),
  );
  if (recorded.length > 0 && ours.length === 0) {
    refuse(
      file,
      `its migration record lists ${quoteNames(recorded.map(String))} and none of LumenLink's migrations`,
    );
  }
  // An empty record is a first migration that failed; beside other tables, it is not ours.
  const others = names.filter((name) => !bookkeepingTables.includes(name));
  if (recorded.length === 0 && others.length > 0) {
    refuse(file, `it holds ${quoteNames(others)} beside an empty migration record`);
  }
}
