/**
 * Storage faults during live trading (issue #15, part 2; docs/architecture/principles.md,
 * principle 6: a storage failure blocks every order, alerts, and clears when storage answers
 * again). A live trader wired like
 * the bot trades against the exchange emulator on a SQLite file, and storage fails mid-run: a
 * full disk (`PRAGMA max_page_count`), a read-only connection (`PRAGMA query_only`), a lock held
 * by a second connection. The emulator's request log is compared with the database afterwards:
 * no order of any kind (entry or exit) reaches the exchange without its intent stored.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageError, type Order } from '@lumenlink/core';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { CandleProcessingError } from '@lumenlink/runtime';
import { tempDir, waitFor } from './helpers.js';
import {
  apiKey,
  apiSecret,
  hourMs,
  intendedClientOrderId,
  loggedAlerts,
  openLiveRig,
  orderPosts,
  symbol,
  type LiveRig,
  type StepOutcome,
} from './support-faults/live-rig.js';
import {
  fillDisk,
  lockDatabase,
  makeReadOnly,
  type StorageFault,
} from './support-faults/storage-faults.js';

// Some cases start the bot or go through ccxt's rate limiter, on a shared machine: allow more
// than vitest's 5 s default when the file runs on its own (the package's test script does too).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Open time of the first candle: an even hour (a buy), well before now (exchange fills come after). */
const t0 = Math.floor(Date.now() / (2 * hourMs)) * 2 * hourMs - 200 * hourMs;
const candleAt = (index: number): number => t0 + index * hourMs;
const intentAt = (index: number, positionOpenedAt?: number): string =>
  intendedClientOrderId(candleAt(index), positionOpenedAt);

async function emulatorFor(): Promise<ExchangeEmulator> {
  const emulator = await startExchangeEmulator({ apiKey, secret: apiSecret });
  cleanups.push(() => emulator.close());
  return emulator;
}

async function rigFor(
  dbPath: string,
  emulator: ExchangeEmulator,
  firstCandle: number,
  reasonPadding = 0,
): Promise<LiveRig> {
  const rig = await openLiveRig({
    dbPath,
    emulator,
    startAt: candleAt(firstCandle),
    busyTimeoutMs: 20,
    reasonPadding,
  });
  cleanups.push(() => rig.close());
  return rig;
}

/**
 * The storage errors of a failed candle: the driver throws the `StorageError` of storing its
 * cursor, or a `CandleProcessingError` holding the trade cycle's when the cursor was stored.
 */
function storageErrorsOf(outcome: StepOutcome): StorageError[] {
  if (outcome.ok) throw new Error('expected the candle to fail');
  const errors =
    outcome.error instanceof CandleProcessingError
      ? outcome.error.failures.map((failure) => failure.error)
      : [outcome.error];
  return errors.filter((error): error is StorageError => error instanceof StorageError);
}

/** BTC the emulator holds for us. */
function btcHeld(emulator: ExchangeEmulator): number {
  const btc = emulator.balances()['BTC'];
  return (btc?.free ?? 0) + (btc?.locked ?? 0);
}

/** Every client id the emulator was asked to place is stored, and none was asked twice. */
function expectEveryPostStored(emulator: ExchangeEmulator, orders: readonly Order[]): void {
  const posts = orderPosts(emulator);
  expect(new Set(posts).size).toBe(posts.length);
  const stored = new Set(orders.map((order) => order.clientOrderId));
  expect(posts.filter((id) => !stored.has(id))).toEqual([]);
}

interface FaultCase {
  readonly kind: StorageFault['kind'];
  readonly sqliteCode: string;
  readonly inject: (rig: LiveRig, dbPath: string) => Promise<StorageFault>;
  /**
   * Padding of the stored reason. On a full disk a write that fits in the free space of a page
   * it has still succeeds; a reason of 3 000 characters makes every order row need a page of its
   * own, so the intent can never be stored.
   */
  readonly reasonPadding: number;
}

const faults: readonly FaultCase[] = [
  {
    kind: 'full disk',
    sqliteCode: 'SQLITE_FULL',
    inject: (rig) => fillDisk(rig.store),
    reasonPadding: 3_000,
  },
  {
    kind: 'read-only',
    sqliteCode: 'SQLITE_READONLY',
    inject: (rig) => makeReadOnly(rig.store),
    reasonPadding: 0,
  },
  {
    kind: 'locked',
    sqliteCode: 'SQLITE_BUSY',
    inject: (_rig, dbPath) => lockDatabase(dbPath),
    reasonPadding: 0,
  },
];

describe('a storage failure blocks every order, alerts, and clears when storage answers again', () => {
  it.each(faults)(
    '$kind: neither the exit nor the entry is sent, the console channel alerts, trading resumes, and a restart reconciles first',
    async ({ sqliteCode, inject, reasonPadding }) => {
      const emulator = await emulatorFor();
      const dbPath = join(tempDir('lumenlink-storage-'), 'bot.db');
      const rig = await rigFor(dbPath, emulator, 0, reasonPadding);

      // Healthy: the entry of candle 0 is stored, sent and filled.
      expect(await rig.step(candleAt(0))).toEqual({ ok: true });
      expect(orderPosts(emulator)).toEqual([intentAt(0)]);
      const held = rig.portfolio.position(symbol)?.quantity ?? 0;
      expect(held).toBeGreaterThan(0);
      // The exits of candles 1 and 3 sell this position: one exit, one client id.
      const openedAt = rig.portfolio.position(symbol)?.openedAt ?? 0;
      const before = await rig.orders();
      expect(before.map((order) => order.status)).toEqual(['filled']);

      // Storage fails: candle 1 wants to exit the position, candle 2 to buy again.
      const fault = await inject(rig, dbPath);
      for (const index of [1, 2]) {
        const [error] = storageErrorsOf(await rig.step(candleAt(index)));
        expect(error?.isRetryable).toBe(true);
        expect(error?.message).toContain(sqliteCode);
      }
      // Nothing was sent: the intents could not be stored.
      expect(orderPosts(emulator)).toEqual([intentAt(0)]);
      expect(emulator.orders()).toHaveLength(1);
      // Reads still answer, and what was stored is intact.
      expect(await rig.orders()).toEqual(before);
      expect(rig.portfolio.position(symbol)?.quantity).toBe(held);

      // The alert went out at once through the console channel, which needs no storage (the
      // repeat for candle 2 is collapsed into a summary, sent when the window ends).
      await rig.alerts.flush();
      expect(loggedAlerts(rig.lines)).toContainEqual({
        type: 'error',
        code: 'STORAGE_UNAVAILABLE',
        message: expect.stringMatching(
          new RegExp(`^insertOrder ${intentAt(1, openedAt)}: .*\\(${sqliteCode}\\)$`),
        ) as unknown,
      });

      // Storage answers again: the exit of candle 3 and the entry of candle 4 are stored and sent.
      await fault.clear();
      expect(await rig.step(candleAt(3))).toEqual({ ok: true });
      expect(await rig.step(candleAt(4))).toEqual({ ok: true });
      expect(orderPosts(emulator)).toEqual([intentAt(0), intentAt(3, openedAt), intentAt(4)]);
      const after = await rig.orders();
      expect(after.map((order) => [order.clientOrderId, order.role, order.status])).toEqual([
        [intentAt(0), 'entry', 'filled'],
        [intentAt(3, openedAt), 'exit', 'filled'],
        [intentAt(4), 'entry', 'filled'],
      ]);
      expectEveryPostStored(emulator, after);
      expect(rig.driver.lastProcessed(symbol)).toBe(candleAt(4));
      await rig.close();
      expect(loggedAlerts(rig.lines)).toContainEqual({
        type: 'error',
        code: 'STORAGE_UNAVAILABLE',
        message: expect.stringMatching(
          new RegExp(`^insertOrder ${intentAt(2)}: .*\\(${sqliteCode}\\) \\(repeated 1 more time`),
        ) as unknown,
      });

      // A restart reconciles every order before the first trade: nothing is left unresolved, and
      // the portfolio rebuilt from the stored fills holds what the exchange holds.
      const restarted = await rigFor(dbPath, emulator, 5);
      expect(restarted.reconciled).toMatchObject({
        checked: 0,
        adopted: [],
        conflicts: [],
        failures: [],
      });
      // The exit of candle 3 left a rest under one amount step (Binance took the entry's fee in
      // BTC): it can never be sold, so the portfolio wrote it off; the exchange still holds it.
      const dust = btcHeld(emulator) - (restarted.portfolio.position(symbol)?.quantity ?? 0);
      expect(dust).toBeGreaterThanOrEqual(0);
      expect(dust).toBeLessThan(0.00001);
    },
  );

  it('a lock taken while an order is in flight: the result is not stored, and the restart resolves the order by client id before any trade', async () => {
    const emulator = await emulatorFor();
    const dbPath = join(tempDir('lumenlink-storage-'), 'bot.db');
    const rig = await rigFor(dbPath, emulator, 0);

    // The emulator fills the entry at once but holds its answer; the lock is taken meanwhile.
    emulator.inject({ kind: 'delay-reply', ms: 1_200, route: 'POST /api/v3/order', times: 1 });
    const running = rig.step(candleAt(0));
    await waitFor('the emulator to accept the entry', () =>
      emulator.orders().length === 1 ? true : undefined,
    );
    const lock = await lockDatabase(dbPath);
    expect(storageErrorsOf(await running)).not.toEqual([]);

    // The intent was stored before the send; what the exchange did was not.
    const [stored] = await rig.orders();
    const [placed] = emulator.orders();
    expect(stored).toMatchObject({ clientOrderId: intentAt(0), status: 'pending' });
    expect(placed).toMatchObject({ clientOrderId: intentAt(0), status: 'FILLED' });
    expect(rig.portfolio.position(symbol)).toBeUndefined();
    await rig.alerts.flush();
    expect(loggedAlerts(rig.lines)).toContainEqual({
      type: 'error',
      code: 'STORAGE_UNAVAILABLE',
      message: expect.stringMatching(
        new RegExp(`^updateOrder ${intentAt(0)}: .*\\(SQLITE_BUSY`),
      ) as unknown,
    });
    await lock.clear();
    await rig.close();

    // The restart reconciles first: the order is found by client id and adopted with its fills.
    const restarted = await rigFor(dbPath, emulator, 1);
    expect(restarted.reconciled).toMatchObject({ checked: 1, changed: 1, failures: [] });
    expect(restarted.reconciled.outcomes).toEqual({ filled: 1 });
    const [resolved] = await restarted.orders();
    expect(resolved).toMatchObject({
      clientOrderId: intentAt(0),
      exchangeOrderId: String(placed?.orderId),
      status: 'filled',
    });
    const fills = await restarted.store.orders.listFills();
    expect(fills.map((fill) => fill.quantity)).toEqual(
      emulator.trades().map((trade) => trade.quantity),
    );
    expect(restarted.portfolio.position(symbol)?.quantity).toBeCloseTo(btcHeld(emulator), 12);

    // Then it trades: the exit sells what the exchange holds; the entry was never sent twice.
    const openedAt = restarted.portfolio.position(symbol)?.openedAt;
    expect(await restarted.step(candleAt(1))).toEqual({ ok: true });
    expect(orderPosts(emulator)).toEqual([intentAt(0), intentAt(1, openedAt)]);
    expect(btcHeld(emulator)).toBeLessThan(0.00001);
    expectEveryPostStored(emulator, await restarted.orders());
  });
});
