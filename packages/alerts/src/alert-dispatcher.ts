/**
 * The multiplexer: one {@link Notifier} in front of several {@link AlertChannel}s. `notify`
 * returns at once; each channel has its own queue, retries with backoff, and fails alone.
 */
import type { AlertEvent, Clock, Logger, Notifier, TimerHandle } from '@lumenlink/core';
import { AlertDeliveryError } from './alert-channel.js';
import type { AlertChannel } from './alert-channel.js';

/** Options of {@link createAlertDispatcher}. */
export interface AlertDispatcherOptions {
  readonly channels: readonly AlertChannel[];
  /** Waits (backoff, repeat windows) run on this clock. */
  readonly clock: Clock;
  /** Where delivery failures are reported. Give it a redacting logger. */
  readonly logger: Logger;
  /** Attempts per alert and channel, the first included (default 5). */
  readonly maxAttempts?: number;
  /** First backoff wait in ms, doubled per attempt (default 1 000). */
  readonly baseDelayMs?: number;
  /** Longest wait between attempts in ms, `retry_after` included (default 300 000). */
  readonly maxDelayMs?: number;
  /** Alerts held per channel; beyond it the oldest is dropped (default 100). */
  readonly maxQueue?: number;
  /** Window in ms in which repeats of one risk block or error key are collapsed (default 600 000). */
  readonly repeatWindowMs?: number;
}

/** A {@link Notifier} with a queue that tests and shutdown can drain. */
export interface AlertDispatcher extends Notifier {
  /** Resolves when every queued alert was delivered or given up (retries included). */
  flush(): Promise<void>;
  /**
   * Sends the pending repeat summaries, stops accepting alerts and drains the queues. After
   * `timeoutMs` (default: no limit) waits are cut short and what is left is dropped.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
  /** Alerts waiting per channel name (for status and tests). */
  pending(): Readonly<Record<string, number>>;
}

/** The repeat key of an alert: risk blocks by symbol, side and check; errors by code. */
export function repeatKey(event: AlertEvent): string | null {
  switch (event.type) {
    case 'risk_blocked':
      return `risk:${event.symbol}:${event.side}:${event.check.name}`;
    case 'error':
      return `error:${event.code}`;
    case 'trade_opened':
    case 'trade_closed':
    case 'trade_resized':
    case 'stop_moved':
    case 'trading_state_changed':
    case 'daily_summary':
      return null;
  }
}

/** The summary of `count` collapsed repeats, as the last repeated event with a note. */
export function summariseRepeats(event: AlertEvent, count: number, windowMs: number): AlertEvent {
  const note = `(repeated ${count} more time${count === 1 ? '' : 's'} in ${Math.round(windowMs / 60_000)} min)`;
  if (event.type === 'risk_blocked') {
    return { ...event, check: { ...event.check, reason: `${event.check.reason} ${note}` } };
  }
  if (event.type === 'error') return { ...event, message: `${event.message} ${note}` };
  return event;
}

interface Repeat {
  count: number;
  last: AlertEvent;
  readonly timer: TimerHandle;
}

class ChannelQueue {
  readonly items: AlertEvent[] = [];
  running: Promise<void> | null = null;
  readonly channel: AlertChannel;
  private readonly deliver: (channel: AlertChannel, event: AlertEvent) => Promise<void>;

  constructor(
    channel: AlertChannel,
    deliver: (channel: AlertChannel, event: AlertEvent) => Promise<void>,
  ) {
    this.channel = channel;
    this.deliver = deliver;
  }

  enqueue(event: AlertEvent, maxQueue: number, onDrop: () => void): void {
    this.items.push(event);
    while (this.items.length > maxQueue) {
      this.items.shift();
      onDrop();
    }
    // Start on a microtask, so no channel code runs inside notify().
    this.running ??= Promise.resolve()
      .then(() => this.run())
      .finally(() => {
        this.running = null;
      });
  }

  private async run(): Promise<void> {
    for (let event = this.items.shift(); event !== undefined; event = this.items.shift()) {
      await this.deliver(this.channel, event);
    }
  }
}

/**
 * Builds the alert multiplexer: every alert goes to every channel, each on its own queue.
 * Retryable failures back off exponentially, or for the 429 `retry_after` when longer; a
 * channel that stays down only loses its own alerts. Repeats of one risk block or error within
 * `repeatWindowMs` are sent once, counted, and summarised when the window ends.
 *
 * @example
 * ```ts
 * const alerts = createAlertDispatcher({
 *   channels: [createConsoleNotifier(logger), createTelegramChannel({ token, chatIds })],
 *   clock: systemClock,
 *   logger,
 * });
 * alerts.notify(event); // returns at once
 * await alerts.close({ timeoutMs: 5_000 }); // at shutdown
 * ```
 */
export function createAlertDispatcher(options: AlertDispatcherOptions): AlertDispatcher {
  const { clock } = options;
  const logger = options.logger.child({ module: 'alerts' });
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 300_000;
  const maxQueue = Math.max(1, options.maxQueue ?? 100);
  const repeatWindowMs = options.repeatWindowMs ?? 600_000;
  const abort = new AbortController();
  const repeats = new Map<string, Repeat>();
  let closed = false;

  const deliver = async (channel: AlertChannel, event: AlertEvent): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await channel.send(event, abort.signal);
        return;
      } catch (error) {
        const failure = AlertDeliveryError.isInstance(error)
          ? error
          : new AlertDeliveryError(error instanceof Error ? error.message : String(error), {
              retryable: true,
            });
        const fields = {
          channel: channel.name,
          alert: event.type,
          attempt,
          error: failure.message,
          status: failure.status,
        };
        if (!failure.isRetryable || attempt >= maxAttempts || abort.signal.aborted) {
          logger.error('alert dropped', fields);
          return;
        }
        const backoff = baseDelayMs * 2 ** (attempt - 1);
        const wait = Math.min(maxDelayMs, Math.max(backoff, failure.retryAfterMs ?? 0));
        logger.warn('alert delivery failed; retrying', { ...fields, retryInMs: wait });
        try {
          await clock.sleep(wait, abort.signal);
        } catch {
          logger.error('alert dropped at shutdown', fields);
          return;
        }
      }
    }
  };

  const queues = options.channels.map((channel) => new ChannelQueue(channel, deliver));

  const enqueue = (event: AlertEvent): void => {
    for (const queue of queues) {
      queue.enqueue(event, maxQueue, () =>
        logger.warn('alert queue full; oldest alert dropped', { channel: queue.channel.name }),
      );
    }
  };

  const endWindow = (key: string): void => {
    const repeat = repeats.get(key);
    if (repeat === undefined) return;
    repeats.delete(key);
    clock.clearTimeout(repeat.timer);
    if (repeat.count > 0) enqueue(summariseRepeats(repeat.last, repeat.count, repeatWindowMs));
  };

  const flush = async (): Promise<void> => {
    for (;;) {
      const running = queues.map((queue) => queue.running).filter((value) => value !== null);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  };

  return {
    notify(event: AlertEvent): void {
      try {
        if (closed) return;
        const key = repeatKey(event);
        if (key !== null) {
          const repeat = repeats.get(key);
          if (repeat !== undefined) {
            repeat.count++;
            repeat.last = event;
            return;
          }
          repeats.set(key, {
            count: 0,
            last: event,
            timer: clock.setTimeout(() => {
              try {
                endWindow(key);
              } catch {
                // Never throw from a timer.
              }
            }, repeatWindowMs),
          });
        }
        enqueue(event);
      } catch (error) {
        try {
          logger.error('alert could not be queued', { error });
        } catch {
          // Fire-and-forget: nothing reaches the caller.
        }
      }
    },
    flush,
    async close(closeOptions = {}): Promise<void> {
      for (const key of [...repeats.keys()]) endWindow(key);
      closed = true;
      let timer: TimerHandle | null = null;
      if (closeOptions.timeoutMs !== undefined) {
        timer = clock.setTimeout(() => {
          for (const queue of queues) queue.items.length = 0;
          abort.abort(new Error('alert dispatcher closed'));
        }, closeOptions.timeoutMs);
      }
      await flush();
      if (timer !== null) clock.clearTimeout(timer);
    },
    pending() {
      return Object.fromEntries(
        queues.map((queue) => [
          queue.channel.name,
          queue.items.length + (queue.running === null ? 0 : 1),
        ]),
      );
    },
  };
}
