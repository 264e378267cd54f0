import { checkInteger, outputArray, type StreamingIndicator } from './indicator.js';
import { SMA } from './sma.js';

/**
 * Relative volume: the current volume divided by the {@link SMA} of the previous `period`
 * volumes. The current volume is left out of the average, so a spike is measured against the
 * volume before it rather than diluting its own baseline. 1 is an ordinary candle, 3 three times
 * the recent average. First value after `period + 1` volumes; `Infinity` when the previous
 * volumes were all 0 (`NaN` when the current one is 0 too).
 *
 * @example
 * ```ts
 * const relativeVolume = new RelativeVolume(20);
 * const value = relativeVolume.update(candle.volume);
 * if (value > 3) console.log('volume spike');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1.
 */
export class RelativeVolume implements StreamingIndicator<number, number> {
  readonly period: number;
  readonly #average: SMA;
  /** The volume handed to the SMA (`addFrom`): no number argument to box. */
  readonly #scratch = new Float64Array(1);
  /** The input being added (see `add`). */
  #input = Number.NaN;
  /** Volumes seen, and the index of the last one > 0. */
  #count = 0;
  #lastVolumeAt = Number.NEGATIVE_INFINITY;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = checkInteger('RelativeVolume', 'period', period);
    this.#average = new SMA(period);
  }

  update(input: number): number {
    this.add(input);
    return this.#value;
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
    const average = this.#average;
    const wasReady = average.isReady;
    const previous = average.value;
    // The SMA's running sum may keep a rounding residue once its window holds only zeros.
    const hadVolume = this.#lastVolumeAt >= this.#count - this.period;
    if (input !== 0) this.#lastVolumeAt = this.#count;
    this.#count++;
    this.#scratch[0] = input;
    average.addFrom(this.#scratch, 0);
    if (!wasReady) return;
    this.#value = input / (hadVolume ? previous : 0);
  }

  get value(): number {
    return this.#value;
  }

  get isReady(): boolean {
    return this.#count > this.period;
  }

  reset(): void {
    this.#average.reset();
    this.#count = 0;
    this.#lastVolumeAt = Number.NEGATIVE_INFINITY;
    this.#value = Number.NaN;
  }
}

/**
 * Relative volume of a series of volumes; `NaN` for the first `period` entries. Agrees exactly
 * with {@link RelativeVolume}. Writes into `out` when given (same length as `volumes`).
 *
 * @example
 * ```ts
 * relativeVolume([10, 10, 30], 2); // Float64Array [NaN, NaN, 3]
 * ```
 * @throws {ValidationError} for a bad period.
 */
export function relativeVolume(
  volumes: ArrayLike<number>,
  period: number,
  out?: Float64Array,
): Float64Array {
  const indicator = new RelativeVolume(period);
  const result = outputArray('RelativeVolume', volumes.length, out);
  for (let i = 0; i < volumes.length; i++) {
    indicator.add(volumes[i]!);
    result[i] = indicator.value;
  }
  return result;
}
