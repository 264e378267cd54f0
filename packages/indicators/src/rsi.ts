import {
  doubleZero,
  checkInteger,
  fillWarmUp,
  outputArray,
  type StreamingIndicator,
} from './indicator.js';

/**
 * Wilder's relative strength index, at TA-Lib's conventions: the average gain and average loss of
 * the changes between inputs are each seeded by the simple mean of the first `period` changes,
 * then smoothed as `(previous * (period - 1) + change) / period` ({@link WilderMA}); the RSI is
 * `100 * averageGain / (averageGain + averageLoss)` (equal to `100 - 100 / (1 + RS)`), not
 * rounded. The first input has no change, so the first value comes after `period + 1` inputs
 * (TA-Lib's lookback `period`), `NaN` before. When the inputs have not moved at all (both averages
 * exactly 0) the RSI is 0, as TA-Lib (technicalindicators gives 100 there).
 *
 * @example
 * ```ts
 * const rsi = new RSI(14);
 * for (const candle of candles) rsi.update(candle.close);
 * if (rsi.value < 30) console.log('oversold'); // false while warming up (NaN)
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class RSI implements StreamingIndicator<number, number> {
  readonly period: number;
  /** The input being added (see `add`). */
  #input = Number.NaN;
  #previous = doubleZero;
  /** Inputs seen, up to `period + 1`. */
  #count = 0;
  #gain = doubleZero;
  #loss = doubleZero;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('RSI', 'period', period);
  }

  update(input: number): number {
    this.add(input);
    return this.#value;
  }

  add(input: number): void {
    // A double passed to a call V8 does not inline is boxed: park it in a field (stored in place)
    // and step with no argument.
    this.#input = input;
    this.#step();
  }

  /**
   * Adds `column[index]`, as {@link add} does `input`. For code that feeds this indicator a
   * value it computed, in a hot loop: a number argument to a call that V8 does not inline is
   * boxed (16 bytes), an index and an array are not. Used by the composite indicators.
   */
  addFrom(column: Float64Array, index: number): void {
    this.#input = column[index]!;
    this.#step();
  }

  #step(): void {
    const input = this.#input;
    const change = input - this.#previous;
    this.#previous = input;
    const period = this.period;
    const count = this.#count;
    if (count > period) {
      const gain = (this.#gain * (period - 1) + (change > 0 ? change : 0)) / period;
      const loss = (this.#loss * (period - 1) + (change < 0 ? -change : 0)) / period;
      this.#gain = gain;
      this.#loss = loss;
      // The ratio inline, not through rsiOf: a double returned from a call V8 does not inline is
      // boxed.
      const total = gain + loss;
      this.#value = total === 0 ? 0 : 100 * (gain / total);
      return;
    }
    this.#count = count + 1;
    if (count === 0) return;
    this.#gain += change > 0 ? change : 0;
    this.#loss += change < 0 ? -change : 0;
    if (count < period) return;
    this.#gain /= period;
    this.#loss /= period;
    const total = this.#gain + this.#loss;
    this.#value = total === 0 ? 0 : 100 * (this.#gain / total);
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#count > this.period;
  }

  reset(): void {
    this.#previous = 0;
    this.#count = 0;
    this.#gain = 0;
    this.#loss = 0;
    this.#value = Number.NaN;
  }
}

function rsiOf(gain: number, loss: number): number {
  const total = gain + loss;
  return total === 0 ? 0 : 100 * (gain / total);
}

/**
 * Wilder's RSI of a series; `NaN` for the first `period` entries. Agrees exactly with {@link RSI}.
 * Writes into `out` when given (same length as `values`).
 *
 * @example
 * ```ts
 * const values = rsi(closes, 14);
 * ```
 * @throws {ValidationError} for a bad period, or an `out` of another length.
 */
export function rsi(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  checkInteger('RSI', 'period', period);
  const n = values.length;
  const result = outputArray('RSI', n, out);
  fillWarmUp(result, period);
  if (n <= period) return result;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const change = values[i]! - values[i - 1]!;
    gain += change > 0 ? change : 0;
    loss += change < 0 ? -change : 0;
  }
  gain /= period;
  loss /= period;
  result[period] = rsiOf(gain, loss);
  for (let i = period + 1; i < n; i++) {
    const change = values[i]! - values[i - 1]!;
    gain = (gain * (period - 1) + (change > 0 ? change : 0)) / period;
    loss = (loss * (period - 1) + (change < 0 ? -change : 0)) / period;
    result[i] = rsiOf(gain, loss);
  }
  return result;
}
