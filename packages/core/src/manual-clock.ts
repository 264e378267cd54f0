import type { Clock, TimerHandle } from './clock.js';

interface ScheduledTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told, with timers that fire in time order. Code that waits
 * (retries, grace windows, cooldowns) runs on manual time in tests and backtests.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * const slept = clock.sleep(5_000);
 * await clock.advance(5_000); // `slept` resolves
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: ScheduledTimer[] = [];
  #nextId = 1;

  constructor(startAt = 0) {
    this.#now = startAt;
  }

  now(): number {
    return this.#now;
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** When the next timer is due (epoch ms), or `null` when none is scheduled. */
  get nextTimerAt(): number | null {
    return this.#timers[0]?.dueAt ?? null;
  }

  /**
   * Moves time to `time` at once, synchronously, when no timer is due by then (a backtest's hot
   * path: no promise per candle). Throws when one is: use {@link ManualClock.advanceTo}, which
   * fires it.
   */
  moveTo(time: number): void {
    if (time < this.#now) {
      throw new RangeError(`ManualClock cannot go back from ${this.#now} to ${time}`);
    }
    const next = this.#timers[0];
    if (next !== undefined && next.dueAt <= time) {
      throw new RangeError(
        `ManualClock.moveTo(${time}): a timer is due at ${next.dueAt}; use advanceTo, which fires it`,
      );
    }
    this.#now = time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, dueAt: this.#now + Math.max(0, ms), callback };
    // Keep timers sorted by due time, then creation order, so equal times fire FIFO.
    const index = this.#timers.findIndex((other) => other.dueAt > timer.dueAt);
    if (index === -1) this.#timers.push(timer);
    else this.#timers.splice(index, 0, timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        this.clearTimeout(handle);
        reject(signal?.reason as Error);
      };
      const handle = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Moves time forward by `ms`, firing due timers in order. Between timers it lets pending
   * promise callbacks run, so a chain of `await clock.sleep()` calls progresses within one advance.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    await this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `time` (epoch ms), firing due timers in order. */
  async advanceTo(time: number): Promise<void> {
    if (time < this.#now)
      throw new RangeError(`ManualClock cannot go back from ${this.#now} to ${time}`);
    await settle();
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.dueAt > time) break;
      this.#timers.shift();
      this.#now = next.dueAt;
      next.callback();
      await settle();
    }
    this.#now = time;
  }

  /** Fires every timer, including ones scheduled while firing, up to `limit` timers. */
  async runAll(limit = 10_000): Promise<void> {
    for (let fired = 0; fired < limit; fired++) {
      const next = this.#timers[0];
      if (next === undefined) return;
      await this.advanceTo(next.dueAt);
    }
    throw new Error(
      `ManualClock.runAll: more than ${limit} timers fired; is a timer rescheduling itself forever?`,
    );
  }
}

/** Lets every queued promise callback run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
