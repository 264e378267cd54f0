/**
 * The replay's market-data side: a feed that closes one candle time of a `ReplayMarketData` per
 * poll and hands its candles over once, for a trading node's strategy loop.
 */
import type { Candle, MarketDataSource, SymbolId, Timeframe } from '@lumenlink/core';
import { ReplayMarketData } from './replay-market-data.js';

/** One candle time of a replay: the candle of each symbol that has one then. */
export interface ReplayBatch {
  readonly time: number;
  readonly candles: ReadonlyMap<SymbolId, Candle>;
}

/** Options of {@link ReplayFeed}. */
export interface ReplayFeedOptions {
  /** The replayed candles per symbol, ascending. */
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  /** The symbols read each candle time, in order. */
  readonly symbols: readonly SymbolId[];
  readonly timeframe: Timeframe;
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
  readonly #timeframe: Timeframe;
  readonly #total: number;
  #pending: ReplayBatch | null = null;
  #advanceNext = true;
  #exhausted = false;

  /** @throws {ValidationError} from `ReplayMarketData` for malformed candles. */
  constructor(options: ReplayFeedOptions) {
    const { candles, resumeAfter } = options;
    const times = distinctTimes(candles);
    const startAfter =
      resumeAfter === null ? 0 : times.filter((time) => time <= resumeAfter).length;
    this.#replay = new ReplayMarketData({
      candles: Object.fromEntries(candles),
      timeframe: options.timeframe,
      startAfter,
    });
    this.#source = options.wrap?.(this.#replay) ?? this.#replay;
    this.#symbols = options.symbols;
    this.#timeframe = options.timeframe;
    this.#total = times.length;
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
      const [latest] = await this.#source.fetchCandles(symbol, this.#timeframe, {
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

/** Distinct candle open times over the symbols, ascending: a replay's steps. */
export function distinctTimes(candles: ReadonlyMap<SymbolId, readonly Candle[]>): number[] {
  const times = new Set<number>();
  for (const list of candles.values()) for (const candle of list) times.add(candle.time);
  return [...times].sort((a, b) => a - b);
}
