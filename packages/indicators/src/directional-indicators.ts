import {
  checkInteger,
  doubleZero,
  checkSameLength,
  outputArray,
  outputColumns,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';

/** One value of {@link DirectionalIndicators}; both on a 0 to 100 scale. */
export interface DirectionalIndicatorsResult {
  /** Plus directional indicator (+DI): the share of the true range that is upward movement. */
  readonly plusDI: number;
  /** Minus directional indicator (−DI): the share of the true range that is downward movement. */
  readonly minusDI: number;
}

/** {@link directionalIndicators}' output: one column per field. */
export type DirectionalIndicatorsSeries = {
  readonly [K in keyof DirectionalIndicatorsResult]: Float64Array;
};

/** The fields behind {@link DirectionalIndicatorsResult}: a class (see `ScratchCandle`). */
class DirectionalIndicatorsValue implements DirectionalIndicatorsResult {
  plusDI = Number.NaN;
  minusDI = Number.NaN;
}

/**
 * Wilder's directional indicators +DI and −DI, at TA-Lib's conventions (PLUS_DI, MINUS_DI). From
 * the second candle, `up = high - previous high` and `down = previous low - low`; −DM is `down`
 * when `down > 0` and `down > up`, else +DM is `up` when `up > 0` and `up > down` (else both 0).
 * The true range, +DM and −DM are each smoothed by Wilder's running sum, seeded by the SUM of their
 * first `period - 1` values, then `sum - sum / period + value`; +DI = 100 · (+DM sum / TR sum) and
 * −DI likewise. First value on candle `period + 1` (TA-Lib's lookback `period`), `NaN` fields
 * before. Where the smoothed true range is 0 both are 0. (TA-Lib treats |x| < 1e-8 as zero; this
 * compares with 0 exactly, so that assets priced far below 1 keep their values.)
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it).
 *
 * @example
 * ```ts
 * const indicators = new DirectionalIndicators(14);
 * const { plusDI, minusDI } = indicators.update(candle);
 * if (plusDI > minusDI) console.log('buyers dominate');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class DirectionalIndicators implements StreamingIndicator<
  RangeInput,
  DirectionalIndicatorsResult
> {
  readonly period: number;
  #previousHigh = doubleZero;
  #previousLow = doubleZero;
  #previousClose = doubleZero;
  /** Candles seen, up to `period + 1`. */
  #count = 0;
  #trueRange = doubleZero;
  #plus = doubleZero;
  #minus = doubleZero;
  readonly #result = new DirectionalIndicatorsValue();

  constructor(period: number) {
    this.period = checkInteger('DirectionalIndicators', 'period', period);
  }

  update(input: RangeInput): DirectionalIndicatorsResult {
    this.add(input);
    return this.#result;
  }

  add(input: RangeInput): void {
    const { high, low } = input;
    const count = this.#count;
    const up = high - this.#previousHigh;
    const down = this.#previousLow - low;
    // Inline, not trueRangeOf: a double returned from a call V8 does not inline is boxed.
    const previousClose = this.#previousClose;
    const trueRange = Math.max(
      high - low,
      Math.abs(high - previousClose),
      Math.abs(low - previousClose),
    );
    this.#previousHigh = high;
    this.#previousLow = low;
    this.#previousClose = input.close;
    if (count === 0) {
      this.#count = 1;
      return;
    }
    const period = this.period;
    if (count < period) {
      // The seed: plain sums of the first period - 1 values.
      if (down > 0 && up < down) this.#minus += down;
      else if (up > 0 && up > down) this.#plus += up;
      this.#trueRange += trueRange;
      this.#count = count + 1;
      return;
    }
    if (count === period) this.#count = period + 1;
    this.#minus -= this.#minus / period;
    this.#plus -= this.#plus / period;
    if (down > 0 && up < down) this.#minus += down;
    else if (up > 0 && up > down) this.#plus += up;
    const sum = this.#trueRange - this.#trueRange / period + trueRange;
    this.#trueRange = sum;
    const result = this.#result;
    if (sum === 0) {
      result.plusDI = 0;
      result.minusDI = 0;
    } else {
      result.plusDI = 100 * (this.#plus / sum);
      result.minusDI = 100 * (this.#minus / sum);
    }
  }

  get value(): DirectionalIndicatorsResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#count > this.period;
  }

  reset(): void {
    this.#previousHigh = 0;
    this.#previousLow = 0;
    this.#previousClose = 0;
    this.#count = 0;
    this.#trueRange = 0;
    this.#plus = 0;
    this.#minus = 0;
    this.#result.plusDI = Number.NaN;
    this.#result.minusDI = Number.NaN;
  }
}

/**
 * Wilder's directional movement index DX, at TA-Lib's conventions (DX):
 * `100 · |−DI − +DI| / (+DI + −DI)` of {@link DirectionalIndicators}. First value on candle
 * `period + 1` (TA-Lib's lookback `period`), `NaN` before. Where both DIs are 0 the previous DX is
 * repeated (0 if there is none), as TA-Lib.
 *
 * @example
 * ```ts
 * const dx = new DX(14);
 * const value = dx.update(candle); // NaN for the first 14 candles
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class DX implements StreamingIndicator<RangeInput, number> {
  readonly period: number;
  readonly #directional: DirectionalIndicators;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('DX', 'period', period);
    this.#directional = new DirectionalIndicators(period);
  }

  update(input: RangeInput): number {
    this.add(input);
    return this.#value;
  }

  add(input: RangeInput): void {
    const directional = this.#directional;
    directional.add(input);
    if (!directional.isReady) return;
    const { plusDI, minusDI } = directional.value;
    // DX inline: a double returned from a call V8 does not inline would be boxed.
    const sum = minusDI + plusDI;
    const dx = sum === 0 ? Number.NaN : 100 * (Math.abs(minusDI - plusDI) / sum);
    if (dx === dx) this.#value = dx;
    else if (this.#value !== this.#value) this.#value = 0;
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#directional.isReady;
  }

  reset(): void {
    this.#directional.reset();
    this.#value = Number.NaN;
  }
}

/**
 * +DI and −DI of candles given as columns; both columns `NaN` for the first `period` entries.
 * Agrees exactly with {@link DirectionalIndicators}. Writes into the columns of `out` when given.
 *
 * @example
 * ```ts
 * const { plusDI, minusDI } = directionalIndicators(highs, lows, closes, 14);
 * ```
 * @throws {ValidationError} for a bad period, or columns of different lengths.
 */
export function directionalIndicators(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  period: number,
  out?: DirectionalIndicatorsSeries,
): DirectionalIndicatorsSeries {
  const indicator = new DirectionalIndicators(period);
  checkSameLength('DirectionalIndicators', 'highs, lows and closes', highs, lows, closes);
  const result = outputColumns('DirectionalIndicators', ['plusDI', 'minusDI'], highs.length, out);
  const value = indicator.value;
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    indicator.add(candle);
    result.plusDI[i] = value.plusDI;
    result.minusDI[i] = value.minusDI;
  }
  return result;
}

/**
 * DX of candles given as columns; `NaN` for the first `period` entries. Agrees exactly with
 * {@link DX}. Writes into `out` when given (same length as the columns).
 *
 * @example
 * ```ts
 * const values = dx(highs, lows, closes, 14);
 * ```
 * @throws {ValidationError} for a bad period, or columns or `out` of different lengths.
 */
export function dx(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  period: number,
  out?: Float64Array,
): Float64Array {
  const indicator = new DX(period);
  checkSameLength('DX', 'highs, lows and closes', highs, lows, closes);
  const result = outputArray('DX', highs.length, out);
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
