import {
  checkSameLength,
  checkInteger,
  checkPositive,
  outputArray,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { RingBuffer } from './ring-buffer.js';

/** Options of {@link CCI}. */
export interface CCIOptions {
  /** Candles in the window (default 20). */
  readonly period?: number;
  /** Lambert's scaling constant (default 0.015, so most values fall within ±100). */
  readonly constant?: number;
}

/**
 * Lambert's commodity channel index:
 * `(typical price - mean) / (constant * mean absolute deviation)` over the last `period` typical
 * prices `(high + low + close) / 3`. First value after `period` candles (TA-Lib's lookback
 * `period - 1`), `NaN` before. When the window's typical prices are all equal the value is 0, as
 * TA-Lib (technicalindicators gives `NaN` there).
 *
 * **O(period) per update**, the one exception to the package's O(1): the mean absolute deviation
 * is taken around the current mean, which moves with every candle, so every deviation changes
 * and no running sum can hold it exactly. Each update walks the window once (as TA-Lib and
 * technicalindicators do), also summing it for the mean so no rounding drift accumulates, and
 * allocates nothing.
 *
 * @example
 * ```ts
 * const cci = new CCI({ period: 20, constant: 0.015 });
 * const value = cci.update(candle);
 * if (value > 100) console.log('strong upward move');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1 or a constant that is not > 0.
 */
export class CCI implements StreamingIndicator<RangeInput, number> {
  readonly period: number;
  readonly constant: number;
  readonly #window: RingBuffer;
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  #value = Number.NaN;

  constructor(options: CCIOptions = {}) {
    this.period = checkInteger('CCI', 'period', options.period ?? 20);
    this.constant = checkPositive('CCI', 'constant', options.constant ?? 0.015);
    this.#window = new RingBuffer(this.period);
  }

  update(input: RangeInput): number {
    this.add(input);
    return this.#value;
  }

  add(input: RangeInput): void {
    const typical = (input.high + input.low + input.close) / 3;
    const window = this.#window;
    const scratch = this.#scratch;
    scratch[0] = typical;
    window.pushFrom(scratch, 0);
    if (!window.isFull) return;
    let sum = 0;
    let isFlat = true;
    const first = window.at(0);
    for (let i = 0; i < this.period; i++) {
      const value = window.at(i);
      sum += value;
      if (value !== first) isFlat = false;
    }
    if (isFlat) {
      this.#value = 0;
      return;
    }
    const mean = sum / this.period;
    let deviations = 0;
    for (let i = 0; i < this.period; i++) deviations += Math.abs(window.at(i) - mean);
    this.#value = (typical - mean) / (this.constant * (deviations / this.period));
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#window.isFull;
  }

  reset(): void {
    this.#window.clear();
    this.#value = Number.NaN;
  }
}

/**
 * Commodity channel index of candles given as columns; `NaN` for the first `period - 1` entries.
 * Agrees exactly with {@link CCI}. Writes into `out` when given (same length as the columns).
 *
 * @example
 * ```ts
 * const values = cci(highs, lows, closes, { period: 20 });
 * ```
 * @throws {ValidationError} for a bad period or constant, or columns of different lengths.
 */
export function cci(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  options: CCIOptions = {},
  out?: Float64Array,
): Float64Array {
  const indicator = new CCI(options);
  checkSameLength('CCI', 'highs, lows and closes', highs, lows, closes);
  const result = outputArray('CCI', highs.length, out);
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    indicator.add(candle);
    result[i] = indicator.value;
  }
  return result;
}
