import { ValidationError } from '@lumenlink/core';
import { EMA } from './ema.js';
import { checkInteger, fillWarmUp, outputColumns, type StreamingIndicator } from './indicator.js';

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

/** The mutable fields behind {@link MACDResult}: a class, as `ScratchCandle` says why. */
class MACDValue implements MACDResult {
  macd = Number.NaN;
  signal = Number.NaN;
  histogram = Number.NaN;
}

/**
 * Moving average convergence/divergence: the fast EMA minus the slow EMA, its signal EMA and the
 * histogram between them. Each EMA is seeded by the SMA of its own first period of its own input
 * (the fast and slow EMAs from the first close, the signal EMA from the first MACD value), as
 * technicalindicators with `SimpleMAOscillator` and `SimpleMASignal` false. TA-Lib instead seeds
 * the fast EMA later so both start on the same bar; the two agree once the seeds have decayed.
 * The MACD line exists from the `slow`-th input, but a value is returned only with all three
 * fields, after `slow + signal - 1` inputs (TA-Lib's lookback `slow + signal - 2`).
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * its fields are `NaN` while warming up.
 *
 * @example
 * ```ts
 * const macd = new MACD({ fast: 12, slow: 26, signal: 9 });
 * const value = macd.update(close);
 * if (value.histogram > 0) console.log('MACD above its signal'); // false while NaN
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
  readonly #result = new MACDValue();
  /** Values handed to the parts (`addFrom`/`pushFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  /** The input being added (see `add`). */
  #input = Number.NaN;

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

  update(input: number): MACDResult {
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
    const fastAverage = this.#fastAverage;
    const slowAverage = this.#slowAverage;
    const scratch = this.#scratch;
    scratch[0] = input;
    fastAverage.addFrom(scratch, 0);
    slowAverage.addFrom(scratch, 0);
    // The slow EMA is ready last (fast < slow). Fields, not returned doubles: nothing is boxed.
    if (!slowAverage.isReady) return;
    const macd = fastAverage.value - slowAverage.value;
    const signalAverage = this.#signalAverage;
    scratch[0] = macd;
    signalAverage.addFrom(scratch, 0);
    if (!signalAverage.isReady) return;
    const signal = signalAverage.value;
    const result = this.#result;
    result.macd = macd;
    result.signal = signal;
    result.histogram = macd - signal;
  }

  get value(): MACDResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#signalAverage.isReady;
  }

  reset(): void {
    this.#fastAverage.reset();
    this.#slowAverage.reset();
    this.#signalAverage.reset();
    this.#result.macd = Number.NaN;
    this.#result.signal = Number.NaN;
    this.#result.histogram = Number.NaN;
  }
}

/**
 * MACD of a series; every column `NaN` for the first `slow + signal - 2` entries. Agrees exactly
 * with {@link MACD}. Writes into the columns of `out` when given (each as long as `values`).
 *
 * @example
 * ```ts
 * const { macd: line, signal, histogram } = macd(closes, { fast: 12, slow: 26, signal: 9 });
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1, `fast` not below `slow`, or
 * an `out` column of another length.
 */
export function macd(
  values: ArrayLike<number>,
  options: MACDOptions = {},
  out?: MACDSeries,
): MACDSeries {
  const { fast, slow, signal } = new MACD(options);
  const n = values.length;
  const result = outputColumns('MACD', ['macd', 'signal', 'histogram'], n, out);
  const { macd: lines, signal: signals, histogram } = result;
  const warmUp = slow + signal - 2;
  fillWarmUp(lines, warmUp);
  fillWarmUp(signals, warmUp);
  fillWarmUp(histogram, warmUp);
  if (n < slow) return result;
  // The same arithmetic, in the same order, as the three EMAs of the streaming class.
  const fastK = 2 / (fast + 1);
  const slowK = 2 / (slow + 1);
  const signalK = 2 / (signal + 1);
  let fastSum = 0;
  for (let i = 0; i < fast; i++) fastSum += values[i]!;
  let fastValue = fastSum / fast;
  for (let i = fast; i < slow; i++) fastValue += fastK * (values[i]! - fastValue);
  let slowSum = 0;
  for (let i = 0; i < slow; i++) slowSum += values[i]!;
  let slowValue = slowSum / slow;
  let signalSum = 0;
  let signalValue = Number.NaN;
  let count = 0;
  for (let i = slow - 1; i < n; i++) {
    if (i >= slow) {
      const value = values[i]!;
      fastValue += fastK * (value - fastValue);
      slowValue += slowK * (value - slowValue);
    }
    const line = fastValue - slowValue;
    if (count < signal) {
      signalSum += line;
      if (++count < signal) continue;
      signalValue = signalSum / signal;
    } else {
      signalValue += signalK * (line - signalValue);
    }
    lines[i] = line;
    signals[i] = signalValue;
    histogram[i] = line - signalValue;
  }
  return result;
}
