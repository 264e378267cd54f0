import {
  checkInteger,
  checkSameLength,
  outputColumns,
  ScratchCandle,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { SMA } from './sma.js';
import { FastK } from './stochastic.js';

/** Options of {@link SlowStochastic}. */
export interface SlowStochasticOptions {
  /** Candles whose highest high and lowest low bound the fast %K (default 14). */
  readonly period?: number;
  /** Period of the SMA of the fast %K that makes the slow %K: the %K slowing (default 3). */
  readonly slowing?: number;
  /** Period of the SMA of the slow %K that makes %D (default 3). */
  readonly signal?: number;
}

/** One value of {@link SlowStochastic}. */
export interface SlowStochasticResult {
  /** The slow %K: the SMA over `slowing` candles of the fast %K, 0 to 100. */
  readonly k: number;
  /** %D: the SMA of the slow %K over `signal` candles. */
  readonly d: number;
}

/** {@link slowStochastic}'s output: one column per field of {@link SlowStochasticResult}. */
export type SlowStochasticSeries = { readonly [K in keyof SlowStochasticResult]: Float64Array };

/** The mutable fields behind {@link SlowStochasticResult}: a class, as `ScratchCandle` says why. */
class SlowStochasticValue implements SlowStochasticResult {
  k = Number.NaN;
  d = Number.NaN;
}

/**
 * The slow stochastic oscillator (TA-Lib's STOCH with SMA smoothing, as tulipindicators'
 * `stoch`): the fast %K of {@link Stochastic},
 * `100 * (close - lowest low) / (highest high - lowest low)` over `period` candles (0 for an empty
 * range), slowed by an SMA over `slowing` candles into the slow %K, and %D the SMA of the slow %K
 * over `signal` candles. First value after `period + slowing + signal - 2` candles (TA-Lib's
 * lookback `period + slowing + signal - 3`); fields `NaN` before.
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * its fields are `NaN` while warming up.
 *
 * @example
 * ```ts
 * const stochastic = new SlowStochastic({ period: 14, slowing: 3, signal: 3 });
 * const { k, d } = stochastic.update(candle);
 * if (k < 20 && k > d) console.log('oversold and turning up');
 * ```
 * @throws {ValidationError} for a period, slowing or signal that is not an integer >= 1.
 */
export class SlowStochastic implements StreamingIndicator<RangeInput, SlowStochasticResult> {
  readonly period: number;
  readonly slowing: number;
  readonly signal: number;
  readonly #fastK: FastK;
  readonly #slowK: SMA;
  readonly #d: SMA;
  readonly #result = new SlowStochasticValue();
  /** Values handed to the SMAs (`addFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);

  constructor(options: SlowStochasticOptions = {}) {
    this.period = checkInteger('SlowStochastic', 'period', options.period ?? 14);
    this.slowing = checkInteger('SlowStochastic', 'slowing', options.slowing ?? 3);
    this.signal = checkInteger('SlowStochastic', 'signal', options.signal ?? 3);
    this.#fastK = new FastK(this.period);
    this.#slowK = new SMA(this.slowing);
    this.#d = new SMA(this.signal);
  }

  update(input: RangeInput): SlowStochasticResult {
    this.add(input);
    return this.#result;
  }

  add(input: RangeInput): void {
    const fastK = this.#fastK;
    fastK.add(input);
    if (!fastK.isReady) return;
    const slowK = this.#slowK;
    const scratch = this.#scratch;
    scratch[0] = fastK.value;
    slowK.addFrom(scratch, 0);
    if (!slowK.isReady) return;
    const d = this.#d;
    scratch[0] = slowK.value;
    d.addFrom(scratch, 0);
    if (!d.isReady) return;
    this.#result.k = slowK.value;
    this.#result.d = d.value;
  }

  get value(): SlowStochasticResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#d.isReady;
  }

  reset(): void {
    this.#fastK.clear();
    this.#slowK.reset();
    this.#d.reset();
    this.#result.k = Number.NaN;
    this.#result.d = Number.NaN;
  }
}

/**
 * Slow stochastic of candles given as columns; both columns `NaN` for the first
 * `period + slowing + signal - 3` entries. Agrees exactly with {@link SlowStochastic}. Writes into
 * the columns of `out` when given.
 *
 * @example
 * ```ts
 * const { k, d } = slowStochastic(highs, lows, closes, { period: 14, slowing: 3, signal: 3 });
 * ```
 * @throws {ValidationError} for a bad option, or columns of different lengths.
 */
export function slowStochastic(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  options: SlowStochasticOptions = {},
  out?: SlowStochasticSeries,
): SlowStochasticSeries {
  const indicator = new SlowStochastic(options);
  checkSameLength('SlowStochastic', 'highs, lows and closes', highs, lows, closes);
  const result = outputColumns('SlowStochastic', ['k', 'd'], highs.length, out);
  const value = indicator.value;
  const candle = new ScratchCandle();
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    indicator.add(candle);
    result.k[i] = value.k;
    result.d[i] = value.d;
  }
  return result;
}
