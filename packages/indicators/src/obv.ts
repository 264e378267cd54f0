import {
  doubleZero,
  checkSameLength,
  outputArray,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';

/**
 * On-balance volume: a running total that adds each candle's volume when its close rose from the
 * previous close, subtracts it when the close fell and leaves it when unchanged. TA-Lib's
 * convention: the total starts at the first candle's volume, so the first value comes with the
 * first candle. (technicalindicators instead starts at 0 on the first candle and returns nothing
 * for it, so its values are this one's minus the first volume, one candle shorter.) Only the
 * level's changes carry meaning; the starting point shifts every value alike.
 *
 * @example
 * ```ts
 * const obv = new OBV();
 * obv.update({ high: 11, low: 9, close: 10, volume: 5 }); // 5
 * obv.update({ high: 12, low: 10, close: 11, volume: 3 }); // 8: the close rose
 * obv.update({ high: 11, low: 9, close: 10, volume: 2 }); // 6: the close fell
 * ```
 */
export class OBV implements StreamingIndicator<RangeInput, number> {
  #previousClose = doubleZero;
  #value = Number.NaN;
  #isReady = false;

  update(input: RangeInput): number {
    this.add(input);
    return this.#value;
  }

  add(input: RangeInput): void {
    const { close, volume } = input;
    if (!this.#isReady) {
      this.#value = volume;
      this.#isReady = true;
    } else if (close > this.#previousClose) {
      this.#value += volume;
    } else if (close < this.#previousClose) {
      this.#value -= volume;
    }
    this.#previousClose = close;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#previousClose = 0;
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * On-balance volume of candles given as closes and volumes; defined from the first entry. Agrees
 * exactly with {@link OBV}. Writes into `out` when given (same length as the columns).
 *
 * @example
 * ```ts
 * obv([10, 11, 10], [5, 3, 2]); // Float64Array [5, 8, 6]
 * ```
 * @throws {ValidationError} when the columns differ in length.
 */
export function obv(
  closes: ArrayLike<number>,
  volumes: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  checkSameLength('OBV', 'closes and volumes', closes, volumes);
  const indicator = new OBV();
  const result = outputArray('OBV', closes.length, out);
  const candle = new ScratchCandle();
  for (let i = 0; i < closes.length; i++) {
    candle.close = closes[i]!;
    candle.volume = volumes[i]!;
    indicator.add(candle);
    result[i] = indicator.value;
  }
  return result;
}
