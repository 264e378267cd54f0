import { doubleZero, checkInteger, outputArray, type StreamingIndicator } from './indicator.js';
import { RingBuffer } from './ring-buffer.js';

/**
 * Weighted moving average: the last `period` values weighted 1 (oldest) to `period` (newest),
 * divided by `period * (period + 1) / 2`. First value after `period` inputs (TA-Lib's lookback
 * `period - 1`), `NaN` before. O(1) per update: the weighted sum loses the plain sum of the window
 * and gains `period` times the new value on each step.
 *
 * @example
 * ```ts
 * const wma = new WMA(3);
 * [1, 2, 3].map((value) => wma.update(value)); // [NaN, NaN, (1 + 4 + 9) / 6]
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class WMA implements StreamingIndicator<number, number> {
  readonly period: number;
  readonly #window: RingBuffer;
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  readonly #divisor: number;
  /** The input being added (see `add`). */
  #input = Number.NaN;
  /** The plain sum of the window. */
  #sum = doubleZero;
  /** The sum of the window's values times their weights. */
  #weightedSum = doubleZero;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('WMA', 'period', period);
    this.#window = new RingBuffer(period);
    this.#divisor = (period * (period + 1)) / 2;
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
    const window = this.#window;
    this.#scratch[0] = input;
    if (window.isFull) {
      window.pushFrom(this.#scratch, 0);
      // Every weight drops by one (the oldest's to zero) and the new value takes weight `period`.
      this.#weightedSum += this.period * input - this.#sum;
      this.#sum += input - window.evicted;
    } else {
      window.pushFrom(this.#scratch, 0);
      this.#weightedSum += window.size * input;
      this.#sum += input;
      if (!window.isFull) return;
    }
    this.#value = this.#weightedSum / this.#divisor;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#window.isFull;
  }

  reset(): void {
    this.#window.clear();
    this.#sum = 0;
    this.#weightedSum = 0;
    this.#value = Number.NaN;
  }
}

/**
 * Weighted moving average of a series; `NaN` for the first `period - 1` entries. Agrees exactly
 * with {@link WMA}. Writes into `out` when given (same length as `values`).
 *
 * @example
 * ```ts
 * wma([1, 2, 3, 4], 2); // Float64Array [NaN, 5 / 3, 8 / 3, 11 / 3]
 * ```
 * @throws {ValidationError} for a bad period, or an `out` of another length.
 */
export function wma(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  const indicator = new WMA(period);
  const result = outputArray('WMA', values.length, out);
  for (let i = 0; i < values.length; i++) {
    indicator.add(values[i]!);
    result[i] = indicator.value;
  }
  return result;
}
