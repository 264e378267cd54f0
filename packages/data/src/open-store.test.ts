import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageError, ValidationError, type LogFields, type Logger } from '@lumenlink/core';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  aDecision,
  aFill,
  anOrder,
  aPosition,
  aSnapshot,
  hourlyCandles,
  storeTables,
} from './__fixtures__/domain.js';
import { migrations } from './migrations/index.js';

/** Every migration, in the order a new database gets them. */
const allMigrations = Object.keys(migrations);
import { DataInputError } from './input-error.js';
import { openEmptyStore, openStore } from './open-store.js';

function recordingLogger(lines: { level: string; message: string; fields?: LogFields }[]): Logger {
  const logger: Logger = {
    error: (message, fields) =>
      void lines.push({ level: 'error', message, ...(fields && { fields }) }),
    warn: (message, fields) =>
      void lines.push({ level: 'warn', message, ...(fields && { fields }) }),
    info: (message, fields) =>
      void lines.push({ level: 'info', message, ...(fields && { fields }) }),
    debug: (message, fields) =>
      void lines.push({ level: 'debug', message, ...(fields && { fields }) }),
    child: () => logger,
  };
  return logger;
}

describe('openStore in memory', () => {
  it('migrates an empty database to every table, and logs it', async () => {
    const lines: { level: string; message: string; fields?: LogFields }[] = [];
    const store = await openStore({ path: ':memory:', logger: recordingLogger(lines) });
    const tables = await store.db
      .selectFrom(sql<{ name: string; type: string }>`sqlite_master`.as('m'))
      .select('name')
      .where('type', '=', 'table')
      .orderBy('name')
      .execute();
    expect(tables.map((table) => table.name)).toEqual(
      [...storeTables, 'kysely_migration', 'kysely_migration_lock'].sort(),
    );
    expect(store.appliedMigrations).toEqual(allMigrations);
    expect(store.journalMode).toBe('memory');
    expect(lines).toContainEqual({
      level: 'info',
      message: 'migration applied',
      fields: { migration: '0001_initial_schema', path: ':memory:' },
    });
    await store.close();
  });

  it('turns foreign keys on', async () => {
    const store = await openStore({ path: ':memory:' });
    const { rows } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
    expect(rows).toEqual([{ foreign_keys: 1 }]);
    await store.close();
  });

  it('stores times as INTEGER and money as REAL', async () => {
    const store = await openStore({ path: ':memory:' });
    await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(1, undefined, 100));
    await store.orders.insertOrder(anOrder({ quantity: 1 }));
    await store.orders.saveFill(aFill({ price: 42_000, fee: 0 }));
    await store.portfolio.savePosition(aPosition({ quantity: 1, fees: 0 }));
    await store.portfolio.saveEquitySnapshot(aSnapshot({ cash: 10_000 }));
    await store.decisions.recordDecision(aDecision());
    const types = async (query: string) =>
      Object.values((await sql.raw<Record<string, string>>(query).execute(store.db)).rows[0] ?? {});
    expect(await types('select typeof(time), typeof(open), typeof(volume) from candles')).toEqual([
      'integer',
      'real',
      'real',
    ]);
    expect(
      await types(
        'select typeof(created_at), typeof(candle_time), typeof(quantity), typeof(fee), typeof(attempt) from orders',
      ),
    ).toEqual(['integer', 'integer', 'real', 'real', 'integer']);
    expect(await types('select typeof(time), typeof(price), typeof(fee) from fills')).toEqual([
      'integer',
      'real',
      'real',
    ]);
    expect(await types('select typeof(opened_at), typeof(quantity) from positions')).toEqual([
      'integer',
      'real',
    ]);
    expect(await types('select typeof(at), typeof(cash) from equity_snapshots')).toEqual([
      'integer',
      'real',
    ]);
    expect(await types('select typeof(id), typeof(decided_at) from decisions')).toEqual([
      'integer',
      'integer',
    ]);
    await store.close();
  });

  it('gives every open its own database', async () => {
    const first = await openStore({ path: ':memory:' });
    const second = await openStore({ path: ':memory:' });
    await first.candles.saveCandles('BTC-USD', '1h', hourlyCandles(3));
    expect(await second.candles.latestCandleTime('BTC-USD', '1h')).toBeNull();
    await Promise.all([first.close(), second.close()]);
  });

  it('rejects a missing path or a bad busy timeout', async () => {
    await expect(openStore({ path: '' })).rejects.toThrow(ValidationError);
    await expect(openStore({ path: ':memory:', busyTimeoutMs: -1 })).rejects.toThrow(
      ValidationError,
    );
  });

  it('closes once, and then reports every use as a StorageError', async () => {
    const store = await openStore({ path: ':memory:' });
    await store.close();
    await store.close();
    await expect(store.candles.getRecentCandles('BTC-USD', '1h', 1)).rejects.toThrow(StorageError);
    await expect(store.orders.insertOrder(anOrder())).rejects.toThrow(/the store is closed/);
    await expect(store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(1))).rejects.toThrow(
      StorageError,
    );
  });

  it('names its migrations in the order they run', () => {
    const names = Object.keys(migrations);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('0001_initial_schema');
    expect(names).toContain('0002_runs');
  });
});

describe('openEmptyStore', () => {
  it('opens a new file, and refuses one that holds a trading state, naming --db', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lumenlink-empty-')), 'run.db');
    const fresh = await openEmptyStore(file);
    await fresh.runtime.setTradingState({
      state: 'halted',
      reason: 'test',
      changedBy: 'operator',
      changedAt: Date.UTC(2024, 0, 1),
      until: null,
    });
    await fresh.close();
    const refused = openEmptyStore(file);
    await expect(refused).rejects.toThrow(DataInputError);
    await expect(openEmptyStore(file)).rejects.toThrow(
      `--db: ${file} already holds a trading state (an earlier run, or the bot's database)`,
    );
  });
});
