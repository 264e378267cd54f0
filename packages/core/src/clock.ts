/**
 * Time for LumenLink: library code never reads the wall clock or sets real timers directly.
 * It asks a {@link Clock}, so backtests run on candle time and tests on manual time
 * (`ManualClock` in `@lumenlink/core/testing`).
 */

/** A scheduled callback, returned by {@link Clock.setTimeout} and cancelled with {@link Clock.clearTimeout}. */
export interface TimerHandle {
  readonly id: number;
}

/** The source of time and timers. */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time. Rejects with the signal's reason
   * when `signal` aborts first.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `callback` once after `ms` milliseconds of this clock's time. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; cancelling a fired or unknown timer does nothing. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The wall clock: `Date.now()` and Node's timers.
 *
 * @example
 * ```ts
 * const clock = systemClock;
 * await clock.sleep(1_000);
 * ```
 */
export const systemClock: Clock = createSystemClock();

function createSystemClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let nextId = 1;
  return {
    // The one place library code reads the wall clock.
    // eslint-disable-next-line no-restricted-syntax
    now: () => Date.now(),
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason as Error);
          return;
        }
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        const onAbort = (): void => {
          clearTimeout(timer);
          reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          callback();
        }, ms),
      );
      return { id };
    },
    clearTimeout(handle) {
      const timer = timers.get(handle.id);
      if (timer !== undefined) {
        clearTimeout(timer);
        timers.delete(handle.id);
      }
    },
  };
}
