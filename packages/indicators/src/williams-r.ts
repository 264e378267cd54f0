import {
  checkSameLength,
  checkInteger,
  outputArray,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { RollingExtreme } from './rolling-extremes.js';

/**
 * Williams %R: `-100 * (highest high - close) / (highest high - lowest low)` over the last
 * `period` candles, from 0 (close at the highest high) to -100 (at the lowest low). First value
 * after `period` candles (TA-Lib's lookback `period - 1`), `NaN` before. When the range is empty (high = low over
 * the whole period) the value is 0, as TA-Lib (technicalindicators gives `NaN` there). O(1)
 * amortised per update: the extremes come from monotonic deques.
 *
 * @example
 * ```ts
 * const williamsR = new WilliamsR(14);
 * const value = williamsR.update(candle);
 * if (value > -20) console.log('overbought');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class WilliamsR implements StreamingIndicator<RangeInput, number> {
  readonly period: number;
  readonly #highest: RollingExtreme;
  readonly #lowest: RollingExtreme;
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('WilliamsR', 'period', period);
    this.#highest = new RollingExtreme(period, 'max');
    this.#lowest = new RollingExtreme(period, 'min');
  }

  update(input: RangeInput): number {
    this.add(input);
    return this.#value;
  }

  add(input: RangeInput): void {
    const highest = this.#highest;
    const lowest = this.#lowest;
    const scratch = this.#scratch;
    scratch[0] = input.high;
    highest.pushFrom(scratch, 0);
    scratch[0] = input.low;
    lowest.pushFrom(scratch, 0);
    if (highest.count < this.period) return;
    const high = highest.value;
    const range = high - lowest.value;
    // (close - highest) rather than -(highest - close): the same value, but 0 rather than -0.
    this.#value = range === 0 ? 0 : ((input.close - high) / range) * 100;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#highest.count >= this.period;
  }

  reset(): void {
    this.#highest.clear();
    this.#lowest.clear();
    this.#value = Number.NaN;
  }
}

/**
 * Williams %R of candles given as columns; `NaN` for the first `period - 1` entries. Agrees
 * exactly with {@link WilliamsR}. Writes into `out` when given (same length as the columns).
 *
 * @example
 * ```ts
 * const values = williamsR(highs, lows, closes, 14);
 * ```
 * @throws {ValidationError} for a bad period or columns of different lengths.
 */
export function williamsR(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  period: number,
  out?: Float64Array,
): Float64Array {
  const indicator = new WilliamsR(period);
  checkSameLength('WilliamsR', 'highs, lows and closes', highs, lows, closes);
  const result = outputArray('WilliamsR', highs.length, out);
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
