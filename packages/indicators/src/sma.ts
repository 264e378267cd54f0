import {
  doubleZero,
  checkInteger,
  fillWarmUp,
  outputArray,
  type StreamingIndicator,
} from './indicator.js';

/**
 * Simple moving average: the mean of the last `period` values. First value after `period`
 * inputs (TA-Lib's lookback `period - 1`); `NaN` before.
 *
 * @example
 * ```ts
 * const sma = new SMA(20);
 * for (const candle of candles) sma.update(candle.close);
 * sma.value; // mean of the last 20 closes (NaN before 20 closes)
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class SMA implements StreamingIndicator<number, number> {
  readonly period: number;
  readonly #window: Float64Array;
  /** The input being added (see `add`). */
  #input = Number.NaN;
  #next = 0;
  #count = 0;
  #sum = doubleZero;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('SMA', 'period', period);
    this.#window = new Float64Array(period);
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
    const slot = this.#next;
    this.#next = slot + 1 === this.period ? 0 : slot + 1;
    if (this.#count < this.period) {
      this.#window[slot] = input;
      this.#sum += input;
      if (++this.#count < this.period) return;
    } else {
      this.#sum += input - this.#window[slot]!;
      this.#window[slot] = input;
    }
    this.#value = this.#sum / this.period;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#count === this.period;
  }

  reset(): void {
    this.#next = 0;
    this.#count = 0;
    this.#sum = 0;
    this.#value = Number.NaN;
  }
}

/**
 * Simple moving average of a series; `NaN` for the first `period - 1` entries. Agrees exactly
 * with {@link SMA}. Writes into `out` when given (same length as `values`), else a new array.
 *
 * @example
 * ```ts
 * sma([1, 2, 3, 4], 2); // Float64Array [NaN, 1.5, 2.5, 3.5]
 * const out = new Float64Array(closes.length);
 * sma(closes, 20, out); // reuses out
 * ```
 * @throws {ValidationError} for a bad period, or an `out` of another length.
 */
export function sma(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  checkInteger('SMA', 'period', period);
  const n = values.length;
  const result = outputArray('SMA', n, out);
  fillWarmUp(result, period - 1);
  let sum = 0;
  const seed = Math.min(n, period);
  for (let i = 0; i < seed; i++) sum += values[i]!;
  if (n >= period) result[period - 1] = sum / period;
  for (let i = period; i < n; i++) {
    sum += values[i]! - values[i - period]!;
    result[i] = sum / period;
  }
  return result;
}
