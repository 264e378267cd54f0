import {
  doubleZero,
  checkInteger,
  fillWarmUp,
  outputArray,
  type StreamingIndicator,
} from './indicator.js';

/**
 * Wilder's moving average (RMA, SMMA): seeded by the mean of the first `period` values, then
 * `(previous * (period - 1) + value) / period`, as TA-Lib's RSI and ATR smooth. First value after
 * `period` inputs, `NaN` before. The smoothing of {@link RSI} and {@link ATR}.
 *
 * @example
 * ```ts
 * const average = new WilderMA(14);
 * for (const gain of gains) average.update(gain);
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class WilderMA implements StreamingIndicator<number, number> {
  readonly period: number;
  /** The input being added (see `add`). */
  #input = Number.NaN;
  #count = 0;
  #sum = doubleZero;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('WilderMA', 'period', period);
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
   * Adds `column[index]`, as {@link add} does `input`, and never allocates: a number argument to
   * a call that V8 does not inline is boxed (16 bytes), an array and an index are not.
   */
  addFrom(column: Float64Array, index: number): void {
    this.#input = column[index]!;
    this.#step();
  }

  #step(): void {
    const input = this.#input;
    if (this.#count === this.period) {
      this.#value = (this.#value * (this.period - 1) + input) / this.period;
      return;
    }
    this.#sum += input;
    if (++this.#count === this.period) this.#value = this.#sum / this.period;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#count === this.period;
  }

  reset(): void {
    this.#count = 0;
    this.#sum = 0;
    this.#value = Number.NaN;
  }
}

/**
 * Wilder's moving average of a series; `NaN` for the first `period - 1` entries. Agrees exactly
 * with {@link WilderMA}. Writes into `out` when given (same length as `values`).
 *
 * @example
 * ```ts
 * wilder([1, 2, 3, 4], 2); // Float64Array [NaN, 1.5, 2.25, 3.125]
 * ```
 * @throws {ValidationError} for a bad period, or an `out` of another length.
 */
export function wilder(
  values: ArrayLike<number>,
  period: number,
  out?: Float64Array,
): Float64Array {
  checkInteger('WilderMA', 'period', period);
  const n = values.length;
  const result = outputArray('WilderMA', n, out);
  fillWarmUp(result, period - 1);
  if (n < period) return result;
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i]!;
  let value = sum / period;
  result[period - 1] = value;
  for (let i = period; i < n; i++) {
    value = (value * (period - 1) + values[i]!) / period;
    result[i] = value;
  }
  return result;
}
