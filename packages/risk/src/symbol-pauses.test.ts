import type { SymbolId } from '@lumenlink/core';
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
    expect(await pauses.pause(btc, 'fill t-8 sold more than held\nsecond line', 'restore')).toBe(
      true,
    );
    expect(await pauses.pause(btc, 'another reason', 'reconcile')).toBe(false);
    const reopened = await SymbolPauses.open({ store: store.runtime, clock });
    expect(reopened.reason(btc)).toBe('fill t-8 sold more than held second line');
    expect(reopened.list()).toEqual([
      {
        symbol: btc,
        reason: 'fill t-8 sold more than held second line',
        pausedBy: 'restore',
        pausedAt: Date.UTC(2026, 0, 1),
      },
    ]);
    expect(reopened.reason('ETH-USDT')).toBeNull();
    expect((await reopened.resume(btc))?.pausedBy).toBe('restore');
    expect(await reopened.resume(btc)).toBeNull();
    expect((await SymbolPauses.open({ store: store.runtime, clock })).list()).toEqual([]);
    await expect(reopened.pause(btc, ' ', 'x')).rejects.toThrow(/non-empty/);
    await store.close();
  });
});
