import {
  checkInteger,
  checkSameLength,
  nanArray,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { TrueRange } from './true-range.js';

/**
 * Wilder's moving average (RMA, SMMA): seeded by the mean of the first `period` values, then
 * `(previous * (period - 1) + value) / period`, as TA-Lib. Internal to the package (ATR, ADX);
 * the period is checked by its user.
 */
export class WilderAverage {
  readonly period: number;
  #count = 0;
  #seedSum = 0;
  #value = Number.NaN;
  #isReady = false;

  constructor(period: number) {
    this.period = period;
  }

  /** Adds a value; returns the average, or `undefined` before `period` values. */
  update(input: number): number | undefined {
    if (this.#isReady) {
      this.#value = (this.#value * (this.period - 1) + input) / this.period;
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

  reset(): void {
    this.#count = 0;
    this.#seedSum = 0;
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * Average true range: Wilder's smoothing of {@link TrueRange}, seeded by the simple average of the
 * first `period` true ranges (TA-Lib's convention, which technicalindicators shares). The first
 * candle has no true range, so the first value comes after `period + 1` candles (TA-Lib's
 * lookback `period`).
 *
 * @example
 * ```ts
 * const atr = new ATR(14);
 * for (const candle of candles) atr.update(candle);
 * const stopDistance = 2 * (atr.value ?? Number.NaN);
 * ```
 */
export class ATR implements StreamingIndicator<RangeInput, number> {
  readonly period: number;
  readonly #trueRange = new TrueRange();
  readonly #average: WilderAverage;

  constructor(period: number) {
    this.period = checkInteger('ATR', 'period', period);
    this.#average = new WilderAverage(period);
  }

  update(input: RangeInput): number | undefined {
    const trueRange = this.#trueRange.update(input);
    return trueRange === undefined ? undefined : this.#average.update(trueRange);
  }

  get value(): number | undefined {
    return this.#average.value;
  }

  get isReady(): boolean {
    return this.#average.value !== undefined;
  }

  reset(): void {
    this.#trueRange.reset();
    this.#average.reset();
  }
}

/**
 * Average true range of candles given as columns; `NaN` for the first `period` entries. Agrees
 * exactly with {@link ATR}.
 *
 * @example
 * ```ts
 * const values = atr(highs, lows, closes, 14);
 * ```
 * @throws {ValidationError} for a bad period or columns of different lengths.
 */
export function atr(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  period: number,
): Float64Array {
  const indicator = new ATR(period);
  checkSameLength('ATR', 'highs, lows and closes', highs, lows, closes);
  const out = nanArray(highs.length);
  const candle = { high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    const value = indicator.update(candle);
    if (value !== undefined) out[i] = value;
  }
  return out;
}
