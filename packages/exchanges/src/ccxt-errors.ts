import {
  ExchangeAuthError,
  ExchangeRequestError,
  ExchangeUnavailableError,
  LumenLinkError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
  OrderRejectedError,
  RateLimitError,
  type OrderRejectionReason,
  createRedactor,
} from '@lumenlink/core';
import {
  ArgumentsRequired,
  AuthenticationError,
  BadRequest,
  BadResponse,
  BaseError,
  DDoSProtection,
  DuplicateOrderId,
  ExchangeError,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  MarketClosed,
  NetworkError,
  NotSupported,
  OperationFailed,
  OperationRejected,
  OrderNotFound,
  RateLimitExceeded,
} from 'ccxt';

/**
 * What the failed call was: a `read` (market data, order lookups, cancels, balances), which can
 * be retried, or the `place`ment of an order, which must never be resent blindly.
 */
export type CcxtCallKind = 'read' | 'place';

/** Everything a row of {@link ccxtErrorTable} needs to build our error. */
export interface CcxtErrorContext {
  /** The exchange id, e.g. `binance`. */
  readonly exchange: string;
  /** The adapter method that failed, e.g. `fetchTicker(BTC-USDT)`. */
  readonly operation: string;
  readonly kind: CcxtCallKind;
  /** Our client order id; set when `kind` is `place`. */
  readonly clientOrderId?: string;
  /**
   * The wait the exchange asked for in its `Retry-After` header, in ms, or `null` when it did
   * not say (read from ccxt's `last_response_headers` by the caller).
   */
  readonly retryAfterMs: number | null;
  /**
   * Removes secrets from the error's text. Applied to the whole text before it is cut short, so
   * no piece of a secret survives the cut. `CcxtExchange` passes one that knows its credentials
   * and the last request's signature. Well-known secret shapes (`signature=...`,
   * `X-MBX-APIKEY: ...`, `"apiKey": "..."`) are removed in any case.
   */
  readonly redact?: (text: string) => string;
}

/** Builds our error for one ccxt error class. */
type CcxtErrorMapper = (error: Error, context: CcxtErrorContext) => LumenLinkError;

/** A ccxt error class, as exported by `ccxt`. */
type CcxtErrorClass = abstract new (message: string) => BaseError;

/** One row of {@link ccxtErrorTable}: a ccxt error class and how it maps. */
export type CcxtErrorRow = readonly [ccxtClass: CcxtErrorClass, mapper: CcxtErrorMapper];

/**
 * The one table that turns ccxt's errors into LumenLink's, used by every call of
 * `CcxtExchange`. Ordered: the first row whose class the error is an instance of wins, so
 * subclasses come before their parents. A value that matches no row (not a ccxt error at all,
 * such as the TypeError ccxt throws on a body that is not JSON) is handled by
 * {@link mapCcxtError}: outcome unknown for a placement, exchange unavailable for a read.
 *
 * Placement rule: a definite refusal (ccxt's ExchangeError branch with a known meaning) is an
 * {@link OrderRejectedError} or {@link ExchangeAuthError}; anything else (network, rate limit,
 * clock skew, a bad or unknown answer) is an {@link OrderOutcomeUnknownError}: the order may
 * exist, and is looked up by client id, never sent again.
 */
export const ccxtErrorTable: readonly CcxtErrorRow[] = [
  [
    OrderNotFound,
    (error, context) =>
      context.kind === 'place'
        ? rejected('invalid_order', error, context)
        : new OrderNotFoundError(describe(error, context), { cause: error }),
  ],
  [DuplicateOrderId, (error, context) => onPlacement(error, context, 'duplicate_client_id')],
  [InsufficientFunds, (error, context) => onPlacement(error, context, 'insufficient_funds')],
  [InvalidOrder, (error, context) => onPlacement(error, context, invalidOrDuplicate(error))],
  [MarketClosed, (error, context) => onPlacement(error, context, 'market_closed')],
  [
    AuthenticationError,
    (error, context) =>
      new ExchangeAuthError(
        `${describe(error, context)} (check EXCHANGE_API_KEY, EXCHANGE_API_SECRET, EXCHANGE_API_PASSPHRASE and the key's permissions)`,
        { cause: error },
      ),
  ],
  // bybit answers a reused orderLinkId with 12141 "Duplicate clientOrderId." = BadRequest.
  [BadRequest, (error, context) => onPlacement(error, context, invalidOrDuplicate(error))],
  [ArgumentsRequired, (error, context) => onPlacement(error, context, 'invalid_order')],
  [NotSupported, (error, context) => onPlacement(error, context, 'invalid_order')],
  [OperationRejected, (error, context) => onPlacement(error, context, 'rejected')],
  [
    ExchangeError,
    (error, context) =>
      context.kind === 'place'
        ? unknownOutcome(error, context, 'the exchange answered with an error of unknown meaning')
        : new ExchangeRequestError(describe(error, context), { cause: error }),
  ],
  [DDoSProtection, rateLimited],
  [RateLimitExceeded, rateLimited],
  [
    InvalidNonce,
    (error, context) =>
      context.kind === 'place'
        ? unknownOutcome(error, context, 'the exchange refused the request time (clock skew?)')
        : new ExchangeUnavailableError(
            `${describe(error, context)} (the exchange refused the request time: the machine clock is probably skewed; sync it with NTP)`,
            { cause: error },
          ),
  ],
  [NetworkError, (error, context) => unavailable(error, context, 'no usable answer')],
  [BadResponse, (error, context) => unavailable(error, context, 'an unreadable answer')],
  [OperationFailed, (error, context) => unavailable(error, context, 'the operation failed')],
  [BaseError, (error, context) => unavailable(error, context, 'an unexpected ccxt error')],
];

/**
 * Maps anything a ccxt call threw to a LumenLink error through {@link ccxtErrorTable}. Our own
 * errors pass through for reads (a payload that failed validation stays a
 * `DataIntegrityError`); for a placement every error after the request may have left becomes an
 * {@link OrderOutcomeUnknownError} unless a table row says the exchange refused it.
 */
export function mapCcxtError(error: unknown, context: CcxtErrorContext): LumenLinkError {
  if (LumenLinkError.isInstance(error)) {
    return context.kind === 'place'
      ? unknownOutcome(error, context, 'its answer could not be accepted')
      : error;
  }
  if (error instanceof Error) {
    for (const [ccxtClass, mapper] of ccxtErrorTable) {
      if (error instanceof ccxtClass) return mapper(error, context);
    }
  }
  return unavailable(error, context, 'an unexpected failure (not a ccxt error)');
}

/**
 * Reads a `Retry-After` header (seconds, or an HTTP date) into milliseconds from `now`; `null`
 * when absent or unreadable. ccxt capitalises header names (`Retry-After`).
 */
export function retryAfterMs(
  headers: Readonly<Record<string, unknown>> | undefined,
  now: number,
): number | null {
  const value = headers?.['Retry-After'] ?? headers?.['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * A reused client order id is refused as an invalid order (binance -2010 "Duplicate order
 * sent.", bybit 170141) or a bad request (bybit 12141); only the message tells.
 */
function invalidOrDuplicate(error: Error): OrderRejectionReason {
  return /duplicate/i.test(error.message) ? 'duplicate_client_id' : 'invalid_order';
}

function onPlacement(
  error: Error,
  context: CcxtErrorContext,
  reason: OrderRejectionReason,
): LumenLinkError {
  return context.kind === 'place'
    ? rejected(reason, error, context)
    : new ExchangeRequestError(describe(error, context), { cause: error });
}

function rejected(
  reason: OrderRejectionReason,
  error: Error,
  context: CcxtErrorContext,
): OrderRejectedError {
  return new OrderRejectedError(reason, `${describe(error, context)} (rejected: ${reason})`, {
    cause: error,
  });
}

function rateLimited(error: Error, context: CcxtErrorContext): LumenLinkError {
  if (context.kind === 'place') return unknownOutcome(error, context, 'rate limited');
  const wait = context.retryAfterMs === null ? '' : `; retry after ${context.retryAfterMs} ms`;
  return new RateLimitError(`${describe(error, context)} (rate limited${wait})`, {
    cause: error,
    ...(context.retryAfterMs === null ? {} : { retryAfterMs: context.retryAfterMs }),
  });
}

function unavailable(error: unknown, context: CcxtErrorContext, what: string): LumenLinkError {
  return context.kind === 'place'
    ? unknownOutcome(error, context, what)
    : new ExchangeUnavailableError(`${describe(error, context)} (${what})`, { cause: error });
}

function unknownOutcome(
  error: unknown,
  context: CcxtErrorContext,
  what: string,
): OrderOutcomeUnknownError {
  const clientOrderId = context.clientOrderId ?? '';
  return new OrderOutcomeUnknownError(
    clientOrderId,
    `${describe(error, context)} (${what}): the order ${clientOrderId} may or may not exist; look it up by client order id, do not send it again`,
    { cause: error },
  );
}

const maxMessageLength = 400;

/** Core's redactor without configured secrets: well-known secret shapes only. */
const redactSecretShapes = createRedactor();

/**
 * `binance fetchTicker(BTC-USDT) failed: RequestTimeout: ...`: secrets redacted (the context's
 * redactor, then well-known shapes such as URL signatures), then cut short (ccxt puts whole
 * response bodies, such as HTML error pages, in its messages). Redaction comes first: a secret
 * cut in two would no longer be recognised.
 */
function describe(error: unknown, context: CcxtErrorContext): string {
  const name = error instanceof Error ? error.name : typeof error;
  const text = error instanceof Error ? error.message : String(error);
  const message = redactSecretShapes(context.redact === undefined ? text : context.redact(text));
  const short =
    message.length > maxMessageLength ? `${message.slice(0, maxMessageLength)}...` : message;
  return `${context.exchange} ${context.operation} failed: ${name}: ${short}`;
}
