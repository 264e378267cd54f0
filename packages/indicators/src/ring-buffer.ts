/**
 * A fixed-capacity FIFO of numbers on a `Float64Array`: `push` overwrites the oldest value once
 * full, with no allocation. `push` returns nothing (a double returned from a call V8 does not
 * inline is boxed): the value it evicted is in `evicted`. Internal to the package.
 */
export class RingBuffer {
  readonly capacity: number;
  readonly #values: Float64Array;
  #start = 0;
  #size = 0;
  #input = Number.NaN;
  /** The value the last `push` evicted, or `NaN` when it evicted nothing. */
  evicted = Number.NaN;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#values = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  get isFull(): boolean {
    return this.#size === this.capacity;
  }

  /**
   * Appends `column[index]`, evicting the oldest once full (see `evicted`). The value comes in a
   * column, not as an argument: a number passed to a call V8 does not inline is boxed.
   */
  pushFrom(column: Float64Array, index: number): void {
    this.#input = column[index]!;
    this.#push();
  }

  #push(): void {
    const value = this.#input;
    if (this.#size < this.capacity) {
      // While filling, #start is 0 (clear() resets it), so the next slot is #size.
      this.#values[this.#size++] = value;
      this.evicted = Number.NaN;
      return;
    }
    const start = this.#start;
    this.evicted = this.#values[start]!;
    this.#values[start] = value;
    this.#start = start + 1 === this.capacity ? 0 : start + 1;
  }

  /** The value `index` places from the oldest (0 = oldest). */
  at(index: number): number {
    const slot = this.#start + index;
    return this.#values[slot < this.capacity ? slot : slot - this.capacity]!;
  }

  clear(): void {
    this.#start = 0;
    this.#size = 0;
    this.evicted = Number.NaN;
  }
}
