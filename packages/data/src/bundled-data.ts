/**
 * Real market data shipped with the package in `data/` (see data/README.md for provenance), so
 * the demo and backtests run offline.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Candle, CandleStore, SymbolId, Timeframe } from '@lumenlink/core';
import { parseCandlesCsv } from './csv.js';

/** One bundled data set: real Binance spot candles shipped with the package (see data/README.md). */
export interface BundledDataset {
  readonly symbol: SymbolId;
  readonly timeframe: Timeframe;
  /** File name inside the package's `data/` folder (see {@link bundledDataUrl}). */
  readonly file: string;
  /** Open time of the first and last candle (epoch ms). */
  readonly firstTime: number;
  readonly lastTime: number;
  /** Candles in the file: one per hour from `firstTime` to `lastTime`, no gaps. */
  readonly rows: number;
}

/** The bundled data: Binance BTC/USDT, ETH/USDT and SOL/USDT 1h candles, 2024-01-01 to early September. */
export const bundledDatasets: readonly BundledDataset[] = [
  {
    symbol: 'BTC-USDT',
    timeframe: '1h',
    file: 'binance-BTC-USDT-1h-2024.csv.gz',
    firstTime: Date.UTC(2024, 0, 1),
    lastTime: Date.UTC(2024, 8, 6, 3),
    rows: 5980,
  },
  {
    symbol: 'ETH-USDT',
    timeframe: '1h',
    file: 'binance-ETH-USDT-1h-2024.csv.gz',
    firstTime: Date.UTC(2024, 0, 1),
    lastTime: Date.UTC(2024, 8, 6, 3),
    rows: 5980,
  },
  {
    symbol: 'SOL-USDT',
    timeframe: '1h',
    file: 'binance-SOL-USDT-1h-2024.csv.gz',
    firstTime: Date.UTC(2024, 0, 1),
    lastTime: Date.UTC(2024, 8, 7, 1),
    rows: 6002,
  },
];

/**
 * The URL of a file in the package's `data/` folder. This module sits one level below the package
 * root both as source (`src/`) and built (`dist/`), so `../data/` finds the folder from either.
 */
export function bundledDataUrl(file: string): URL {
  return new URL(`../data/${file}`, import.meta.url);
}

/**
 * The bundled candles of a symbol, validated, ascending.
 *
 * @example
 * ```ts
 * const candles = loadBundledCandles('BTC-USDT'); // 5,980 real 1h candles of 2024
 * ```
 * @throws {RangeError} when no data set is bundled for the symbol (the message lists those that are).
 */
export function loadBundledCandles(symbol: SymbolId, timeframe: Timeframe = '1h'): Candle[] {
  const dataset = bundledDatasets.find((d) => d.symbol === symbol && d.timeframe === timeframe);
  if (dataset === undefined) {
    const known = bundledDatasets.map((d) => `${d.symbol} ${d.timeframe}`).join(', ');
    throw new RangeError(`No bundled data for ${symbol} ${timeframe}; bundled: ${known}`);
  }
  const text = gunzipSync(readFileSync(bundledDataUrl(dataset.file))).toString('utf8');
  return parseCandlesCsv(text, { source: dataset.file, timeframe });
}

/** What {@link importBundledData} did for one data set. */
export interface BundledImport {
  readonly symbol: SymbolId;
  readonly timeframe: Timeframe;
  /** Candles written; 0 when the store already held the data set. */
  readonly imported: number;
}

/**
 * Imports the bundled data sets into a candle store on first use: a data set whose candles are
 * all stored already is skipped (imported 0); otherwise every candle is upserted, so an
 * interrupted import completes and stored candles are not counted again.
 *
 * @example
 * ```ts
 * await importBundledData(store.candles); // [{ symbol: 'BTC-USDT', timeframe: '1h', imported: 5980 }, ...]
 * await importBundledData(store.candles, ['BTC-USDT']); // [{ ..., imported: 0 }]
 * ```
 * @throws {RangeError} when a symbol has no bundled data set.
 * @throws {StorageError} when the store fails.
 */
export async function importBundledData(
  store: CandleStore,
  symbols: readonly SymbolId[] = bundledDatasets.map((d) => d.symbol),
): Promise<BundledImport[]> {
  for (const symbol of symbols) {
    if (!bundledDatasets.some((d) => d.symbol === symbol)) {
      const known = bundledDatasets.map((d) => d.symbol).join(', ');
      throw new RangeError(`No bundled data for ${symbol}; bundled: ${known}`);
    }
  }
  const results: BundledImport[] = [];
  for (const dataset of bundledDatasets.filter((d) => symbols.includes(d.symbol))) {
    const stored = await store.getCandles(
      dataset.symbol,
      dataset.timeframe,
      dataset.firstTime,
      dataset.lastTime,
    );
    const complete = stored.length >= dataset.rows;
    const imported = complete
      ? 0
      : await store.saveCandles(
          dataset.symbol,
          dataset.timeframe,
          loadBundledCandles(dataset.symbol, dataset.timeframe),
        );
    results.push({ symbol: dataset.symbol, timeframe: dataset.timeframe, imported });
  }
  return results;
}
