import { WilderAverage } from './atr.js';
import { checkInteger, nanArray, type StreamingIndicator } from './indicator.js';

/**
 * Wilder's relative strength index, at TA-Lib's conventions: the average gain and average loss of
 * the changes between inputs are each seeded by the simple mean of the first `period` changes,
 * then smoothed as `(previous * (period - 1) + change) / period`; the RSI is
 * `100 * averageGain / (averageGain + averageLoss)` (equal to `100 - 100 / (1 + RS)`), not
 * rounded. The first input has no change, so the first value comes after `period + 1` inputs
 * (TA-Lib's lookback `period`). When the inputs have not moved at all (both averages exactly 0)
 * the RSI is 0, as TA-Lib (technicalindicators gives 100 there).
 *
 * @example
 * ```ts
 * const rsi = new RSI(14);
 * for (const candle of candles) rsi.update(candle.close);
 * if ((rsi.value ?? 50) < 30) console.log('oversold');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class RSI implements StreamingIndicator<number, number> {
  readonly period: number;
  readonly #gains: WilderAverage;
  readonly #losses: WilderAverage;
  #previous = 0;
  #hasPrevious = false;
  #value = Number.NaN;
  #isReady = false;

  constructor(period: number) {
    this.period = checkInteger('RSI', 'period', period);
    this.#gains = new WilderAverage(period);
    this.#losses = new WilderAverage(period);
  }

  update(input: number): number | undefined {
    const change = input - this.#previous;
    this.#previous = input;
    if (!this.#hasPrevious) {
      this.#hasPrevious = true;
      return undefined;
    }
    const gain = this.#gains.update(change > 0 ? change : 0);
    const loss = this.#losses.update(change < 0 ? -change : 0);
    if (gain === undefined || loss === undefined) return undefined;
    const total = gain + loss;
    this.#value = total === 0 ? 0 : 100 * (gain / total);
    this.#isReady = true;
    return this.#value;
  }

  get value(): number | undefined {
    return this.#isReady ? this.#value : undefined;
  }

  get isReady(): boolean {
    return this.#isReady;
  }

  reset(): void {
    this.#gains.reset();
    this.#losses.reset();
    this.#previous = 0;
    this.#hasPrevious = false;
    this.#value = Number.NaN;
    this.#isReady = false;
  }
}

/**
 * Wilder's RSI of a series; `NaN` for the first `period` entries. Agrees exactly with {@link RSI}.
 *
 * @example
 * ```ts
 * const values = rsi(closes, 14);
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export function rsi(values: ArrayLike<number>, period: number): Float64Array {
  const indicator = new RSI(period);
  const out = nanArray(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = indicator.update(values[i]!);
    if (value !== undefined) out[i] = value;
  }
  return out;
}
