import { ValidationError } from '@lumenlink/core';
import { EMA } from './ema.js';
import { checkInteger, nanArray, type StreamingIndicator } from './indicator.js';

/** Options of {@link MACD}. */
export interface MACDOptions {
  /** Period of the fast EMA (default 12). */
  readonly fast?: number;
  /** Period of the slow EMA, greater than `fast` (default 26). */
  readonly slow?: number;
  /** Period of the signal EMA of the MACD line (default 9). */
  readonly signal?: number;
}

/** One value of {@link MACD}. */
export interface MACDResult {
  /** The MACD line: fast EMA minus slow EMA. */
  readonly macd: number;
  /** The signal line: the EMA of the MACD line. */
  readonly signal: number;
  /** `macd - signal`. */
  readonly histogram: number;
}

/** {@link macd}'s output: one column per field of {@link MACDResult}. */
export type MACDSeries = { readonly [K in keyof MACDResult]: Float64Array };

/**
 * Moving average convergence/divergence: the fast EMA minus the slow EMA, its signal EMA and the
 * histogram between them. Each EMA is seeded by the SMA of its own first period of its own input
 * (the fast and slow EMAs from the first close, the signal EMA from the first MACD value), as
 * technicalindicators with `SimpleMAOscillator` and `SimpleMASignal` false. TA-Lib instead seeds
 * the fast EMA later so both start on the same bar; the two agree once the seeds have decayed.
 * The MACD line exists from the `slow`-th input, but a value is returned only with all three
 * fields, after `slow + signal - 1` inputs (TA-Lib's lookback `slow + signal - 2`).
 *
 * `update` returns one result object, reused and overwritten by the next update: copy it to keep it.
 *
 * @example
 * ```ts
 * const macd = new MACD({ fast: 12, slow: 26, signal: 9 });
 * const value = macd.update(close);
 * if (value && value.histogram > 0) console.log('MACD above its signal');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1, or `fast` not below `slow`.
 */
export class MACD implements StreamingIndicator<number, MACDResult> {
  readonly fast: number;
  readonly slow: number;
  readonly signal: number;
  readonly #fastAverage: EMA;
  readonly #slowAverage: EMA;
  readonly #signalAverage: EMA;
  readonly #result = { macd: Number.NaN, signal: Number.NaN, histogram: Number.NaN };
  #isReady = false;

  constructor(options: MACDOptions = {}) {
    this.fast = checkInteger('MACD', 'fast', options.fast ?? 12);
    this.slow = checkInteger('MACD', 'slow', options.slow ?? 26);
    this.signal = checkInteger('MACD', 'signal', options.signal ?? 9);
    if (this.fast >= this.slow) {
      throw new ValidationError(
        `MACD fast must be less than slow, got fast ${String(this.fast)} and slow ${String(this.slow)}`,
      );
    }
    this.#fastAverage = new EMA(this.fast);
    this.#slowAverage = new EMA(this.slow);
    this.#signalAverage = new EMA(this.signal);
  }

  update(input: number): MACDResult | undefined {
    const fast = this.#fastAverage.update(input);
    const slow = this.#slowAverage.update(input);
    if (fast === undefined || slow === undefined) return undefined;
    const macd = fast - slow;
    const signal = this.#signalAverage.update(macd);
    if (signal === undefined) return undefined;
    const result = this.#result;
    result.macd = macd;
    result.signal = signal;
    result.histogram = macd - signal;
    this.#isReady = true;
    return result;
  }

  get value(): MACDResult | undefined {
    return this.#isReady ? this.#result : undefined;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#fastAverage.reset();
    this.#slowAverage.reset();
    this.#signalAverage.reset();
    this.#isReady = false;
  }
}

/**
 * MACD of a series; every column `NaN` for the first `slow + signal - 2` entries. Agrees exactly
 * with {@link MACD}.
 *
 * @example
 * ```ts
 * const { macd: line, signal, histogram } = macd(closes, { fast: 12, slow: 26, signal: 9 });
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1, or `fast` not below `slow`.
 */
export function macd(values: ArrayLike<number>, options: MACDOptions = {}): MACDSeries {
  const indicator = new MACD(options);
  const out = {
    macd: nanArray(values.length),
    signal: nanArray(values.length),
    histogram: nanArray(values.length),
  };
  for (let i = 0; i < values.length; i++) {
    const value = indicator.update(values[i]!);
    if (value === undefined) continue;
    out.macd[i] = value.macd;
    out.signal[i] = value.signal;
    out.histogram[i] = value.histogram;
  }
  return out;
}
