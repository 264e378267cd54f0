import {
  doubleZero,
  checkInteger,
  fillWarmUp,
  outputArray,
  type StreamingIndicator,
} from './indicator.js';

/**
 * Exponential moving average with `k = 2 / (period + 1)`, seeded by the SMA of its first `period`
 * values (TA-Lib's convention): first value after `period` inputs, `NaN` before.
 *
 * @example
 * ```ts
 * const ema = new EMA(21);
 * const value = ema.update(close); // NaN for the first 20 closes
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class EMA implements StreamingIndicator<number, number> {
  readonly period: number;
  readonly #k: number;
  /** The input being added (see `add`). */
  #input = Number.NaN;
  #count = 0;
  #seedSum = doubleZero;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('EMA', 'period', period);
    this.#k = 2 / (period + 1);
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
    if (this.#count === this.period) {
      this.#value += this.#k * (input - this.#value);
      return;
    }
    this.#seedSum += input;
    if (++this.#count === this.period) this.#value = this.#seedSum / this.period;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#count === this.period;
  }

  reset(): void {
    this.#count = 0;
    this.#seedSum = 0;
    this.#value = Number.NaN;
  }
}

/**
 * Exponential moving average of a series (SMA-seeded); `NaN` for the first `period - 1` entries.
 * Agrees exactly with {@link EMA}. Writes into `out` when given (same length as `values`).
 *
 * @example
 * ```ts
 * const values = ema(closes, 21);
 * ```
 * @throws {ValidationError} for a bad period, or an `out` of another length.
 */
export function ema(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  checkInteger('EMA', 'period', period);
  const n = values.length;
  const result = outputArray('EMA', n, out);
  fillWarmUp(result, period - 1);
  if (n < period) return result;
  emaInto(values, period, result, 0);
  return result;
}

/**
 * Writes the EMA of `values[from..]` into `out[from + period - 1..]` (the seed's entries are left
 * as they are).
 */
function emaInto(values: ArrayLike<number>, period: number, out: Float64Array, from: number): void {
  const n = values.length;
  if (n - from < period) return;
  const k = 2 / (period + 1);
  let sum = 0;
  for (let i = from; i < from + period; i++) sum += values[i]!;
  let value = sum / period;
  out[from + period - 1] = value;
  for (let i = from + period; i < n; i++) {
    value += k * (values[i]! - value);
    out[i] = value;
  }
}
