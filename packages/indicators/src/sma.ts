import { checkInteger, nanArray, type StreamingIndicator } from './indicator.js';
import { RingBuffer } from './ring-buffer.js';

/**
 * Simple moving average: the mean of the last `period` values. First value after `period`
 * inputs (TA-Lib's lookback `period - 1`).
 *
 * @example
 * ```ts
 * const sma = new SMA(20);
 * for (const candle of candles) sma.update(candle.close);
 * sma.value; // mean of the last 20 closes
 * ```
 */
export class SMA implements StreamingIndicator<number, number> {
  readonly period: number;
  #window: RingBuffer;
  #sum = 0;
  #value = Number.NaN;
  #isReady = false;

  constructor(period: number) {
    this.period = checkInteger('SMA', 'period', period);
    this.#window = new RingBuffer(period);
  }

  update(input: number): number | undefined {
    const evicted = this.#window.push(input);
    this.#sum += evicted === evicted ? input - evicted : input;
    if (!this.#window.isFull) return undefined;
    this.#value = this.#sum / this.period;
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
    this.#sum = 0;
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * Simple moving average of a series; `NaN` for the first `period - 1` entries. Agrees exactly
 * with {@link SMA}.
 *
 * @example
 * ```ts
 * sma([1, 2, 3, 4], 2); // Float64Array [NaN, 1.5, 2.5, 3.5]
 * ```
 */
export function sma(values: ArrayLike<number>, period: number): Float64Array {
  const indicator = new SMA(period);
  const out = nanArray(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = indicator.update(values[i]!);
    if (value !== undefined) out[i] = value;
  }
  return out;
}
