import { checkInteger, nanArray, type StreamingIndicator } from './indicator.js';

/**
 * Exponential moving average with `k = 2 / (period + 1)`, seeded by the SMA of its first `period`
 * values (TA-Lib's convention): first value after `period` inputs.
 *
 * @example
 * ```ts
 * const ema = new EMA(21);
 * const value = ema.update(close); // undefined for the first 20 closes
 * ```
 */
export class EMA implements StreamingIndicator<number, number> {
  readonly period: number;
  readonly #k: number;
  #count = 0;
  #seedSum = 0;
  #value = Number.NaN;
  #isReady = false;

  constructor(period: number) {
    this.period = checkInteger('EMA', 'period', period);
    this.#k = 2 / (period + 1);
  }

  update(input: number): number | undefined {
    if (this.#isReady) {
      this.#value += this.#k * (input - this.#value);
      return this.#value;
    }
    this.#seedSum += input;
    if (++this.#count < this.period) return undefined;
    this.#value = this.#seedSum / this.period;
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
    this.#count = 0;
    this.#seedSum = 0;
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * Exponential moving average of a series (SMA-seeded); `NaN` for the first `period - 1` entries.
 * Agrees exactly with {@link EMA}.
 */
export function ema(values: ArrayLike<number>, period: number): Float64Array {
  const indicator = new EMA(period);
  const out = nanArray(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = indicator.update(values[i]!);
    if (value !== undefined) out[i] = value;
  }
  return out;
}
