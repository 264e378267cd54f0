import {
  checkSameLength,
  checkInteger,
  outputColumns,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { RollingExtreme } from './rolling-extremes.js';
import { SMA } from './sma.js';

/** Options of {@link Stochastic}. */
export interface StochasticOptions {
  /** Candles whose highest high and lowest low bound %K (default 14). */
  readonly period?: number;
  /** Period of the SMA of %K that makes %D (default 3). */
  readonly signal?: number;
}

/** One value of {@link Stochastic}. */
export interface StochasticResult {
  /** %K: where the close sits in the period's range, 0 (lowest low) to 100 (highest high). */
  readonly k: number;
  /** %D: the SMA of %K over `signal` candles. */
  readonly d: number;
}

/** {@link stochastic}'s output: one column per field of {@link StochasticResult}. */
export type StochasticSeries = { readonly [K in keyof StochasticResult]: Float64Array };

/** The mutable fields behind {@link StochasticResult}: a class, as `ScratchCandle` says why. */
class StochasticValue implements StochasticResult {
  k = Number.NaN;
  d = Number.NaN;
}

/**
 * The fast %K of the last `period` candles, `100 * (close - lowest low) / (highest high - lowest
 * low)`, 0 for an empty range: the part {@link Stochastic} and `SlowStochastic` share. Internal to
 * the package.
 */
export class FastK {
  readonly period: number;
  readonly #highest: RollingExtreme;
  readonly #lowest: RollingExtreme;
  /** Values handed to the extremes (`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  /** The latest %K, `NaN` before `period` candles: a field, so reading it is no call. */
  value = Number.NaN;

  constructor(period: number) {
    this.period = period;
    this.#highest = new RollingExtreme(period, 'max');
    this.#lowest = new RollingExtreme(period, 'min');
  }

  add(input: RangeInput): void {
    const highest = this.#highest;
    const lowest = this.#lowest;
    const scratch = this.#scratch;
    scratch[0] = input.high;
    highest.pushFrom(scratch, 0);
    scratch[0] = input.low;
    lowest.pushFrom(scratch, 0);
    if (highest.count < this.period) return;
    // The formula inline, not a helper: a double returned from a call V8 does not inline is boxed.
    const low = lowest.value;
    const range = highest.value - low;
    this.value = range === 0 ? 0 : ((input.close - low) / range) * 100;
  }

  get isReady(): boolean {
    return this.#highest.count >= this.period;
  }

  clear(): void {
    this.#highest.clear();
    this.#lowest.clear();
    this.value = Number.NaN;
  }
}

/**
 * The fast stochastic oscillator (TA-Lib's STOCHF, technicalindicators' Stochastic):
 * `%K = 100 * (close - lowest low) / (highest high - lowest low)` over the last `period` candles
 * and `%D` the SMA of %K over `signal` candles. %K is 0 when the range is empty (high = low over
 * the whole period), as both references. A value is returned only with both fields, after
 * `period + signal - 1` candles (TA-Lib's lookback `period + signal - 2`). O(1) amortised per
 * update: the extremes come from monotonic deques.
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * its fields are `NaN` while warming up.
 *
 * @example
 * ```ts
 * const stochastic = new Stochastic({ period: 14, signal: 3 });
 * const value = stochastic.update(candle);
 * if (value.k > 80 && value.k < value.d) console.log('overbought and turning down');
 * ```
 * @throws {ValidationError} for a period or signal that is not an integer >= 1.
 */
export class Stochastic implements StreamingIndicator<RangeInput, StochasticResult> {
  readonly period: number;
  readonly signal: number;
  readonly #fastK: FastK;
  readonly #average: SMA;
  readonly #result = new StochasticValue();
  /** The %K handed to the SMA (`addFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);

  constructor(options: StochasticOptions = {}) {
    this.period = checkInteger('Stochastic', 'period', options.period ?? 14);
    this.signal = checkInteger('Stochastic', 'signal', options.signal ?? 3);
    this.#fastK = new FastK(this.period);
    this.#average = new SMA(this.signal);
  }

  update(input: RangeInput): StochasticResult {
    this.add(input);
    return this.#result;
  }

  add(input: RangeInput): void {
    const fastK = this.#fastK;
    fastK.add(input);
    if (!fastK.isReady) return;
    const k = fastK.value;
    const average = this.#average;
    const scratch = this.#scratch;
    scratch[0] = k;
    average.addFrom(scratch, 0);
    if (!average.isReady) return;
    this.#result.k = k;
    this.#result.d = average.value;
  }

  get value(): StochasticResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#average.isReady;
  }

  reset(): void {
    this.#fastK.clear();
    this.#average.reset();
    this.#result.k = Number.NaN;
    this.#result.d = Number.NaN;
  }
}

/**
 * Fast stochastic of candles given as columns; both columns `NaN` for the first
 * `period + signal - 2` entries. Agrees exactly with {@link Stochastic}. Writes into the columns of
 * `out` when given.
 *
 * @example
 * ```ts
 * const { k, d } = stochastic(highs, lows, closes, { period: 14, signal: 3 });
 * ```
 * @throws {ValidationError} for a bad period or signal, or columns of different lengths.
 */
export function stochastic(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  options: StochasticOptions = {},
  out?: StochasticSeries,
): StochasticSeries {
  const indicator = new Stochastic(options);
  checkSameLength('Stochastic', 'highs, lows and closes', highs, lows, closes);
  const result = outputColumns('Stochastic', ['k', 'd'], highs.length, out);
  const value = indicator.value;
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    indicator.add(candle);
    result.k[i] = value.k;
    result.d[i] = value.d;
  }
  return result;
}
