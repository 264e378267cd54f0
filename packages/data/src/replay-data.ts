/**
 * Replay (`DATA_SOURCE=replay`): the candles to replay, loaded into the store from the bundled
 * data or a CSV file, or read from what the store holds.
 */
import { existsSync } from 'node:fs';
import {
  commandHint,
  ConfigError,
  type Candle,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import { bundledDatasets, importBundledData } from './bundled-data.js';
import { importCandlesCsv } from './csv.js';
import type { LumenLinkStore } from './open-store.js';

/** The candles of a replay, per symbol in config order, ascending. */
export interface ReplayData {
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  /** Distinct candle open times, ascending: the replay's steps. */
  readonly times: readonly number[];
  /** Where the candles came from, in words. */
  readonly source: string;
}

/** What to replay (the config's `SYMBOLS`, `INTERVAL`, `REPLAY_DATA` and `DB_PATH`). */
export interface ReplaySource {
  readonly symbols: readonly SymbolId[];
  readonly interval: Timeframe;
  /** `bundled`, the path of a CSV file of the one symbol, or unset for the stored candles. */
  readonly replayData?: string | undefined;
  /** The database path, named in messages. */
  readonly dbPath: string;
}

const bundledKeyword = 'bundled';

/**
 * Loads the replay's candles: `REPLAY_DATA=bundled` imports the bundled Binance 1h data of the
 * configured symbols into the store (once), a CSV path imports that file for the one configured
 * symbol, and unset replays what the store already holds (from `pnpm fetch-history` or an
 * earlier import). `candleTimes` keeps only the first that many candle times.
 *
 * @throws {ConfigError} naming `REPLAY_DATA`, `SYMBOLS` or `INTERVAL` when the data cannot be had.
 * @throws {DataIntegrityError} for a malformed CSV file; `StorageError` when the store fails.
 */
export async function loadReplayData(
  config: ReplaySource,
  store: LumenLinkStore,
  options: { readonly candleTimes?: number | undefined } = {},
): Promise<ReplayData> {
  const { symbols, interval, replayData } = config;
  let source: string;
  if (replayData === bundledKeyword) {
    const bundled = bundledDatasets.filter((dataset) => dataset.timeframe === interval);
    const missing = symbols.filter((symbol) => !bundled.some((set) => set.symbol === symbol));
    if (bundled.length === 0) {
      throw new ConfigError([
        {
          key: 'INTERVAL',
          problem: `"${interval}" has no bundled data, but REPLAY_DATA=bundled`,
          accepted: `${[...new Set(bundledDatasets.map((set) => set.timeframe))].join(', ')} with the bundled data`,
        },
      ]);
    }
    if (missing.length > 0) {
      throw new ConfigError([
        {
          key: 'SYMBOLS',
          problem: `${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no bundled data, but REPLAY_DATA=bundled`,
          accepted: `symbols among ${bundled.map((set) => set.symbol).join(', ')} with the bundled data`,
        },
      ]);
    }
    await importBundledData(store.candles, symbols);
    source = `the bundled Binance ${interval} data`;
  } else if (replayData !== undefined) {
    const [symbol, ...others] = symbols;
    if (symbol === undefined || others.length > 0) {
      throw new ConfigError([
        {
          key: 'REPLAY_DATA',
          problem: `names one CSV file, but SYMBOLS lists ${symbols.length} symbols`,
          accepted:
            'bundled; or a CSV file of one symbol with SYMBOLS naming that symbol; or unset to replay the candles stored in DB_PATH',
        },
      ]);
    }
    if (!existsSync(replayData)) {
      throw new ConfigError([
        {
          key: 'REPLAY_DATA',
          problem: `${JSON.stringify(replayData)}: no such file`,
          accepted: 'bundled, or the path of a candle CSV file (time,open,high,low,close,volume)',
        },
      ]);
    }
    await importCandlesCsv(replayData, store.candles, symbol, interval);
    source = `${replayData}`;
  } else {
    source = `the ${interval} candles stored in ${config.dbPath}`;
  }

  const limit = options.candleTimes;
  const loaded = new Map<SymbolId, Candle[]>();
  for (const symbol of symbols) {
    const candles = await store.candles.getCandles(symbol, interval, 0, Number.MAX_SAFE_INTEGER);
    if (candles.length === 0) {
      throw new ConfigError([
        {
          key: 'REPLAY_DATA',
          problem: `DATA_SOURCE=replay, but ${config.dbPath} holds no ${interval} candles of ${symbol}`,
          accepted: `bundled (the Binance BTC/ETH/SOL USDT 1h sample), a CSV file of the one symbol, or candles stored first with ${commandHint('fetch-history')}`,
        },
      ]);
    }
    loaded.set(symbol, candles);
  }
  let times = distinctTimes(loaded);
  if (limit !== undefined && limit < times.length) {
    const last = times[limit - 1] ?? Number.NEGATIVE_INFINITY;
    times = times.slice(0, limit);
    for (const [symbol, candles] of loaded) {
      loaded.set(
        symbol,
        candles.filter((candle) => candle.time <= last),
      );
    }
  }
  return { candles: loaded, times, source };
}

function distinctTimes(candles: ReadonlyMap<SymbolId, readonly Candle[]>): number[] {
  const times = new Set<number>();
  for (const list of candles.values()) for (const candle of list) times.add(candle.time);
  return [...times].sort((a, b) => a - b);
}
