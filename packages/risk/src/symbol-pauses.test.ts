import { StorageError, type SymbolId } from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore } from '@lumenlink/data';
import { describe, expect, it } from 'vitest';
import { SymbolPauses } from './symbol-pauses.js';

const btc = 'BTC-USDT' as SymbolId;

describe('SymbolPauses', () => {
  it('pauses a symbol across a restart until it is resumed, keeping the first reason', async () => {
    const store = await openStore({ path: ':memory:' });
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const pauses = await SymbolPauses.open({ store: store.runtime, clock });
    expect(
      await pauses.pause(btc, 'fill t-8 sold more than held\nsecond line', 'restore', ['t-8']),
    ).toBe(true);
    expect(await pauses.pause(btc, 'another reason', 'reconcile')).toBe(false);
    const reopened = await SymbolPauses.open({ store: store.runtime, clock });
    expect(reopened.reason(btc)).toBe('fill t-8 sold more than held second line');
    expect(reopened.list()).toEqual([
      {
        symbol: btc,
        reason: 'fill t-8 sold more than held second line',
        pausedBy: 'restore',
        pausedAt: Date.UTC(2026, 0, 1),
        resumedAt: null,
        issues: ['t-8'],
        acknowledged: [],
      },
    ]);
    expect(reopened.reason('ETH-USDT')).toBeNull();
    expect((await reopened.resume(btc))?.pausedBy).toBe('restore');
    expect(await reopened.resume(btc)).toBeNull();
    const after = await SymbolPauses.open({ store: store.runtime, clock });
    expect(after.list()).toEqual([]);
    // The same over-sell on record, met again at the next start: acknowledged, no pause.
    expect(await after.pause(btc, 'fill t-8 sold more than held', 'restore', ['t-8'])).toBe(false);
    // A new one pauses it again; a shortfall (no issue id) always does.
    expect(await after.pause(btc, 'fill t-9 sold more than held', 'restore', ['t-8', 't-9'])).toBe(
      true,
    );
    await after.resume(btc);
    expect(await after.pause(btc, 'the exchange holds less', 'reconcile')).toBe(true);
    await expect(after.pause(btc, ' ', 'x')).rejects.toThrow(/non-empty/);
    await store.close();
  });

  it('pauses in memory even when storing fails; a resume then fails without effect', async () => {
    const store = await openStore({ path: ':memory:' });
    const pauses = await SymbolPauses.open({ store: store.runtime, clock: new ManualClock(0) });
    await store.close();
    await expect(pauses.pause(btc, 'the exchange holds less', 'reconcile')).rejects.toThrow(
      StorageError,
    );
    expect(pauses.reason(btc)).toBe('the exchange holds less');
    await expect(pauses.resume(btc)).rejects.toThrow(StorageError);
    expect(pauses.reason(btc)).toBe('the exchange holds less');
  });
});
