import { ATR } from './atr.js';
import {
  checkSameLength,
  checkInteger,
  doubleZero,
  checkPositive,
  outputColumns,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';

/** Options of {@link Supertrend}. */
export interface SupertrendOptions {
  /** Period of the ATR (default 10). */
  readonly period?: number;
  /** Band distance from the candle's midpoint, in ATRs (default 3). */
  readonly multiplier?: number;
}

/** One value of {@link Supertrend}. */
export interface SupertrendResult {
  /** The trailing line: the final lower band in an uptrend, the final upper band in a downtrend. */
  readonly value: number;
  /** 1 in an uptrend (close above the line), -1 in a downtrend; 0 while warming up. */
  readonly direction: 1 | -1 | 0;
}

/** {@link supertrend}' output: `direction` is 1 or -1, both columns `NaN` while warming up. */
export interface SupertrendSeries {
  readonly value: Float64Array;
  readonly direction: Float64Array;
}

/** The mutable fields behind {@link SupertrendResult}: a class, as `ScratchCandle` says why. */
class SupertrendValue implements SupertrendResult {
  value = Number.NaN;
  direction: 1 | -1 | 0 = 0;
}

/**
 * Supertrend (Olivier Seban), as published and as TradingView's `ta.supertrend`: basic bands
 * `(high + low) / 2 ± multiplier · ATR` ({@link ATR}, Wilder). The final upper band only moves
 * down, unless the previous close was above it, when it resets to the basic band; the final lower
 * band only moves up, unless the previous close was below it. In a downtrend the line is the final
 * upper band and a close above it turns the trend up; in an uptrend the line is the final lower
 * band and a close below it turns the trend down. The first value (after `period + 1` candles, when
 * the ATR is ready) is a downtrend on the basic upper band, as TradingView's. TradingView's ATR
 * also counts the first candle's `high - low` as a true range, so its first values differ from
 * these until the seed decays.
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * while warming up its `value` is `NaN` and its `direction` 0.
 *
 * @example
 * ```ts
 * const supertrend = new Supertrend({ period: 10, multiplier: 3 });
 * const value = supertrend.update(candle);
 * if (value.direction === 1) console.log(`uptrend, trailing stop at ${value.value}`);
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1 or a multiplier that is not
 * > 0.
 */
export class Supertrend implements StreamingIndicator<RangeInput, SupertrendResult> {
  readonly period: number;
  readonly multiplier: number;
  readonly #atr: ATR;
  #upper = doubleZero;
  #lower = doubleZero;
  #previousClose = doubleZero;
  #isReady = false;
  readonly #result = new SupertrendValue();

  constructor(options: SupertrendOptions = {}) {
    this.period = checkInteger('Supertrend', 'period', options.period ?? 10);
    this.multiplier = checkPositive('Supertrend', 'multiplier', options.multiplier ?? 3);
    this.#atr = new ATR(this.period);
  }

  update(input: RangeInput): SupertrendResult {
    this.add(input);
    return this.#result;
  }

  add(input: RangeInput): void {
    const { close } = input;
    const previousClose = this.#previousClose;
    this.#previousClose = close;
    const average = this.#atr;
    average.add(input);
    if (!average.isReady) return;
    const atr = average.value;
    const middle = (input.high + input.low) / 2;
    const basicUpper = middle + this.multiplier * atr;
    const basicLower = middle - this.multiplier * atr;
    const result = this.#result;
    if (!this.#isReady) {
      this.#upper = basicUpper;
      this.#lower = basicLower;
      result.direction = -1;
      this.#isReady = true;
    } else {
      if (basicUpper < this.#upper || previousClose > this.#upper) this.#upper = basicUpper;
      if (basicLower > this.#lower || previousClose < this.#lower) this.#lower = basicLower;
      if (result.direction === -1) {
        if (close > this.#upper) result.direction = 1;
      } else if (close < this.#lower) {
        result.direction = -1;
      }
    }
    result.value = result.direction === 1 ? this.#lower : this.#upper;
  }

  get value(): SupertrendResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#atr.reset();
    this.#upper = 0;
    this.#lower = 0;
    this.#previousClose = 0;
    this.#isReady = false;
    this.#result.value = Number.NaN;
    this.#result.direction = 0;
  }
}

/**
 * Supertrend of candles given as columns; both columns `NaN` for the first `period` entries.
 * Agrees exactly with {@link Supertrend}. Writes into the columns of `out` when given.
 *
 * @example
 * ```ts
 * const { value, direction } = supertrend(highs, lows, closes, { period: 10, multiplier: 3 });
 * ```
 * @throws {ValidationError} for a bad option or columns of different lengths.
 */
export function supertrend(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  options: SupertrendOptions = {},
  out?: SupertrendSeries,
): SupertrendSeries {
  const indicator = new Supertrend(options);
  checkSameLength('Supertrend', 'highs, lows and closes', highs, lows, closes);
  const result = outputColumns('Supertrend', ['value', 'direction'], highs.length, out);
  const value = indicator.value;
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    indicator.add(candle);
    result.value[i] = value.value;
    result.direction[i] = value.direction === 0 ? Number.NaN : value.direction;
  }
  return result;
}
