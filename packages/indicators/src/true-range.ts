import {
  checkSameLength,
  nanArray,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';

/**
 * Wilder's true range: `max(high - low, |high - previous close|, |low - previous close|)`, the
 * candle's range widened to include a gap from the previous close. The first candle has no
 * previous close, so its true range is `undefined` (TA-Lib's TRANGE lookback 1, as
 * technicalindicators): using `high - low` there would understate a range that may have gapped.
 *
 * @example
 * ```ts
 * const trueRange = new TrueRange();
 * trueRange.update({ high: 10, low: 9, close: 9.5, volume: 1 }); // undefined: no previous close
 * trueRange.update({ high: 12, low: 11, close: 11.5, volume: 1 }); // 2.5: the gap up from 9.5
 * ```
 */
export class TrueRange implements StreamingIndicator<RangeInput, number> {
  #previousClose = 0;
  #hasPrevious = false;
  #value = Number.NaN;
  #isReady = false;

  update(input: RangeInput): number | undefined {
    const { high, low, close } = input;
    if (!this.#hasPrevious) {
      this.#hasPrevious = true;
      this.#previousClose = close;
      return undefined;
    }
    const previousClose = this.#previousClose;
    this.#previousClose = close;
    this.#value = Math.max(
      high - low,
      Math.abs(high - previousClose),
      Math.abs(low - previousClose),
    );
    this.#isReady = true;
    return this.#value;
  }

  get value(): number | undefined {
    return this.#isReady ? this.#value : undefined;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#previousClose = 0;
    this.#hasPrevious = false;
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * True range of each candle given as columns; `NaN` for the first entry. Agrees exactly with
 * {@link TrueRange}.
 *
 * @example
 * ```ts
 * trueRange([10, 12], [9, 11], [9.5, 11.5]); // Float64Array [NaN, 2.5]
 * ```
 * @throws {ValidationError} when the columns differ in length.
 */
export function trueRange(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
): Float64Array {
  checkSameLength('TrueRange', 'highs, lows and closes', highs, lows, closes);
  const indicator = new TrueRange();
  const out = nanArray(highs.length);
  const candle = { high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    const value = indicator.update(candle);
    if (value !== undefined) out[i] = value;
  }
  return out;
}
