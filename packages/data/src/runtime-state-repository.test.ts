import {
  DataIntegrityError,
  ValidationError,
  type TradingStateRecord,
  type TrailingStopState,
} from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hour, t0 } from './__fixtures__/domain.js';
import { openStore, type LumenLinkStore } from './open-store.js';

let store: LumenLinkStore;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock(t0);
  store = await openStore({ path: ':memory:', clock });
});

afterEach(async () => {
  await store.close();
});

const reducing: TradingStateRecord = {
  state: 'reducing',
  reason: 'daily loss limit reached',
  changedBy: 'protection:daily_loss',
  changedAt: t0,
  until: t0 + 24 * hour,
};

const stop = (symbol: 'BTC-USD' | 'ETH-USD', stopPrice: number): TrailingStopState => ({
  symbol,
  stopPrice,
  highWater: stopPrice * 1.05,
  atrMultiple: 2,
  updatedAt: t0,
});

describe('trading state', () => {
  it('is null until set, then the latest record, with when it was written', async () => {
    expect(await store.runtime.getTradingState()).toBeNull();
    await store.runtime.setTradingState(reducing);
    expect(await store.runtime.getTradingState()).toEqual(reducing);
    const halted: TradingStateRecord = {
      state: 'halted',
      reason: 'kill switch',
      changedBy: 'telegram:42',
      changedAt: t0 + hour,
      until: null,
    };
    await clock.advance(hour);
    await store.runtime.setTradingState(halted);
    expect(await store.runtime.getTradingState()).toEqual(halted);
    const rows = await store.db.selectFrom('runtime_state').selectAll().execute();
    expect(rows).toEqual([
      {
        kind: 'trading_state',
        key: 'current',
        value: JSON.stringify(halted),
        updated_at: t0 + hour,
      },
    ]);
  });

  it('rejects an unknown state and reports a corrupt stored one', async () => {
    await expect(
      store.runtime.setTradingState({ ...reducing, state: 'paused' as 'active' }),
    ).rejects.toThrow(ValidationError);
    await store.db
      .insertInto('runtime_state')
      .values({ kind: 'trading_state', key: 'current', value: '{"state":"x"}', updated_at: 0 })
      .execute();
    await expect(store.runtime.getTradingState()).rejects.toThrow(DataIntegrityError);
  });
});

describe('trailing stops', () => {
  it('saves, replaces, lists and deletes trailing stops', async () => {
    await store.runtime.saveTrailingStop(stop('ETH-USD', 2_000));
    await store.runtime.saveTrailingStop(stop('BTC-USD', 40_000));
    await store.runtime.saveTrailingStop(stop('BTC-USD', 41_000));
    expect(await store.runtime.listTrailingStops()).toEqual([
      stop('BTC-USD', 41_000),
      stop('ETH-USD', 2_000),
    ]);
    await store.runtime.deleteTrailingStop('BTC-USD');
    expect(await store.runtime.listTrailingStops()).toEqual([stop('ETH-USD', 2_000)]);
  });

  it('rejects a stop that breaks its type', async () => {
    await expect(store.runtime.saveTrailingStop(stop('BTC-USD', -1))).rejects.toThrow(
      ValidationError,
    );
  });
});

describe('last processed candle', () => {
  it('is kept per symbol and timeframe', async () => {
    expect(await store.runtime.getLastProcessedCandle('BTC-USD', '1h')).toBeNull();
    await store.runtime.setLastProcessedCandle('BTC-USD', '1h', t0);
    await store.runtime.setLastProcessedCandle('BTC-USD', '1h', t0 + hour);
    await store.runtime.setLastProcessedCandle('BTC-USD', '4h', t0);
    expect(await store.runtime.getLastProcessedCandle('BTC-USD', '1h')).toBe(t0 + hour);
    expect(await store.runtime.getLastProcessedCandle('BTC-USD', '4h')).toBe(t0);
    expect(await store.runtime.getLastProcessedCandle('ETH-USD', '1h')).toBeNull();
  });

  it('rejects a time that is not epoch ms', async () => {
    await expect(store.runtime.setLastProcessedCandle('BTC-USD', '1h', 1.5)).rejects.toThrow(
      ValidationError,
    );
  });
});
