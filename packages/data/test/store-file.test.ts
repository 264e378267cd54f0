import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from '@lumenlink/core';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  aDecision,
  aFill,
  anOrder,
  aPosition,
  aSnapshot,
  hour,
  hourlyCandles,
  storeTables,
  t0,
} from '../src/__fixtures__/domain.js';
import { migrations, openStore } from '../src/index.js';

/** Every migration, in the order a new database gets them. */
const allMigrations = Object.keys(migrations);
import { useTempDir } from './temp-dir.js';

const temp = useTempDir();

/** Names of the tables in a database file, read with a separate connection. */
function tablesIn(file: string): string[] {
  const raw = new BetterSqlite3(file, { readonly: true });
  try {
    return raw
      .prepare<[], { name: string }>(
        "select name from sqlite_master where type = 'table' order by name",
      )
      .all()
      .map((row) => row.name);
  } finally {
    raw.close();
  }
}

describe('openStore on a file', () => {
  it('migrates from nothing (creating the directory) and runs no migration on reopen', async () => {
    const file = path.join(temp.dir(), 'nested', 'deeper', 'lumenlink.db');
    const store = await openStore({ path: file });
    expect(store.appliedMigrations).toEqual(allMigrations);
    expect(store.journalMode).toBe('wal');
    expect(existsSync(`${file}-wal`)).toBe(true);
    await store.close();

    expect(tablesIn(file)).toEqual(
      [...storeTables, 'kysely_migration', 'kysely_migration_lock'].sort(),
    );
    const reopened = await openStore({ path: file });
    expect(reopened.appliedMigrations).toEqual([]);
    const executed = await reopened.db
      .selectFrom(sql<{ name: string }>`kysely_migration`.as('m'))
      .select('name')
      .execute();
    expect(executed).toEqual(allMigrations.map((name) => ({ name })));
    await reopened.close();
  });

  it('migrates an existing empty file', async () => {
    const file = path.join(temp.dir(), 'empty.db');
    writeFileSync(file, '');
    const store = await openStore({ path: file });
    expect(store.appliedMigrations).toEqual(allMigrations);
    await store.close();
    expect(tablesIn(file)).toEqual(expect.arrayContaining(storeTables));
  });

  it('runs in WAL with synchronous NORMAL, foreign keys and the busy timeout', async () => {
    const store = await openStore({
      path: path.join(temp.dir(), 'db.sqlite'),
      busyTimeoutMs: 1234,
    });
    const pragma = async (name: string) =>
      Object.values(
        (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(store.db)).rows[0] ?? {},
      );
    expect(await pragma('journal_mode')).toEqual(['wal']);
    expect(await pragma('synchronous')).toEqual([1]);
    expect(await pragma('foreign_keys')).toEqual([1]);
    expect(await pragma('busy_timeout')).toEqual([1234]);
    await store.close();
  });

  it('keeps everything across a reopen', async () => {
    const file = path.join(temp.dir(), 'lumenlink.db');
    const store = await openStore({ path: file });
    await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(24));
    await store.orders.insertOrder(anOrder());
    await store.orders.updateOrder('llTEST0001', {
      status: 'open',
      exchangeOrderId: 'X1',
      updatedAt: t0 + 2 * hour,
    });
    await store.orders.saveFill(aFill());
    await store.portfolio.savePosition(aPosition());
    await store.portfolio.saveEquitySnapshot(aSnapshot());
    await store.decisions.recordDecision(aDecision());
    const tradingState = {
      state: 'halted',
      reason: 'kill switch',
      changedBy: 'config',
      changedAt: t0,
      until: null,
    } as const;
    await store.runtime.setTradingState(tradingState);
    const trailingStop = {
      symbol: 'BTC-USD',
      stopPrice: 40_000,
      highWater: 42_000,
      atrMultiple: 2,
      updatedAt: t0,
    } as const;
    await store.runtime.saveTrailingStop(trailingStop);
    await store.runtime.setLastProcessedCandle('BTC-USD', '1h', t0 + 23 * hour);
    await store.close();

    const reopened = await openStore({ path: file });
    expect(await reopened.candles.getCandles('BTC-USD', '1h', t0, t0 + 23 * hour)).toEqual(
      hourlyCandles(24),
    );
    expect(await reopened.orders.getOrderByExchangeId('X1')).toEqual({
      ...anOrder(),
      status: 'open',
      exchangeOrderId: 'X1',
      updatedAt: t0 + 2 * hour,
    });
    expect(await reopened.orders.listNonFinalOrders()).toHaveLength(1);
    expect(await reopened.orders.listFills()).toEqual([aFill()]);
    expect(await reopened.orders.saveFill(aFill())).toBe(false);
    expect(await reopened.portfolio.listPositions()).toEqual([aPosition()]);
    expect(await reopened.portfolio.equitySnapshots(t0, t0 + 10 * hour)).toEqual([aSnapshot()]);
    expect(await reopened.decisions.recentDecisions('BTC-USD', 5)).toEqual([aDecision()]);
    expect(await reopened.runtime.getTradingState()).toEqual(tradingState);
    expect(await reopened.runtime.listTrailingStops()).toEqual([trailingStop]);
    expect(await reopened.runtime.getLastProcessedCandle('BTC-USD', '1h')).toBe(t0 + 23 * hour);
    await reopened.close();
  });

  it('lets a second connection read during a write, and makes its writes wait, then fail retryably', async () => {
    const file = path.join(temp.dir(), 'locks.db');
    const writer = await openStore({ path: file });
    const other = await openStore({ path: file, busyTimeoutMs: 50 });
    await writer.candles.saveCandles('BTC-USD', '1h', hourlyCandles(10));

    await writer.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('candles')
        .values({
          symbol: 'BTC-USD',
          interval: '1h',
          time: t0 + 10 * hour,
          open: 1,
          high: 1,
          low: 1,
          close: 1,
          volume: 1,
        })
        .execute();
      // Readers are not blocked and see the last commit only.
      expect(await other.candles.getRecentCandles('BTC-USD', '1h', 100)).toHaveLength(10);
      // Writers wait for the busy timeout, then get a transient StorageError; nothing is stored.
      const blocked = other.candles.saveCandles('ETH-USD', '1h', hourlyCandles(3));
      await expect(blocked).rejects.toThrow(StorageError);
      await expect(blocked).rejects.toMatchObject({ isRetryable: true });
      await expect(blocked).rejects.toThrow(/SQLITE_BUSY/);
    });

    expect(await other.candles.getRecentCandles('BTC-USD', '1h', 100)).toHaveLength(11);
    expect(await other.candles.saveCandles('ETH-USD', '1h', hourlyCandles(3))).toBe(3);
    await Promise.all([writer.close(), other.close()]);
  });

  it('reports a file that is not a database as a StorageError', async () => {
    const file = path.join(temp.dir(), 'notes.txt');
    writeFileSync(file, 'this is not a database, just some text that is long enough'.repeat(100));
    const failure = openStore({ path: file });
    await expect(failure).rejects.toThrow(StorageError);
    await expect(failure).rejects.toMatchObject({
      cause: expect.objectContaining({ code: 'SQLITE_NOTADB' }) as unknown,
    });
  });

  it('reports a path it cannot create as a StorageError', async () => {
    const directory = path.join(temp.dir(), 'a-directory');
    mkdirSync(directory);
    await expect(openStore({ path: directory })).rejects.toThrow(StorageError);
    const blockedByFile = path.join(temp.dir(), 'file');
    writeFileSync(blockedByFile, '');
    await expect(openStore({ path: path.join(blockedByFile, 'db.sqlite') })).rejects.toThrow(
      /cannot create or open the database file/,
    );
  });

  it('refuses a database migrated by a newer version, leaving it untouched', async () => {
    const file = path.join(temp.dir(), 'future.db');
    const store = await openStore({ path: file });
    await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2099-01-01T00:00:00.000Z')`.execute(
      store.db,
    );
    await store.close();
    await expect(openStore({ path: file })).rejects.toThrow(StorageError);
    await expect(openStore({ path: file })).rejects.toThrow(/9999_from_the_future/);
    expect(tablesIn(file)).toEqual(expect.arrayContaining(storeTables));
  });
});
