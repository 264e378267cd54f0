import { checkInteger, nanArray, type StreamingIndicator } from './indicator.js';
import { RollingExtreme } from './rolling-extremes.js';
import { RSI } from './rsi.js';
import { SMA } from './sma.js';

/** Options of {@link StochasticRSI}. */
export interface StochasticRSIOptions {
  /** Period of the {@link RSI} (default 14). */
  readonly rsiPeriod?: number;
  /** RSI values whose highest and lowest bound the raw stochastic RSI (default 14). */
  readonly stochasticPeriod?: number;
  /** Period of the SMA of the raw stochastic RSI that makes %K (default 3). */
  readonly kPeriod?: number;
  /** Period of the SMA of %K that makes %D (default 3). */
  readonly dPeriod?: number;
}

/** One value of {@link StochasticRSI}. */
export interface StochasticRSIResult {
  /** %K: the SMA over `kPeriod` of the raw stochastic RSI, 0 to 100. */
  readonly k: number;
  /** %D: the SMA of %K over `dPeriod`. */
  readonly d: number;
}

/** {@link stochasticRSI}'s output: one column per field of {@link StochasticRSIResult}. */
export type StochasticRSISeries = { readonly [K in keyof StochasticRSIResult]: Float64Array };

/**
 * Stochastic RSI (Chande and Kroll), smoothed as technicalindicators and most charting tools do:
 * the raw value is `100 * (rsi - lowest rsi) / (highest rsi - lowest rsi)` over the last
 * `stochasticPeriod` values of Wilder's {@link RSI} (0 when they are all equal), %K is its SMA
 * over `kPeriod` and %D the SMA of %K over `dPeriod`. (TA-Lib's STOCHRSI returns the raw value as
 * its %K: that is `kPeriod` 1 here.) The RSI is not rounded, unlike technicalindicators', which
 * rounds it to two decimals first. First value after
 * `rsiPeriod + stochasticPeriod + kPeriod + dPeriod - 2` inputs.
 *
 * `update` returns one result object, reused and overwritten by the next update: copy it to keep it.
 *
 * @example
 * ```ts
 * const indicator = new StochasticRSI({ rsiPeriod: 14, stochasticPeriod: 14 });
 * const value = indicator.update(close);
 * if (value && value.k < 20 && value.k > value.d) console.log('oversold and turning up');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class StochasticRSI implements StreamingIndicator<number, StochasticRSIResult> {
  readonly rsiPeriod: number;
  readonly stochasticPeriod: number;
  readonly kPeriod: number;
  readonly dPeriod: number;
  readonly #rsi: RSI;
  readonly #highest: RollingExtreme;
  readonly #lowest: RollingExtreme;
  readonly #kAverage: SMA;
  readonly #dAverage: SMA;
  readonly #result = { k: Number.NaN, d: Number.NaN };
  #isReady = false;

  constructor(options: StochasticRSIOptions = {}) {
    this.rsiPeriod = checkInteger('StochasticRSI', 'rsiPeriod', options.rsiPeriod ?? 14);
    this.stochasticPeriod = checkInteger(
      'StochasticRSI',
      'stochasticPeriod',
      options.stochasticPeriod ?? 14,
    );
    this.kPeriod = checkInteger('StochasticRSI', 'kPeriod', options.kPeriod ?? 3);
    this.dPeriod = checkInteger('StochasticRSI', 'dPeriod', options.dPeriod ?? 3);
    this.#rsi = new RSI(this.rsiPeriod);
    this.#highest = new RollingExtreme(this.stochasticPeriod, 'max');
    this.#lowest = new RollingExtreme(this.stochasticPeriod, 'min');
    this.#kAverage = new SMA(this.kPeriod);
    this.#dAverage = new SMA(this.dPeriod);
  }

  update(input: number): StochasticRSIResult | undefined {
    const rsi = this.#rsi.update(input);
    if (rsi === undefined) return undefined;
    const highest = this.#highest.push(rsi);
    const lowest = this.#lowest.push(rsi);
    if (this.#highest.count < this.stochasticPeriod) return undefined;
    const range = highest - lowest;
    const k = this.#kAverage.update(range === 0 ? 0 : ((rsi - lowest) / range) * 100);
    if (k === undefined) return undefined;
    const d = this.#dAverage.update(k);
    if (d === undefined) return undefined;
    this.#result.k = k;
    this.#result.d = d;
    this.#isReady = true;
    return this.#result;
  }

  get value(): StochasticRSIResult | undefined {
    return this.#isReady ? this.#result : undefined;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#rsi.reset();
    this.#highest.clear();
    this.#lowest.clear();
    this.#kAverage.reset();
    this.#dAverage.reset();
    this.#isReady = false;
  }
}

/**
 * Stochastic RSI of a series; both columns `NaN` for the first
 * `rsiPeriod + stochasticPeriod + kPeriod + dPeriod - 3` entries. Agrees exactly with
 * {@link StochasticRSI}.
 *
 * @example
 * ```ts
 * const { k, d } = stochasticRSI(closes, { rsiPeriod: 14, stochasticPeriod: 14 });
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export function stochasticRSI(
  values: ArrayLike<number>,
  options: StochasticRSIOptions = {},
): StochasticRSISeries {
  const indicator = new StochasticRSI(options);
  const out = { k: nanArray(values.length), d: nanArray(values.length) };
  for (let i = 0; i < values.length; i++) {
    const value = indicator.update(values[i]!);
    if (value === undefined) continue;
    out.k[i] = value.k;
    out.d[i] = value.d;
  }
  return out;
}
