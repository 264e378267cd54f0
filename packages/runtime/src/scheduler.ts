/**
 * The trading node's loop runner: named loops on the Clock, each never overlapping itself, backing off
 * when it fails without stopping the others, with optional jitter and per-loop health.
 */
import {
  ValidationError,
  percentile,
  seededRandom,
  type Clock,
  type Logger,
} from '@lumenlink/core';

/** The loop intervals of a node, in ms (the config's `loops`). */
export interface LoopIntervals {
  /** `DATA_POLLING_MS`: the market-data loop. */
  readonly dataPollingMs: number;
  /** `POLL_INTERVAL_MS`: the strategy loop. */
  readonly strategyPollMs: number;
  /** `RECONCILE_INTERVAL_MS`: the reconcile loop (live only). */
  readonly reconcileMs: number;
  /** `SENTIMENT_INTERVAL_MS`: the sentiment loop. */
  readonly sentimentMs: number;
}

/** One loop to run. */
export interface LoopDefinition {
  /** Unique name, e.g. `market-data`. */
  readonly name: string;
  /** Pause between the end of one run and the start of the next, in ms (> 0). */
  readonly intervalMs: number;
  /** One run. A rejection counts as a failure; it never stops the scheduler. */
  readonly run: () => Promise<void>;
  /** A disabled loop is listed in health but never runs (default true). */
  readonly enabled?: boolean;
  /**
   * An optional loop (a feed the node trades on without, e.g. sentiment): its failures never
   * make the node unready (default false).
   */
  readonly optional?: boolean;
  /** Longest pause after failures, in ms (default the scheduler's `maxBackoffFactor` x interval). */
  readonly maxBackoffMs?: number;
}

/** Run durations of a loop over its recent window, in ms of the scheduler's clock. */
export interface LoopDurations {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  /** Runs in the window the figures come from. */
  readonly count: number;
}

/** A loop's health at one moment. Times are epoch ms of the scheduler's clock. */
export interface LoopHealth {
  readonly name: string;
  readonly enabled: boolean;
  /** An optional loop: readiness leaves it out. */
  readonly optional: boolean;
  readonly intervalMs: number;
  /** End of the last successful run, or `null`. */
  readonly lastSuccessAt: number | null;
  /** End of the last failed run, or `null`. */
  readonly lastErrorAt: number | null;
  /** Message of the last failure (kept after a later success), or `null`. */
  readonly lastError: string | null;
  /** Failures since the last success. */
  readonly consecutiveFailures: number;
  /** Finished runs, successful or not. */
  readonly runs: number;
  /** Whether a run is in flight. */
  readonly running: boolean;
  /** When the next run is due, or `null` when none is scheduled. */
  readonly nextRunAt: number | null;
  /** `null` before the first finished run. */
  readonly durationsMs: LoopDurations | null;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Whether each pause is moved by up to ±10% at random. Never in replay, where runs must be
   * deterministic.
   */
  readonly jitter: boolean;
  /**
   * Uniform numbers in [0, 1) for the jitter, from a seeded source (default
   * {@link seededRandom} seeded with the clock's time at construction).
   */
  readonly random?: () => number;
  /** Told of every failed run, after it is recorded; its own exceptions are logged and ignored. */
  readonly onLoopError?: (name: string, error: unknown, consecutiveFailures: number) => void;
  /** Default cap of the backoff, as a multiple of a loop's interval (default 10). */
  readonly maxBackoffFactor?: number;
  /** Recent runs kept per loop for the duration percentiles (default 100). */
  readonly durationWindow?: number;
}

/** The share of an interval the jitter may add or remove. */
export const jitterRatio = 0.1;

const defaultMaxBackoffFactor = 10;
const defaultDurationWindow = 100;

/** The mutable state of one registered loop. */
interface LoopState {
  readonly definition: LoopDefinition;
  readonly enabled: boolean;
  readonly maxBackoffMs: number;
  readonly durations: number[];
  durationsNext: number;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  runs: number;
  inFlight: Promise<void> | null;
  timer: ReturnType<Clock['setTimeout']> | null;
  nextRunAt: number | null;
}

/**
 * Runs named loops on a {@link Clock}. A loop's next run is scheduled when its current run ends,
 * `intervalMs` later, so it never overlaps itself; different loops run independently. A failed
 * run is reported to `onLoopError` and the loop backs off (interval x 2^failures, capped at
 * `maxBackoffMs`) until it succeeds again; the other loops are unaffected.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ clock: systemClock, logger, jitter: true, random: seededRandom(7) });
 * scheduler.addLoop({ name: 'market-data', intervalMs: 5_000, run: () => marketData.poll() });
 * scheduler.start();
 * // ...
 * await scheduler.stop(); // timers cleared, in-flight runs finished
 * ```
 */
export class Scheduler {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #jitter: boolean;
  readonly #random: () => number;
  readonly #onLoopError: SchedulerOptions['onLoopError'];
  readonly #maxBackoffFactor: number;
  readonly #durationWindow: number;
  readonly #loops = new Map<string, LoopState>();
  #started = false;

  constructor(options: SchedulerOptions) {
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#jitter = options.jitter;
    this.#random = options.random ?? seededRandom(options.clock.now());
    this.#onLoopError = options.onLoopError;
    this.#maxBackoffFactor = options.maxBackoffFactor ?? defaultMaxBackoffFactor;
    this.#durationWindow = options.durationWindow ?? defaultDurationWindow;
    if (!(this.#maxBackoffFactor >= 1)) {
      throw new ValidationError(
        `Scheduler: maxBackoffFactor must be >= 1, got ${this.#maxBackoffFactor}`,
      );
    }
    if (!Number.isInteger(this.#durationWindow) || this.#durationWindow < 1) {
      throw new ValidationError(
        `Scheduler: durationWindow must be a positive integer, got ${this.#durationWindow}`,
      );
    }
  }

  /** Whether {@link Scheduler.start} was called and {@link Scheduler.stop} not since. */
  get started(): boolean {
    return this.#started;
  }

  /**
   * Registers a loop. Added while started, an enabled loop runs at once.
   *
   * @throws {ValidationError} for a duplicate name, or an interval or cap that is not > 0.
   */
  addLoop(definition: LoopDefinition): void {
    const { name, intervalMs } = definition;
    if (this.#loops.has(name)) {
      throw new ValidationError(`Scheduler: a loop named "${name}" is already registered`);
    }
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new ValidationError(
        `Scheduler: loop "${name}" needs an intervalMs > 0, got ${intervalMs}`,
      );
    }
    const maxBackoffMs = definition.maxBackoffMs ?? intervalMs * this.#maxBackoffFactor;
    if (!(maxBackoffMs >= intervalMs)) {
      throw new ValidationError(
        `Scheduler: loop "${name}" needs maxBackoffMs >= its interval (${intervalMs}), got ${maxBackoffMs}`,
      );
    }
    const state: LoopState = {
      definition,
      enabled: definition.enabled ?? true,
      maxBackoffMs,
      durations: [],
      durationsNext: 0,
      lastSuccessAt: null,
      lastErrorAt: null,
      lastError: null,
      consecutiveFailures: 0,
      runs: 0,
      inFlight: null,
      timer: null,
      nextRunAt: null,
    };
    this.#loops.set(name, state);
    if (this.#started && state.enabled) void this.#execute(state);
  }

  /** Starts every enabled loop: each runs at once, then on its interval. Idempotent. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const names = [...this.#loops.values()].filter((loop) => loop.enabled);
    this.#logger.info('scheduler started', {
      loops: names.map((loop) => loop.definition.name),
      jitter: this.#jitter,
    });
    for (const loop of names) {
      if (loop.inFlight === null) void this.#execute(loop);
    }
  }

  /**
   * Stops scheduling: clears every timer, then waits for the runs in flight to finish. Runs
   * started by {@link Scheduler.runNow} after this still run, once, without rescheduling.
   */
  async stop(): Promise<void> {
    this.#started = false;
    for (const loop of this.#loops.values()) this.#cancelTimer(loop);
    const inFlight = [...this.#loops.values()]
      .map((loop) => loop.inFlight)
      .filter((run): run is Promise<void> => run !== null);
    await Promise.all(inFlight);
    this.#logger.info('scheduler stopped', { waitedFor: inFlight.length });
  }

  /**
   * Runs a loop now, for tests and replay drivers: waits for a run in flight to end first (a
   * loop never overlaps itself), cancels its pending timer, runs it, and reschedules it when
   * the scheduler is started. Resolves, never rejects, with the loop's health after the run.
   *
   * @throws {ValidationError} for an unknown or disabled loop.
   */
  async runNow(name: string): Promise<LoopHealth> {
    const loop = this.#loop(name);
    if (!loop.enabled) {
      throw new ValidationError(`Scheduler: loop "${name}" is disabled and cannot run`);
    }
    while (loop.inFlight !== null) await loop.inFlight;
    this.#cancelTimer(loop);
    await this.#execute(loop);
    return this.#health(loop);
  }

  /** Every loop's health, in registration order. */
  health(): LoopHealth[] {
    return [...this.#loops.values()].map((loop) => this.#health(loop));
  }

  /**
   * One loop's health.
   *
   * @throws {ValidationError} for an unknown loop.
   */
  loopHealth(name: string): LoopHealth {
    return this.#health(this.#loop(name));
  }

  #loop(name: string): LoopState {
    const loop = this.#loops.get(name);
    if (loop === undefined) {
      const known = [...this.#loops.keys()].join(', ') || 'none';
      throw new ValidationError(`Scheduler: no loop named "${name}" (registered: ${known})`);
    }
    return loop;
  }

  #cancelTimer(loop: LoopState): void {
    if (loop.timer !== null) this.#clock.clearTimeout(loop.timer);
    loop.timer = null;
    loop.nextRunAt = null;
  }

  #execute(loop: LoopState): Promise<void> {
    const run = this.#runOnce(loop).finally(() => {
      loop.inFlight = null;
      if (this.#started && loop.timer === null) this.#schedule(loop);
    });
    loop.inFlight = run;
    return run;
  }

  async #runOnce(loop: LoopState): Promise<void> {
    const { name } = loop.definition;
    loop.timer = null;
    loop.nextRunAt = null;
    const startedAt = this.#clock.now();
    let failure: { error: unknown } | null = null;
    try {
      await loop.definition.run();
    } catch (error) {
      failure = { error };
    }
    const endedAt = this.#clock.now();
    this.#recordDuration(loop, endedAt - startedAt);
    loop.runs += 1;
    if (failure === null) {
      if (loop.consecutiveFailures > 0) {
        this.#logger.info('loop recovered', { loop: name, after: loop.consecutiveFailures });
      }
      loop.lastSuccessAt = endedAt;
      loop.consecutiveFailures = 0;
      return;
    }
    loop.lastErrorAt = endedAt;
    loop.lastError = errorMessage(failure.error);
    loop.consecutiveFailures += 1;
    this.#logger.warn('loop failed', {
      loop: name,
      consecutiveFailures: loop.consecutiveFailures,
      error: failure.error,
    });
    try {
      this.#onLoopError?.(name, failure.error, loop.consecutiveFailures);
    } catch (callbackError) {
      this.#logger.error('onLoopError threw', { loop: name, error: callbackError });
    }
  }

  #schedule(loop: LoopState): void {
    const delay = this.#withJitter(this.#baseDelay(loop));
    loop.nextRunAt = this.#clock.now() + delay;
    loop.timer = this.#clock.setTimeout(() => {
      loop.timer = null;
      void this.#execute(loop);
    }, delay);
  }

  /** The interval, or interval x 2^failures capped at the loop's maximum after failures. */
  #baseDelay(loop: LoopState): number {
    const { intervalMs } = loop.definition;
    if (loop.consecutiveFailures === 0) return intervalMs;
    // 2^failures stops growing long before it could overflow: the cap is reached first.
    const factor = 2 ** Math.min(loop.consecutiveFailures, 30);
    return Math.min(intervalMs * factor, loop.maxBackoffMs);
  }

  #withJitter(delay: number): number {
    if (!this.#jitter) return delay;
    const offset = (this.#random() * 2 - 1) * jitterRatio;
    return Math.max(0, Math.round(delay * (1 + offset)));
  }

  #recordDuration(loop: LoopState, durationMs: number): void {
    if (loop.durations.length < this.#durationWindow) {
      loop.durations.push(durationMs);
    } else {
      loop.durations[loop.durationsNext] = durationMs;
    }
    loop.durationsNext = (loop.durationsNext + 1) % this.#durationWindow;
  }

  #health(loop: LoopState): LoopHealth {
    return {
      name: loop.definition.name,
      enabled: loop.enabled,
      optional: loop.definition.optional === true,
      intervalMs: loop.definition.intervalMs,
      lastSuccessAt: loop.lastSuccessAt,
      lastErrorAt: loop.lastErrorAt,
      lastError: loop.lastError,
      consecutiveFailures: loop.consecutiveFailures,
      runs: loop.runs,
      running: loop.inFlight !== null,
      nextRunAt: loop.nextRunAt,
      durationsMs: durationsOf(loop.durations),
    };
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}

/** Percentiles of the window (core's `percentile`, linear between the nearest ranks). */
function durationsOf(window: readonly number[]): LoopDurations | null {
  if (window.length === 0) return null;
  const sorted = [...window].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? 0,
    count: sorted.length,
  };
}

/** The names of the four loops of the bot. */
export const standardLoopNames = ['market-data', 'strategy', 'reconcile', 'sentiment'] as const;
/** One of {@link standardLoopNames}. */
export type StandardLoopName = (typeof standardLoopNames)[number];

/** A standard loop's name, interval and whether it runs; the wiring adds its `run`. */
export interface StandardLoop {
  readonly name: StandardLoopName;
  readonly intervalMs: number;
  readonly enabled: boolean;
  /** Only `sentiment`: the node trades on without it, so it never makes the node unready. */
  readonly optional: boolean;
  /** The config key its interval comes from. */
  readonly intervalKey:
    'DATA_POLLING_MS' | 'POLL_INTERVAL_MS' | 'RECONCILE_INTERVAL_MS' | 'SENTIMENT_INTERVAL_MS';
}

/**
 * The bot's four loops with their configured intervals: market data (`DATA_POLLING_MS`),
 * strategy (`POLL_INTERVAL_MS`), reconcile (`RECONCILE_INTERVAL_MS`, enabled only with
 * `MODE=live`) and sentiment (`SENTIMENT_INTERVAL_MS`, optional: the node runs it only when the
 * strategy reads the market context, and its failures never make the node unready).
 *
 * @example
 * ```ts
 * for (const loop of standardLoops(config)) scheduler.addLoop({ ...loop, run: runs[loop.name] });
 * ```
 */
export function standardLoops(config: {
  readonly mode: 'paper' | 'live';
  readonly loops: LoopIntervals;
}): StandardLoop[] {
  return [
    {
      name: 'market-data',
      intervalMs: config.loops.dataPollingMs,
      enabled: true,
      optional: false,
      intervalKey: 'DATA_POLLING_MS',
    },
    {
      name: 'strategy',
      intervalMs: config.loops.strategyPollMs,
      enabled: true,
      optional: false,
      intervalKey: 'POLL_INTERVAL_MS',
    },
    {
      name: 'reconcile',
      intervalMs: config.loops.reconcileMs,
      enabled: config.mode === 'live',
      optional: false,
      intervalKey: 'RECONCILE_INTERVAL_MS',
    },
    {
      name: 'sentiment',
      intervalMs: config.loops.sentimentMs,
      enabled: true,
      optional: true,
      intervalKey: 'SENTIMENT_INTERVAL_MS',
    },
  ];
}
