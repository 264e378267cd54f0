import {
  checkInteger,
  doubleZero,
  checkPositive,
  outputColumns,
  type StreamingIndicator,
} from './indicator.js';

/** Options of {@link BollingerBands}. */
export interface BollingerBandsOptions {
  /** Values in the window (default 20). */
  readonly period?: number;
  /** Band distance from the middle, in standard deviations (default 2). */
  readonly stdDev?: number;
}

/** One value of {@link BollingerBands}. */
export interface BollingerBandsResult {
  /** The SMA of the window. */
  readonly middle: number;
  /** `middle + stdDev * σ`. */
  readonly upper: number;
  /** `middle - stdDev * σ`. */
  readonly lower: number;
  /** `(upper - lower) / middle`: the band width relative to price (0 for a flat window). */
  readonly bandwidth: number;
  /** `(value - lower) / (upper - lower)`: 0 on the lower band, 1 on the upper; 0.5 when flat. */
  readonly percentB: number;
}

/**
 * Re-sum when the window's sum of squared deviations falls below this share of its peak since the
 * last re-sum, keeping its relative rounding error under about `period · 2⁻⁵³ / resumBelow`.
 */
const resumBelow = 1e-2;

/** {@link bollingerBands}' output: one column per field of {@link BollingerBandsResult}. */
export type BollingerBandsSeries = { readonly [K in keyof BollingerBandsResult]: Float64Array };

/**
 * The mutable fields behind {@link BollingerBandsResult}. A class of its own rather than an object literal:
 * literals share V8's hidden-class transitions with unrelated literals of the same first keys
 * (`{ value, done }` iterator results, say), whose fields may hold anything, and a field that
 * is not kept as an unboxed double makes every update allocate.
 */
class BollingerBandsValue implements BollingerBandsResult {
  middle = Number.NaN;
  upper = Number.NaN;
  lower = Number.NaN;
  bandwidth = Number.NaN;
  percentB = Number.NaN;
}

/**
 * Bollinger Bands: the SMA of the last `period` values, with bands `stdDev` population standard
 * deviations (σ, divided by `period`, as TA-Lib and technicalindicators) above and below. First
 * value after `period` inputs; fields `NaN` before. O(1) per update: the mean and σ come from a
 * running sum and sum of squares of the window's deviations from a shift kept near its mean; an
 * exact re-sum of the window (which also moves the shift to the mean) every `period` updates, and
 * sooner when the window tightens sharply, bounds the rounding drift, so a long series at a high
 * price level stays as accurate as the two-pass formula. A window of one repeated value has σ
 * exactly 0: bands equal to the middle, bandwidth 0 and percentB 0.5 (technicalindicators gives
 * `NaN` there).
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * its fields are `NaN` while warming up.
 *
 * @example
 * ```ts
 * const bands = new BollingerBands({ period: 20, stdDev: 2 });
 * const value = bands.update(close);
 * if (value.percentB > 1) console.log('closed above the upper band');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1 or a stdDev that is not > 0.
 */
export class BollingerBands implements StreamingIndicator<number, BollingerBandsResult> {
  readonly period: number;
  readonly stdDev: number;
  readonly #window: Float64Array;
  /** The input being added (see `add`). */
  #input = Number.NaN;
  #next = 0;
  #count = 0;
  /** The window's values are summed as deviations from this shift, kept near their mean. */
  #shift = doubleZero;
  /** Σ (value - shift) over the window. */
  #sum = doubleZero;
  /** Σ (value - shift)² over the window. */
  #squares = doubleZero;
  /** The largest `#squares` since the last re-sum: the scale of its rounding error. */
  #peak = doubleZero;
  #sinceResum = 0;
  #runValue = Number.NaN;
  #runLength = 0;
  readonly #result = new BollingerBandsValue();

  constructor(options: BollingerBandsOptions = {}) {
    this.period = checkInteger('BollingerBands', 'period', options.period ?? 20);
    this.stdDev = checkPositive('BollingerBands', 'stdDev', options.stdDev ?? 2);
    this.#window = new Float64Array(this.period);
  }

  update(input: number): BollingerBandsResult {
    this.add(input);
    return this.#result;
  }

  add(input: number): void {
    // A double passed to a call V8 does not inline is boxed: park it in a field (stored in place)
    // and step with no argument.
    this.#input = input;
    this.#step();
  }

  #step(): void {
    const input = this.#input;
    const period = this.period;
    const count = this.#count;
    if (count === 0) this.#shift = input;
    const slot = this.#next;
    this.#next = slot + 1 === period ? 0 : slot + 1;
    const deviation = input - this.#shift;
    if (count < period) {
      this.#count = count + 1;
      this.#sum += deviation;
      this.#squares += deviation * deviation;
    } else {
      const evicted = this.#window[slot]! - this.#shift;
      this.#sum += deviation - evicted;
      this.#squares += deviation * deviation - evicted * evicted;
    }
    this.#window[slot] = input;
    if (this.#squares > this.#peak) this.#peak = this.#squares;
    if (input === this.#runValue) {
      this.#runLength++;
    } else {
      this.#runValue = input;
      this.#runLength = 1;
    }
    if (this.#runLength >= period) {
      // One repeated value: σ is exactly 0.
      this.#shift = input;
      this.#sum = 0;
      this.#squares = 0;
      this.#peak = 0;
      this.#sinceResum = 0;
    } else if (++this.#sinceResum >= period) {
      this.#resum();
    }
    if (this.#count < period) return;
    let spread = this.#squares - (this.#sum * this.#sum) / period;
    if (spread < this.#peak * resumBelow) {
      // The window is much tighter than lately: the rounding of the sums could show, so re-sum.
      this.#resum();
      spread = this.#squares - (this.#sum * this.#sum) / period;
    }
    const middle = this.#shift + this.#sum / period;
    const width = this.stdDev * Math.sqrt(Math.max(spread, 0) / period);
    const result = this.#result;
    const upper = middle + width;
    const lower = middle - width;
    result.middle = middle;
    result.upper = upper;
    result.lower = lower;
    result.bandwidth = (upper - lower) / middle;
    result.percentB = upper === lower ? 0.5 : (input - lower) / (upper - lower);
  }

  /**
   * Moves the shift to the window's mean and re-sums the deviations exactly (the corrected
   * two-pass algorithm), so rounding cannot accumulate: O(period), once every `period` updates or
   * when the window's spread falls far below its recent peak.
   */
  #resum(): void {
    const size = this.#count;
    const window = this.#window;
    const shift = this.#shift + this.#sum / size;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < size; i++) {
      const deviation = window[i]! - shift;
      sum += deviation;
      squares += deviation * deviation;
    }
    this.#shift = shift;
    this.#sum = sum;
    this.#squares = squares;
    this.#peak = squares;
    this.#sinceResum = 0;
  }

  get value(): BollingerBandsResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#count === this.period;
  }

  reset(): void {
    this.#next = 0;
    this.#count = 0;
    this.#shift = 0;
    this.#sum = 0;
    this.#squares = 0;
    this.#peak = 0;
    this.#sinceResum = 0;
    this.#runValue = Number.NaN;
    this.#runLength = 0;
    const result = this.#result;
    result.middle = Number.NaN;
    result.upper = Number.NaN;
    result.lower = Number.NaN;
    result.bandwidth = Number.NaN;
    result.percentB = Number.NaN;
  }
}

/**
 * Bollinger Bands of a series; every column `NaN` for the first `period - 1` entries. Agrees
 * exactly with {@link BollingerBands}. Writes into the columns of `out` when given.
 *
 * @example
 * ```ts
 * const { upper, lower, percentB } = bollingerBands(closes, { period: 20, stdDev: 2 });
 * ```
 * @throws {ValidationError} for a bad period or stdDev, or an `out` column of another length.
 */
export function bollingerBands(
  values: ArrayLike<number>,
  options: BollingerBandsOptions = {},
  out?: BollingerBandsSeries,
): BollingerBandsSeries {
  const indicator = new BollingerBands(options);
  const result = outputColumns(
    'BollingerBands',
    ['middle', 'upper', 'lower', 'bandwidth', 'percentB'],
    values.length,
    out,
  );
  const { middle, upper, lower, bandwidth, percentB } = result;
  const value = indicator.value;
  for (let i = 0; i < values.length; i++) {
    indicator.add(values[i]!);
    middle[i] = value.middle;
    upper[i] = value.upper;
    lower[i] = value.lower;
    bandwidth[i] = value.bandwidth;
    percentB[i] = value.percentB;
  }
  return result;
}
