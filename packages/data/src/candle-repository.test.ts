import { DataIntegrityError, StorageError, ValidationError, type Candle } from '@lumenlink/core';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hour, hourlyCandles, t0 } from './__fixtures__/domain.js';
import { openStore, type LumenLinkStore } from './open-store.js';

let store: LumenLinkStore;

beforeEach(async () => {
  store = await openStore({ path: ':memory:' });
});

afterEach(async () => {
  await store.close();
});

async function countCandles(): Promise<number> {
  const row = await store.db
    .selectFrom('candles')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return row.count;
}

describe('saveCandles', () => {
  it('stores candles and reads them back ascending', async () => {
    const candles = hourlyCandles(5);
    expect(await store.candles.saveCandles('BTC-USD', '1h', [...candles].reverse())).toBe(5);
    expect(await store.candles.getCandles('BTC-USD', '1h', t0, t0 + 4 * hour)).toEqual(candles);
  });

  it('stores the same candles once when saved twice, and counts only real changes', async () => {
    const candles = hourlyCandles(10);
    expect(await store.candles.saveCandles('BTC-USD', '1h', candles)).toBe(10);
    expect(await store.candles.saveCandles('BTC-USD', '1h', candles)).toBe(0);
    expect(await countCandles()).toBe(10);

    const revised = candles.map((candle, index) =>
      index === 9 ? { ...candle, close: candle.close + 0.5, volume: 99 } : candle,
    );
    expect(await store.candles.saveCandles('BTC-USD', '1h', revised)).toBe(1);
    expect(await countCandles()).toBe(10);
    expect(await store.candles.getRecentCandles('BTC-USD', '1h', 1)).toEqual([revised[9]]);
  });

  it('keeps symbols and timeframes apart', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(3));
    await store.candles.saveCandles('ETH-USD', '1h', hourlyCandles(2, t0, 2_000));
    await store.candles.saveCandles('BTC-USD', '4h', hourlyCandles(1));
    expect(await countCandles()).toBe(6);
    expect(await store.candles.getRecentCandles('ETH-USD', '1h', 10)).toEqual(
      hourlyCandles(2, t0, 2_000),
    );
    expect(await store.candles.getRecentCandles('BTC-USD', '4h', 10)).toHaveLength(1);
  });

  it('rejects a batch with a NaN candle in the middle and stores none of it', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(2));
    const batch: Candle[] = hourlyCandles(6);
    batch[3] = { ...(batch[3] as Candle), close: Number.NaN };
    const failure = store.candles.saveCandles('BTC-USD', '1h', batch);
    await expect(failure).rejects.toThrow(DataIntegrityError);
    await expect(failure).rejects.toThrow(
      'saveCandles BTC-USD 1h: candle 4 of 6 at 2024-01-01T03:00:00.000Z (1704078000000): close NaN is not a positive price; nothing of the batch was stored',
    );
    expect(await countCandles()).toBe(2);
  });

  it('rejects a candle whose time is not a candle open time', async () => {
    const batch = hourlyCandles(3);
    batch[1] = { ...(batch[1] as Candle), time: t0 + hour + 60_000 };
    await expect(store.candles.saveCandles('BTC-USD', '1h', batch)).rejects.toThrow(
      /candle 2 of 3 .*time is not the open time of a 1h candle/,
    );
    expect(await countCandles()).toBe(0);
  });

  it('rolls the whole batch back when SQLite fails in the middle of it', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(2));
    // A trigger makes SQLite itself abort on the 500th row of the batch.
    await sql`create trigger fail_mid_batch before insert on candles
      when new.time = ${sql.lit(t0 + 500 * hour)}
      begin select raise(abort, 'simulated failure'); end`.execute(store.db);
    const failure = store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(1_000));
    await expect(failure).rejects.toThrow(DataIntegrityError);
    await expect(failure).rejects.toThrow(/simulated failure \(SQLITE_CONSTRAINT_TRIGGER\)/);
    expect(await countCandles()).toBe(2);
    const first = await store.candles.getCandles('BTC-USD', '1h', t0, t0 + hour);
    expect(first).toEqual(hourlyCandles(2));
  });

  it('turns a full disk into a retryable StorageError and stores nothing', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(2));
    const { page_count: pages } = (
      await sql<{ page_count: number }>`pragma page_count`.execute(store.db)
    ).rows[0] as { page_count: number };
    await sql.raw(`pragma max_page_count = ${pages + 3}`).execute(store.db);
    const failure = store.candles.saveCandles(
      'BTC-USD',
      '1h',
      hourlyCandles(20_000, t0 + 2 * hour),
    );
    await expect(failure).rejects.toThrow(StorageError);
    await expect(failure).rejects.toMatchObject({
      isRetryable: true,
      cause: expect.objectContaining({ code: 'SQLITE_FULL' }) as unknown,
    });
    expect(await countCandles()).toBe(2);
  });

  it('saves a batch far above the bound-parameter limit in one call', async () => {
    const candles = hourlyCandles(50_000);
    expect(await store.candles.saveCandles('BTC-USD', '1h', candles)).toBe(50_000);
    expect(await countCandles()).toBe(50_000);
    expect(await store.candles.latestCandleTime('BTC-USD', '1h')).toBe(t0 + 49_999 * hour);
  });

  it('stores nothing and returns 0 for an empty batch', async () => {
    expect(await store.candles.saveCandles('BTC-USD', '1h', [])).toBe(0);
  });

  it('rejects an invalid timeframe', async () => {
    await expect(
      store.candles.saveCandles('BTC-USD', '1x' as '1h', hourlyCandles(1)),
    ).rejects.toThrow(ValidationError);
  });
});

describe('candle reads', () => {
  beforeEach(async () => {
    await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(48));
  });

  it('returns the latest candles ascending', async () => {
    const recent = await store.candles.getRecentCandles('BTC-USD', '1h', 3);
    expect(recent.map((candle) => candle.time)).toEqual([
      t0 + 45 * hour,
      t0 + 46 * hour,
      t0 + 47 * hour,
    ]);
    expect(await store.candles.getRecentCandles('BTC-USD', '1h', 0)).toEqual([]);
    expect(await store.candles.getRecentCandles('BTC-USD', '1h', 1_000)).toHaveLength(48);
    await expect(store.candles.getRecentCandles('BTC-USD', '1h', -1)).rejects.toThrow(
      ValidationError,
    );
  });

  it('returns a range with both ends inclusive, ascending', async () => {
    const range = await store.candles.getCandles('BTC-USD', '1h', t0 + 10 * hour, t0 + 12 * hour);
    expect(range.map((candle) => candle.time)).toEqual([
      t0 + 10 * hour,
      t0 + 11 * hour,
      t0 + 12 * hour,
    ]);
    expect(
      await store.candles.getCandles('BTC-USD', '1h', t0 + 100 * hour, t0 + 200 * hour),
    ).toEqual([]);
  });

  it('knows the latest candle time, or null', async () => {
    expect(await store.candles.latestCandleTime('BTC-USD', '1h')).toBe(t0 + 47 * hour);
    expect(await store.candles.latestCandleTime('ETH-USD', '1h')).toBeNull();
  });
});

describe('findGaps', () => {
  const present = (indexes: number[]) =>
    hourlyCandles(30).filter((_, index) => indexes.includes(index));

  it('reports the whole range when nothing is stored', async () => {
    expect(await store.candles.findGaps('BTC-USD', '1h', t0, t0 + 9 * hour)).toEqual([
      { from: t0, to: t0 + 9 * hour, missing: 10 },
    ]);
  });

  it('reports no gap when every candle is there', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', hourlyCandles(10));
    expect(await store.candles.findGaps('BTC-USD', '1h', t0, t0 + 9 * hour)).toEqual([]);
  });

  it('reports runs at the start, in the middle and at the end', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', present([2, 3, 5, 9, 10]));
    expect(await store.candles.findGaps('BTC-USD', '1h', t0, t0 + 14 * hour)).toEqual([
      { from: t0, to: t0 + hour, missing: 2 },
      { from: t0 + 4 * hour, to: t0 + 4 * hour, missing: 1 },
      { from: t0 + 6 * hour, to: t0 + 8 * hour, missing: 3 },
      { from: t0 + 11 * hour, to: t0 + 14 * hour, missing: 4 },
    ]);
  });

  it('looks only at aligned open times inside an unaligned range', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', present([1, 2, 3]));
    // From 00:30 to 05:59: open times 01:00 .. 05:00; 04:00 and 05:00 are missing.
    expect(await store.candles.findGaps('BTC-USD', '1h', t0 + hour / 2, t0 + 6 * hour - 1)).toEqual(
      [{ from: t0 + 4 * hour, to: t0 + 5 * hour, missing: 2 }],
    );
    expect(await store.candles.findGaps('BTC-USD', '1h', t0 + 10, t0 + 20)).toEqual([]);
    expect(await store.candles.findGaps('BTC-USD', '1h', t0 + 5 * hour, t0)).toEqual([]);
  });

  it('aligns weekly candles to Mondays', async () => {
    const week = 7 * 24 * hour;
    const monday = Date.UTC(2024, 0, 1); // a Monday
    await store.candles.saveCandles('BTC-USD', '1w', [
      { time: monday, open: 1, high: 2, low: 1, close: 2, volume: 1 },
      { time: monday + 3 * week, open: 1, high: 2, low: 1, close: 2, volume: 1 },
    ]);
    expect(await store.candles.findGaps('BTC-USD', '1w', monday, monday + 3 * week)).toEqual([
      { from: monday + week, to: monday + 2 * week, missing: 2 },
    ]);
  });

  it('walks a long range in one pass', async () => {
    const candles = hourlyCandles(20_000).filter((_, index) => index % 1_000 !== 999);
    await store.candles.saveCandles('BTC-USD', '1h', candles);
    const gaps = await store.candles.findGaps('BTC-USD', '1h', t0, t0 + 19_999 * hour);
    expect(gaps).toHaveLength(20);
    expect(gaps[0]).toEqual({ from: t0 + 999 * hour, to: t0 + 999 * hour, missing: 1 });
  });
});
