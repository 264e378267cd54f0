/**
 * The strategy loop's work: hands each newly closed candle to the trade cycle once, symbols of
 * one candle time in config order, remembers the last processed candle per symbol in the store,
 * re-warms the strategies after a restart, and runs the tick check between candles.
 */
import {
  commandHint,
  PermanentError,
  candleOpenTime,
  timeframeMs,
  type Candle,
  type CandleStore,
  type Clock,
  type Logger,
  type ManualClock,
  type Notifier,
  type RuntimeStateStore,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import type { TradeCycle } from '@lumenlink/engine';
import type { Portfolio } from '@lumenlink/execution';
import type { NodeMetrics } from './node-metrics.js';
import type { ResumablePaperBroker } from './resumable-paper-broker.js';
import type { SerialLock } from './serial-lock.js';

/** What the driver works with. */
export interface CandleDriverOptions {
  readonly cycle: TradeCycle;
  /** The paper broker, which sets history aside while strategies re-warm; `null` live. */
  readonly paperBroker: ResumablePaperBroker | null;
  readonly portfolio: Portfolio;
  readonly candles: CandleStore;
  readonly runtime: RuntimeStateStore;
  readonly symbols: readonly SymbolId[];
  readonly timeframe: Timeframe;
  /** The engine's clock: the wall clock, or in replay a manual clock moved to each candle's close. */
  readonly clock: Clock;
  readonly manualClock: ManualClock | null;
  readonly lock: SerialLock;
  readonly metrics: NodeMetrics;
  readonly notifier: Notifier;
  readonly logger: Logger;
  /** Candles a strategy needs before its signals count (its `warmup`, at least the ATR's). */
  readonly warmupCandles: number;
}

/** The trade cycle threw on candles; they are not tried again (see {@link CandleDriver}). */
export class CandleProcessingError extends PermanentError {
  static {
    PermanentError.addMarker(this, 'lumenlink.error.CandleProcessingError');
  }

  /** Whether `value` is a CandleProcessingError, also from a second copy of this package. */
  static override isInstance(value: unknown): value is CandleProcessingError {
    return PermanentError.hasMarker(value, 'lumenlink.error.CandleProcessingError');
  }

  readonly code = 'CANDLE_FAILED';
  readonly failures: readonly { symbol: SymbolId; time: number; error: unknown }[];

  constructor(failures: readonly { symbol: SymbolId; time: number; error: unknown }[]) {
    super(
      `trade cycle failed on ${failures
        .map(
          ({ symbol, time, error }) =>
            `${symbol} ${new Date(time).toISOString()}: ${error instanceof Error ? error.message : String(error)}`,
        )
        .join('; ')}`,
      { cause: failures[0]?.error },
    );
    this.failures = failures;
  }
}

/**
 * Feeds closed candles to the trade cycle. Every candle is processed at most once: the last
 * processed open time per symbol is kept in the store (`runtime.setLastProcessedCandle`) and a
 * candle at or before it is skipped, across restarts too. A candle whose cycle throws is
 * reported (log, alert, a failed loop run) and not tried again, since the cycle has already
 * updated the strategy and the paper book with it; a repeated order is impossible anyway (the
 * order manager refuses a second order for the same client order id).
 */
export class CandleDriver {
  readonly #options: CandleDriverOptions;
  readonly #stepMs: number;
  readonly #cursors = new Map<SymbolId, number | null>();
  readonly #warmed = new Set<SymbolId>();
  #processed = 0;

  private constructor(options: CandleDriverOptions, cursors: ReadonlyMap<SymbolId, number | null>) {
    this.#options = options;
    this.#stepMs = timeframeMs(options.timeframe);
    for (const [symbol, cursor] of cursors) this.#cursors.set(symbol, cursor);
  }

  /**
   * A driver with each symbol's last processed candle read from the store.
   *
   * @throws {StorageError} when the store fails.
   */
  static async open(options: CandleDriverOptions): Promise<CandleDriver> {
    const cursors = new Map<SymbolId, number | null>();
    for (const symbol of options.symbols) {
      cursors.set(symbol, await options.runtime.getLastProcessedCandle(symbol, options.timeframe));
    }
    return new CandleDriver(options, cursors);
  }

  /** Open time of the last processed candle of `symbol`, or `null`. */
  lastProcessed(symbol: SymbolId): number | null {
    return this.#cursors.get(symbol) ?? null;
  }

  /** Candles processed by this driver (since the start). */
  get processed(): number {
    return this.#processed;
  }

  /** Open time of the latest candle processed for any symbol, or `null`. */
  get lastCandleAt(): number | null {
    let latest: number | null = null;
    for (const cursor of this.#cursors.values()) {
      if (cursor !== null && (latest === null || cursor > latest)) latest = cursor;
    }
    return latest;
  }

  /** The earliest last-processed time over the symbols; `null` when one has processed nothing. */
  get resumePoint(): number | null {
    let earliest: number | null = null;
    for (const cursor of this.#cursors.values()) {
      if (cursor === null) return null;
      if (earliest === null || cursor < earliest) earliest = cursor;
    }
    return earliest;
  }

  /**
   * Re-warms the strategies and ATRs after a restart on candles already processed (up to each
   * symbol's last processed one): the cycle sees them through `warmUp`, the paper book does not.
   * Symbols that processed nothing yet are left alone.
   */
  rewarm(history: ReadonlyMap<SymbolId, readonly Candle[]>): number {
    let fed = 0;
    for (const symbol of this.#options.symbols) {
      const cursor = this.#cursors.get(symbol) ?? null;
      const candles = history.get(symbol) ?? [];
      if (cursor === null) continue;
      const before = candles.filter((candle) => candle.time <= cursor);
      this.#warmUp(symbol, before);
      this.#warmed.add(symbol);
      fed += before.length;
    }
    return fed;
  }

  /**
   * Runs the trade cycle on one candle time: the manual clock (replay) moves to the candles'
   * close, then each symbol's candle in config order, skipping those already processed.
   *
   * @throws {CandleProcessingError} after the other symbols ran, when a symbol's cycle threw.
   * @throws {StorageError} when the last processed candle cannot be stored.
   */
  async process(time: number, candles: ReadonlyMap<SymbolId, Candle>): Promise<void> {
    const { cycle, lock, manualClock, runtime, timeframe, metrics } = this.#options;
    const failures: { symbol: SymbolId; time: number; error: unknown }[] = [];
    await lock.run(async () => {
      if (manualClock !== null) {
        const closeAt = time + this.#stepMs;
        const next = manualClock.nextTimerAt;
        if (next !== null && next <= closeAt) await manualClock.advanceTo(closeAt);
        else if (closeAt > manualClock.now()) manualClock.moveTo(closeAt);
      }
      for (const symbol of this.#options.symbols) {
        const candle = candles.get(symbol);
        if (candle === undefined) continue;
        const cursor = this.#cursors.get(symbol) ?? null;
        if (cursor !== null && candle.time <= cursor) continue;
        try {
          const pending = cycle.onCandle(symbol, candle);
          if (pending !== undefined) await pending;
        } catch (error) {
          failures.push({ symbol, time: candle.time, error });
          this.#options.logger.error('the trade cycle failed on a candle; it is not tried again', {
            symbol,
            candleTime: candle.time,
            error,
          });
          this.#options.notifier.notify({
            type: 'error',
            code: 'CANDLE_FAILED',
            message: `${symbol} candle ${new Date(candle.time).toISOString()}: ${error instanceof Error ? error.message : String(error)}`,
            at: this.#options.clock.now(),
          });
        }
        this.#cursors.set(symbol, candle.time);
        this.#warmed.add(symbol);
        this.#processed += 1;
        metrics.candleProcessed(symbol, candle.time);
        await runtime.setLastProcessedCandle(symbol, timeframe, candle.time);
      }
    });
    if (failures.length > 0) throw new CandleProcessingError(failures);
  }

  /**
   * One strategy-loop run with live market data: the candles stored since each symbol's last
   * processed one that have closed by `now`, merged in time order (config order within a time).
   * A symbol met for the first time warms up on the stored candles before the newest closed one
   * and then trades that one; after a restart it re-warms on the candles up to its last processed
   * one.
   */
  async processStored(now: number): Promise<number> {
    const { candles: store, timeframe, symbols, warmupCandles } = this.#options;
    const newestClosed = candleOpenTime(now, timeframe) - this.#stepMs;
    const byTime = new Map<number, Map<SymbolId, Candle>>();
    for (const symbol of symbols) {
      const cursor = this.#cursors.get(symbol) ?? null;
      const fresh: Candle[] = [];
      if (!this.#warmed.has(symbol)) {
        const upTo = cursor ?? newestClosed;
        // One candle more than the warm-up: on a first start the newest closed candle may not
        // be stored yet, and the candle traded must still follow a full warm-up.
        let history = await store.getCandles(
          symbol,
          timeframe,
          upTo - (warmupCandles + 1) * this.#stepMs,
          upTo,
        );
        if (history.length === 0) continue;
        if (cursor === null) {
          // First start: trade the newest closed candle stored, after a full warm-up.
          fresh.push(...history.splice(-1));
          history = history.slice(-warmupCandles);
        } else {
          // Restart: re-warm on the candles up to the last processed one, as before it.
          history = history.slice(-(warmupCandles + 1));
        }
        this.#warmUp(symbol, history);
        this.#warmed.add(symbol);
        if (history.length < warmupCandles) {
          this.#options.logger.warn(
            `fewer stored candles than the strategy warms up on: its signals wait for more (${commandHint('fetch-history')} fills the store)`,
            { symbol, stored: history.length, warmup: warmupCandles },
          );
        }
      }
      const after = fresh.at(-1)?.time ?? cursor;
      if (after !== null && newestClosed > after) {
        fresh.push(
          ...(await store.getCandles(symbol, timeframe, after + this.#stepMs, newestClosed)),
        );
      }
      for (const candle of fresh) {
        let slot = byTime.get(candle.time);
        if (slot === undefined) {
          slot = new Map();
          byTime.set(candle.time, slot);
        }
        slot.set(symbol, candle);
      }
    }
    const times = [...byTime.keys()].sort((a, b) => a - b);
    let failure: CandleProcessingError | null = null;
    for (const time of times) {
      try {
        await this.process(time, byTime.get(time) ?? new Map());
      } catch (error) {
        if (!CandleProcessingError.isInstance(error)) throw error;
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
    return times.length;
  }

  /**
   * The tick check between candles (live market data only, never replay): each open position's
   * stops against the latest price from `price`. A price that cannot be had is logged and counted;
   * the other symbols are still checked, also when one symbol's check throws (the first error is
   * thrown once all were checked).
   */
  async checkTicks(price: (symbol: SymbolId) => Promise<number>): Promise<void> {
    const { portfolio, cycle, lock, logger, metrics } = this.#options;
    let failure: Error | undefined;
    for (const symbol of this.#options.symbols) {
      if (portfolio.position(symbol) === undefined) continue;
      let last: number;
      try {
        last = await price(symbol);
      } catch (error) {
        metrics.tickFailed(symbol);
        logger.warn('no price for the tick check; stops are checked on the next candle', {
          symbol,
          error,
        });
        continue;
      }
      try {
        await lock.run(() => cycle.onTick(symbol, last));
      } catch (error) {
        // One symbol's failing tick check never skips the stops of the others.
        failure ??= error instanceof Error ? error : new Error(String(error));
        logger.error('the tick check failed', { symbol, error });
      }
    }
    if (failure !== undefined) throw failure;
  }

  #warmUp(symbol: SymbolId, candles: readonly Candle[]): void {
    if (candles.length === 0) return;
    const { cycle, paperBroker } = this.#options;
    const feed = (): void => {
      for (const candle of candles) cycle.warmUp(symbol, candle);
    };
    if (paperBroker === null) feed();
    else paperBroker.settingAside(feed);
  }
}
