import { ValidationError } from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aPosition, aSnapshot, hour, t0 } from './__fixtures__/domain.js';
import { openStore, type LumenLinkStore } from './open-store.js';

let store: LumenLinkStore;

beforeEach(async () => {
  store = await openStore({ path: ':memory:' });
});

afterEach(async () => {
  await store.close();
});

describe('positions', () => {
  it('saves, replaces, lists and deletes positions', async () => {
    await store.portfolio.savePosition(aPosition({ symbol: 'ETH-USD' }));
    await store.portfolio.savePosition(aPosition());
    const grown = aPosition({ quantity: 0.03, avgEntryPrice: 41_500, updatedAt: t0 + 3 * hour });
    await store.portfolio.savePosition(grown);
    expect(await store.portfolio.listPositions()).toEqual([
      grown,
      aPosition({ symbol: 'ETH-USD' }),
    ]);
    await store.portfolio.deletePosition('BTC-USD');
    await store.portfolio.deletePosition('SOL-USD');
    expect(await store.portfolio.listPositions()).toEqual([aPosition({ symbol: 'ETH-USD' })]);
  });

  it('rejects a position that breaks its type', async () => {
    await expect(
      store.portfolio.savePosition(aPosition({ quantity: Number.POSITIVE_INFINITY })),
    ).rejects.toThrow(ValidationError);
    await expect(
      store.portfolio.savePosition(aPosition({ state: 'open' as 'managing' })),
    ).rejects.toThrow(/state "open"/);
  });
});

describe('equity snapshots', () => {
  it('round-trips snapshots with their positions and stop-out times, oldest first', async () => {
    const first = aSnapshot({ at: t0 + hour, positions: [], lastStopOutAt: {} });
    const second = aSnapshot();
    await store.portfolio.saveEquitySnapshot(second);
    await store.portfolio.saveEquitySnapshot(first);
    expect(await store.portfolio.equitySnapshots(t0, t0 + 10 * hour)).toEqual([first, second]);
    expect(await store.portfolio.equitySnapshots(t0 + 2 * hour, t0 + 2 * hour)).toEqual([second]);
    expect(await store.portfolio.equitySnapshots(t0 + 3 * hour, t0 + 4 * hour)).toEqual([]);
  });

  it('replaces a snapshot taken at the same time', async () => {
    await store.portfolio.saveEquitySnapshot(aSnapshot());
    await store.portfolio.saveEquitySnapshot(aSnapshot({ equity: 10_100 }));
    const snapshots = await store.portfolio.equitySnapshots(t0, t0 + 10 * hour);
    expect(snapshots.map((snapshot) => snapshot.equity)).toEqual([10_100]);
  });

  it('rejects a snapshot that breaks its type', async () => {
    await expect(
      store.portfolio.saveEquitySnapshot(aSnapshot({ equity: Number.NaN })),
    ).rejects.toThrow(ValidationError);
  });
});
