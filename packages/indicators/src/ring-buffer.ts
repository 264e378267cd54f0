/**
 * A fixed-capacity FIFO of numbers on a `Float64Array`: `push` overwrites the oldest value once
 * full and returns it, with no allocation. Internal to the package.
 */
export class RingBuffer {
  readonly capacity: number;
  #values: Float64Array;
  #start = 0;
  #size = 0;

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

  /** Appends `value`; returns the value it evicted, or `NaN` when nothing was evicted. */
  push(value: number): number {
    if (this.#size < this.capacity) {
      // While filling, #start is 0 (clear() resets it), so the next slot is #size.
      this.#values[this.#size++] = value;
      return Number.NaN;
    }
    const evicted = this.#values[this.#start]!;
    this.#values[this.#start] = value;
    if (++this.#start === this.capacity) this.#start = 0;
    return evicted;
  }

  /** The value `index` places from the oldest (0 = oldest). */
  at(index: number): number {
    const slot = this.#start + index;
    return this.#values[slot < this.capacity ? slot : slot - this.capacity]!;
  }

  /** The newest value. */
  get last(): number {
    return this.at(this.#size - 1);
  }

  clear(): void {
    this.#start = 0;
    this.#size = 0;
  }
}
