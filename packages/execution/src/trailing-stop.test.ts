import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageError, ValidationError, type Candle, type SymbolId } from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore } from '@lumenlink/data';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrailingStopManager } from './trailing-stop.js';

const t0 = Date.UTC(2026, 0, 5);
const btc: SymbolId = 'BTC-USD';

function bar(open: number, high: number, low: number, close: number): Candle {
  return { time: t0, open, high, low, close, volume: 1 };
}

let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock(t0);
});

describe('TrailingStopManager: ratchet', () => {
  it('opens at entry - multiple x ATR and ratchets up with the high, never down', async () => {
    const stops = new TrailingStopManager({ clock });
    expect(await stops.open(btc, 100, 2, 2)).toEqual({
      symbol: btc,
      stopPrice: 96,
      highWater: 100,
      atrMultiple: 2,
      updatedAt: t0,
    });
    await clock.advance(1_000);
    // High 105: 105 - 2 x 2 = 101.
    expect(await stops.update(btc, { high: 105 }, 2)).toMatchObject({
      stopPrice: 101,
      highWater: 105,
      updatedAt: t0 + 1_000,
    });
    // A wider ATR would put it at 105 - 2 x 3 = 99: it stays at 101.
    expect(await stops.update(btc, { high: 103 }, 3)).toMatchObject({
      stopPrice: 101,
      highWater: 105,
    });
    // High 120 gives 116, but the close is 108: not raised above the market.
    expect(await stops.update(btc, { high: 120, close: 108 }, 2)).toMatchObject({
      stopPrice: 108,
      highWater: 120,
    });
  });

  it('never lowers the stop when the position is added to', async () => {
    const stops = new TrailingStopManager({ clock });
    await stops.open(btc, 100, 2, 2);
    await stops.update(btc, { high: 110 }, 2); // 106
    expect(await stops.open(btc, 104, 3, 2)).toMatchObject({ stopPrice: 106, highWater: 110 });
  });

  it('hits at the stop, at the open after a gap, or at the price of a tick', async () => {
    const stops = new TrailingStopManager({ clock });
    expect(stops.check(btc, bar(100, 101, 99, 100))).toBeNull();
    await stops.open(btc, 100, 2, 2); // 96
    expect(stops.check(btc, bar(99, 100, 96.5, 97))).toEqual({
      hit: false,
      price: null,
      stopPrice: 96,
    });
    expect(stops.check(btc, bar(99, 100, 95, 97))).toEqual({ hit: true, price: 96, stopPrice: 96 });
    expect(stops.check(btc, bar(94, 97, 93, 96))).toEqual({ hit: true, price: 94, stopPrice: 96 });
    expect(stops.check(btc, 95.5)).toEqual({ hit: true, price: 95.5, stopPrice: 96 });
    expect(stops.check(btc, 96.5)).toMatchObject({ hit: false });
    expect(() => stops.check(btc, Number.NaN)).toThrow(ValidationError);
  });

  it('refuses bad input, naming the field', async () => {
    const stops = new TrailingStopManager({ clock });
    await expect(stops.open(btc, 100, 0, 2)).rejects.toThrow('atr must be a finite number above 0');
    await expect(stops.open(btc, 100, 2, 0)).rejects.toThrow('multiple must be');
    await expect(stops.open(btc, Number.NaN, 2, 2)).rejects.toThrow('entryPrice');
    await expect(stops.open(btc, 100, 60, 2)).rejects.toThrow('is not a price above 0');
    await expect(stops.update(btc, { high: 100 }, 2)).rejects.toThrow(
      'no stop is open for BTC-USD',
    );
    await stops.open(btc, 100, 2, 2);
    await expect(stops.update(btc, { high: -1 }, 2)).rejects.toThrow('high');
    expect(stops.list()).toHaveLength(1);
  });

  it('never moves the stop down, for any candles and ATRs (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 1, max: 1e5, noNaN: true }),
        fc.array(
          fc.record({
            move: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
            atrShare: fc.double({ min: 0.001, max: 0.2, noNaN: true }),
            withClose: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
        async (entry, steps) => {
          const stops = new TrailingStopManager({ clock });
          let previous = await stops.open(btc, entry, entry * 0.01, 2);
          let price = entry;
          for (const step of steps) {
            price *= 1 + step.move;
            const high = price * 1.01;
            const next = await stops.update(
              btc,
              step.withClose ? { high, close: price } : { high },
              price * step.atrShare,
            );
            expect(next.stopPrice).toBeGreaterThanOrEqual(previous.stopPrice);
            expect(next.highWater).toBeGreaterThanOrEqual(previous.highWater);
            expect(next.stopPrice).toBeLessThanOrEqual(next.highWater);
            previous = next;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('TrailingStopManager: persistence (real SQLite)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lumenlink-trailing-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores the ratcheted stops after a restart, and forgets closed ones', async () => {
    const file = join(dir, 'lumenlink.db');
    const first = await openStore({ path: file, clock });
    const stops = new TrailingStopManager({ clock, store: first.runtime });
    await stops.open(btc, 100, 2, 2);
    await stops.update(btc, { high: 110 }, 2);
    await stops.open('ETH-USD', 2000, 50, 3);
    await stops.close('ETH-USD');
    await first.close();

    const second = await openStore({ path: file, clock });
    const restored = await TrailingStopManager.restore({ clock, store: second.runtime });
    expect(restored.list()).toEqual([
      { symbol: btc, stopPrice: 106, highWater: 110, atrMultiple: 2, updatedAt: t0 },
    ]);
    expect(restored.check(btc, bar(107, 108, 105, 106))).toMatchObject({ hit: true, price: 106 });
    // Still only ratchets up after the restart.
    expect(await restored.update(btc, { high: 109 }, 5)).toMatchObject({ stopPrice: 106 });
    expect(await restored.close(btc)).toBe(true);
    expect(await restored.close(btc)).toBe(false);
    expect(await second.runtime.listTrailingStops()).toEqual([]);
    await second.close();
  });

  it('changes nothing in memory when the store fails', async () => {
    const store = await openStore({ path: join(dir, 'lumenlink.db'), clock });
    const stops = new TrailingStopManager({ clock, store: store.runtime });
    await stops.open(btc, 100, 2, 2);
    await store.close();
    await expect(stops.update(btc, { high: 120 }, 2)).rejects.toBeInstanceOf(StorageError);
    expect(stops.get(btc)?.stopPrice).toBe(96);
    await expect(stops.open('ETH-USD', 2000, 50, 3)).rejects.toBeInstanceOf(StorageError);
    expect(stops.get('ETH-USD')).toBeUndefined();
  });
});

describe('TrailingStopManager: updateNow', () => {
  it('ratchets synchronously without a store, and returns the save as a promise with one', async () => {
    const memory = new TrailingStopManager({ clock });
    await memory.open(btc, 100, 2, 2);
    const moved = memory.updateNow(btc, { high: 105, close: 104 }, 2);
    expect(moved).not.toBeInstanceOf(Promise);
    expect(moved).toMatchObject({ stopPrice: 101, highWater: 105 });
    expect(memory.get(btc)).toBe(moved);
    expect(memory.updateNow(btc, { high: 104 }, 2)).toBe(moved);
    expect(() => memory.updateNow(btc, { high: Number.NaN }, 2)).toThrow(ValidationError);

    const dir = mkdtempSync(join(tmpdir(), 'll-trailing-now-'));
    const store = await openStore({ path: join(dir, 'll.db'), clock });
    try {
      const stored = new TrailingStopManager({ clock, store: store.runtime });
      await stored.open(btc, 100, 2, 2);
      expect(stored.updateNow(btc, { high: 99 }, 2)).not.toBeInstanceOf(Promise);
      const saving = stored.updateNow(btc, { high: 105 }, 2);
      expect(saving).toBeInstanceOf(Promise);
      expect(await saving).toMatchObject({ stopPrice: 101 });
      expect(await store.runtime.listTrailingStops()).toMatchObject([{ stopPrice: 101 }]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TrailingStopManager: exitPrice', () => {
  it('is the price check reports on a hit, null otherwise, for candles and prices', async () => {
    const stops = new TrailingStopManager({ clock });
    expect(stops.exitPrice(btc, 100)).toBeNull();
    await stops.open(btc, 100, 2, 2); // stop at 96
    fc.assert(
      fc.property(
        fc.double({ min: 80, max: 120, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (open, up, down) => {
          const candle = bar(open, open + up, open - down, open);
          const check = stops.check(btc, candle);
          expect(stops.exitPrice(btc, candle)).toBe(check?.hit === true ? check.price : null);
          const atPrice = stops.check(btc, open);
          expect(stops.exitPrice(btc, open)).toBe(atPrice?.hit === true ? atPrice.price : null);
        },
      ),
    );
    expect(() => stops.exitPrice(btc, -1)).toThrow(ValidationError);
  });
});
