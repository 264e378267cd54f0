import {
  checkSameLength,
  checkInteger,
  outputColumns,
  ScratchCandle,
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

/** The mutable fields behind {@link DonchianResult}: a class, as `ScratchCandle` says why. */
class DonchianValue implements DonchianResult {
  upper = Number.NaN;
  lower = Number.NaN;
  middle = Number.NaN;
}

/**
 * Donchian channel (Richard Donchian): the highest high and lowest low of the last `period`
 * candles, the current one included (as TradingView's `ta.highest` and `ta.lowest`), and their
 * midpoint. First value after `period` candles; amortised O(1) per update. Because the current
 * candle is in the window, a close can never be above `upper`: for a breakout, compare the close
 * with the previous candle's channel.
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * its fields are `NaN` while warming up.
 *
 * @example
 * ```ts
 * const channel = new Donchian(20);
 * const previousUpper = channel.value.upper; // NaN while warming up
 * channel.update(candle);
 * if (candle.close > previousUpper) console.log('20-bar breakout');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class Donchian implements StreamingIndicator<RangeInput, DonchianResult> {
  readonly period: number;
  readonly #highest: RollingExtreme;
  readonly #lowest: RollingExtreme;
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  readonly #result = new DonchianValue();

  constructor(period: number) {
    this.period = checkInteger('Donchian', 'period', period);
    this.#highest = new RollingExtreme(period, 'max');
    this.#lowest = new RollingExtreme(period, 'min');
  }

  update(input: RangeInput): DonchianResult {
    this.add(input);
    return this.#result;
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
    const result = this.#result;
    const upper = highest.value;
    const lower = lowest.value;
    result.upper = upper;
    result.lower = lower;
    result.middle = (upper + lower) / 2;
  }

  get value(): DonchianResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#highest.count >= this.period;
  }

  reset(): void {
    this.#highest.clear();
    this.#lowest.clear();
    this.#result.upper = Number.NaN;
    this.#result.lower = Number.NaN;
    this.#result.middle = Number.NaN;
  }
}

/**
 * Donchian channel of candles given as columns; every column `NaN` for the first `period - 1`
 * entries. Agrees exactly with {@link Donchian}. Writes into the columns of `out` when given.
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
  out?: DonchianSeries,
): DonchianSeries {
  const indicator = new Donchian(period);
  checkSameLength('Donchian', 'highs and lows', highs, lows);
  const result = outputColumns('Donchian', ['upper', 'lower', 'middle'], highs.length, out);
  const value = indicator.value;
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    indicator.add(candle);
    result.upper[i] = value.upper;
    result.lower[i] = value.lower;
    result.middle[i] = value.middle;
  }
  return result;
}
