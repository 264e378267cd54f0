/**
 * The LumenLink error hierarchy. Every error carries a stable `code` (for alerts, metrics and
 * tests), an optional `cause`, and `isRetryable`: whether trying the same thing again can help.
 *
 * Two branches: {@link PermanentError} (retrying cannot help: bad config, bad data, a bug) and
 * {@link TransientError} (retrying later may help: a storage outage, a timeout).
 */

/** The marker of every LumenLink error; each class adds `lumenlink.error.<ClassName>`. */
const rootMarker = 'lumenlink.error';

/** Options accepted by every LumenLink error. */
export interface LumenLinkErrorOptions {
  /** The underlying error, kept for logs (redacted there) and debugging. */
  readonly cause?: unknown;
}

/**
 * The root of every error LumenLink throws on purpose.
 *
 * Recognise errors with the static `isInstance` of each class rather than `instanceof`: an
 * application can end up with two copies of `@lumenlink/core` (two versions in `node_modules`,
 * or one bundled), and an error thrown by one copy is not `instanceof` the other copy's class.
 * Every class marks its prototype with a registered symbol, `Symbol.for('lumenlink.error')` for
 * the root and `Symbol.for('lumenlink.error.<ClassName>')` for each subclass, and `isInstance`
 * looks for that marker, which every copy shares.
 *
 * A subclass in another package marks itself the same way:
 *
 * ```ts
 * const marker = 'lumenlink.error.KillSwitchError';
 * export class KillSwitchError extends PermanentError {
 *   static {
 *     LumenLinkError.addMarker(this, marker);
 *   }
 *   static override isInstance(value: unknown): value is KillSwitchError {
 *     return LumenLinkError.hasMarker(value, marker);
 *   }
 *   readonly code = 'KILL_SWITCH';
 * }
 * ```
 *
 * @example
 * ```ts
 * try { loadConfig(process.env); } catch (error) {
 *   if (LumenLinkError.isInstance(error)) console.error(error.code, error.message);
 * }
 * ```
 */
export abstract class LumenLinkError extends Error {
  static {
    LumenLinkError.addMarker(this, rootMarker);
  }

  /**
   * Whether `value` is a LumenLink error, from this copy of `@lumenlink/core` or any other.
   * Each subclass narrows to itself: `OrderOutcomeUnknownError.isInstance(error)`.
   */
  static isInstance(value: unknown): value is LumenLinkError {
    return LumenLinkError.hasMarker(value, rootMarker);
  }

  /**
   * Marks every instance of `errorClass` with `Symbol.for(marker)`, set once, non-enumerable,
   * on its prototype. Called from a static block of each error class.
   */
  protected static addMarker(
    errorClass: abstract new (...args: never[]) => unknown,
    marker: string,
  ): void {
    Object.defineProperty(errorClass.prototype, Symbol.for(marker), { value: true });
  }

  /** Whether `value` is an object that carries `Symbol.for(marker)` (see {@link addMarker}). */
  protected static hasMarker(value: unknown, marker: string): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[Symbol.for(marker)] === true
    );
  }

  /** A stable, machine-readable code such as `CONFIG_INVALID`. */
  abstract readonly code: string;
  /** Whether repeating the failed operation later may succeed. */
  abstract readonly isRetryable: boolean;

  constructor(message: string, options: LumenLinkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** An error that repeating the operation cannot fix. */
export abstract class PermanentError extends LumenLinkError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.PermanentError');
  }

  /** Whether `value` is a {@link PermanentError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is PermanentError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.PermanentError');
  }

  readonly isRetryable = false;
}

/** An error that may clear by itself; the operation can be tried again later. */
export abstract class TransientError extends LumenLinkError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.TransientError');
  }

  /** Whether `value` is a {@link TransientError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is TransientError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.TransientError');
  }

  readonly isRetryable = true;
}

/** One problem found in the configuration. */
export interface ConfigIssue {
  /** The env key at fault, e.g. `RISK_MAX_POSITION_USD`. */
  readonly key: string;
  /** What is wrong, e.g. `"abc" is not a number`. Never contains a secret's value. */
  readonly problem: string;
  /** What the key accepts, e.g. `a number > 0 (default 250)`. */
  readonly accepted?: string;
}

/**
 * The configuration is invalid. Lists every bad key at once, so one run shows every fix.
 */
export class ConfigError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.ConfigError');
  }

  /** Whether `value` is a {@link ConfigError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is ConfigError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.ConfigError');
  }

  readonly code = 'CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];

  constructor(
    issues: readonly ConfigIssue[],
    options: LumenLinkErrorOptions & { title?: string } = {},
  ) {
    const title = options.title ?? 'Invalid configuration';
    const lines = issues.map(
      (issue) =>
        `  - ${issue.key}: ${issue.problem}${issue.accepted ? `. Accepted: ${issue.accepted}` : ''}`,
    );
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`${title} (${count}):\n${lines.join('\n')}`, options);
    this.issues = issues;
  }
}

/** Input that breaks a documented contract: a malformed symbol, timeframe or argument. */
export class ValidationError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.ValidationError');
  }

  /** Whether `value` is a {@link ValidationError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is ValidationError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.ValidationError');
  }

  readonly code = 'VALIDATION_FAILED';
}

/**
 * Market or stored data violates an invariant (a candle with high below low, a gap where none
 * may be, a fill for an unknown order). Trading on it would be unsafe, so it fails fast.
 */
export class DataIntegrityError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.DataIntegrityError');
  }

  /** Whether `value` is a {@link DataIntegrityError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is DataIntegrityError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.DataIntegrityError');
  }

  readonly code = 'DATA_INTEGRITY';
}

/** A strategy threw or returned an invalid signal. The trading loop survives it. */
export class StrategyError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.StrategyError');
  }

  /** Whether `value` is a {@link StrategyError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is StrategyError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.StrategyError');
  }

  readonly code = 'STRATEGY_FAILED';
  /** The strategy that failed: its key, with its file when it was loaded from one. */
  readonly strategy: string;

  constructor(strategy: string, message: string, options: LumenLinkErrorOptions = {}) {
    super(`Strategy ${strategy}: ${message}`, options);
    this.strategy = strategy;
  }
}

/**
 * Storage did not answer (disk full, locked, I/O error). Transient: every order is blocked
 * until storage answers again, because nothing is sent without its intent stored.
 */
export class StorageError extends TransientError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.StorageError');
  }

  /** Whether `value` is a {@link StorageError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is StorageError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.StorageError');
  }

  readonly code = 'STORAGE_UNAVAILABLE';
}

/** An order status change that the order state machine does not allow. A bug, never retried. */
export class OrderTransitionError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.OrderTransitionError');
  }

  /** Whether `value` is an {@link OrderTransitionError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is OrderTransitionError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.OrderTransitionError');
  }

  readonly code = 'ORDER_TRANSITION_ILLEGAL';
}

/**
 * The exchange did not answer usefully: a timeout, a refused or reset connection, a 5xx, a
 * maintenance page, a clock-skew refusal, a malformed body. A read may be retried after a
 * backoff; an order placement that ends here has an unknown outcome (see
 * {@link OrderOutcomeUnknownError}).
 */
export class ExchangeUnavailableError extends TransientError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.ExchangeUnavailableError');
  }

  /** Whether `value` is an {@link ExchangeUnavailableError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is ExchangeUnavailableError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.ExchangeUnavailableError');
  }

  readonly code: string = 'EXCHANGE_UNAVAILABLE';
}

/**
 * The exchange refused for rate (HTTP 429) or banned the client for a while (HTTP 418).
 * `retryAfterMs` is the wait the exchange asked for, when it said.
 */
export class RateLimitError extends ExchangeUnavailableError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.RateLimitError');
  }

  /** Whether `value` is a {@link RateLimitError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is RateLimitError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.RateLimitError');
  }

  override readonly code = 'EXCHANGE_RATE_LIMITED';
  readonly retryAfterMs: number | null;

  constructor(message: string, options: LumenLinkErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/**
 * An order was sent and no definite answer came back (timeout, reset, 5xx, a reply that could
 * not be read, any unexpected thrown value). The order may or may not exist: it must be looked
 * up by its client order id, never sent again blindly.
 */
export class OrderOutcomeUnknownError extends TransientError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.OrderOutcomeUnknownError');
  }

  /** Whether `value` is an {@link OrderOutcomeUnknownError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is OrderOutcomeUnknownError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.OrderOutcomeUnknownError');
  }

  readonly code = 'ORDER_OUTCOME_UNKNOWN';
  readonly clientOrderId: string;

  constructor(clientOrderId: string, message: string, options: LumenLinkErrorOptions = {}) {
    super(message, options);
    this.clientOrderId = clientOrderId;
  }
}

/** Why the exchange refused an order: final for that order. */
export type OrderRejectionReason =
  'insufficient_funds' | 'invalid_order' | 'duplicate_client_id' | 'market_closed' | 'rejected';

/** The exchange answered an order with a definite no. Final: retrying the same order cannot help. */
export class OrderRejectedError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.OrderRejectedError');
  }

  /** Whether `value` is an {@link OrderRejectedError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is OrderRejectedError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.OrderRejectedError');
  }

  readonly code = 'ORDER_REJECTED';
  readonly reason: OrderRejectionReason;

  constructor(reason: OrderRejectionReason, message: string, options: LumenLinkErrorOptions = {}) {
    super(message, options);
    this.reason = reason;
  }
}

/** The exchange says the order does not exist (which, for a fresh order, may not be true yet). */
export class OrderNotFoundError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.OrderNotFoundError');
  }

  /** Whether `value` is an {@link OrderNotFoundError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is OrderNotFoundError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.OrderNotFoundError');
  }

  readonly code = 'ORDER_NOT_FOUND';
}

/** The exchange refused the credentials or the permission. Final until an operator acts. */
export class ExchangeAuthError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.ExchangeAuthError');
  }

  /** Whether `value` is an {@link ExchangeAuthError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is ExchangeAuthError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.ExchangeAuthError');
  }

  readonly code = 'EXCHANGE_AUTH';
}

/** The exchange refused the request itself: a bad symbol, argument or an unsupported call. */
export class ExchangeRequestError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.ExchangeRequestError');
  }

  /** Whether `value` is an {@link ExchangeRequestError}, from any copy of `@lumenlink/core`. */
  static override isInstance(value: unknown): value is ExchangeRequestError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.ExchangeRequestError');
  }

  readonly code = 'EXCHANGE_BAD_REQUEST';
}

/** Whether an unknown thrown value is a {@link LumenLinkError} that says a retry may help. */
export function isRetryableError(error: unknown): boolean {
  return LumenLinkError.isInstance(error) && error.isRetryable;
}
