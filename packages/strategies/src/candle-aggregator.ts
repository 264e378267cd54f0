import { timeframeMs, ValidationError, type Candle, type Timeframe } from '@lumenlink/core';
import { PeriodFinder } from './period.js';

/**
 * Builds higher-timeframe candles (4h, 1d, ...) from closed base candles, without ever showing a
 * forming one: a higher candle is emitted only when the base candle that closes it arrives (its
 * close time is the higher candle's close time, by core's `candleOpenTime`/`timeframeMs`
 * alignment). A higher candle is emitted only when complete: every base candle of its period
 * arrived, in order. An incomplete one (the stream started inside its period, or base candles are
 * missing) is dropped and counted in {@link CandleAggregator.droppedCandles}.
 *
 * `push` costs O(1) and allocates nothing: it returns one reused candle object, overwritten by the
 * next emission. Copy it to keep it.
 *
 * @example
 * ```ts
 * const fourHours = new CandleAggregator('1h', '4h');
 * for (const candle of hourlyCandles) {
 *   const higher = fourHours.push(candle); // a closed 4h candle on every 4th hour, else undefined
 *   if (higher) console.log(higher.time, higher.close);
 * }
 * ```
 * @throws {ValidationError} when `target` is not a whole multiple (above 1) of `base`.
 */
export class CandleAggregator {
  /** The interval of the candles pushed in. */
  readonly base: Timeframe;
  /** The higher timeframe built. */
  readonly target: Timeframe;
  readonly #baseMs: number;
  readonly #targetMs: number;
  readonly #periods: PeriodFinder;
  /** Open time of the period being built, `NaN` before the first candle. */
  #period = Number.NaN;
  #count = 0;
  #complete = false;
  #lastTime = Number.NaN;
  #open = 0;
  #high = 0;
  #low = 0;
  #close = 0;
  #volume = 0;
  #dropped = 0;
  #emitted = 0;
  readonly #result = { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };

  constructor(base: Timeframe, target: Timeframe) {
    this.base = base;
    this.target = target;
    this.#baseMs = timeframeMs(base);
    this.#targetMs = timeframeMs(target);
    this.#periods = new PeriodFinder(target);
    if (this.#targetMs <= this.#baseMs || this.#targetMs % this.#baseMs !== 0) {
      throw new ValidationError(
        `Cannot build ${target} candles from ${base} candles: the higher timeframe must be a whole multiple of the base above it, such as 4h or 1d from 1h`,
      );
    }
  }

  /** Base candles per higher candle, e.g. 24 for 1d from 1h. */
  get ratio(): number {
    return this.#targetMs / this.#baseMs;
  }

  /** Base candles that went into incomplete (dropped) higher candles so far. */
  get droppedCandles(): number {
    return this.#dropped;
  }

  /** Higher candles emitted so far. */
  get emitted(): number {
    return this.#emitted;
  }

  /**
   * Adds the next closed base candle (in time order); returns the higher candle it closes, or
   * `undefined`. The returned object is reused: copy it to keep it.
   */
  push(candle: Candle): Candle | undefined {
    const period = this.#periods.openTime(candle.time);
    if (period !== this.#period) {
      this.#dropped += this.#count;
      this.#period = period;
      this.#count = 1;
      this.#complete = candle.time === period;
      this.#open = candle.open;
      this.#high = candle.high;
      this.#low = candle.low;
      this.#volume = candle.volume;
    } else {
      if (candle.time !== this.#lastTime + this.#baseMs) this.#complete = false;
      this.#count++;
      if (candle.high > this.#high) this.#high = candle.high;
      if (candle.low < this.#low) this.#low = candle.low;
      this.#volume += candle.volume;
    }
    this.#close = candle.close;
    this.#lastTime = candle.time;
    if (candle.time + this.#baseMs !== period + this.#targetMs) return undefined;
    const complete = this.#complete && this.#count === this.ratio;
    const count = this.#count;
    this.#count = 0;
    if (!complete) {
      this.#dropped += count;
      return undefined;
    }
    const result = this.#result;
    result.time = period;
    result.open = this.#open;
    result.high = this.#high;
    result.low = this.#low;
    result.close = this.#close;
    result.volume = this.#volume;
    this.#emitted++;
    return result;
  }

  /** Forgets every candle, as if newly made. */
  reset(): void {
    this.#period = Number.NaN;
    this.#count = 0;
    this.#complete = false;
    this.#lastTime = Number.NaN;
    this.#dropped = 0;
    this.#emitted = 0;
  }
}
