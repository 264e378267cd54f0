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

/**
 * Money flow index, at TA-Lib's conventions: each candle's money flow is its typical price
 * `(high + low + close) / 3` times its volume, counted as positive when the typical price rose
 * from the previous candle's, negative when it fell and neither when unchanged; the MFI is
 * `100 * positive / (positive + negative)` over the last `period` flows (equal to
 * `100 - 100 / (1 + money ratio)`), not rounded. The first candle has no previous typical price,
 * so the first value comes after `period + 1` candles (TA-Lib's lookback `period`), `NaN` before.
 * With no money flow in the window the value is 0, as TA-Lib (which tests the total against 1,
 * not 0). The
 * running sums are set to exactly 0 whenever the window holds no flow of their side, so rounding
 * drift cannot leave a ghost flow behind.
 *
 * technicalindicators differs: it rounds to two decimals, counts an unchanged typical price as
 * negative flow and ignores the first candle, starting one candle later.
 *
 * @example
 * ```ts
 * const mfi = new MFI(14);
 * const value = mfi.update(candle);
 * if (value > 80) console.log('overbought on volume');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class MFI implements StreamingIndicator<RangeInput, number> {
  readonly period: number;
  readonly #positive: RingBuffer;
  readonly #negative: RingBuffer;
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  #positiveSum = doubleZero;
  #negativeSum = doubleZero;
  /** Nonzero positive (negative) flows in the window. */
  #positiveCount = 0;
  #negativeCount = 0;
  #previousTypical = doubleZero;
  #hasPrevious = false;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('MFI', 'period', period);
    this.#positive = new RingBuffer(period);
    this.#negative = new RingBuffer(period);
  }

  update(input: RangeInput): number {
    this.add(input);
    return this.#value;
  }

  add(input: RangeInput): void {
    const typical = (input.high + input.low + input.close) / 3;
    const previous = this.#previousTypical;
    this.#previousTypical = typical;
    if (!this.#hasPrevious) {
      this.#hasPrevious = true;
      return;
    }
    const flow = typical * input.volume;
    const positive = typical > previous ? flow : 0;
    const negative = typical < previous ? flow : 0;
    if (this.#positive.isFull) {
      const oldPositive = this.#positive.at(0);
      const oldNegative = this.#negative.at(0);
      this.#positiveSum -= oldPositive;
      this.#negativeSum -= oldNegative;
      if (oldPositive !== 0) this.#positiveCount--;
      if (oldNegative !== 0) this.#negativeCount--;
    }
    const scratch = this.#scratch;
    scratch[0] = positive;
    this.#positive.pushFrom(scratch, 0);
    scratch[0] = negative;
    this.#negative.pushFrom(scratch, 0);
    this.#positiveSum += positive;
    this.#negativeSum += negative;
    if (positive !== 0) this.#positiveCount++;
    if (negative !== 0) this.#negativeCount++;
    if (this.#positiveCount === 0) this.#positiveSum = 0;
    if (this.#negativeCount === 0) this.#negativeSum = 0;
    if (!this.#positive.isFull) return;
    const total = this.#positiveSum + this.#negativeSum;
    this.#value = total === 0 ? 0 : 100 * (this.#positiveSum / total);
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#positive.isFull;
  }

  reset(): void {
    this.#positive.clear();
    this.#negative.clear();
    this.#positiveSum = 0;
    this.#negativeSum = 0;
    this.#positiveCount = 0;
    this.#negativeCount = 0;
    this.#previousTypical = 0;
    this.#hasPrevious = false;
    this.#value = Number.NaN;
  }
}

/**
 * Money flow index of candles given as columns; `NaN` for the first `period` entries. Agrees
 * exactly with {@link MFI}. Writes into `out` when given (same length as the columns).
 *
 * @example
 * ```ts
 * const values = mfi(highs, lows, closes, volumes, 14);
 * ```
 * @throws {ValidationError} for a bad period or columns of different lengths.
 */
export function mfi(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  volumes: ArrayLike<number>,
  period: number,
  out?: Float64Array,
): Float64Array {
  const indicator = new MFI(period);
  checkSameLength('MFI', 'highs, lows, closes and volumes', highs, lows, closes, volumes);
  const result = outputArray('MFI', highs.length, out);
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
