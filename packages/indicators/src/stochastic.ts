import {
  checkSameLength,
  checkInteger,
  nanArray,
  type RangeInput,
  type StreamingIndicator,
} from './indicator.js';
import { RollingExtreme } from './rolling-extremes.js';
import { SMA } from './sma.js';

/** Options of {@link Stochastic}. */
export interface StochasticOptions {
  /** Candles whose highest high and lowest low bound %K (default 14). */
  readonly period?: number;
  /** Period of the SMA of %K that makes %D (default 3). */
  readonly signal?: number;
}

/** One value of {@link Stochastic}. */
export interface StochasticResult {
  /** %K: where the close sits in the period's range, 0 (lowest low) to 100 (highest high). */
  readonly k: number;
  /** %D: the SMA of %K over `signal` candles. */
  readonly d: number;
}

/** {@link stochastic}'s output: one column per field of {@link StochasticResult}. */
export type StochasticSeries = { readonly [K in keyof StochasticResult]: Float64Array };

/**
 * The fast stochastic oscillator (TA-Lib's STOCHF, technicalindicators' Stochastic):
 * `%K = 100 * (close - lowest low) / (highest high - lowest low)` over the last `period` candles
 * and `%D` the SMA of %K over `signal` candles. %K is 0 when the range is empty (high = low over
 * the whole period), as both references. A value is returned only with both fields, after
 * `period + signal - 1` candles (TA-Lib's lookback `period + signal - 2`). O(1) amortised per
 * update: the extremes come from monotonic deques.
 *
 * `update` returns one result object, reused and overwritten by the next update: copy it to keep it.
 *
 * @example
 * ```ts
 * const stochastic = new Stochastic({ period: 14, signal: 3 });
 * const value = stochastic.update(candle);
 * if (value && value.k > 80 && value.k < value.d) console.log('overbought and turning down');
 * ```
 * @throws {ValidationError} for a period or signal that is not an integer >= 1.
 */
export class Stochastic implements StreamingIndicator<RangeInput, StochasticResult> {
  readonly period: number;
  readonly signal: number;
  readonly #highest: RollingExtreme;
  readonly #lowest: RollingExtreme;
  readonly #average: SMA;
  readonly #result = { k: Number.NaN, d: Number.NaN };
  #isReady = false;

  constructor(options: StochasticOptions = {}) {
    this.period = checkInteger('Stochastic', 'period', options.period ?? 14);
    this.signal = checkInteger('Stochastic', 'signal', options.signal ?? 3);
    this.#highest = new RollingExtreme(this.period, 'max');
    this.#lowest = new RollingExtreme(this.period, 'min');
    this.#average = new SMA(this.signal);
  }

  update(input: RangeInput): StochasticResult | undefined {
    const highest = this.#highest.push(input.high);
    const lowest = this.#lowest.push(input.low);
    if (this.#highest.count < this.period) return undefined;
    const range = highest - lowest;
    const k = range === 0 ? 0 : ((input.close - lowest) / range) * 100;
    const d = this.#average.update(k);
    if (d === undefined) return undefined;
    this.#result.k = k;
    this.#result.d = d;
    this.#isReady = true;
    return this.#result;
  }

  get value(): StochasticResult | undefined {
    return this.#isReady ? this.#result : undefined;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#highest.clear();
    this.#lowest.clear();
    this.#average.reset();
    this.#isReady = false;
  }
}

/**
 * Fast stochastic of candles given as columns; both columns `NaN` for the first
 * `period + signal - 2` entries. Agrees exactly with {@link Stochastic}.
 *
 * @example
 * ```ts
 * const { k, d } = stochastic(highs, lows, closes, { period: 14, signal: 3 });
 * ```
 * @throws {ValidationError} for a bad period or signal, or columns of different lengths.
 */
export function stochastic(
  highs: ArrayLike<number>,
  lows: ArrayLike<number>,
  closes: ArrayLike<number>,
  options: StochasticOptions = {},
): StochasticSeries {
  const indicator = new Stochastic(options);
  checkSameLength('Stochastic', 'highs, lows and closes', highs, lows, closes);
  const out = { k: nanArray(highs.length), d: nanArray(highs.length) };
  const candle = { high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < highs.length; i++) {
    candle.high = highs[i]!;
    candle.low = lows[i]!;
    candle.close = closes[i]!;
    const value = indicator.update(candle);
    if (value === undefined) continue;
    out.k[i] = value.k;
    out.d[i] = value.d;
  }
  return out;
}
