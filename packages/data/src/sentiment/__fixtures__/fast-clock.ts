/**
 * A clock for tests of code that waits: `now()` is manual, `sleep()` records the wait and moves
 * `now()` forward at once, and timers (the request timeout) are real, so a hanging server still
 * times out in real milliseconds.
 */
import { systemClock, type Clock, type TimerHandle } from '@lumenlink/core';

export class FastClock implements Clock {
  /** Every `sleep()` asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  #now: number;

  constructor(startAt = Date.UTC(2025, 3, 22, 12)) {
    this.#now = startAt;
  }

  now(): number {
    return this.#now;
  }

  /** Moves `now()` forward. */
  advance(ms: number): void {
    this.#now += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.sleeps.push(ms);
    this.#now += ms;
    return new Promise((resolve) => setImmediate(resolve));
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return systemClock.setTimeout(callback, ms);
  }

  clearTimeout(handle: TimerHandle): void {
    systemClock.clearTimeout(handle);
  }
}
