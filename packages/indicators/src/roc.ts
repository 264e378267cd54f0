import { checkInteger, outputArray, type StreamingIndicator } from './indicator.js';
import { RingBuffer } from './ring-buffer.js';

/**
 * Rate of change in percent: `100 * (value - value n periods ago) / value n periods ago`, computed
 * as technicalindicators does. First value after `period + 1` inputs (TA-Lib's lookback
 * `period`), `NaN` before. When the earlier value is 0 the result is 0, as TA-Lib
 * (technicalindicators gives a non-finite value there).
 *
 * @example
 * ```ts
 * const roc = new ROC(1);
 * [100, 110, 99].map((value) => roc.update(value)); // [NaN, 10, -10]
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class ROC implements StreamingIndicator<number, number> {
  readonly period: number;
  readonly #window: RingBuffer;
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  /** The input being added (see `add`). */
  #input = Number.NaN;
  #value = Number.NaN;
  #isReady = false;

  constructor(period: number) {
    this.period = checkInteger('ROC', 'period', period);
    this.#window = new RingBuffer(period);
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
    const wasFull = window.isFull;
    const scratch = this.#scratch;
    scratch[0] = input;
    window.pushFrom(scratch, 0);
    if (!wasFull) return;
    const earlier = window.evicted;
    this.#value = earlier === 0 ? 0 : ((input - earlier) / earlier) * 100;
    this.#isReady = true;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#window.clear();
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * Rate of change of a series in percent; `NaN` for the first `period` entries. Agrees exactly with
 * {@link ROC}. Writes into `out` when given (same length as `values`).
 *
 * @example
 * ```ts
 * roc([100, 110, 99], 1); // Float64Array [NaN, 10, -10]
 * ```
 * @throws {ValidationError} for a bad period, or an `out` of another length.
 */
export function roc(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  const indicator = new ROC(period);
  const result = outputArray('ROC', values.length, out);
  for (let i = 0; i < values.length; i++) {
    indicator.add(values[i]!);
    result[i] = indicator.value;
  }
  return result;
}
