/**
 * Storage faults made inside SQLite (the tests run as root, so file permissions and a full disk
 * cannot be had from the file system): a full disk with `PRAGMA max_page_count`, a read-only
 * connection with `PRAGMA query_only`, and a lock held by a second connection to the same file.
 *
 * The pragmas must run on the store's own connection (both are per connection). The bot's tests
 * may import `@lumenlink/data` but not kysely, so the raw statement goes through the store's
 * kysely handle as a query its own builder compiled, with the SQL replaced.
 */
import { openStore, type LumenLinkStore } from '@lumenlink/data';

/** Runs one raw SQL statement on the store's connection and returns its rows. */
export async function rawSql(
  store: LumenLinkStore,
  statement: string,
): Promise<Record<string, unknown>[]> {
  const compiled = store.db.selectFrom('candles').selectAll().compile();
  const result = await store.db.executeQuery({ ...compiled, sql: statement, parameters: [] });
  return result.rows as Record<string, unknown>[];
}

/** The value of a pragma on the store's connection. */
export async function pragma(store: LumenLinkStore, name: string): Promise<unknown> {
  const [row] = await rawSql(store, `pragma ${name}`);
  return row === undefined ? undefined : Object.values(row)[0];
}

/** An injected fault: `clear()` makes storage answer again. */
export interface StorageFault {
  readonly kind: 'full disk' | 'read-only' | 'locked';
  clear(): Promise<void>;
}

/**
 * A full disk: the database may not grow past the pages it has now. Writes that fit in the free
 * space of existing pages still succeed (as on a real full disk); those that need a new page fail
 * with `SQLITE_FULL`.
 */
export async function fillDisk(store: LumenLinkStore): Promise<StorageFault> {
  const pages = Number(await pragma(store, 'page_count'));
  await rawSql(store, `pragma max_page_count = ${pages}`);
  return {
    kind: 'full disk',
    clear: async () => {
      await rawSql(store, 'pragma max_page_count = 4294967294');
    },
  };
}

/** A read-only database: every write fails with `SQLITE_READONLY`, reads go on. */
export async function makeReadOnly(store: LumenLinkStore): Promise<StorageFault> {
  await rawSql(store, 'pragma query_only = on');
  return {
    kind: 'read-only',
    clear: async () => {
      await rawSql(store, 'pragma query_only = off');
    },
  };
}

/**
 * A locked database: a second connection to the file holds a write transaction (`BEGIN
 * IMMEDIATE`, the write lock of a WAL database) until cleared. The store's writes wait its busy
 * timeout, then fail with `SQLITE_BUSY`; reads go on (WAL).
 */
export async function lockDatabase(path: string): Promise<StorageFault> {
  const holder = await openStore({ path });
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked = (): void => undefined;
  const taken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const transaction = holder.db.transaction().execute(async () => {
    locked();
    await released;
  });
  await taken;
  return {
    kind: 'locked',
    clear: async () => {
      release();
      await transaction;
      await holder.close();
    },
  };
}
