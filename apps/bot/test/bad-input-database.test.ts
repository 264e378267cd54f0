/**
 * A corrupt database file (issue #15, part 3): garbage over the file or its header, a file cut
 * short, a damaged table, a garbage WAL file. Each gives a clear `StorageError` (naming the file
 * when the store cannot open it), the bot refuses to start with a one-line message instead of a
 * stack trace, and nothing stored is lost: the damaged file is left exactly as it was, for
 * recovery, and what is still readable stays readable.
 */
import {
  closeSync,
  copyFileSync,
  openSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { StorageError, silentLogger, type Fill, type Order } from '@lumenlink/core';
import { loadBundledCandles, openStore } from '@lumenlink/data';
import { runBot } from '../src/main.js';
import { bundledSymbols, replayEnv, tempDir } from './helpers.js';
import { pragma, rawSql } from './support-faults/storage-faults.js';

// Some cases start the bot or go through ccxt's rate limiter, on a shared machine: allow more
// than vitest's 5 s default when the file runs on its own (the package's test script does too).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const candleCount = 300;
const pageSize = 4096;
const orderTime = Date.UTC(2025, 0, 2);

const order: Order = {
  clientOrderId: 'llbadinputtest0000000000000001',
  exchangeOrderId: 'paper-1',
  exchange: 'paper',
  strategy: 'composite',
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'market',
  role: 'entry',
  quantity: 0.01,
  limitPrice: null,
  stopPrice: null,
  status: 'filled',
  filledQuantity: 0.01,
  avgFillPrice: 40_000,
  fee: 0.4,
  feeCurrency: 'USDT',
  reason: 'stored before the damage',
  candleTime: orderTime,
  attempt: 0,
  createdAt: orderTime,
  updatedAt: orderTime,
};

const fill: Fill = {
  tradeId: 'paper-fill-1',
  clientOrderId: order.clientOrderId,
  exchangeOrderId: 'paper-1',
  symbol: 'BTC-USDT',
  side: 'buy',
  quantity: 0.01,
  price: 40_000,
  fee: 0.4,
  feeCurrency: 'USDT',
  time: orderTime,
};

let dir: string;
let healthy: string;
let healthySize: number;

beforeAll(async () => {
  dir = tempDir('lumenlink-corrupt-');
  healthy = join(dir, 'healthy.db');
  const store = await openStore({ path: healthy });
  for (const symbol of bundledSymbols) {
    await store.candles.saveCandles(symbol, '1h', loadBundledCandles(symbol).slice(0, candleCount));
  }
  await store.orders.insertOrder(order);
  await store.orders.saveFill(fill);
  await store.close();
  healthySize = statSync(healthy).size;
});

/** A copy of the healthy database, damaged by `damage`. */
function damagedCopy(name: string, damage: (file: string) => void): string {
  const file = join(dir, `${name}.db`);
  copyFileSync(healthy, file);
  damage(file);
  return file;
}

/** Writes `bytes` of `fill` at `offset` of `file`. */
function overwrite(file: string, offset: number, bytes: number, value: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(bytes, value), 0, bytes, offset);
  } finally {
    closeSync(fd);
  }
}

const damages: readonly {
  readonly name: string;
  readonly damage: (file: string) => void;
  readonly sqliteCode: RegExp;
}[] = [
  {
    name: 'garbage over the whole file',
    damage: (file) => writeFileSync(file, Buffer.alloc(healthySize, 0x5a)),
    sqliteCode: /SQLITE_NOTADB/,
  },
  {
    name: 'garbage over the header',
    damage: (file) => overwrite(file, 0, 100, 0x41),
    sqliteCode: /SQLITE_NOTADB/,
  },
  {
    name: 'a file cut to half its size',
    damage: (file) => truncateSync(file, Math.floor(healthySize / 2)),
    sqliteCode: /SQLITE_CORRUPT/,
  },
  {
    name: 'a file cut to 50 bytes',
    damage: (file) => truncateSync(file, 50),
    sqliteCode: /SQLITE_NOTADB|SQLITE_CORRUPT/,
  },
];

describe('a corrupt database file', () => {
  it.each(damages)(
    '$name: openStore throws a StorageError naming the file and leaves the file as it was',
    async ({ name, damage, sqliteCode }) => {
      const file = damagedCopy(name.replaceAll(' ', '-'), damage);
      const before = readFileSync(file);
      const opening = openStore({ path: file });
      await expect(opening).rejects.toThrow(StorageError);
      await expect(opening).rejects.toThrow(file);
      await expect(opening).rejects.toThrow(sqliteCode);
      // Not repaired, recreated or migrated over: the bytes are there for recovery.
      expect(readFileSync(file).equals(before)).toBe(true);
    },
  );

  it('the bot refuses to start on it: exit 1 and one line naming the file, no stack trace', async () => {
    const file = damagedCopy('for-the-bot', (target) => overwrite(target, 0, 100, 0x41));
    const before = readFileSync(file);
    let err = '';
    const code = await runBot({
      argv: [],
      processEnv: replayEnv(file),
      envFile: join(dir, 'absent.env'),
      err: new Writable({
        write(chunk: Buffer | string, _encoding, done) {
          err += String(chunk);
          done();
        },
      }),
      signal: new AbortController().signal,
      logger: silentLogger,
    });
    expect(code).toBe(1);
    expect(err.trim()).toBe(
      `The bot could not start: openStore ${file}: file is not a database (SQLITE_NOTADB)`,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a damaged candles table: the store opens, orders and fills are intact, and reading the candles fails with a StorageError, never with garbage values', async () => {
    // Find the candles table's root page, then overwrite it (an interior page of its b-tree).
    const probe = await openStore({ path: healthy });
    const [row] = await rawSql(
      probe,
      "select rootpage from sqlite_master where type = 'table' and name = 'candles'",
    );
    expect(await pragma(probe, 'page_size')).toBe(pageSize);
    await probe.close();
    const rootPage = Number(row?.['rootpage']);
    expect(rootPage).toBeGreaterThan(1);
    const file = damagedCopy('damaged-table', (target) =>
      overwrite(target, (rootPage - 1) * pageSize, pageSize, 0x33),
    );

    const store = await openStore({ path: file });
    try {
      expect(await store.orders.listOrders()).toEqual([order]);
      expect(await store.orders.listFills()).toEqual([fill]);
      const reading = store.candles.getCandles('BTC-USDT', '1h', 0, Number.MAX_SAFE_INTEGER);
      await expect(reading).rejects.toThrow(StorageError);
      await expect(reading).rejects.toThrow(/getCandles BTC-USDT 1h: .*SQLITE_CORRUPT/);
      // A write to the damaged table fails the same way, and stores nothing.
      const writing = store.candles.saveCandles('BTC-USDT', '1h', [
        { time: orderTime, open: 1, high: 1, low: 1, close: 1, volume: 1 },
      ]);
      await expect(writing).rejects.toThrow(StorageError);
    } finally {
      await store.close();
    }
  });

  it('a garbage WAL file beside a healthy database is ignored: everything stored is still there', async () => {
    const file = damagedCopy('garbage-wal', (target) =>
      writeFileSync(`${target}-wal`, Buffer.alloc(3 * pageSize, 0x66)),
    );
    const store = await openStore({ path: file });
    try {
      for (const symbol of bundledSymbols) {
        const candles = await store.candles.getCandles(symbol, '1h', 0, Number.MAX_SAFE_INTEGER);
        expect(candles).toEqual(loadBundledCandles(symbol).slice(0, candleCount));
      }
      expect(await store.orders.listOrders()).toEqual([order]);
      expect(await store.orders.listFills()).toEqual([fill]);
    } finally {
      await store.close();
    }
  });
});
