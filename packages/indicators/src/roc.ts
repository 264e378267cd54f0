import { checkInteger, nanArray, type StreamingIndicator } from './indicator.js';
import { RingBuffer } from './ring-buffer.js';

/**
 * Rate of change in percent: `100 * (value - value n periods ago) / value n periods ago`, computed
 * as technicalindicators does. First value after `period + 1` inputs (TA-Lib's lookback
 * `period`). When the earlier value is 0 the result is 0, as TA-Lib (technicalindicators gives a
 * non-finite value there).
 *
 * @example
 * ```ts
 * const roc = new ROC(1);
 * [100, 110, 99].map((value) => roc.update(value)); // [undefined, 10, -10]
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class ROC implements StreamingIndicator<number, number> {
  readonly period: number;
  readonly #window: RingBuffer;
  #value = Number.NaN;
  #isReady = false;

  constructor(period: number) {
    this.period = checkInteger('ROC', 'period', period);
    this.#window = new RingBuffer(period);
  }

  update(input: number): number | undefined {
    const wasFull = this.#window.isFull;
    const earlier = this.#window.push(input);
    if (!wasFull) return undefined;
    this.#value = earlier === 0 ? 0 : ((input - earlier) / earlier) * 100;
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
    this.#window.clear();
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * Rate of change of a series in percent; `NaN` for the first `period` entries. Agrees exactly with
 * {@link ROC}.
 *
 * @example
 * ```ts
 * roc([100, 110, 99], 1); // Float64Array [NaN, 10, -10]
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export function roc(values: ArrayLike<number>, period: number): Float64Array {
  const indicator = new ROC(period);
  const out = nanArray(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = indicator.update(values[i]!);
    if (value !== undefined) out[i] = value;
  }
  return out;
}
