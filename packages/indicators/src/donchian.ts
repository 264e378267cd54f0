import {
  checkSameLength,
  checkInteger,
  nanArray,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { RollingExtreme } from './rolling-extremes.js';

/** One value of {@link Donchian}. */
export interface DonchianResult {
  /** The highest high of the last `period` candles. */
  readonly upper: number;
  /** The lowest low of the last `period` candles. */
  readonly lower: number;
  /** `(upper + lower) / 2`. */
  readonly middle: number;
}

/** {@link donchian}' output: one column per field of {@link DonchianResult}. */
export type DonchianSeries = { readonly [K in keyof DonchianResult]: Float64Array };

/**
 * Donchian channel (Richard Donchian): the highest high and lowest low of the last `period`
 * candles, the current one included (as TradingView's `ta.highest` and `ta.lowest`), and their
 * midpoint. First value after `period` candles; amortised O(1) per update. Because the current
 * candle is in the window, a close can never be above `upper`: for a breakout, compare the close
 * with the previous candle's channel.
 *
 * `update` returns one result object, reused and overwritten by the next update: copy it to keep it.
 *
 * @example
 * ```ts
 * const channel = new Donchian(20);
 * const previousUpper = channel.value?.upper;
 * channel.update(candle);
 * if (previousUpper !== undefined && candle.close > previousUpper) console.log('20-bar breakout');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class Donchian implements StreamingIndicator<RangeInput, DonchianResult> {
  readonly period: number;
  readonly #highest: RollingExtreme;
  readonly #lowest: RollingExtreme;
  #isReady = false;
  readonly #result = { upper: Number.NaN, lower: Number.NaN, middle: Number.NaN };

  constructor(period: number) {
    this.period = checkInteger('Donchian', 'period', period);
    this.#highest = new RollingExtreme(period, 'max');
    this.#lowest = new RollingExtreme(period, 'min');
  }

  update(input: RangeInput): DonchianResult | undefined {
    const upper = this.#highest.push(input.high);
    const lower = this.#lowest.push(input.low);
    if (this.#highest.count < this.period) return undefined;
    const result = this.#result;
    result.upper = upper;
    result.lower = lower;
    result.middle = (upper + lower) / 2;
    this.#isReady = true;
    return result;
  }

  get value(): DonchianResult | undefined {
    return this.#isReady ? this.#result : undefined;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#highest.clear();
    this.#lowest.clear();
    this.#isReady = false;
  }
}

/**
 * Donchian channel of candles given as columns; every column `NaN` for the first `period - 1`
 * entries. Agrees exactly with {@link Donchian}.
 *
 * @example
 * ```ts
 * const { upper, lower } = donchian(highs, lows, 20);
 * ```
 * @throws {ValidationError} for a bad period or columns of different lengths.
 */
export function donchian(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  period: number,
): DonchianSeries {
  const indicator = new Donchian(period);
  checkSameLength('Donchian', 'highs and lows', highs, lows);
  const out = {
    upper: nanArray(highs.length),
    lower: nanArray(highs.length),
    middle: nanArray(highs.length),
  };
  const candle = { high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    const value = indicator.update(candle);
    if (value === undefined) continue;
    out.upper[i] = value.upper;
    out.lower[i] = value.lower;
    out.middle[i] = value.middle;
  }
  return out;
}
