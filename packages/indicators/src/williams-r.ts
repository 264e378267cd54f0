import {
  checkSameLength,
  checkInteger,
  nanArray,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { RollingExtreme } from './rolling-extremes.js';

/**
 * Williams %R: `-100 * (highest high - close) / (highest high - lowest low)` over the last
 * `period` candles, from 0 (close at the highest high) to -100 (at the lowest low). First value
 * after `period` candles (TA-Lib's lookback `period - 1`). When the range is empty (high = low over
 * the whole period) the value is 0, as TA-Lib (technicalindicators gives `NaN` there). O(1)
 * amortised per update: the extremes come from monotonic deques.
 *
 * @example
 * ```ts
 * const williamsR = new WilliamsR(14);
 * const value = williamsR.update(candle);
 * if (value !== undefined && value > -20) console.log('overbought');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class WilliamsR implements StreamingIndicator<RangeInput, number> {
  readonly period: number;
  readonly #highest: RollingExtreme;
  readonly #lowest: RollingExtreme;
  #value = Number.NaN;
  #isReady = false;

  constructor(period: number) {
    this.period = checkInteger('WilliamsR', 'period', period);
    this.#highest = new RollingExtreme(period, 'max');
    this.#lowest = new RollingExtreme(period, 'min');
  }

  update(input: RangeInput): number | undefined {
    const highest = this.#highest.push(input.high);
    const lowest = this.#lowest.push(input.low);
    if (this.#highest.count < this.period) return undefined;
    const range = highest - lowest;
    // (close - highest) rather than -(highest - close): the same value, but 0 rather than -0.
    this.#value = range === 0 ? 0 : ((input.close - highest) / range) * 100;
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
    this.#highest.clear();
    this.#lowest.clear();
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * Williams %R of candles given as columns; `NaN` for the first `period - 1` entries. Agrees
 * exactly with {@link WilliamsR}.
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
): Float64Array {
  const indicator = new WilliamsR(period);
  checkSameLength('WilliamsR', 'highs, lows and closes', highs, lows, closes);
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
