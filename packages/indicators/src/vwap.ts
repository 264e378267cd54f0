import {
  checkSameLength,
  checkInteger,
  doubleZero,
  outputArray,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { RingBuffer } from './ring-buffer.js';

/** One day in milliseconds: the default session of {@link SessionVWAP}. */
const dayMs = 86_400_000;

/**
 * Rolling volume-weighted average price over the last `period` candles:
 * `Σ typical · volume / Σ volume`, typical price `(high + low + close) / 3`. First value after
 * `period` candles; `NaN` while the window holds no volume at all (0 / 0).
 *
 * @example
 * ```ts
 * const vwap = new RollingVWAP(24);
 * const value = vwap.update(candle); // the VWAP of the last 24 candles
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class RollingVWAP implements StreamingIndicator<RangeInput, number> {
  readonly period: number;
  readonly #weighted: RingBuffer;
  readonly #volumes: RingBuffer;
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  #weightedSum = doubleZero;
  #volumeSum = doubleZero;
  /** Candles in the window with volume > 0. */
  #withVolume = 0;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('RollingVWAP', 'period', period);
    this.#weighted = new RingBuffer(period);
    this.#volumes = new RingBuffer(period);
  }

  update(input: RangeInput): number {
    this.add(input);
    return this.#value;
  }

  add(input: RangeInput): void {
    const { volume } = input;
    const weighted = ((input.high + input.low + input.close) / 3) * volume;
    const scratch = this.#scratch;
    scratch[0] = weighted;
    this.#weighted.pushFrom(scratch, 0);
    scratch[0] = volume;
    this.#volumes.pushFrom(scratch, 0);
    const evictedWeighted = this.#weighted.evicted;
    const evictedVolume = this.#volumes.evicted;
    this.#weightedSum += weighted;
    this.#volumeSum += volume;
    if (volume !== 0) this.#withVolume++;
    if (evictedVolume === evictedVolume) {
      this.#weightedSum -= evictedWeighted;
      this.#volumeSum -= evictedVolume;
      if (evictedVolume !== 0) this.#withVolume--;
    }
    if (this.#withVolume === 0) {
      // No volume left in the window: drop the rounding residue of the running sums.
      this.#weightedSum = 0;
      this.#volumeSum = 0;
    }
    if (!this.#volumes.isFull) return;
    this.#value = this.#withVolume === 0 ? Number.NaN : this.#weightedSum / this.#volumeSum;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#volumes.isFull;
  }

  reset(): void {
    this.#weighted.clear();
    this.#volumes.clear();
    this.#weightedSum = 0;
    this.#volumeSum = 0;
    this.#withVolume = 0;
    this.#value = Number.NaN;
  }
}

/**
 * Rolling VWAP of candles given as columns; `NaN` for the first `period - 1` entries. Agrees
 * exactly with {@link RollingVWAP}. Writes into `out` when given (same length as the columns).
 *
 * @example
 * ```ts
 * const values = rollingVwap(highs, lows, closes, volumes, 24);
 * ```
 * @throws {ValidationError} for a bad period or columns of different lengths.
 */
export function rollingVwap(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  volumes: ArrayLike<number>,
  period: number,
  out?: Float64Array,
): Float64Array {
  const indicator = new RollingVWAP(period);
  checkSameLength('RollingVWAP', 'highs, lows, closes and volumes', highs, lows, closes, volumes);
  const result = outputArray('RollingVWAP', highs.length, out);
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    candle.volume = volumes[i]!;
    indicator.add(candle);
    result[i] = indicator.value;
  }
  return result;
}

/** What {@link SessionVWAP} reads: a range input with the candle's open time. */
export interface SessionVWAPInput extends RangeInput {
  /** The candle's open time in epoch milliseconds (UTC), as a `Candle`'s `time`. */
  readonly time: number;
}

/** Options of {@link SessionVWAP}. */
export interface SessionVWAPOptions {
  /**
   * Session length in milliseconds (default one day). Sessions start at multiples of it since the
   * Unix epoch, so a day starts at 00:00 UTC.
   */
  readonly sessionMs?: number;
}

/**
 * Session-anchored volume-weighted average price, the intraday VWAP:
 * `Σ typical · volume / Σ volume` over the candles of the current session, typical price
 * `(high + low + close) / 3`. It starts over with the first candle whose `time` falls in a new
 * session (by default at each UTC day boundary), so it needs the candle's time. A value from the
 * first candle on; `NaN` while the session has had no volume (0 / 0).
 *
 * @example
 * ```ts
 * const vwap = new SessionVWAP(); // daily, from 00:00 UTC
 * for (const candle of candles) vwap.update(candle); // a Candle has time, high, low, close, volume
 * const aboveVwap = candles.at(-1)!.close > vwap.value;
 * ```
 * @throws {ValidationError} for a sessionMs that is not an integer >= 1.
 */
export class SessionVWAP implements StreamingIndicator<SessionVWAPInput, number> {
  readonly sessionMs: number;
  #session = Number.NaN;
  #weightedSum = doubleZero;
  #volumeSum = doubleZero;
  #value = Number.NaN;
  #isReady = false;

  constructor(options: SessionVWAPOptions = {}) {
    this.sessionMs = checkInteger('SessionVWAP', 'sessionMs', options.sessionMs ?? dayMs);
  }

  update(input: SessionVWAPInput): number {
    this.add(input);
    return this.#value;
  }

  add(input: SessionVWAPInput): void {
    const session = Math.floor(input.time / this.sessionMs);
    if (session !== this.#session) {
      this.#session = session;
      this.#weightedSum = 0;
      this.#volumeSum = 0;
    }
    const { volume } = input;
    this.#weightedSum += ((input.high + input.low + input.close) / 3) * volume;
    this.#volumeSum += volume;
    this.#value = this.#volumeSum === 0 ? Number.NaN : this.#weightedSum / this.#volumeSum;
    this.#isReady = true;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#session = Number.NaN;
    this.#weightedSum = 0;
    this.#volumeSum = 0;
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * Session-anchored VWAP of candles given as columns (open times in epoch ms). Agrees exactly with
 * {@link SessionVWAP}. Writes into `out` when given (same length as the columns).
 *
 * @example
 * ```ts
 * const values = sessionVwap(times, highs, lows, closes, volumes); // daily from 00:00 UTC
 * ```
 * @throws {ValidationError} for a bad sessionMs or columns of different lengths.
 */
export function sessionVwap(
  times: ArrayLike<number>,
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  volumes: ArrayLike<number>,
  options: SessionVWAPOptions = {},
  out?: Float64Array,
): Float64Array {
  const indicator = new SessionVWAP(options);
  checkSameLength(
    'SessionVWAP',
    'times, highs, lows, closes and volumes',
    times,
    highs,
    lows,
    closes,
    volumes,
  );
  const result = outputArray('SessionVWAP', highs.length, out);
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.time = times[i]!;
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    candle.volume = volumes[i]!;
    indicator.add(candle);
    result[i] = indicator.value;
  }
  return result;
}
