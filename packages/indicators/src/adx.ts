import { ATR, WilderAverage } from './atr.js';
import {
  checkSameLength,
  checkInteger,
  nanArray,
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

/**
 * Wilder's average directional index with its directional indicators. From the second candle:
 * `up = high - previous high`, `down = previous low - low`; +DM is `up` when `up > down` and
 * `up > 0`, else 0; −DM likewise. +DI = 100 · Wilder(+DM) / ATR and −DI = 100 · Wilder(−DM) / ATR,
 * each Wilder average (the ATR too) seeded by the mean of its first `period` values, as in Wilder's
 * book and technicalindicators. (TA-Lib's ADX starts its smoothed TR, +DM and −DM from sums of
 * `period - 1` values, so its first values differ slightly; the difference decays.) DX = 100 · |+DI − −DI| / (+DI + −DI), and ADX is the Wilder
 * average of DX, seeded by the mean of the first `period` DX. First value after `2 · period`
 * candles (TA-Lib's lookback `2 · period - 1`); the DIs are reported with it. Where the ATR is 0
 * the DIs are 0, and where both DIs are 0 so is DX (technicalindicators gives `NaN`).
 *
 * `update` returns one result object, reused and overwritten by the next update: copy it to keep it.
 *
 * @example
 * ```ts
 * const adx = new ADX(14);
 * const value = adx.update(candle);
 * if (value && value.adx > 25 && value.plusDI > value.minusDI) console.log('strong uptrend');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class ADX implements StreamingIndicator<RangeInput, ADXResult> {
  readonly period: number;
  readonly #atr: ATR;
  readonly #plusDM: WilderAverage;
  readonly #minusDM: WilderAverage;
  readonly #dx: WilderAverage;
  #previousHigh = 0;
  #previousLow = 0;
  #hasPrevious = false;
  #isReady = false;
  readonly #result = { adx: Number.NaN, plusDI: Number.NaN, minusDI: Number.NaN };

  constructor(period: number) {
    this.period = checkInteger('ADX', 'period', period);
    this.#atr = new ATR(period);
    this.#plusDM = new WilderAverage(period);
    this.#minusDM = new WilderAverage(period);
    this.#dx = new WilderAverage(period);
  }

  update(input: RangeInput): ADXResult | undefined {
    const { high, low } = input;
    const atr = this.#atr.update(input);
    if (!this.#hasPrevious) {
      this.#hasPrevious = true;
      this.#previousHigh = high;
      this.#previousLow = low;
      return undefined;
    }
    const up = high - this.#previousHigh;
    const down = this.#previousLow - low;
    this.#previousHigh = high;
    this.#previousLow = low;
    const plusDM = this.#plusDM.update(up > down && up > 0 ? up : 0);
    const minusDM = this.#minusDM.update(down > up && down > 0 ? down : 0);
    if (atr === undefined || plusDM === undefined || minusDM === undefined) return undefined;
    const plusDI = atr > 0 ? (100 * plusDM) / atr : 0;
    const minusDI = atr > 0 ? (100 * minusDM) / atr : 0;
    const sum = plusDI + minusDI;
    const adx = this.#dx.update(sum > 0 ? (100 * Math.abs(plusDI - minusDI)) / sum : 0);
    if (adx === undefined) return undefined;
    const result = this.#result;
    result.adx = adx;
    result.plusDI = plusDI;
    result.minusDI = minusDI;
    this.#isReady = true;
    return result;
  }

  get value(): ADXResult | undefined {
    return this.#isReady ? this.#result : undefined;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#atr.reset();
    this.#plusDM.reset();
    this.#minusDM.reset();
    this.#dx.reset();
    this.#previousHigh = 0;
    this.#previousLow = 0;
    this.#hasPrevious = false;
    this.#isReady = false;
  }
}

/**
 * Average directional index and directional indicators of candles given as columns; every column
 * `NaN` for the first `2 · period - 1` entries. Agrees exactly with {@link ADX}.
 *
 * @example
 * ```ts
 * const { adx: strength, plusDI, minusDI } = adx(highs, lows, closes, 14);
 * ```
 * @throws {ValidationError} for a bad period or columns of different lengths.
 */
export function adx(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  period: number,
): ADXSeries {
  const indicator = new ADX(period);
  checkSameLength('ADX', 'highs, lows and closes', highs, lows, closes);
  const out = {
    adx: nanArray(highs.length),
    plusDI: nanArray(highs.length),
    minusDI: nanArray(highs.length),
  };
  const candle = { high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    const value = indicator.update(candle);
    if (value === undefined) continue;
    out.adx[i] = value.adx;
    out.plusDI[i] = value.plusDI;
    out.minusDI[i] = value.minusDI;
  }
  return out;
}
