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
      this.#values[(this.#start + this.#size) % this.capacity] = value;
      this.#size++;
      return Number.NaN;
    }
    const evicted = this.#values[this.#start]!;
    this.#values[this.#start] = value;
    this.#start = (this.#start + 1) % this.capacity;
    return evicted;
  }

  /** The value `index` places from the oldest (0 = oldest). */
  at(index: number): number {
    return this.#values[(this.#start + index) % this.capacity]!;
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
