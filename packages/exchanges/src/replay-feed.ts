/**
 * Replay (`DATA_SOURCE=replay`): the candles to replay, loaded into the store from the bundled
 * data or a CSV file, and the market-data loop's feed that closes one candle time per tick.
 */
import { existsSync } from 'node:fs';
import {
  ConfigError,
  type Candle,
  type Config,
  type MarketDataSource,
  type SymbolId,
} from '@lumenlink/core';
import { bundledDatasets, importBundledData, importCandlesCsv } from '@lumenlink/data';
import type { LumenLinkStore } from '@lumenlink/data';
import { ReplayMarketData } from '@lumenlink/exchanges';

/** The candles of a replay, per symbol in config order, ascending. */
export interface ReplayData {
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  /** Distinct candle open times, ascending: the replay's steps. */
  readonly times: readonly number[];
  /** Where the candles came from, in words. */
  readonly source: string;
}

/** One candle time of a replay: the candle of each symbol that has one then. */
export interface ReplayBatch {
  readonly time: number;
  readonly candles: ReadonlyMap<SymbolId, Candle>;
}

const bundledKeyword = 'bundled';

/**
 * Loads the replay's candles: `REPLAY_DATA=bundled` imports the bundled Binance 1h data of the
 * configured symbols into the store (once), a CSV path imports that file for the one configured
 * symbol, and unset replays what the store already holds (from `pnpm fetch-history` or an
 * earlier import). `candleTimes` keeps only the first that many candle times.
 *
 * @throws {ConfigError} naming `REPLAY_DATA`, `SYMBOLS` or `INTERVAL` when the data cannot be had.
 * @throws {DataIntegrityError} for a malformed CSV file; {@link StorageError} when the store fails.
 */
export async function loadReplayData(
  config: Config,
  store: LumenLinkStore,
  options: { readonly candleTimes?: number } = {},
): Promise<ReplayData> {
  const { symbols, interval } = config;
  const replayData = config.data.replayData;
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
    source = `the ${interval} candles stored in ${config.data.dbPath}`;
  }

  const limit = options.candleTimes;
  const loaded = new Map<SymbolId, Candle[]>();
  for (const symbol of symbols) {
    const candles = await store.candles.getCandles(symbol, interval, 0, Number.MAX_SAFE_INTEGER);
    if (candles.length === 0) {
      throw new ConfigError([
        {
          key: 'REPLAY_DATA',
          problem: `DATA_SOURCE=replay, but ${config.data.dbPath} holds no ${interval} candles of ${symbol}`,
          accepted:
            'bundled (the Binance BTC/ETH/SOL USDT 1h sample), a CSV file of the one symbol, or candles stored first with pnpm fetch-history',
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

/** Options of {@link ReplayFeed}. */
export interface ReplayFeedOptions {
  readonly data: ReplayData;
  readonly config: Pick<Config, 'symbols' | 'interval'>;
  /** Open time of the last candle already processed (a restart), or `null` to start at the first. */
  readonly resumeAfter: number | null;
  /** Wraps the replay source the feed reads from (tests inject failures here). */
  readonly wrap?: (source: MarketDataSource) => MarketDataSource;
}

/**
 * The replay's market-data side: each {@link ReplayFeed.poll} closes the next candle time on a
 * `ReplayMarketData` and reads each symbol's newly closed candle from it, for the strategy loop
 * to {@link ReplayFeed.take}. It closes no further candle until that one was taken, so the
 * strategy loop processes every candle time once, in order, at its own pace. A read that fails
 * leaves the candle time to the next poll: nothing is skipped.
 */
export class ReplayFeed {
  readonly #replay: ReplayMarketData;
  readonly #source: MarketDataSource;
  readonly #symbols: readonly SymbolId[];
  readonly #config: Pick<Config, 'symbols' | 'interval'>;
  readonly #total: number;
  #pending: ReplayBatch | null = null;
  #advanceNext = true;
  #exhausted = false;

  /** @throws {ValidationError} from `ReplayMarketData` for malformed candles. */
  constructor(options: ReplayFeedOptions) {
    const { data, resumeAfter } = options;
    const startAfter =
      resumeAfter === null ? 0 : data.times.filter((time) => time <= resumeAfter).length;
    this.#replay = new ReplayMarketData({
      candles: Object.fromEntries(data.candles),
      timeframe: options.config.interval,
      startAfter,
    });
    this.#source = options.wrap?.(this.#replay) ?? this.#replay;
    this.#symbols = options.config.symbols;
    this.#config = options.config;
    this.#total = data.times.length;
  }

  /** Candle times of the whole replay. */
  get total(): number {
    return this.#total;
  }

  /** Whether every candle time was handed out and taken. */
  get finished(): boolean {
    return this.#exhausted && this.#pending === null;
  }

  /**
   * The market-data loop's run: closes the next candle time and reads its candles, unless the
   * previous one was not taken yet or the data is exhausted.
   *
   * @throws whatever the (wrapped) source throws; the same candle time is read again next time.
   */
  async poll(): Promise<void> {
    if (this.#pending !== null || this.#exhausted) return;
    if (this.#advanceNext) {
      if (!this.#replay.advance()) {
        this.#exhausted = true;
        return;
      }
      this.#advanceNext = false;
    }
    const time = this.#replay.lastClosedTime;
    if (time === null) return;
    const candles = new Map<SymbolId, Candle>();
    for (const symbol of this.#symbols) {
      const [latest] = await this.#source.fetchCandles(symbol, this.#config.interval, {
        limit: 1,
      });
      if (latest?.time === time) candles.set(symbol, latest);
    }
    this.#pending = { time, candles };
    this.#advanceNext = true;
  }

  /** The candle time read by the last poll, handed over once; `null` when there is none. */
  take(): ReplayBatch | null {
    const batch = this.#pending;
    this.#pending = null;
    return batch;
  }
}
