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
   * Adds a value; `value` is then the extreme of the last `period` values pushed (fewer while
   * filling). Returns nothing: a double returned from a call V8 does not inline is boxed.
   */
  push(value: number): void {
    // Parked in a field: a double argument to a call V8 does not inline would be boxed.
    this.#input = value;
    this.#push();
  }

  #push(): void {
    const value = this.#input;
    const capacity = this.period + 1;
    const index = this.#count++;
    // Drop from the back every value the new one dominates.
    while (this.#tail !== this.#head) {
      const back = (this.#tail - 1 + capacity) % capacity;
      const candidate = this.#values[back]!;
      if (this.#isMax ? candidate > value : candidate < value) break;
      this.#tail = back;
    }
    this.#values[this.#tail] = value;
    this.#indices[this.#tail] = index;
    this.#tail = (this.#tail + 1) % capacity;
    // Drop from the front what left the window.
    if (this.#indices[this.#head]! <= index - this.period) this.#head = (this.#head + 1) % capacity;
    this.value = this.#values[this.#head]!;
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
