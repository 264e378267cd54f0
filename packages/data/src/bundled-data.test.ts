import { readFileSync } from 'node:fs';
import type { Candle, SymbolId } from '@lumenlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundledDataUrl,
  bundledDatasets,
  importBundledData,
  loadBundledCandles,
} from './bundled-data.js';
import { openStore, type LumenLinkStore } from './open-store.js';

const hour = 3_600_000;
const loaded = new Map<SymbolId, Candle[]>(
  bundledDatasets.map((dataset) => [dataset.symbol, loadBundledCandles(dataset.symbol)]),
);

function candlesOf(symbol: SymbolId): Candle[] {
  const candles = loaded.get(symbol);
  if (candles === undefined) throw new Error(`not loaded: ${symbol}`);
  return candles;
}

function extremes(candles: readonly Candle[], from: number, to: number): [number, number] {
  const inRange = candles.filter((candle) => candle.time >= from && candle.time < to);
  return [Math.min(...inRange.map((c) => c.low)), Math.max(...inRange.map((c) => c.high))];
}

describe('bundled data sets', () => {
  it('are the three documented Binance 1h sets of 2024', () => {
    expect(
      bundledDatasets.map((d) => [
        d.symbol,
        d.timeframe,
        d.rows,
        new Date(d.firstTime).toISOString(),
        new Date(d.lastTime).toISOString(),
      ]),
    ).toEqual([
      ['BTC-USDT', '1h', 5980, '2024-01-01T00:00:00.000Z', '2024-09-06T03:00:00.000Z'],
      ['ETH-USDT', '1h', 5980, '2024-01-01T00:00:00.000Z', '2024-09-06T03:00:00.000Z'],
      ['SOL-USDT', '1h', 6002, '2024-01-01T00:00:00.000Z', '2024-09-07T01:00:00.000Z'],
    ]);
  });

  it.each(bundledDatasets.map((dataset) => [dataset.symbol, dataset] as const))(
    '%s loads with its documented rows, first and last time, one candle per hour',
    (symbol, dataset) => {
      const candles = candlesOf(symbol);
      expect(candles).toHaveLength(dataset.rows);
      expect(candles[0]?.time).toBe(dataset.firstTime);
      expect(candles.at(-1)?.time).toBe(dataset.lastTime);
      expect((dataset.lastTime - dataset.firstTime) / hour + 1).toBe(dataset.rows);
    },
  );

  it('match the table of data/README.md', () => {
    const readme = readFileSync(bundledDataUrl('README.md'), 'utf8');
    for (const dataset of bundledDatasets) {
      const row = readme.split('\n').find((line) => line.includes(`\`${dataset.file}\``));
      expect(row, dataset.file).toBeDefined();
      const cells = (row ?? '').split('|').map((cell) => cell.trim());
      const utc = (time: number): string =>
        new Date(time).toISOString().slice(0, 16).replace('T', ' ');
      expect(cells.slice(3, 6)).toEqual([
        utc(dataset.firstTime),
        utc(dataset.lastTime),
        dataset.rows.toLocaleString('en-US'),
      ]);
    }
  });

  it('hold plausible prices: the March 2024 all-time highs and the January lows', () => {
    const march = [Date.UTC(2024, 2, 1), Date.UTC(2024, 3, 1)] as const;
    const january = [Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1)] as const;
    const [, btcHigh] = extremes(candlesOf('BTC-USDT'), ...march);
    expect(btcHigh).toBe(73_777); // 2024-03-14, Binance's then all-time high
    const btcHighAt = candlesOf('BTC-USDT').find((candle) => candle.high === btcHigh)?.time;
    expect(new Date(btcHighAt ?? 0).toISOString().slice(0, 10)).toBe('2024-03-14');
    const [btcLow] = extremes(candlesOf('BTC-USDT'), ...january);
    expect(btcLow).toBeGreaterThan(38_000);
    expect(btcLow).toBeLessThan(40_000);
    const [, ethHigh] = extremes(candlesOf('ETH-USDT'), ...march);
    expect(ethHigh).toBeGreaterThan(4_000);
    expect(ethHigh).toBeLessThan(4_200);
    const [, solHigh] = extremes(candlesOf('SOL-USDT'), ...march);
    expect(solHigh).toBeGreaterThan(200);
    expect(solHigh).toBeLessThan(220);
  });

  it('names the bundled sets when asked for one that is not bundled', () => {
    expect(() => loadBundledCandles('DOGE-USDT')).toThrow(
      /No bundled data for DOGE-USDT 1h; bundled: BTC-USDT 1h, ETH-USDT 1h, SOL-USDT 1h/,
    );
    expect(() => loadBundledCandles('BTC-USDT', '4h')).toThrow(RangeError);
  });
});

describe('importBundledData', () => {
  let store: LumenLinkStore;

  beforeAll(async () => {
    store = await openStore({ path: ':memory:' });
  });

  afterAll(async () => {
    await store.close();
  });

  it('imports every set once, without gaps', async () => {
    expect(await importBundledData(store.candles)).toEqual([
      { symbol: 'BTC-USDT', timeframe: '1h', imported: 5980 },
      { symbol: 'ETH-USDT', timeframe: '1h', imported: 5980 },
      { symbol: 'SOL-USDT', timeframe: '1h', imported: 6002 },
    ]);
    for (const dataset of bundledDatasets) {
      expect(
        await store.candles.findGaps(
          dataset.symbol,
          dataset.timeframe,
          dataset.firstTime,
          dataset.lastTime,
        ),
      ).toEqual([]);
      expect(await store.candles.getRecentCandles(dataset.symbol, '1h', 3)).toEqual(
        candlesOf(dataset.symbol).slice(-3),
      );
    }
  });

  it('imports nothing the second time', async () => {
    expect((await importBundledData(store.candles)).map((entry) => entry.imported)).toEqual([
      0, 0, 0,
    ]);
  });

  it('completes an interrupted import', async () => {
    const from = Date.UTC(2024, 5, 1);
    const to = Date.UTC(2024, 5, 3) - hour;
    await store.db
      .deleteFrom('candles')
      .where('symbol', '=', 'ETH-USDT')
      .where('time', '>=', from)
      .where('time', '<=', to)
      .execute();
    expect(await store.candles.findGaps('ETH-USDT', '1h', from, to)).toEqual([
      { from, to, missing: 48 },
    ]);
    expect(await importBundledData(store.candles, ['ETH-USDT', 'SOL-USDT'])).toEqual([
      { symbol: 'ETH-USDT', timeframe: '1h', imported: 48 },
      { symbol: 'SOL-USDT', timeframe: '1h', imported: 0 },
    ]);
    expect(await store.candles.findGaps('ETH-USDT', '1h', from, to)).toEqual([]);
  });

  it('refuses a symbol that is not bundled', async () => {
    await expect(importBundledData(store.candles, ['DOGE-USDT'])).rejects.toThrow(RangeError);
  });
});
