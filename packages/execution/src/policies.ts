/**
 * Retry and circuit-breaker policies for talking to an exchange, on cockatiel
 * (docs/architecture/principles.md, principle 6). Reads and lookups are retried with exponential
 * backoff and seeded jitter; order placement is never retried; entry orders pass a
 * consecutive-failure circuit breaker whose state the engine reads (risk blocks entries while it
 * is open). Exits and lookups bypass the breaker.
 *
 * cockatiel times its backoff delays and the breaker's open period with the global clock
 * (`setTimeout`, `Date.now`): tests drive it with fake timers.
 */
import {
  LumenLinkError,
  ExchangeUnavailableError,
  OrderOutcomeUnknownError,
  RateLimitError,
  TransientError,
  ValidationError,
  seededRandom,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type LumenLinkErrorOptions,
} from '@lumenlink/core';
import {
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  retry,
  type FailureReason,
  type IRetryBackoffContext,
} from 'cockatiel';

/** The entry circuit breaker's state: `half_open` lets one entry through as a probe. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** A change of the entry circuit breaker's state, for alerts. */
export interface BreakerChange {
  readonly state: BreakerState;
  /** When it changed (epoch ms, from the policies' clock). */
  readonly at: number;
  /** The error that opened the breaker; `null` for half-open and closed. */
  readonly reason: string | null;
}

/**
 * The entry circuit breaker, as the order manager uses it: read the state before storing an
 * entry, and place the entry through it.
 */
export interface EntryCircuitBreaker {
  /**
   * `closed`, `open`, or `half_open`. Reports `half_open` as soon as the break time has passed,
   * before the probe runs: the next entry is the probe (otherwise risk, which blocks entries
   * while the breaker is open, would never let one through).
   */
  state(): BreakerState;
  /**
   * Places one entry through the breaker. Failures that say the exchange is unreachable
   * (`ExchangeUnavailableError`, `RateLimitError`, `OrderOutcomeUnknownError`) count towards
   * opening it; any other outcome, a rejection included (the exchange answered), resets the
   * count and closes a half-open breaker.
   *
   * @throws {CircuitOpenError} when the breaker is open: `placement` was not called.
   */
  execute<T>(placement: () => Promise<T>): Promise<T>;
}

/** Options of {@link createExchangePolicies}. */
export interface ExchangePolicyOptions {
  /** Retries of a failed read after the first try (default 4: five tries in all). */
  readonly retries?: number;
  /** Backoff before the first retry, before jitter, in ms (default 250); doubles per retry. */
  readonly initialDelayMs?: number;
  /**
   * Longest backoff in ms (default 10 000). A rate limit that asks for a longer wait
   * (`RateLimitError.retryAfterMs`, e.g. a 418 ban) is not waited out: the read fails at once.
   */
  readonly maxDelayMs?: number;
  /** Consecutive failed entries that open the breaker (default 5). */
  readonly breakerThreshold?: number;
  /** How long the breaker stays open before one entry may probe, in ms (default 30 000). */
  readonly halfOpenAfterMs?: number;
  /** Seed of the jitter's random source (default 1): the same seed gives the same delays. */
  readonly jitterSeed?: number;
  /**
   * Time for {@link BreakerChange.at} and for reporting `half_open` once the break time has
   * passed. cockatiel times the break with the global clock, so keep the default, the system
   * clock (which vitest's fake timers also move).
   */
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called on every breaker state change (open, half-open probe, closed), e.g. to alert. */
  readonly onBreakerChange?: (change: BreakerChange) => void;
}

/** The policies of one exchange connection: built by {@link createExchangePolicies}. */
export interface ExchangePolicies {
  /**
   * Runs a read (a fetch, a lookup by id or client id, a cancel) with retries on
   * `ExchangeUnavailableError` (including `RateLimitError`, whose `retryAfterMs` is the minimum
   * wait). Other errors are thrown at once.
   */
  read<T>(operation: () => Promise<T>): Promise<T>;
  /** The circuit breaker over entry orders. */
  readonly entryBreaker: EntryCircuitBreaker;
  /** The breaker's state, for the engine (risk takes it as a fact). */
  breakerState(): BreakerState;
  /** Stops reporting to the callbacks. */
  dispose(): void;
}

/**
 * An entry order was refused because the circuit breaker is open: the exchange failed
 * repeatedly. Nothing was stored or sent. Transient: entries resume after the break time.
 */
export class CircuitOpenError extends TransientError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.CircuitOpenError');
  }

  /** Whether `value` is a {@link CircuitOpenError}, from any copy of this package. */
  static override isInstance(value: unknown): value is CircuitOpenError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.CircuitOpenError');
  }

  readonly code = 'CIRCUIT_OPEN';
  /** When the breaker will let a probe through (epoch ms), when known. */
  readonly retryAt: number | null;

  constructor(message: string, options: LumenLinkErrorOptions & { retryAt?: number } = {}) {
    super(message, options);
    this.retryAt = options.retryAt ?? null;
  }
}

const defaults = {
  retries: 4,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 30_000,
  jitterSeed: 1,
};

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(
      `createExchangePolicies: ${name} ${value} is not an integer >= ${min}`,
    );
  }
  return value;
}

function describeFailure(reason: FailureReason<unknown> | { isolated: true }): string {
  if ('error' in reason) return reason.error.message;
  return 'isolated' in reason ? 'held open' : 'a failed result';
}

/**
 * The backoff before retry `attempt` (1 for the first retry): exponential from
 * `initialDelayMs`, capped at `maxDelayMs`, with "equal jitter" (half fixed, half random, so
 * retries of many callers spread out but never fire at once), and never shorter than the wait a
 * rate limit asked for.
 */
function backoffDelayMs(
  attempt: number,
  error: unknown,
  random: () => number,
  initialDelayMs: number,
  maxDelayMs: number,
): number {
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(base / 2 + random() * (base / 2));
  const asked = RateLimitError.isInstance(error) ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(jittered, asked);
}

/**
 * Builds the retry policy for reads and the circuit breaker for entry orders of one exchange
 * connection. Give the same policies to the `LiveBroker` (reads) and to the `OrderManager`
 * (`entryBreaker`), and read `breakerState()` in the engine.
 *
 * @example
 * ```ts
 * const policies = createExchangePolicies({
 *   breakerThreshold: 5,
 *   halfOpenAfterMs: 30_000,
 *   onBreakerChange: (change) => notifier.notify({ type: 'error', code: 'CIRCUIT', message: change.state, at: change.at }),
 * });
 * const broker = new LiveBroker({ exchange, policies });
 * const manager = new OrderManager({ broker, orders, clock, exchange: 'binance', entryBreaker: policies.entryBreaker });
 * ```
 * @throws {ValidationError} for a negative or non-integer count or delay.
 */
export function createExchangePolicies(options: ExchangePolicyOptions = {}): ExchangePolicies {
  const retries = checkCount('retries', options.retries ?? defaults.retries, 0);
  const initialDelayMs = checkCount(
    'initialDelayMs',
    options.initialDelayMs ?? defaults.initialDelayMs,
    0,
  );
  const maxDelayMs = checkCount('maxDelayMs', options.maxDelayMs ?? defaults.maxDelayMs, 0);
  const threshold = checkCount(
    'breakerThreshold',
    options.breakerThreshold ?? defaults.breakerThreshold,
    1,
  );
  const halfOpenAfterMs = checkCount(
    'halfOpenAfterMs',
    options.halfOpenAfterMs ?? defaults.halfOpenAfterMs,
    0,
  );
  const seed = options.jitterSeed ?? defaults.jitterSeed;
  if (!Number.isSafeInteger(seed)) {
    throw new ValidationError(`createExchangePolicies: jitterSeed ${seed} is not an integer`);
  }
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ module: 'exchange-policies' });
  const random = seededRandom(seed);

  const isRetryableRead = (error: Error): boolean =>
    ExchangeUnavailableError.isInstance(error) &&
    !(RateLimitError.isInstance(error) && (error.retryAfterMs ?? 0) > maxDelayMs);
  const readPolicy = retry(handleWhen(isRetryableRead), {
    maxAttempts: retries,
    backoff: new DelegateBackoff<IRetryBackoffContext<unknown>>((context) =>
      backoffDelayMs(
        context.attempt,
        'error' in context.result ? context.result.error : undefined,
        random,
        initialDelayMs,
        maxDelayMs,
      ),
    ),
  });
  const retryListener = readPolicy.onRetry((event) => {
    logger.warn('exchange read failed; retrying after a backoff', {
      attempt: event.attempt,
      delayMs: event.delay,
      error: 'error' in event ? event.error.message : 'a failed result',
    });
  });

  const countsForBreaker = (error: Error): boolean =>
    ExchangeUnavailableError.isInstance(error) || OrderOutcomeUnknownError.isInstance(error);
  const breakerPolicy = circuitBreaker(handleWhen(countsForBreaker), {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(threshold),
  });
  let openedAt: number | null = null;
  let disposed = false;
  const report = (state: BreakerState, reason: string | null): void => {
    const change = { state, at: clock.now(), reason };
    if (state === 'open') logger.error('entry circuit breaker opened', { reason });
    else logger.info(`entry circuit breaker ${state === 'closed' ? 'closed' : 'half-open'}`);
    if (!disposed) options.onBreakerChange?.(change);
  };
  const listeners = [
    retryListener,
    breakerPolicy.onBreak((reason) => {
      openedAt = clock.now();
      report('open', describeFailure(reason));
    }),
    breakerPolicy.onHalfOpen(() => report('half_open', null)),
    breakerPolicy.onReset(() => {
      openedAt = null;
      report('closed', null);
    }),
  ];

  const breakerState = (): BreakerState => {
    switch (breakerPolicy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half_open';
      case CircuitState.Open:
        return openedAt !== null && clock.now() - openedAt >= halfOpenAfterMs
          ? 'half_open'
          : 'open';
      case CircuitState.Isolated:
        return 'open';
    }
  };

  const entryBreaker: EntryCircuitBreaker = {
    state: breakerState,
    async execute<T>(placement: () => Promise<T>): Promise<T> {
      let outcome: { readonly value: T } | { readonly error: unknown };
      try {
        // An error that does not count (a rejection: the exchange answered) is a success for
        // the breaker: it resets the consecutive count and closes a half-open breaker.
        outcome = await breakerPolicy.execute(async () => {
          try {
            return { value: await placement() };
          } catch (error) {
            if (error instanceof Error && countsForBreaker(error)) throw error;
            return { error };
          }
        });
      } catch (error) {
        if (isBrokenCircuitError(error)) {
          throw new CircuitOpenError(
            'entry refused: the circuit breaker is open after repeated exchange failures',
            {
              cause: error,
              ...(openedAt === null ? {} : { retryAt: openedAt + halfOpenAfterMs }),
            },
          );
        }
        throw error;
      }
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    },
  };

  return {
    read: (operation) => readPolicy.execute(operation),
    entryBreaker,
    breakerState,
    dispose() {
      disposed = true;
      for (const listener of listeners) listener.dispose();
    },
  };
}
