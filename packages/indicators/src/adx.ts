import { DirectionalIndicators } from './directional-indicators.js';
import {
  checkSameLength,
  checkInteger,
  doubleZero,
  outputColumns,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';

/** One value of {@link ADX}; all three on a 0 to 100 scale. */
export interface ADXResult {
  /** Average directional index: trend strength, whatever its direction. */
  readonly adx: number;
  /** Plus directional indicator: the share of the ATR that is upward movement. */
  readonly plusDI: number;
  /** Minus directional indicator: the share of the ATR that is downward movement. */
  readonly minusDI: number;
}

/** {@link adx}' output: one column per field of {@link ADXResult}. */
export type ADXSeries = { readonly [K in keyof ADXResult]: Float64Array };

/** The mutable fields behind {@link ADXResult}: a class, as `ScratchCandle` says why. */
class ADXValue implements ADXResult {
  adx = Number.NaN;
  plusDI = Number.NaN;
  minusDI = Number.NaN;
}

/**
 * Wilder's average directional index with its directional indicators, at TA-Lib's conventions
 * (ADX, PLUS_DI, MINUS_DI): +DI and −DI from {@link DirectionalIndicators} (Wilder sums seeded by
 * the sum of the first `period - 1` values), DX = `100 · |−DI − +DI| / (+DI + −DI)`, and ADX seeded
 * by the mean of the first `period` DX, then `(previous · (period - 1) + DX) / period`. A bar whose
 * DIs are both 0 has no DX and leaves the ADX unchanged (in the seed it counts as 0), as TA-Lib.
 * `plusDI` and `minusDI` are filled from candle `period + 1` (TA-Lib's lookback `period`), `adx`
 * from candle `2 · period` (lookback `2 · period - 1`); `isReady` says when `adx` is.
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * its fields are `NaN` until they start.
 *
 * @example
 * ```ts
 * const adx = new ADX(14);
 * const value = adx.update(candle);
 * if (value.adx > 25 && value.plusDI > value.minusDI) console.log('strong uptrend');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class ADX implements StreamingIndicator<RangeInput, ADXResult> {
  readonly period: number;
  readonly #directional: DirectionalIndicators;
  /** DX bars seen, up to `period`. */
  #dxCount = 0;
  #dxSum = doubleZero;
  readonly #result = new ADXValue();

  constructor(period: number) {
    this.period = checkInteger('ADX', 'period', period);
    this.#directional = new DirectionalIndicators(period);
  }

  update(input: RangeInput): ADXResult {
    this.add(input);
    return this.#result;
  }

  add(input: RangeInput): void {
    const directional = this.#directional;
    directional.add(input);
    if (!directional.isReady) return;
    const { plusDI, minusDI } = directional.value;
    const result = this.#result;
    result.plusDI = plusDI;
    result.minusDI = minusDI;
    // DX inline: a double returned from a call V8 does not inline would be boxed.
    const sum = minusDI + plusDI;
    const dx = sum === 0 ? Number.NaN : 100 * (Math.abs(minusDI - plusDI) / sum);
    const period = this.period;
    if (this.#dxCount < period) {
      this.#dxSum += dx === dx ? dx : 0; // (+ 0 also turns the initial -0 into 0)
      if (++this.#dxCount === period) result.adx = this.#dxSum / period;
    } else if (dx === dx) {
      result.adx = (result.adx * (period - 1) + dx) / period;
    }
  }

  get value(): ADXResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#dxCount === this.period;
  }

  reset(): void {
    this.#directional.reset();
    this.#dxCount = 0;
    this.#dxSum = 0;
    this.#result.adx = Number.NaN;
    this.#result.plusDI = Number.NaN;
    this.#result.minusDI = Number.NaN;
  }
}

/**
 * Average directional index and directional indicators of candles given as columns: `plusDI` and
 * `minusDI` `NaN` for the first `period` entries, `adx` for the first `2 · period - 1`. Agrees
 * exactly with {@link ADX}. Writes into the columns of `out` when given.
 *
 * @example
 * ```ts
 * const { adx: strength, plusDI, minusDI } = adx(highs, lows, closes, 14);
 * ```
 * @throws {ValidationError} for a bad period, or columns of different lengths.
 */
export function adx(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  period: number,
  out?: ADXSeries,
): ADXSeries {
  const indicator = new ADX(period);
  checkSameLength('ADX', 'highs, lows and closes', highs, lows, closes);
  const result = outputColumns('ADX', ['adx', 'plusDI', 'minusDI'], highs.length, out);
  const value = indicator.value;
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    indicator.add(candle);
    result.adx[i] = value.adx;
    result.plusDI[i] = value.plusDI;
    result.minusDI[i] = value.minusDI;
  }
  return result;
}
