import { checkInteger, outputColumns, type StreamingIndicator } from './indicator.js';
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

/** The mutable fields behind {@link StochasticRSIResult}: a class, as `ScratchCandle` says why. */
class StochasticRSIValue implements StochasticRSIResult {
  k = Number.NaN;
  d = Number.NaN;
}

/**
 * Stochastic RSI (Chande and Kroll), smoothed as technicalindicators and most charting tools do:
 * the raw value is `100 * (rsi - lowest rsi) / (highest rsi - lowest rsi)` over the last
 * `stochasticPeriod` values of Wilder's {@link RSI} (0 when they are all equal), %K is its SMA
 * over `kPeriod` and %D the SMA of %K over `dPeriod`. (TA-Lib's STOCHRSI returns the raw value as
 * its %K: that is `kPeriod` 1 here.) The RSI is not rounded, unlike technicalindicators', which
 * rounds it to two decimals first. First value after
 * `rsiPeriod + stochasticPeriod + kPeriod + dPeriod - 2` inputs.
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * its fields are `NaN` while warming up.
 *
 * @example
 * ```ts
 * const indicator = new StochasticRSI({ rsiPeriod: 14, stochasticPeriod: 14 });
 * const value = indicator.update(close);
 * if (value.k < 20 && value.k > value.d) console.log('oversold and turning up');
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
  readonly #result = new StochasticRSIValue();
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  /** The input being added (see `add`). */
  #input = Number.NaN;

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

  update(input: number): StochasticRSIResult {
    this.add(input);
    return this.#result;
  }

  add(input: number): void {
    // A double passed to a call V8 does not inline is boxed: park it in a field (stored in place)
    // and step with no argument.
    this.#input = input;
    this.#step();
  }

  /**
   * Adds `column[index]`, as {@link add} does `input`, and never allocates: a number argument to
   * a call that V8 does not inline is boxed (16 bytes), an array and an index are not.
   */
  addFrom(column: Float64Array, index: number): void {
    this.#input = column[index]!;
    this.#step();
  }

  #step(): void {
    const input = this.#input;
    const rsi = this.#rsi;
    const scratch = this.#scratch;
    scratch[0] = input;
    rsi.addFrom(scratch, 0);
    if (!rsi.isReady) return;
    const value = rsi.value;
    const highest = this.#highest;
    const lowest = this.#lowest;
    scratch[0] = value;
    highest.pushFrom(scratch, 0);
    lowest.pushFrom(scratch, 0);
    if (highest.count < this.stochasticPeriod) return;
    const kAverage = this.#kAverage;
    // The raw value inline, not a helper: a double returned from a call V8 does not inline is boxed.
    const low = lowest.value;
    const range = highest.value - low;
    scratch[0] = range === 0 ? 0 : ((value - low) / range) * 100;
    kAverage.addFrom(scratch, 0);
    if (!kAverage.isReady) return;
    const dAverage = this.#dAverage;
    scratch[0] = kAverage.value;
    dAverage.addFrom(scratch, 0);
    if (!dAverage.isReady) return;
    this.#result.k = kAverage.value;
    this.#result.d = dAverage.value;
  }

  get value(): StochasticRSIResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#dAverage.isReady;
  }

  reset(): void {
    this.#rsi.reset();
    this.#highest.clear();
    this.#lowest.clear();
    this.#kAverage.reset();
    this.#dAverage.reset();
    this.#result.k = Number.NaN;
    this.#result.d = Number.NaN;
  }
}

/**
 * Stochastic RSI of a series; both columns `NaN` for the first
 * `rsiPeriod + stochasticPeriod + kPeriod + dPeriod - 3` entries. Agrees exactly with
 * {@link StochasticRSI}. Writes into the columns of `out` when given.
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
  out?: StochasticRSISeries,
): StochasticRSISeries {
  const indicator = new StochasticRSI(options);
  const result = outputColumns('StochasticRSI', ['k', 'd'], values.length, out);
  const value = indicator.value;
  for (let i = 0; i < values.length; i++) {
    indicator.add(values[i]!);
    result.k[i] = value.k;
    result.d[i] = value.d;
  }
  return result;
}
