import {
  checkSameLength,
  fillWarmUp,
  outputArray,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';

/**
 * Wilder's true range: `max(high - low, |high - previous close|, |low - previous close|)`, the
 * candle's range widened to include a gap from the previous close. The first candle has no
 * previous close, so its true range is `NaN` (TA-Lib's TRANGE lookback 1, as
 * technicalindicators): using `high - low` there would understate a range that may have gapped.
 *
 * @example
 * ```ts
 * const trueRange = new TrueRange();
 * trueRange.update({ high: 10, low: 9, close: 9.5, volume: 1 }); // NaN: no previous close
 * trueRange.update({ high: 12, low: 11, close: 11.5, volume: 1 }); // 2.5: the gap up from 9.5
 * ```
 */
export class TrueRange implements StreamingIndicator<RangeInput, number> {
  /** The previous close: `NaN` before the first candle. */
  #previousClose = Number.NaN;
  #value = Number.NaN;

  update(input: RangeInput): number {
    this.add(input);
    return this.#value;
  }

  add(input: RangeInput): void {
    const { high, low, close } = input;
    const previousClose = this.#previousClose;
    this.#previousClose = close;
    // NaN before the first candle: every comparison with it is false and max gives NaN.
    this.#value = Math.max(
      high - low,
      Math.abs(high - previousClose),
      Math.abs(low - previousClose),
    );
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#value === this.#value;
  }

  reset(): void {
    this.#previousClose = Number.NaN;
    this.#value = Number.NaN;
  }
}

/** The true range of a candle after `previousClose`, `NaN` when that is `NaN`. Internal. */
export function trueRangeOf(high: number, low: number, previousClose: number): number {
  return Math.max(high - low, Math.abs(high - previousClose), Math.abs(low - previousClose));
}

/**
 * True range of each candle given as columns; `NaN` for the first entry. Agrees exactly with
 * {@link TrueRange}. Writes into `out` when given (same length as the columns).
 *
 * @example
 * ```ts
 * trueRange([10, 12], [9, 11], [9.5, 11.5]); // Float64Array [NaN, 2.5]
 * ```
 * @throws {ValidationError} when the columns or `out` differ in length.
 */
export function trueRange(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  checkSameLength('TrueRange', 'highs, lows and closes', highs, lows, closes);
  const n = highs.length;
  const result = outputArray('TrueRange', n, out);
  fillWarmUp(result, 1);
  for (let i = 1; i < n; i++) result[i] = trueRangeOf(highs[i]!, lows[i]!, closes[i - 1]!);
  return result;
}
