import {
  checkInteger,
  doubleZero,
  checkSameLength,
  fillWarmUp,
  outputArray,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { trueRangeOf } from './true-range.js';

/**
 * Average true range: Wilder's smoothing ({@link WilderMA}) of the {@link TrueRange}, seeded by the
 * simple average of the first `period` true ranges (TA-Lib's convention, which technicalindicators
 * shares). The first candle has no true range, so the first value comes after `period + 1`
 * candles (TA-Lib's lookback `period`), `NaN` before.
 *
 * @example
 * ```ts
 * const atr = new ATR(14);
 * for (const candle of candles) atr.update(candle);
 * const stopDistance = 2 * atr.value; // NaN while warming up
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class ATR implements StreamingIndicator<RangeInput, number> {
  readonly period: number;
  #previousClose = doubleZero;
  /** Candles seen, up to `period + 1`. */
  #count = 0;
  #sum = doubleZero;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('ATR', 'period', period);
  }

  update(input: RangeInput): number {
    this.add(input);
    return this.#value;
  }

  add(input: RangeInput): void {
    const previousClose = this.#previousClose;
    this.#previousClose = input.close;
    const period = this.period;
    if (this.#count > period) {
      const { high, low } = input;
      // Inline, not trueRangeOf: a double returned from a call V8 does not inline is boxed.
      const trueRange = Math.max(
        high - low,
        Math.abs(high - previousClose),
        Math.abs(low - previousClose),
      );
      this.#value = (this.#value * (period - 1) + trueRange) / period;
      return;
    }
    if (this.#count++ === 0) return;
    const { high, low } = input;
    this.#sum += Math.max(
      high - low,
      Math.abs(high - previousClose),
      Math.abs(low - previousClose),
    );
    if (this.#count > period) this.#value = this.#sum / period;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#count > this.period;
  }

  reset(): void {
    this.#previousClose = 0;
    this.#count = 0;
    this.#sum = 0;
    this.#value = Number.NaN;
  }
}

/**
 * Average true range of candles given as columns; `NaN` for the first `period` entries. Agrees
 * exactly with {@link ATR}. Writes into `out` when given (same length as the columns).
 *
 * @example
 * ```ts
 * const values = atr(highs, lows, closes, 14);
 * ```
 * @throws {ValidationError} for a bad period, or columns or `out` of different lengths.
 */
export function atr(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  period: number,
  out?: Float64Array,
): Float64Array {
  checkInteger('ATR', 'period', period);
  checkSameLength('ATR', 'highs, lows and closes', highs, lows, closes);
  const n = highs.length;
  const result = outputArray('ATR', n, out);
  fillWarmUp(result, period);
  if (n <= period) return result;
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += trueRangeOf(highs[i]!, lows[i]!, closes[i - 1]!);
  let value = sum / period;
  result[period] = value;
  for (let i = period + 1; i < n; i++) {
    value = (value * (period - 1) + trueRangeOf(highs[i]!, lows[i]!, closes[i - 1]!)) / period;
    result[i] = value;
  }
  return result;
}
