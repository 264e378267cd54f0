/**
 * Errors of the sentiment and on-chain feeds. A feed failing is never fatal: the sentiment
 * service catches these and keeps the last good value (docs/architecture/principles.md,
 * principle 6). Messages name the feed and the URL without its query string, so a token never
 * reaches a log line.
 */
import {
  LumenLinkError,
  PermanentError,
  TransientError,
  type LumenLinkErrorOptions,
} from '@lumenlink/core';

/** The feeds behind core's `MarketContext`. */
export const feedNames = ['fear-greed', 'cryptopanic', 'defillama', 'coingecko'] as const;
/** One of {@link feedNames}. */
export type FeedName = (typeof feedNames)[number];

/** Human names of the feeds, used in messages. */
export const feedLabels: Readonly<Record<FeedName, string>> = {
  'fear-greed': 'Fear & Greed',
  cryptopanic: 'CryptoPanic',
  defillama: 'DeFiLlama',
  coingecko: 'CoinGecko',
};

/** Why a feed request failed in a way a later attempt may not. */
export type FeedFailure = 'timeout' | 'network' | 'status' | 'rate_limited' | 'malformed';

/** Options of {@link FeedError}. */
export interface FeedErrorOptions extends LumenLinkErrorOptions {
  /** The HTTP status, when the provider answered. */
  readonly status?: number;
  /** How long the provider asked us to wait (`Retry-After`), in ms. */
  readonly retryAfterMs?: number;
}

/**
 * A feed did not answer usefully this time: a timeout, a connection error, HTTP 408, 425, 429 or
 * 5xx, or a body that is not JSON. Transient: the client retries it with backoff, and the next
 * refresh tries again.
 */
export class FeedError extends TransientError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.FeedError');
  }

  /** Whether `value` is a {@link FeedError}, from any copy of this package. */
  static override isInstance(value: unknown): value is FeedError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.FeedError');
  }

  readonly code = 'FEED_UNAVAILABLE';
  /** The feed that failed. */
  readonly feed: FeedName;
  /** What went wrong. */
  readonly reason: FeedFailure;
  /** The HTTP status, `null` when no response arrived. */
  readonly status: number | null;
  /** The wait the provider asked for (`Retry-After`), in ms, `null` when it named none. */
  readonly retryAfterMs: number | null;

  constructor(
    feed: FeedName,
    reason: FeedFailure,
    message: string,
    options: FeedErrorOptions = {},
  ) {
    super(`${feedLabels[feed]}: ${message}`, options);
    this.feed = feed;
    this.reason = reason;
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/**
 * The provider refused the request (HTTP 4xx other than 408, 425 and 429, such as 401 for a bad
 * CryptoPanic token or 404 for an unknown protocol), or answered with an error of its own.
 * Permanent: repeating the same request cannot help, so it is not retried.
 */
export class FeedRejectedError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.FeedRejectedError');
  }

  /** Whether `value` is a {@link FeedRejectedError}, from any copy of this package. */
  static override isInstance(value: unknown): value is FeedRejectedError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.FeedRejectedError');
  }

  readonly code = 'FEED_REJECTED';
  /** The feed that refused. */
  readonly feed: FeedName;
  /** The HTTP status, `null` for an error inside a 200 body. */
  readonly status: number | null;

  constructor(
    feed: FeedName,
    message: string,
    options: LumenLinkErrorOptions & { status?: number } = {},
  ) {
    super(`${feedLabels[feed]}: ${message}`, options);
    this.feed = feed;
    this.status = options.status ?? null;
  }
}

/**
 * The response is JSON but not in the shape we parse: the provider changed its format (a field
 * is missing or of another type). Permanent for this response; the feed's part goes stale until
 * the parser is updated, and nothing built on a half-understood answer reaches a strategy.
 */
export class FeedSchemaError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.FeedSchemaError');
  }

  /** Whether `value` is a {@link FeedSchemaError}, from any copy of this package. */
  static override isInstance(value: unknown): value is FeedSchemaError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.FeedSchemaError');
  }

  readonly code = 'FEED_SCHEMA_DRIFT';
  /** The feed whose format drifted. */
  readonly feed: FeedName;
  /** Each problem as `path: message`, such as `data.0.value_classification: expected string`. */
  readonly issues: readonly string[];

  constructor(
    feed: FeedName,
    url: string,
    issues: readonly string[],
    options: LumenLinkErrorOptions = {},
  ) {
    const shown = issues.slice(0, 5).join('; ');
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    super(`${feedLabels[feed]}: unexpected response from ${url}: ${shown}${more}`, options);
    this.feed = feed;
    this.issues = issues;
  }
}
