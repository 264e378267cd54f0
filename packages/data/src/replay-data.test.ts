import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, silentLogger } from '@lumenlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type LumenLinkStore } from './open-store.js';
import { loadReplayData } from './replay-data.js';

const stores: LumenLinkStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});
async function memoryStore(): Promise<LumenLinkStore> {
  const store = await openStore({ path: ':memory:', logger: silentLogger });
  stores.push(store);
  return store;
}
const base = { symbols: ['BTC-USDT'], interval: '1h', dbPath: ':memory:' } as const;

describe('loadReplayData', () => {
  it('imports the bundled data of the symbols and keeps the first candle times asked for', async () => {
    const store = await memoryStore();
    const data = await loadReplayData(
      { ...base, symbols: ['BTC-USDT', 'ETH-USDT'], replayData: 'bundled' },
      store,
      { candleTimes: 24 },
    );
    expect(data.times).toHaveLength(24);
    expect(data.candles.get('ETH-USDT')).toHaveLength(24);
    expect(data.source).toBe('the bundled Binance 1h data');
  });

  it('imports a CSV file of the one symbol', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-data-'));
    const file = join(dir, 'btc.csv');
    writeFileSync(
      file,
      'time,open,high,low,close,volume\n0,1,2,0.5,1.5,10\n3600000,1.5,2,1,1.8,12\n',
    );
    const data = await loadReplayData({ ...base, replayData: file }, await memoryStore());
    expect(data.times).toEqual([0, 3_600_000]);
  });

  it.each([
    [{ ...base, interval: '4h', replayData: 'bundled' }, /INTERVAL[\s\S]*"4h" has no bundled data/],
    [{ ...base, symbols: ['DOGE-USDT'], replayData: 'bundled' }, /SYMBOLS[\s\S]*DOGE-USDT has no/],
    [{ ...base, replayData: '/no/such/file.csv' }, /REPLAY_DATA[\s\S]*no such file/],
    [
      { ...base, symbols: ['BTC-USDT', 'ETH-USDT'], replayData: 'a.csv' },
      /REPLAY_DATA[\s\S]*2 symbols/,
    ],
    [base, /REPLAY_DATA[\s\S]*holds no 1h candles of BTC-USDT/],
  ] as const)('names the key to fix: %#', async (source, message) => {
    const failure = loadReplayData(source, await memoryStore());
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(message);
  });
});
