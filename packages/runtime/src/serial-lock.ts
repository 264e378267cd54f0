/**
 * One-at-a-time access to the trade cycle: the strategy loop, the tick check and a force exit
 * from chat or HTTP never run inside the cycle together.
 */

/**
 * Runs async work one piece at a time, in call order. A failed piece does not block the next.
 *
 * @example
 * ```ts
 * const lock = new SerialLock();
 * await lock.run(() => cycle.onCandle(symbol, candle));
 * ```
 */
export class SerialLock {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` after everything queued before it; resolves or rejects as `work` does. */
  run<T>(work: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  idle(): Promise<void> {
    return this.run(() => undefined);
  }
}
