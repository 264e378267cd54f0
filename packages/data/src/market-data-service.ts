/**
 * Live candle collection: polls a {@link MarketDataSource} per symbol, stores closed and valid
 * candles only, and fills the holes it finds.
 */
import {
  ValidationError,
  candleOpenTime,
  isTimeframe,
  silentLogger,
  timeframeMs,
  type Candle,
  type CandleGap,
  type CandleStore,
  type Clock,
  type Logger,
  type MarketDataSource,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import {
  emptyRejectionCounts,
  validateCandles,
  type CandleRejectionCounts,
  type CandleRejectionReason,
} from './candle-validation.js';

/** The default of {@link MarketDataServiceOptions.limit}: Coinbase's maximum, below Binance's and Bybit's. */
export const defaultCandleLimit = 300;

/** The default of {@link MarketDataServiceOptions.maxRequestsPerPoll}. */
export const defaultMaxRequestsPerPoll = 20;

/** What a {@link MarketDataService} needs. */
export interface MarketDataServiceOptions {
  readonly source: MarketDataSource;
  readonly store: CandleStore;
  /** Decides which candles have closed; the only time the service reads. */
  readonly clock: Clock;
  /** Receives rejected rows, gaps and failures; silent by default. */
  readonly logger?: Logger;
  /** The symbols to collect, polled in this order. */
  readonly symbols: readonly SymbolId[];
  readonly timeframe: Timeframe;
  /** Candles asked for per request (default {@link defaultCandleLimit}). */
  readonly limit?: number;
  /**
   * Requests per symbol and poll, forward paging and gap backfill together (default
   * {@link defaultMaxRequestsPerPoll}). What is left is fetched by the next poll.
   */
  readonly maxRequestsPerPoll?: number;
}

/** What one poll did for one symbol. */
export interface SymbolPollResult {
  readonly symbol: SymbolId;
  /** `failed` when the source or the store threw; other symbols are not affected. */
  readonly status: 'ok' | 'failed';
  /** The error of a failed symbol, `null` when it succeeded. */
  readonly error: Error | null;
  /** `fetchCandles` calls made. */
  readonly requests: number;
  /** Rows the source returned, all requests together. */
  readonly received: number;
  /** Candles written (new or changed), gap backfill included. */
  readonly stored: number;
  /** Of `stored`, candles written by gap backfill. */
  readonly backfilled: number;
  /** Rows rejected by validation (a row fetched twice counts once). */
  readonly rejected: number;
  /** `rejected` per reason. */
  readonly rejections: CandleRejectionCounts;
  /** Holes found among the candles stored by this poll, before backfill. */
  readonly gaps: readonly CandleGap[];
  /** Holes still open after backfill (the source does not have those candles, or sent bad ones). */
  readonly unfilledGaps: readonly CandleGap[];
  /** Open time of the newest stored candle after the poll, `null` when none is stored. */
  readonly lastCandleTime: number | null;
}

/** What one {@link MarketDataService.poll} did. */
export interface PollResult {
  /** The clock's time when the poll began: candles closed by then were collected. */
  readonly startedAt: number;
  /** One entry per symbol, in the configured order. */
  readonly symbols: readonly SymbolPollResult[];
  /** Candles written, all symbols together. */
  readonly stored: number;
  /** Rows rejected, all symbols together. */
  readonly rejected: number;
  /** Symbols whose poll failed. */
  readonly failed: readonly SymbolId[];
}

/**
 * Polls OHLCV for a set of symbols at one timeframe and stores closed, valid candles. Each poll,
 * per symbol: fetch from the candle after the last stored one (with nothing stored: the latest
 * `limit` closed candles), page forward until the newest closed candle, drop the forming candle
 * (core's `isCandleClosed` rule on `clock.now()`), validate every row (rejected rows are counted
 * per reason, logged, never stored), upsert the rest, then look for holes between the previous
 * last candle and the new one and backfill them by paging `fetchCandles({ since, limit })`.
 * Symbols are isolated: one failing is reported and logged, the others proceed. Deeper history is
 * `fetchHistory`'s job.
 *
 * @example
 * ```ts
 * const service = new MarketDataService({ source, store: store.candles, clock: systemClock,
 *   logger, symbols: ['BTC-USD', 'ETH-USD'], timeframe: '1h' });
 * const result = await service.poll(); // { stored, rejected, failed, symbols: [...] }
 * ```
 */
export class MarketDataService {
  readonly #source: MarketDataSource;
  readonly #store: CandleStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #symbols: readonly SymbolId[];
  readonly #timeframe: Timeframe;
  readonly #step: number;
  readonly #limit: number;
  readonly #maxRequests: number;
  readonly #last = new Map<SymbolId, number | null>();
  #inFlight: Promise<PollResult> | undefined;

  /**
   * @throws {ValidationError} for no symbols, a repeated symbol, an invalid timeframe, or a
   *   limit or request budget that is not a positive integer.
   */
  constructor(options: MarketDataServiceOptions) {
    const { symbols, timeframe } = options;
    if (symbols.length === 0) throw new ValidationError('MarketDataService: symbols is empty');
    const repeated = symbols.find((symbol, index) => symbols.indexOf(symbol) !== index);
    if (repeated !== undefined) {
      throw new ValidationError(`MarketDataService: symbol ${repeated} is listed twice`);
    }
    if (!isTimeframe(timeframe)) {
      throw new ValidationError(`MarketDataService: invalid timeframe "${String(timeframe)}"`);
    }
    this.#limit = positiveInteger('limit', options.limit ?? defaultCandleLimit);
    this.#maxRequests = positiveInteger(
      'maxRequestsPerPoll',
      options.maxRequestsPerPoll ?? defaultMaxRequestsPerPoll,
    );
    this.#source = options.source;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = (options.logger ?? silentLogger).child({ module: 'market-data' });
    this.#symbols = [...symbols];
    this.#timeframe = timeframe;
    this.#step = timeframeMs(timeframe);
  }

  /** The symbols polled, in order. */
  get symbols(): readonly SymbolId[] {
    return this.#symbols;
  }

  /** The timeframe collected. */
  get timeframe(): Timeframe {
    return this.#timeframe;
  }

  /**
   * Open time of the newest stored candle of `symbol` as tracked by the service: `null` before
   * the symbol's first poll or while nothing is stored.
   */
  lastCandleTime(symbol: SymbolId): number | null {
    return this.#last.get(symbol) ?? null;
  }

  /**
   * One pass over every symbol. Never throws for a symbol's failure: it is in the result
   * (`status: 'failed'`, `error`) and logged. A call made while a poll runs returns that poll.
   */
  poll(): Promise<PollResult> {
    this.#inFlight ??= this.#pollAll().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #pollAll(): Promise<PollResult> {
    const startedAt = this.#clock.now();
    const results: SymbolPollResult[] = [];
    for (const symbol of this.#symbols) results.push(await this.#pollSymbol(symbol, startedAt));
    return {
      startedAt,
      symbols: results,
      stored: results.reduce((sum, result) => sum + result.stored, 0),
      rejected: results.reduce((sum, result) => sum + result.rejected, 0),
      failed: results.filter((result) => result.status === 'failed').map((r) => r.symbol),
    };
  }

  async #pollSymbol(symbol: SymbolId, now: number): Promise<SymbolPollResult> {
    const run = new SymbolRun(symbol, this.#timeframe, this.#logger);
    try {
      await this.#collect(symbol, now, run);
      return run.result('ok', null, this.lastCandleTime(symbol));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.#logger.error('Market data poll failed for a symbol; the others proceed', {
        symbol,
        timeframe: this.#timeframe,
        error: failure,
      });
      return run.result('failed', failure, this.lastCandleTime(symbol));
    }
  }

  async #collect(symbol: SymbolId, now: number, run: SymbolRun): Promise<void> {
    const step = this.#step;
    const newestClosed = candleOpenTime(now, this.#timeframe) - step;
    let last = this.#last.has(symbol)
      ? (this.#last.get(symbol) ?? null)
      : await this.#store.latestCandleTime(symbol, this.#timeframe);
    this.#last.set(symbol, last);
    if (last !== null && last >= newestClosed) return;

    // Forward: from the candle after the last stored one up to the newest closed candle.
    const previousLast = last;
    let cursor = last === null ? Math.max(0, newestClosed - (this.#limit - 1) * step) : last + step;
    let firstNew: number | null = null;
    while (run.requests < this.#maxRequests) {
      const valid = await this.#fetchValid(symbol, run, cursor, newestClosed);
      if (valid.length === 0) break;
      run.stored += await this.#store.saveCandles(symbol, this.#timeframe, valid);
      firstNew ??= (valid[0] as Candle).time;
      const top = (valid[valid.length - 1] as Candle).time;
      last = Math.max(last ?? top, top);
      this.#last.set(symbol, last);
      if (top >= newestClosed) break;
      cursor = top + step;
    }
    if (last !== null && last < newestClosed && run.requests >= this.#maxRequests) {
      this.#logger.warn('Request budget of the poll spent; the next poll continues', {
        symbol,
        timeframe: this.#timeframe,
        lastCandleTime: last,
        requests: run.requests,
      });
    }

    // Holes between the previous last candle (or the first new one) and the new last candle.
    const holesFrom = previousLast === null ? firstNew : previousLast + step;
    if (holesFrom === null || last === null || last <= holesFrom) return;
    const gaps = await this.#store.findGaps(symbol, this.#timeframe, holesFrom, last);
    if (gaps.length === 0) return;
    run.gaps = gaps;
    for (const gap of gaps) {
      let since = gap.from;
      while (since <= gap.to && run.requests < this.#maxRequests) {
        const valid = await this.#fetchValid(symbol, run, since, gap.to);
        if (valid.length === 0) break;
        const written = await this.#store.saveCandles(symbol, this.#timeframe, valid);
        run.stored += written;
        run.backfilled += written;
        since = (valid[valid.length - 1] as Candle).time + step;
      }
    }
    run.unfilledGaps = await this.#store.findGaps(symbol, this.#timeframe, holesFrom, last);
    const fields = { symbol, timeframe: this.#timeframe, backfilled: run.backfilled };
    if (run.unfilledGaps.length === 0) this.#logger.info('Backfilled candle gaps', fields);
    else {
      this.#logger.warn('Candle gaps remain after backfill', {
        ...fields,
        gaps: run.unfilledGaps,
        missing: run.unfilledGaps.reduce((sum, gap) => sum + gap.missing, 0),
      });
    }
  }

  /** One request from `since`; the valid closed candles with open time in [since, to]. */
  async #fetchValid(
    symbol: SymbolId,
    run: SymbolRun,
    since: number,
    to: number,
  ): Promise<Candle[]> {
    run.requests++;
    const rows = await this.#source.fetchCandles(symbol, this.#timeframe, {
      since,
      limit: this.#limit,
    });
    run.received += rows.length;
    const { valid, rejected } = validateCandles(rows, this.#timeframe, { from: since, to });
    run.reject(rejected);
    return valid;
  }
}

/** The counters of one symbol's poll. */
class SymbolRun {
  requests = 0;
  received = 0;
  stored = 0;
  backfilled = 0;
  gaps: readonly CandleGap[] = [];
  unfilledGaps: readonly CandleGap[] = [];
  readonly #rejections = emptyRejectionCounts();
  /** `reason@time` of rows already counted, so a row fetched again is counted once. */
  readonly #seen = new Set<string>();
  readonly #symbol: SymbolId;
  readonly #timeframe: Timeframe;
  readonly #logger: Logger;

  constructor(symbol: SymbolId, timeframe: Timeframe, logger: Logger) {
    this.#symbol = symbol;
    this.#timeframe = timeframe;
    this.#logger = logger;
  }

  /** Counts and logs the rejected rows of one response. */
  reject(
    rejected: readonly {
      readonly candle: Candle;
      readonly reason: CandleRejectionReason;
      readonly problem: string;
    }[],
  ): void {
    const keys: string[] = [];
    for (const { candle, reason, problem } of rejected) {
      const key = `${reason}@${String(candle.time)}`;
      keys.push(key);
      if (this.#seen.has(key)) continue;
      this.#rejections[reason]++;
      this.#logger.warn('Rejected a candle from the source; it is not stored', {
        symbol: this.#symbol,
        timeframe: this.#timeframe,
        time: candle.time,
        reason,
        problem,
      });
    }
    for (const key of keys) this.#seen.add(key);
  }

  result(
    status: SymbolPollResult['status'],
    error: Error | null,
    lastCandleTime: number | null,
  ): SymbolPollResult {
    const rejections = { ...this.#rejections };
    return {
      symbol: this.#symbol,
      status,
      error,
      requests: this.requests,
      received: this.received,
      stored: this.stored,
      backfilled: this.backfilled,
      rejected: Object.values(rejections).reduce((sum, count) => sum + count, 0),
      rejections,
      gaps: this.gaps,
      unfilledGaps: this.unfilledGaps,
      lastCandleTime,
    };
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`MarketDataService: ${name} ${String(value)} is not an integer >= 1`);
  }
  return value;
}
