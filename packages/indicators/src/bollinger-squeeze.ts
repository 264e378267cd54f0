import { BollingerBands, type BollingerBandsOptions } from './bollinger-bands.js';
import {
  checkSameLength,
  outputColumns,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { KeltnerChannels, type KeltnerChannelsOptions } from './keltner-channels.js';

/** Options of {@link BollingerSqueeze}: those of its two parts. */
export interface BollingerSqueezeOptions {
  /** The Bollinger Bands of closes (default period 20, stdDev 2). */
  readonly bollinger?: BollingerBandsOptions;
  /** The Keltner Channels (default period 20, atrPeriod 20, multiplier 1.5). */
  readonly keltner?: KeltnerChannelsOptions;
}

/** One value of {@link BollingerSqueeze}. */
export interface BollingerSqueezeResult {
  /** Whether both Bollinger Bands lie strictly inside the Keltner Channels. */
  readonly squeezeOn: boolean;
  /** The Bollinger bandwidth `(upper - lower) / middle`: how tight the squeeze is. */
  readonly bandwidth: number;
}

/**
 * {@link bollingerSqueeze}' output: `squeezeOn` is 1 (on) or 0 (off), `NaN` while warming up.
 */
export interface BollingerSqueezeSeries {
  readonly squeezeOn: Float64Array;
  readonly bandwidth: Float64Array;
}

/** John Carter's TTM Squeeze settings: BB(20, 2) inside KC(20, 1.5 ATR(20)). */
const defaultKeltner = { period: 20, atrPeriod: 20, multiplier: 1.5 } as const;

/** The fields behind {@link BollingerSqueezeResult}: a class (see `ScratchCandle`). */
class BollingerSqueezeValue implements BollingerSqueezeResult {
  squeezeOn = false;
  bandwidth = Number.NaN;
}

/**
 * The Bollinger squeeze (John Carter's TTM Squeeze): volatility has contracted when the
 * {@link BollingerBands} of closes fit inside the {@link KeltnerChannels}: `squeezeOn` when
 * `bollinger.upper < keltner.upper` and `bollinger.lower > keltner.lower`; a squeeze turning off
 * often precedes a move. Defaults are Carter's: BB(20, 2) and KC(20 EMA, 1.5 ATR(20)). First
 * value once both parts are ready.
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * while warming up `squeezeOn` is false and `bandwidth` is `NaN`.
 *
 * @example
 * ```ts
 * const squeeze = new BollingerSqueeze();
 * let wasOn = false;
 * for (const candle of candles) {
 *   const { squeezeOn } = squeeze.update(candle);
 *   if (wasOn && !squeezeOn) console.log('squeeze fired');
 *   wasOn = squeezeOn;
 * }
 * ```
 * @throws {ValidationError} for a bad option of either part.
 */
export class BollingerSqueeze implements StreamingIndicator<RangeInput, BollingerSqueezeResult> {
  readonly #bollinger: BollingerBands;
  readonly #keltner: KeltnerChannels;
  readonly #result = new BollingerSqueezeValue();
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);

  constructor(options: BollingerSqueezeOptions = {}) {
    this.#bollinger = new BollingerBands(options.bollinger);
    this.#keltner = new KeltnerChannels({ ...defaultKeltner, ...options.keltner });
  }

  update(input: RangeInput): BollingerSqueezeResult {
    this.add(input);
    return this.#result;
  }

  add(input: RangeInput): void {
    const bands = this.#bollinger;
    const channels = this.#keltner;
    const scratch = this.#scratch;
    scratch[0] = input.close;
    bands.addFrom(scratch, 0);
    channels.add(input);
    if (!bands.isReady || !channels.isReady) return;
    const bollinger = bands.value;
    const keltner = channels.value;
    this.#result.squeezeOn = bollinger.upper < keltner.upper && bollinger.lower > keltner.lower;
    this.#result.bandwidth = bollinger.bandwidth;
  }

  get value(): BollingerSqueezeResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#bollinger.isReady && this.#keltner.isReady;
  }

  reset(): void {
    this.#bollinger.reset();
    this.#keltner.reset();
    this.#result.squeezeOn = false;
    this.#result.bandwidth = Number.NaN;
  }
}

/**
 * The Bollinger squeeze of candles given as columns: `squeezeOn` 1 or 0, both columns `NaN` until
 * both parts are ready. Agrees exactly with {@link BollingerSqueeze}. Writes into the columns of
 * `out` when given.
 *
 * @example
 * ```ts
 * const { squeezeOn } = bollingerSqueeze(highs, lows, closes);
 * ```
 * @throws {ValidationError} for a bad option or columns of different lengths.
 */
export function bollingerSqueeze(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  options: BollingerSqueezeOptions = {},
  out?: BollingerSqueezeSeries,
): BollingerSqueezeSeries {
  const indicator = new BollingerSqueeze(options);
  checkSameLength('BollingerSqueeze', 'highs, lows and closes', highs, lows, closes);
  const result = outputColumns('BollingerSqueeze', ['squeezeOn', 'bandwidth'], highs.length, out);
  const value = indicator.value;
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    indicator.add(candle);
    result.squeezeOn[i] = indicator.isReady ? (value.squeezeOn ? 1 : 0) : Number.NaN;
    result.bandwidth[i] = value.bandwidth;
  }
  return result;
}
