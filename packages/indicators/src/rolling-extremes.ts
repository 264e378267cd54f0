/**
 * Rolling maximum or minimum over the last `period` values, in amortised O(1) per push with no
 * allocation: a monotonic deque of indices kept in preallocated typed arrays. Internal.
 */
export class RollingExtreme {
  readonly period: number;
  readonly #isMax: boolean;
  readonly #values: Float64Array;
  readonly #indices: Float64Array;
  #head = 0;
  #tail = 0;
  #count = 0;
  #input = Number.NaN;
  /** The current extreme (`NaN` when empty): a field, so reading it is no call. */
  value = Number.NaN;

  constructor(period: number, kind: 'max' | 'min') {
    this.period = period;
    this.#isMax = kind === 'max';
    this.#values = new Float64Array(period + 1);
    this.#indices = new Float64Array(period + 1);
  }

  /**
   * Adds `column[index]`; `value` is then the extreme of the last `period` values pushed (fewer
   * while filling). The value comes in a column, not as an argument: a number passed to a call
   * V8 does not inline is boxed, and nothing is returned for the same reason.
   */
  pushFrom(column: Float64Array, index: number): void {
    this.#input = column[index]!;
    this.#push();
  }

  #push(): void {
    const value = this.#input;
    const values = this.#values;
    const last = this.period; // the last slot of the ring of period + 1
    const index = this.#count++;
    const head = this.#head;
    let tail = this.#tail;
    // Drop from the back every value the new one dominates (wrapping without a division).
    if (this.#isMax) {
      while (tail !== head) {
        const back = tail === 0 ? last : tail - 1;
        if (values[back]! > value) break;
        tail = back;
      }
    } else {
      while (tail !== head) {
        const back = tail === 0 ? last : tail - 1;
        if (values[back]! < value) break;
        tail = back;
      }
    }
    values[tail] = value;
    this.#indices[tail] = index;
    this.#tail = tail === last ? 0 : tail + 1;
    // Drop from the front what left the window.
    if (this.#indices[head]! <= index - this.period) this.#head = head === last ? 0 : head + 1;
    this.value = values[this.#head]!;
  }

  /** Values pushed since the last clear. */
  get count(): number {
    return this.#count;
  }

  clear(): void {
    this.#head = 0;
    this.#tail = 0;
    this.#count = 0;
    this.value = Number.NaN;
  }
}
