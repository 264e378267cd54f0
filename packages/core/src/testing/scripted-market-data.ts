import type { Candle } from '../candle.js';
import { permissiveMarketInfo, type MarketInfo, type OrderBook, type Ticker } from '../market.js';
import type { FetchCandlesOptions, MarketDataSource } from '../ports.js';
import type { SymbolId } from '../symbol.js';
import type { Timeframe } from '../timeframe.js';

type MarketDataMethod = keyof MarketDataSource;

/** One call made to the source. */
export interface MarketDataCall {
  readonly method: MarketDataMethod;
  readonly args: readonly unknown[];
}

/**
 * A market data source that serves what the test put in it: candles per symbol and timeframe,
 * tickers, order books and markets, with scripted failures. It records every call.
 *
 * @example
 * ```ts
 * const source = new ScriptedMarketDataSource();
 * source.addCandles('BTC-USD', '1h', candles);
 * source.failNext('fetchCandles', new Error('503'));
 * ```
 */
export class ScriptedMarketDataSource implements MarketDataSource {
  readonly calls: MarketDataCall[] = [];
  readonly #candles = new Map<string, Candle[]>();
  readonly #tickers = new Map<SymbolId, Ticker>();
  readonly #books = new Map<SymbolId, OrderBook>();
  readonly #markets = new Map<SymbolId, MarketInfo>();
  readonly #failures = new Map<MarketDataMethod, Error[]>();

  /** Adds candles (merged by open time, kept ascending). */
  addCandles(symbol: SymbolId, timeframe: Timeframe, candles: readonly Candle[]): void {
    const key = `${symbol}|${timeframe}`;
    const byTime = new Map((this.#candles.get(key) ?? []).map((candle) => [candle.time, candle]));
    for (const candle of candles) byTime.set(candle.time, candle);
    this.#candles.set(
      key,
      [...byTime.values()].sort((a, b) => a.time - b.time),
    );
  }

  setTicker(ticker: Ticker): void {
    this.#tickers.set(ticker.symbol, ticker);
  }

  setOrderBook(book: OrderBook): void {
    this.#books.set(book.symbol, book);
  }

  /** Adds a market; fields not given get permissive defaults (steps 1e-8, no minimums). */
  setMarket(market: Partial<MarketInfo> & { readonly symbol: SymbolId }): void {
    this.#markets.set(market.symbol, permissiveMarketInfo(market.symbol, market));
  }

  /** Makes the next call of `method` throw `error` (queued). */
  failNext(method: MarketDataMethod, error: Error): void {
    const queue = this.#failures.get(method) ?? [];
    queue.push(error);
    this.#failures.set(method, queue);
  }

  loadMarkets(): Promise<ReadonlyMap<SymbolId, MarketInfo>> {
    return this.#call('loadMarkets', [], () => new Map(this.#markets));
  }

  fetchCandles(
    symbol: SymbolId,
    timeframe: Timeframe,
    options: FetchCandlesOptions = {},
  ): Promise<Candle[]> {
    return this.#call('fetchCandles', [symbol, timeframe, options], () => {
      const since = options.since ?? Number.NEGATIVE_INFINITY;
      const candles = (this.#candles.get(`${symbol}|${timeframe}`) ?? []).filter(
        (candle) => candle.time >= since,
      );
      return options.since === undefined && options.limit !== undefined
        ? candles.slice(-options.limit)
        : candles.slice(0, options.limit);
    });
  }

  fetchTicker(symbol: SymbolId): Promise<Ticker> {
    return this.#call('fetchTicker', [symbol], () =>
      this.#mustGet(this.#tickers, symbol, 'ticker'),
    );
  }

  fetchOrderBook(symbol: SymbolId, depth?: number): Promise<OrderBook> {
    return this.#call('fetchOrderBook', [symbol, depth], () => {
      const book = this.#mustGet(this.#books, symbol, 'order book');
      return depth === undefined
        ? book
        : { ...book, bids: book.bids.slice(0, depth), asks: book.asks.slice(0, depth) };
    });
  }

  async #call<T>(method: MarketDataMethod, args: readonly unknown[], run: () => T): Promise<T> {
    this.calls.push({ method, args });
    await Promise.resolve();
    const failure = this.#failures.get(method)?.shift();
    if (failure) throw failure;
    return run();
  }

  #mustGet<T>(map: ReadonlyMap<SymbolId, T>, symbol: SymbolId, what: string): T {
    const value = map.get(symbol);
    if (value === undefined) throw new Error(`ScriptedMarketDataSource: no ${what} for ${symbol}`);
    return value;
  }
}
