import { ATR } from './atr.js';
import { EMA } from './ema.js';
import {
  checkSameLength,
  checkInteger,
  checkPositive,
  outputColumns,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';

/** Options of {@link KeltnerChannels}. */
export interface KeltnerChannelsOptions {
  /** Period of the EMA of closes that forms the middle line (default 20). */
  readonly period?: number;
  /** Period of the ATR that sets the channel width (default 10). */
  readonly atrPeriod?: number;
  /** Channel distance from the middle, in ATRs (default 2). */
  readonly multiplier?: number;
}

/** One value of {@link KeltnerChannels}. */
export interface KeltnerChannelsResult {
  /** The EMA of closes. */
  readonly middle: number;
  /** `middle + multiplier * ATR`. */
  readonly upper: number;
  /** `middle - multiplier * ATR`. */
  readonly lower: number;
}

/** {@link keltnerChannels}' output: one column per field of {@link KeltnerChannelsResult}. */
export type KeltnerChannelsSeries = { readonly [K in keyof KeltnerChannelsResult]: Float64Array };

/** The fields behind {@link KeltnerChannelsResult}: a class (see `ScratchCandle`). */
class KeltnerChannelsValue implements KeltnerChannelsResult {
  middle = Number.NaN;
  upper = Number.NaN;
  lower = Number.NaN;
}

/**
 * Keltner Channels in Linda Raschke's modern form: an EMA of closes (SMA-seeded,
 * {@link EMA}) with channels `multiplier` ATRs ({@link ATR}, Wilder) above and below. The same
 * convention as technicalindicators' `KeltnerChannels` with `useSMA: false` (its default
 * multiplier is 1). First value once both the EMA and the ATR are ready: after
 * `max(period, atrPeriod + 1)` candles.
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * its fields are `NaN` while warming up.
 *
 * @example
 * ```ts
 * const channels = new KeltnerChannels({ period: 20, atrPeriod: 10, multiplier: 2 });
 * const value = channels.update(candle);
 * if (candle.close > value.upper) console.log('breakout');
 * ```
 * @throws {ValidationError} for a period or atrPeriod that is not an integer >= 1, or a
 * multiplier that is not > 0.
 */
export class KeltnerChannels implements StreamingIndicator<RangeInput, KeltnerChannelsResult> {
  readonly period: number;
  readonly atrPeriod: number;
  readonly multiplier: number;
  readonly #middle: EMA;
  readonly #atr: ATR;
  readonly #result = new KeltnerChannelsValue();
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);

  constructor(options: KeltnerChannelsOptions = {}) {
    this.period = checkInteger('KeltnerChannels', 'period', options.period ?? 20);
    this.atrPeriod = checkInteger('KeltnerChannels', 'atrPeriod', options.atrPeriod ?? 10);
    this.multiplier = checkPositive('KeltnerChannels', 'multiplier', options.multiplier ?? 2);
    this.#middle = new EMA(this.period);
    this.#atr = new ATR(this.atrPeriod);
  }

  update(input: RangeInput): KeltnerChannelsResult {
    this.add(input);
    return this.#result;
  }

  add(input: RangeInput): void {
    const middleAverage = this.#middle;
    const atrAverage = this.#atr;
    const scratch = this.#scratch;
    scratch[0] = input.close;
    middleAverage.addFrom(scratch, 0);
    atrAverage.add(input);
    if (!middleAverage.isReady || !atrAverage.isReady) return;
    const middle = middleAverage.value;
    const width = this.multiplier * atrAverage.value;
    const result = this.#result;
    result.middle = middle;
    result.upper = middle + width;
    result.lower = middle - width;
  }

  get value(): KeltnerChannelsResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#middle.isReady && this.#atr.isReady;
  }

  reset(): void {
    this.#middle.reset();
    this.#atr.reset();
    this.#result.middle = Number.NaN;
    this.#result.upper = Number.NaN;
    this.#result.lower = Number.NaN;
  }
}

/**
 * Keltner Channels of candles given as columns; every column `NaN` until both the EMA and the ATR
 * are ready. Agrees exactly with {@link KeltnerChannels}. Writes into the columns of `out` when
 * given.
 *
 * @example
 * ```ts
 * const { upper, lower } = keltnerChannels(highs, lows, closes, { multiplier: 1.5 });
 * ```
 * @throws {ValidationError} for a bad option or columns of different lengths.
 */
export function keltnerChannels(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  options: KeltnerChannelsOptions = {},
  out?: KeltnerChannelsSeries,
): KeltnerChannelsSeries {
  const indicator = new KeltnerChannels(options);
  checkSameLength('KeltnerChannels', 'highs, lows and closes', highs, lows, closes);
  const result = outputColumns('KeltnerChannels', ['middle', 'upper', 'lower'], highs.length, out);
  const value = indicator.value;
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    indicator.add(candle);
    result.middle[i] = value.middle;
    result.upper[i] = value.upper;
    result.lower[i] = value.lower;
  }
  return result;
}
