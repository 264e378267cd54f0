import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { describe, expect, it } from 'vitest';
import { anOrder } from '../src/__fixtures__/domain.js';
import { migrations, openStore } from '../src/index.js';
import { useTempDir } from './temp-dir.js';

const temp = useTempDir();

/** A database as a LumenLink before the `runs` table made it: only migration 0001 applied. */
async function databaseBeforeRuns(file: string): Promise<void> {
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new BetterSqlite3(file) }),
  });
  const initial = migrations['0001_initial_schema']!;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve({ '0001_initial_schema': initial }) },
  });
  const { error } = await migrator.migrateToLatest();
  await db.destroy();
  expect(error).toBeUndefined();
}

describe('migration 0002_runs on an existing database', () => {
  it('adds an empty runs table and keeps what the database held', async () => {
    const withOrder = path.join(temp.dir(), 'with-order.db');
    await databaseBeforeRuns(withOrder);
    const legacy = new BetterSqlite3(withOrder);
    const order = anOrder();
    legacy
      .prepare(
        `insert into orders (client_order_id, exchange, strategy, symbol, side, type, role, quantity,
          status, filled_quantity, fee, candle_time, attempt, created_at, updated_at)
         values (?, 'paper', ?, ?, ?, ?, ?, ?, 'pending', 0, 0, ?, 0, ?, ?)`,
      )
      .run(
        order.clientOrderId,
        order.strategy,
        order.symbol,
        order.side,
        order.type,
        order.role,
        order.quantity,
        order.candleTime,
        order.createdAt,
        order.updatedAt,
      );
    const tablesBefore = legacy
      .prepare<[], { name: string }>("select name from sqlite_master where type = 'table'")
      .all()
      .map((row) => row.name);
    legacy.close();
    expect(tablesBefore).not.toContain('runs');

    const store = await openStore({ path: withOrder });
    expect(store.appliedMigrations).toEqual(['0002_runs']);
    expect(await store.runs.latestRun()).toBeNull();
    expect((await store.orders.getOrder(order.clientOrderId))?.clientOrderId).toBe(
      order.clientOrderId,
    );
    const run = await store.runs.recordRun({
      startedAt: 1,
      mode: 'paper',
      provenance: {
        strategy: { spec: 'ema_crossover', kind: 'builtin', key: 'ema_crossover' },
        params: {},
        settings: {},
      },
    });
    expect((await store.runs.latestRun())?.id).toBe(run.id);
    await store.close();

    const reopened = await openStore({ path: withOrder });
    expect(reopened.appliedMigrations).toEqual([]);
    expect(await reopened.runs.listRuns()).toHaveLength(1);
    await reopened.close();
  });
});
