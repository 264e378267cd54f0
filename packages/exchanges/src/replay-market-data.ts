import {
  LumenLinkError,
  PermanentError,
  ValidationError,
  assertValidCandle,
  candleCloseTime,
  parseSymbol,
  permissiveMarketInfo,
  timeframeMs,
  type Candle,
  type CandleStore,
  type FetchCandlesOptions,
  type MarketDataSource,
  type MarketInfo,
  type OrderBook,
  type SymbolId,
  type Ticker,
  type Timeframe,
} from '@lumenlink/core';

/**
 * Replay serves no order book: the book-based guards report "no book", in replay and in backtests
 * alike (docs/architecture/parity.md).
 */
export class NoOrderBookError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.NoOrderBookError');
  }

  /** Whether `value` is a {@link NoOrderBookError}, from any copy of this package. */
  static override isInstance(value: unknown): value is NoOrderBookError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.NoOrderBookError');
  }

  readonly code = 'NO_ORDER_BOOK';
}

/** Options of {@link ReplayMarketData}. */
export interface ReplayMarketDataOptions {
  /** Candles per symbol, ascending by open time. Validated. */
  readonly candles: Readonly<Partial<Record<SymbolId, readonly Candle[]>>>;
  readonly timeframe: Timeframe;
  /** Market rules per symbol; symbols without one get permissive defaults (steps 1e-8, no minimums). */
  readonly markets?: Readonly<Partial<Record<SymbolId, Partial<MarketInfo>>>>;
  /** How many candles are closed at the start (the warm-up), default 0. */
  readonly startAfter?: number;
}

/**
 * A `MarketDataSource` over stored candles, for the bot's replay mode and parity tests: time is
 * the replay's own cursor, moved one candle at a time by {@link ReplayMarketData.advance}. Only
 * candles that have closed by the cursor are ever served, so nothing repaints. It serves no order
 * book.
 *
 * @example
 * ```ts
 * const replay = new ReplayMarketData({ candles: { 'BTC-USDT': candles }, timeframe: '1h', startAfter: 200 });
 * while (replay.advance()) {
 *   const latest = await replay.fetchCandles('BTC-USDT', '1h', { limit: 1 });
 * }
 * ```
 */
export class ReplayMarketData implements MarketDataSource {
  readonly timeframe: Timeframe;
  readonly #candles = new Map<SymbolId, readonly Candle[]>();
  readonly #markets = new Map<SymbolId, MarketInfo>();
  /** All distinct open times, ascending: the replay's steps. */
  readonly #times: readonly number[];
  /** Index into #times of the last closed candle (-1 before the first). */
  #step: number;

  /** @throws {ValidationError} for a bad symbol, unsorted or invalid candles, or a bad start. */
  constructor(options: ReplayMarketDataOptions) {
    this.timeframe = options.timeframe;
    const times = new Set<number>();
    for (const [key, candles] of Object.entries(options.candles)) {
      if (candles === undefined) continue;
      const symbol = parseSymbol(key);
      let previous = Number.NEGATIVE_INFINITY;
      for (const candle of candles) {
        assertValidCandle(candle, symbol);
        if (candle.time <= previous) {
          throw new ValidationError(
            `ReplayMarketData: ${symbol} candles must be ascending by time without duplicates (at ${candle.time})`,
          );
        }
        previous = candle.time;
        times.add(candle.time);
      }
      this.#candles.set(symbol, candles);
      this.#markets.set(symbol, permissiveMarketInfo(symbol, options.markets?.[symbol]));
    }
    this.#times = [...times].sort((a, b) => a - b);
    const startAfter = options.startAfter ?? 0;
    if (!Number.isInteger(startAfter) || startAfter < 0 || startAfter > this.#times.length) {
      throw new ValidationError(
        `ReplayMarketData: startAfter must be an integer from 0 to ${this.#times.length} (the number of candle times), got ${startAfter}`,
      );
    }
    this.#step = startAfter - 1;
  }

  /** Build one from a candle store: every stored candle of `symbols` in [from, to]. */
  static async fromStore(
    store: CandleStore,
    options: Omit<ReplayMarketDataOptions, 'candles'> & {
      readonly symbols: readonly SymbolId[];
      readonly from: number;
      readonly to: number;
    },
  ): Promise<ReplayMarketData> {
    const candles: Partial<Record<SymbolId, readonly Candle[]>> = {};
    for (const symbol of options.symbols) {
      candles[symbol] = await store.getCandles(symbol, options.timeframe, options.from, options.to);
    }
    return new ReplayMarketData({ ...options, candles });
  }

  /**
   * The replay's current time: the close time of the latest closed candle (the open time of the
   * first candle before any has closed).
   */
  get now(): number {
    const time = this.#times[this.#step];
    if (time !== undefined) return candleCloseTime(time, this.timeframe);
    return this.#times[0] ?? 0;
  }

  /** Open time of the latest closed candle, or `null` before the first. */
  get lastClosedTime(): number | null {
    return this.#times[this.#step] ?? null;
  }

  /** Candle times left to replay. */
  get remaining(): number {
    return this.#times.length - 1 - this.#step;
  }

  /** Closes the next candle time; `false` when the data is exhausted. */
  advance(): boolean {
    if (this.#step + 1 >= this.#times.length) return false;
    this.#step++;
    return true;
  }

  loadMarkets(): Promise<ReadonlyMap<SymbolId, MarketInfo>> {
    return Promise.resolve(new Map(this.#markets));
  }

  fetchCandles(
    symbol: SymbolId,
    timeframe: Timeframe,
    options: FetchCandlesOptions = {},
  ): Promise<Candle[]> {
    return settle(() => this.#candlesFor(symbol, timeframe, options));
  }

  #candlesFor(symbol: SymbolId, timeframe: Timeframe, options: FetchCandlesOptions): Candle[] {
    if (timeframe !== this.timeframe) {
      throw new ValidationError(
        `ReplayMarketData serves ${this.timeframe} candles only, not ${timeframe}`,
      );
    }
    // Only the candles asked for are copied: copying every closed candle on each call made a
    // replay quadratic in its length (and, past ~16k candles, each copy a large-object allocation).
    const { candles, count } = this.#closed(symbol);
    const since = options.since;
    const limit = options.limit;
    if (since === undefined) {
      return candles.slice(limit === undefined ? 0 : Math.max(0, count - limit), count);
    }
    const from = countUpTo(candles, count, (candle) => candle.time < since);
    return candles.slice(from, limit === undefined ? count : Math.min(count, from + limit));
  }

  /** The last closed candle's close as the price, and its 24h volume; no bid or ask. */
  fetchTicker(symbol: SymbolId): Promise<Ticker> {
    return settle(() => this.#tickerFor(symbol));
  }

  #tickerFor(symbol: SymbolId): Ticker {
    const { candles: closed, count } = this.#closed(symbol);
    const last = count > 0 ? closed[count - 1] : undefined;
    if (last === undefined) {
      throw new ValidationError(`ReplayMarketData: no closed ${symbol} candle yet at ${this.now}`);
    }
    const dayAgo = last.time + timeframeMs(this.timeframe) - 86_400_000;
    let baseVolume = 0;
    let quoteVolume = 0;
    for (let i = count - 1; i >= 0 && closed[i]!.time >= dayAgo; i--) {
      baseVolume += closed[i]!.volume;
      quoteVolume += closed[i]!.volume * closed[i]!.close;
    }
    return {
      symbol,
      time: this.now,
      last: last.close,
      bid: null,
      ask: null,
      baseVolume24h: baseVolume,
      quoteVolume24h: quoteVolume,
    };
  }

  /** @throws {NoOrderBookError} always: replay has no order book. */
  fetchOrderBook(symbol: SymbolId): Promise<OrderBook> {
    return Promise.reject(
      new NoOrderBookError(`Replay serves no order book (asked for ${symbol})`),
    );
  }

  /** A symbol's candles and how many of them (a prefix) are closed. */
  #closed(symbol: SymbolId): { readonly candles: readonly Candle[]; readonly count: number } {
    const candles = this.#candles.get(symbol);
    if (candles === undefined) {
      throw new ValidationError(
        `ReplayMarketData has no candles for ${symbol}; it has ${[...this.#candles.keys()].join(', ')}`,
      );
    }
    const last = this.lastClosedTime;
    if (last === null) return { candles, count: 0 };
    return { candles, count: countUpTo(candles, candles.length, (candle) => candle.time <= last) };
  }
}

/**
 * How many of the first `end` candles (ascending by time) satisfy `before`, a predicate that
 * holds for a prefix of them: a binary search.
 */
function countUpTo(
  candles: readonly Candle[],
  end: number,
  before: (candle: Candle) => boolean,
): number {
  let low = 0;
  let high = end;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(candles[middle]!)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Runs `work`, turning a throw into a rejected promise (ports never throw synchronously). */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
