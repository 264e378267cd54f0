/**
 * A SQLite file of another program pointed at by DB_PATH stays byte for byte as it was: openStore
 * refuses it before any write, and creates no -wal, -shm or -journal file beside it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from '@lumenlink/core';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storeTables } from '../src/__fixtures__/domain.js';
import { migrations, openStore } from '../src/index.js';

/** Every migration, in the order a new database gets them. */
const allMigrations = Object.keys(migrations);
import { useTempDir } from './temp-dir.js';

const temp = useTempDir();

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** A real SQLite file made by better-sqlite3, with `statements` run in it. */
function sqliteFile(name: string, statements: readonly string[], journalMode?: 'wal'): string {
  const file = path.join(temp.dir(), name);
  const db = new BetterSqlite3(file);
  if (journalMode !== undefined) db.pragma(`journal_mode = ${journalMode}`);
  for (const statement of statements) db.exec(statement);
  db.close();
  return file;
}

/** A notes app's database: two tables with rows, an index and a view. */
const notesApp = [
  'create table users (id integer primary key, email text not null unique)',
  'create table notes (id integer primary key, user_id integer references users(id), body text)',
  'create index notes_by_user on notes (user_id)',
  'create view note_count as select user_id, count(*) as n from notes group by user_id',
  "insert into users (email) values ('ada@example.com'), ('alan@example.com')",
  "insert into notes (user_id, body) values (1, 'buy milk'), (2, 'sell nothing')",
];

/** Opens `file` expecting a refusal; returns the error after checking the file is untouched. */
async function expectUntouched(file: string): Promise<StorageError> {
  const before = sha256(file);
  const siblings = readdirSync(path.dirname(file)).sort();
  const error = await openStore({ path: file }).then(
    () => {
      throw new Error(`openStore accepted ${file}`);
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect(sha256(file)).toBe(before);
  expect(readdirSync(path.dirname(file)).sort()).toEqual(siblings);
  for (const suffix of ['-wal', '-shm', '-journal'])
    expect(existsSync(`${file}${suffix}`)).toBe(false);
  return error as StorageError;
}

describe('openStore on a SQLite file of another program', () => {
  it('refuses it before any write: same bytes, no -wal or -shm, one line naming the file and what to do', async () => {
    const file = sqliteFile('notes.db', notesApp);
    const error = await expectUntouched(file);

    expect(error.message).toBe(
      `openStore ${file}: not a LumenLink database: it holds the tables notes, users and no LumenLink migration record. LumenLink left the file untouched; point DB_PATH (the store's path) at a new file, or at a LumenLink database`,
    );
    expect(error.message).not.toContain('\n');
    // Refused again on a second try, still untouched.
    await expectUntouched(file);
  });

  it('refuses a foreign file in WAL mode without checkpointing or leaving its -wal and -shm behind', async () => {
    const file = sqliteFile('wal-app.db', notesApp, 'wal');
    expect(existsSync(`${file}-wal`)).toBe(false);
    const error = await expectUntouched(file);
    expect(error.message).toMatch(/not a LumenLink database: it holds the tables notes, users/);
  });

  it('refuses a file that has tables named like ours but no migration record', async () => {
    const file = sqliteFile('lookalike.db', [
      'create table candles (symbol text, time integer, close real)',
      'create table orders (id integer primary key, note text)',
    ]);
    const error = await expectUntouched(file);
    expect(error.message).toMatch(
      /it holds the tables candles, orders and no LumenLink migration record/,
    );
  });

  it("refuses another kysely program's database, whose migration record names none of ours", async () => {
    const file = sqliteFile('other-kysely.db', [
      'create table kysely_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)',
      'create table kysely_migration_lock (id varchar(255) not null primary key, is_locked integer default 0 not null)',
      "insert into kysely_migration values ('2023_01_create_users', '2023-01-01T00:00:00.000Z')",
      'create table users (id integer primary key)',
    ]);
    const error = await expectUntouched(file);
    expect(error.message).toMatch(
      /its migration record lists 2023_01_create_users and none of LumenLink's migrations/,
    );

    const odd = sqliteFile('odd-record.db', ['create table kysely_migration (id integer)']);
    expect((await expectUntouched(odd)).message).toMatch(
      /its kysely_migration table is not LumenLink's migration record/,
    );
    const empty = sqliteFile('empty-record.db', [
      'create table kysely_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)',
      'create table accounts (id integer primary key)',
    ]);
    expect((await expectUntouched(empty)).message).toMatch(
      /it holds accounts beside an empty migration record/,
    );
  });

  it('names at most five tables', async () => {
    const tables = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => `create table t_${name} (x)`);
    const error = await expectUntouched(sqliteFile('many.db', tables));
    expect(error.message).toMatch(/the tables t_a, t_b, t_c, t_d, t_e and 2 more and no/);
  });
});

describe('openStore on files that are LumenLink', () => {
  it('creates a new file, migrates an empty (0-byte) one and an empty SQLite database', async () => {
    const fresh = path.join(temp.dir(), 'fresh.db');
    const empty = path.join(temp.dir(), 'empty.db');
    writeFileSync(empty, '');
    const blank = sqliteFile('blank.db', []);
    for (const file of [fresh, empty, blank]) {
      const store = await openStore({ path: file });
      expect(store.appliedMigrations).toEqual(allMigrations);
      await store.close();
    }
  });

  it('reopens its own database, and resumes a first migration that failed (bookkeeping only)', async () => {
    const file = path.join(temp.dir(), 'lumenlink.db');
    await (await openStore({ path: file })).close();
    const reopened = await openStore({ path: file });
    expect(reopened.appliedMigrations).toEqual([]);
    await reopened.close();

    const crashed = sqliteFile('crashed.db', [
      'create table kysely_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)',
      'create table kysely_migration_lock (id varchar(255) not null primary key, is_locked integer default 0 not null)',
    ]);
    const resumed = await openStore({ path: crashed });
    expect(resumed.appliedMigrations).toEqual(allMigrations);
    const tables = await resumed.db.introspection.getTables();
    expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(storeTables));
    await resumed.close();
  });
});
