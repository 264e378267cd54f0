import { checkInteger, checkPositive, nanArray, type StreamingIndicator } from './indicator.js';
import { RingBuffer } from './ring-buffer.js';
import { SMA } from './sma.js';

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
 * Bollinger Bands: the SMA of the last `period` values, with bands `stdDev` population standard
 * deviations (σ, divided by `period`, as TA-Lib and technicalindicators) above and below. First
 * value after `period` inputs. σ comes from rolling sums of deviations from a shift near the
 * window's mean, re-summed once every `period` updates, and sooner when the window tightens
 * sharply, so that rounding cannot accumulate: amortised O(1), as accurate as the two-pass
 * formula. A window of one repeated value has σ exactly 0: bands equal to the middle, bandwidth 0
 * and percentB 0.5 (technicalindicators gives `NaN` there).
 *
 * `update` returns one result object, reused and overwritten by the next update: copy it to keep it.
 *
 * @example
 * ```ts
 * const bands = new BollingerBands({ period: 20, stdDev: 2 });
 * const value = bands.update(close);
 * if (value && value.percentB > 1) console.log('closed above the upper band');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1 or a stdDev that is not > 0.
 */
export class BollingerBands implements StreamingIndicator<number, BollingerBandsResult> {
  readonly period: number;
  readonly stdDev: number;
  readonly #middle: SMA;
  readonly #window: RingBuffer;
  /** The window's values are summed as deviations from this shift, kept near their mean. */
  #shift = 0;
  /** Σ (value - shift) over the window. */
  #sum = 0;
  /** Σ (value - shift)² over the window. */
  #squares = 0;
  /** The largest `#squares` since the last re-sum: the scale of its rounding error. */
  #peak = 0;
  #sinceShift = 0;
  #runValue = Number.NaN;
  #runLength = 0;
  #isReady = false;
  readonly #result = {
    middle: Number.NaN,
    upper: Number.NaN,
    lower: Number.NaN,
    bandwidth: Number.NaN,
    percentB: Number.NaN,
  };

  constructor(options: BollingerBandsOptions = {}) {
    this.period = checkInteger('BollingerBands', 'period', options.period ?? 20);
    this.stdDev = checkPositive('BollingerBands', 'stdDev', options.stdDev ?? 2);
    this.#middle = new SMA(this.period);
    this.#window = new RingBuffer(this.period);
  }

  update(input: number): BollingerBandsResult | undefined {
    if (this.#window.size === 0) this.#shift = input;
    const evicted = this.#window.push(input);
    const middle = this.#middle.update(input);
    const deviation = input - this.#shift;
    this.#sum += deviation;
    this.#squares += deviation * deviation;
    if (evicted === evicted) {
      const evictedDeviation = evicted - this.#shift;
      this.#sum -= evictedDeviation;
      this.#squares -= evictedDeviation * evictedDeviation;
    }
    if (this.#squares > this.#peak) this.#peak = this.#squares;
    if (input === this.#runValue) {
      this.#runLength++;
    } else {
      this.#runValue = input;
      this.#runLength = 1;
    }
    if (this.#runLength >= this.period) {
      // One repeated value: σ is exactly 0.
      this.#shift = input;
      this.#sum = 0;
      this.#squares = 0;
      this.#peak = 0;
      this.#sinceShift = 0;
    } else if (++this.#sinceShift >= this.period) {
      this.#resum();
    }
    if (middle === undefined) return undefined;
    let spread = this.#squares - (this.#sum * this.#sum) / this.period;
    if (spread < this.#peak * resumBelow) {
      // The window is much tighter than lately: the rounding of the sums could show, so re-sum.
      this.#resum();
      spread = this.#squares - (this.#sum * this.#sum) / this.period;
    }
    const width = this.stdDev * Math.sqrt(Math.max(spread, 0) / this.period);
    const result = this.#result;
    result.middle = middle;
    result.upper = middle + width;
    result.lower = middle - width;
    result.bandwidth = (result.upper - result.lower) / middle;
    result.percentB =
      result.upper === result.lower ? 0.5 : (input - result.lower) / (result.upper - result.lower);
    this.#isReady = true;
    return result;
  }

  /**
   * Moves the shift to the window's mean and re-sums the deviations (the corrected two-pass
   * algorithm), so rounding cannot accumulate: O(period), once every `period` updates or when the
   * window's spread falls far below its recent peak.
   */
  #resum(): void {
    const size = this.#window.size;
    const shift = this.#shift + this.#sum / size;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < size; i++) {
      const deviation = this.#window.at(i) - shift;
      sum += deviation;
      squares += deviation * deviation;
    }
    this.#shift = shift;
    this.#sum = sum;
    this.#squares = squares;
    this.#peak = squares;
    this.#sinceShift = 0;
  }

  get value(): BollingerBandsResult | undefined {
    return this.#isReady ? this.#result : undefined;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#middle.reset();
    this.#window.clear();
    this.#shift = 0;
    this.#sum = 0;
    this.#squares = 0;
    this.#peak = 0;
    this.#sinceShift = 0;
    this.#runValue = Number.NaN;
    this.#runLength = 0;
    this.#isReady = false;
  }
}

/**
 * Bollinger Bands of a series; every column `NaN` for the first `period - 1` entries. Agrees
 * exactly with {@link BollingerBands}.
 *
 * @example
 * ```ts
 * const { upper, lower, percentB } = bollingerBands(closes, { period: 20, stdDev: 2 });
 * ```
 * @throws {ValidationError} for a bad period or stdDev.
 */
export function bollingerBands(
  values: ArrayLike<number>,
  options: BollingerBandsOptions = {},
): BollingerBandsSeries {
  const indicator = new BollingerBands(options);
  const out = {
    middle: nanArray(values.length),
    upper: nanArray(values.length),
    lower: nanArray(values.length),
    bandwidth: nanArray(values.length),
    percentB: nanArray(values.length),
  };
  for (let i = 0; i < values.length; i++) {
    const value = indicator.update(values[i]!);
    if (value === undefined) continue;
    out.middle[i] = value.middle;
    out.upper[i] = value.upper;
    out.lower[i] = value.lower;
    out.bandwidth[i] = value.bandwidth;
    out.percentB[i] = value.percentB;
  }
  return out;
}
