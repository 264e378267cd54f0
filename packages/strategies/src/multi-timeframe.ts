import { ValidationError, type Candle, type Timeframe } from '@lumenlink/core';
import { EMA } from '@lumenlink/indicators';
import { CandleAggregator } from './candle-aggregator.js';

/** A timeframe's trend: fast EMA above (`up`), below (`down`) or equal to (`flat`) the slow EMA. */
export type TrendDirection = 'up' | 'down' | 'flat';

/**
 * How the timeframes agree: `bullish` (every one up), `bearish` (every one down), `mixed`, or
 * `warming_up` while any timeframe has no trend yet.
 */
export type TrendAlignment = 'bullish' | 'bearish' | 'mixed' | 'warming_up';

/** One timeframe's state in a {@link MultiTimeframeAnalyzer}. Live view: read, do not keep. */
export interface TimeframeTrend {
  readonly timeframe: Timeframe;
  /** The trend, `undefined` until both EMAs have a value. */
  readonly direction: TrendDirection | undefined;
  /** Fast EMA of this timeframe's closes, `undefined` while warming up. */
  readonly fast: number | undefined;
  /** Slow EMA of this timeframe's closes, `undefined` while warming up. */
  readonly slow: number | undefined;
  /** Closed candles of this timeframe seen so far. */
  readonly candles: number;
  /** Open time of the last closed candle of this timeframe (epoch ms), `undefined` before one. */
  readonly lastCandleTime: number | undefined;
}

/** Options of {@link MultiTimeframeAnalyzer}. */
export interface MultiTimeframeOptions {
  /** The interval of the candles fed in, e.g. `1h`. */
  readonly base: Timeframe;
  /** Higher timeframes built from the base candles (default `['4h', '1d']`). */
  readonly higher?: readonly Timeframe[];
  /** Fast EMA period on every timeframe (default 9). */
  readonly fastPeriod?: number;
  /** Slow EMA period on every timeframe (default 21). */
  readonly slowPeriod?: number;
}

class TrendState implements TimeframeTrend {
  readonly timeframe: Timeframe;
  readonly #fast: EMA;
  readonly #slow: EMA;
  direction: TrendDirection | undefined;
  candles = 0;
  /** `NaN` before the first candle: a number field, so updating it allocates nothing. */
  #lastCandleTime = Number.NaN;

  constructor(timeframe: Timeframe, fastPeriod: number, slowPeriod: number) {
    this.timeframe = timeframe;
    this.#fast = new EMA(fastPeriod);
    this.#slow = new EMA(slowPeriod);
  }

  get fast(): number | undefined {
    return this.#fast.isReady ? this.#fast.value : undefined;
  }

  get slow(): number | undefined {
    return this.#slow.isReady ? this.#slow.value : undefined;
  }

  get lastCandleTime(): number | undefined {
    return Number.isNaN(this.#lastCandleTime) ? undefined : this.#lastCandleTime;
  }

  update(candle: Candle): void {
    const fast = this.#fast.update(candle.close);
    const slow = this.#slow.update(candle.close);
    this.candles++;
    this.#lastCandleTime = candle.time;
    if (Number.isNaN(fast) || Number.isNaN(slow)) return;
    this.direction = fast > slow ? 'up' : fast < slow ? 'down' : 'flat';
  }

  reset(): void {
    this.#fast.reset();
    this.#slow.reset();
    this.direction = undefined;
    this.candles = 0;
    this.#lastCandleTime = Number.NaN;
  }
}

/**
 * The multi-timeframe analyzer: reads closed base candles (say 1h), builds the higher timeframes
 * from them inside the strategy (say 4h and 1d, through {@link CandleAggregator}), and reports each
 * timeframe's EMA trend and how they align. It never sees a forming higher candle: a higher
 * timeframe's trend changes only on the base candle that closes a complete higher candle, so a
 * decision at time t depends on nothing after t (docs/architecture/principles.md, principle 2).
 *
 * `update` costs O(number of timeframes) and allocates nothing.
 *
 * @example
 * ```ts
 * const analyzer = new MultiTimeframeAnalyzer({ base: '1h', higher: ['4h', '1d'] });
 * for (const candle of hourlyCandles) analyzer.update(candle);
 * analyzer.alignment; // 'bullish' when the 1h, 4h and 1d trends are all up
 * analyzer.trend('1d')?.direction; // 'up' | 'down' | 'flat' | undefined
 * ```
 * @throws {ValidationError} for a higher timeframe that is not a whole multiple above the base,
 * a repeated timeframe, or EMA periods that are not integers with fast below slow.
 */
export class MultiTimeframeAnalyzer {
  /** The interval of the candles fed in. */
  readonly base: Timeframe;
  /** The timeframes analysed, base first. */
  readonly timeframes: readonly Timeframe[];
  /**
   * Base candles after which every timeframe has a trend, whatever the first candle's time: the
   * slow period of the highest timeframe, plus one higher period for a partial start.
   */
  readonly warmup: number;
  readonly #states: readonly TrendState[];
  readonly #aggregators: readonly CandleAggregator[];
  #alignment: TrendAlignment = 'warming_up';
  #score = 0;

  constructor(options: MultiTimeframeOptions) {
    const fastPeriod = options.fastPeriod ?? 9;
    const slowPeriod = options.slowPeriod ?? 21;
    if (!Number.isInteger(fastPeriod) || !Number.isInteger(slowPeriod) || fastPeriod < 1) {
      throw new ValidationError(
        `MultiTimeframeAnalyzer EMA periods must be integers >= 1, got fast ${String(fastPeriod)} and slow ${String(slowPeriod)}`,
      );
    }
    if (fastPeriod >= slowPeriod) {
      throw new ValidationError(
        `MultiTimeframeAnalyzer fastPeriod must be below slowPeriod, got ${fastPeriod} and ${slowPeriod}`,
      );
    }
    const higher = options.higher ?? ['4h', '1d'];
    if (new Set(higher).size !== higher.length) {
      throw new ValidationError(
        `MultiTimeframeAnalyzer higher timeframes repeat: ${higher.join(', ')}`,
      );
    }
    this.base = options.base;
    this.timeframes = Object.freeze([options.base, ...higher]);
    this.#aggregators = higher.map((timeframe) => new CandleAggregator(options.base, timeframe));
    this.#states = this.timeframes.map(
      (timeframe) => new TrendState(timeframe, fastPeriod, slowPeriod),
    );
    let warmup = slowPeriod;
    for (const aggregator of this.#aggregators) {
      warmup = Math.max(warmup, (slowPeriod + 1) * aggregator.ratio - 1);
    }
    this.warmup = warmup;
  }

  /** Adds the next closed base candle, in time order; returns the new alignment. */
  update(candle: Candle): TrendAlignment {
    const states = this.#states;
    states[0]!.update(candle);
    for (let i = 0; i < this.#aggregators.length; i++) {
      const higher = this.#aggregators[i]!.push(candle);
      if (higher !== undefined) states[i + 1]!.update(higher);
    }
    let up = 0;
    let down = 0;
    let ready = true;
    for (const state of states) {
      const direction = state.direction;
      if (direction === undefined) ready = false;
      else if (direction === 'up') up++;
      else if (direction === 'down') down++;
    }
    this.#score = (up - down) / states.length;
    this.#alignment = !ready
      ? 'warming_up'
      : up === states.length
        ? 'bullish'
        : down === states.length
          ? 'bearish'
          : 'mixed';
    return this.#alignment;
  }

  /** How the timeframes agree now. */
  get alignment(): TrendAlignment {
    return this.#alignment;
  }

  /**
   * Net trend from -1 (every timeframe down) to 1 (every timeframe up): (ups - downs) / timeframes;
   * a timeframe without a trend yet counts 0.
   */
  get score(): number {
    return this.#score;
  }

  /** Whether every timeframe has a trend. */
  get isReady(): boolean {
    return this.#alignment !== 'warming_up';
  }

  /** The trends, base first (live views, updated in place). */
  get trends(): readonly TimeframeTrend[] {
    return this.#states;
  }

  /** One timeframe's trend, or `undefined` for a timeframe not analysed. */
  trend(timeframe: Timeframe): TimeframeTrend | undefined {
    return this.#states.find((state) => state.timeframe === timeframe);
  }

  /** Base candles dropped from incomplete higher candles, per higher timeframe (base first: 0). */
  droppedCandles(timeframe: Timeframe): number {
    const index = this.timeframes.indexOf(timeframe);
    return index <= 0 ? 0 : this.#aggregators[index - 1]!.droppedCandles;
  }

  /** Forgets every candle, as if newly made. */
  reset(): void {
    for (const state of this.#states) state.reset();
    for (const aggregator of this.#aggregators) aggregator.reset();
    this.#alignment = 'warming_up';
    this.#score = 0;
  }
}
