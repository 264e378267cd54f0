/**
 * The HTTP machinery shared by the feed clients: one GET with a timeout on the {@link Clock},
 * retries with exponential backoff, `Retry-After` honoured (and remembered) on 429 and 503, zod
 * validation, a TTL cache and in-flight sharing. Uses the global `fetch`.
 */
import {
  ValidationError,
  silentLogger,
  type Clock,
  type Logger,
  type TimerHandle,
} from '@lumenlink/core';
import type { z } from 'zod';
import {
  FeedError,
  FeedRejectedError,
  FeedSchemaError,
  feedLabels,
  type FeedName,
} from './feed-errors.js';
import { parseRetryAfter } from './retry-after.js';
import { TtlCache } from './ttl-cache.js';

/** The default of {@link FeedClientOptions.timeoutMs}. */
export const defaultFeedTimeoutMs = 10_000;
/** The default of {@link FeedClientOptions.retries}. */
export const defaultFeedRetries = 2;
/** The default of {@link FeedClientOptions.backoffMs}. */
export const defaultFeedBackoffMs = 1_000;
/** The default of {@link FeedClientOptions.maxBackoffMs}. */
export const defaultFeedMaxBackoffMs = 30_000;
/** The default of {@link FeedClientOptions.maxRetryAfterMs}. */
export const defaultMaxRetryAfterMs = 60_000;

/** The `fetch` a client calls: the global one by default. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** What every feed client accepts. */
export interface FeedClientOptions {
  /** The provider's API root; defaults to its real URL. Point it at a local server in tests. */
  readonly baseUrl?: string;
  /** Times the cache, the request timeout and every wait between attempts. */
  readonly clock: Clock;
  /** Receives retries and rate limiting; silent by default. Never given a token. */
  readonly logger?: Logger;
  /** Budget of one attempt, response body included, in ms (default {@link defaultFeedTimeoutMs}). */
  readonly timeoutMs?: number;
  /** Attempts after the first for transient failures (default {@link defaultFeedRetries}). */
  readonly retries?: number;
  /** How long a response is served from the cache, in ms; 0 turns the cache off. Per client. */
  readonly cacheTtlMs?: number;
  /** First backoff, doubled per retry (default {@link defaultFeedBackoffMs}). */
  readonly backoffMs?: number;
  /** Cap of the backoff (default {@link defaultFeedMaxBackoffMs}). */
  readonly maxBackoffMs?: number;
  /**
   * The longest `Retry-After` the client waits out before retrying, in ms (default
   * {@link defaultMaxRetryAfterMs}). A longer one fails the call at once, and the client sends
   * nothing to that provider until the wait has passed.
   */
  readonly maxRetryAfterMs?: number;
  /** The `fetch` to call (default `globalThis.fetch`). */
  readonly fetch?: FetchFunction;
}

/** A parsed feed response and when it was fetched. */
export interface FeedResult<T> {
  readonly value: T;
  /** When the response arrived (epoch ms); the age of a cached value counts from here. */
  readonly fetchedAt: number;
  /** Whether the value came from the TTL cache without a request. */
  readonly fromCache: boolean;
}

/** One GET of a feed. */
export interface FeedRequest<S, T> {
  /** Cache and in-flight key; requests with the same key share a response. */
  readonly key: string;
  /** Path below the base URL, starting with `/`. */
  readonly path: string;
  /** Query parameters. Values are never logged or put in messages. */
  readonly query?: Readonly<Record<string, string>>;
  /** Validates the JSON body. */
  readonly schema: z.ZodType<S>;
  /**
   * Turns the validated body into the client's value. May throw {@link FeedSchemaError} or
   * {@link FeedRejectedError}; `url` is the redacted URL for messages.
   */
  readonly map: (data: S, url: string) => T;
}

/** Settings of an {@link HttpFeed} besides the client's options. */
export interface HttpFeedSettings {
  readonly feed: FeedName;
  readonly defaultBaseUrl: string;
  readonly defaultCacheTtlMs: number;
  /** Extra request headers (an API key). Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Values scrubbed from every message and cause this feed produces (tokens, keys). */
  readonly secrets?: readonly string[];
}

interface Exchange {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: string;
}

/**
 * A JSON-over-GET feed with timeout, retry, backoff, rate-limit awareness and a TTL cache. The
 * clients build on it; it is exported for feeds of the same kind.
 *
 * Per call: a fresh cached value is returned without a request; a call for a key already in
 * flight shares that request; otherwise up to `retries + 1` attempts are made. Transient failures
 * ({@link FeedError}) are retried after `backoffMs * 2^n` (capped), or after the `Retry-After` of
 * a 429 or 503 when it is within `maxRetryAfterMs`; a longer one fails at once and blocks further
 * requests until it has passed. Rejections ({@link FeedRejectedError}) and schema drift
 * ({@link FeedSchemaError}) are not retried. A failure leaves the cache as it was.
 *
 * @example
 * ```ts
 * const feed = new HttpFeed(options, { feed: 'coingecko', defaultBaseUrl, defaultCacheTtlMs: 300_000 });
 * const { value, fetchedAt } = await feed.get({ key: 'global', path: '/global', schema, map });
 * ```
 */
export class HttpFeed {
  readonly #feed: FeedName;
  readonly #baseUrl: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #fetch: FetchFunction;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #secrets: readonly string[];
  readonly #cache: TtlCache<unknown>;
  readonly #inFlight = new Map<string, Promise<FeedResult<unknown>>>();
  #blockedUntil = 0;

  /** @throws {ValidationError} for a base URL that is not http(s) or a bad number option. */
  constructor(options: FeedClientOptions, settings: HttpFeedSettings) {
    const label = feedLabels[settings.feed];
    this.#feed = settings.feed;
    this.#baseUrl = baseUrl(label, options.baseUrl ?? settings.defaultBaseUrl);
    this.#clock = options.clock;
    this.#logger = (options.logger ?? silentLogger).child({
      module: 'sentiment',
      feed: settings.feed,
    });
    this.#timeoutMs = atLeast(label, 'timeoutMs', options.timeoutMs ?? defaultFeedTimeoutMs, 1);
    this.#retries = atLeast(label, 'retries', options.retries ?? defaultFeedRetries, 0);
    this.#backoffMs = atLeast(label, 'backoffMs', options.backoffMs ?? defaultFeedBackoffMs, 0);
    this.#maxBackoffMs = atLeast(
      label,
      'maxBackoffMs',
      options.maxBackoffMs ?? defaultFeedMaxBackoffMs,
      0,
    );
    this.#maxRetryAfterMs = atLeast(
      label,
      'maxRetryAfterMs',
      options.maxRetryAfterMs ?? defaultMaxRetryAfterMs,
      0,
    );
    const cacheTtlMs = atLeast(
      label,
      'cacheTtlMs',
      options.cacheTtlMs ?? settings.defaultCacheTtlMs,
      0,
    );
    this.#cache = new TtlCache(options.clock, cacheTtlMs);
    const fetchImpl = options.fetch;
    this.#fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
    this.#headers = { accept: 'application/json', ...settings.headers };
    this.#secrets = (settings.secrets ?? []).filter((secret) => secret !== '');
  }

  /** The feed this instance serves. */
  get feed(): FeedName {
    return this.#feed;
  }

  /**
   * The request's value: from the cache while fresh, otherwise fetched.
   *
   * @throws {FeedError} when every attempt failed transiently or a rate limit is in force.
   * @throws {FeedRejectedError} when the provider refused the request.
   * @throws {FeedSchemaError} when the response has drifted from the expected shape.
   */
  get<S, T>(request: FeedRequest<S, T>): Promise<FeedResult<T>> {
    const cached = this.#cache.get(request.key);
    if (cached !== undefined) {
      return Promise.resolve({
        value: cached.value as T,
        fetchedAt: cached.fetchedAt,
        fromCache: true,
      });
    }
    const running = this.#inFlight.get(request.key);
    if (running !== undefined) return running as Promise<FeedResult<T>>;
    const started = this.#fetchFresh(request).finally(() => this.#inFlight.delete(request.key));
    this.#inFlight.set(request.key, started);
    return started;
  }

  /** The last value fetched for `key`, whatever its age, or `undefined`. */
  peek<T>(key: string): FeedResult<T> | undefined {
    const entry = this.#cache.peek(key);
    return entry === undefined
      ? undefined
      : { value: entry.value as T, fetchedAt: entry.fetchedAt, fromCache: true };
  }

  async #fetchFresh<S, T>(request: FeedRequest<S, T>): Promise<FeedResult<T>> {
    const url = this.#url(request);
    const shown = redactUrl(url);
    for (let attempt = 0; ; attempt++) {
      // Only before the first attempt: a wait chosen below already honours Retry-After.
      const blockedMs = attempt === 0 ? this.#blockedUntil - this.#clock.now() : 0;
      if (blockedMs > 0) {
        throw new FeedError(
          this.#feed,
          'rate_limited',
          `rate limited; no request to ${shown} for another ${blockedMs} ms`,
          { status: 429, retryAfterMs: blockedMs },
        );
      }
      try {
        const value = this.#decode(request, await this.#attempt(url, shown), shown);
        const entry = this.#cache.set(request.key, value);
        return { value, fetchedAt: entry.fetchedAt, fromCache: false };
      } catch (error) {
        if (!FeedError.isInstance(error)) throw error;
        const retryAfter = error.retryAfterMs;
        if (retryAfter !== null) {
          this.#blockedUntil = Math.max(this.#blockedUntil, this.#clock.now() + retryAfter);
        }
        if (attempt >= this.#retries) throw error;
        if (retryAfter !== null && retryAfter > this.#maxRetryAfterMs) {
          this.#logger.warn('Feed rate limited; giving up until Retry-After has passed', {
            retryAfterMs: retryAfter,
            maxRetryAfterMs: this.#maxRetryAfterMs,
            status: error.status,
          });
          throw error;
        }
        const waitMs = retryAfter ?? Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** attempt);
        this.#logger.info('Feed request failed; retrying', {
          attempt: attempt + 1,
          retries: this.#retries,
          waitMs,
          reason: error.reason,
          status: error.status,
          error: error.message,
        });
        await this.#clock.sleep(waitMs);
      }
    }
  }

  /** One request, body included, raced against the timeout. */
  async #attempt(url: string, shown: string): Promise<Exchange> {
    const controller = new AbortController();
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.#clock.setTimeout(() => {
        reject(
          new FeedError(
            this.#feed,
            'timeout',
            `no answer from ${shown} within ${this.#timeoutMs} ms`,
          ),
        );
        controller.abort();
      }, this.#timeoutMs);
    });
    try {
      this.#logger.debug('Feed request', { url: shown });
      return await Promise.race([this.#exchange(url, shown, controller.signal), timeout]);
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    }
  }

  async #exchange(url: string, shown: string, signal: AbortSignal): Promise<Exchange> {
    let response: Response;
    try {
      response = await this.#fetch(url, { method: 'GET', headers: this.#headers, signal });
    } catch (error) {
      throw this.#networkError(error, shown);
    }
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      throw this.#networkError(error, shown);
    }
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
  }

  #decode<S, T>(request: FeedRequest<S, T>, exchange: Exchange, shown: string): T {
    const { status } = exchange;
    if (status < 200 || status > 299) throw this.#statusError(exchange, shown);
    let json: unknown;
    try {
      json = JSON.parse(exchange.body);
    } catch (error) {
      throw new FeedError(this.#feed, 'malformed', `response from ${shown} is not JSON`, {
        status,
        cause: this.#sanitize(error),
      });
    }
    const parsed = request.schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
      );
      throw new FeedSchemaError(this.#feed, shown, issues.map(this.#scrub));
    }
    return request.map(parsed.data, shown);
  }

  #statusError(exchange: Exchange, shown: string): FeedError | FeedRejectedError {
    const { status } = exchange;
    const retryAfterMs =
      status === 429 || status === 503
        ? parseRetryAfter(exchange.retryAfter, this.#clock.now())
        : undefined;
    const wait = retryAfterMs === undefined ? '' : `, Retry-After ${retryAfterMs} ms`;
    const options = retryAfterMs === undefined ? { status } : { status, retryAfterMs };
    if (status === 429) {
      return new FeedError(
        this.#feed,
        'rate_limited',
        `HTTP 429 (rate limited${wait}) from ${shown}`,
        options,
      );
    }
    if (status === 408 || status === 425 || status >= 500) {
      return new FeedError(this.#feed, 'status', `HTTP ${status}${wait} from ${shown}`, options);
    }
    return new FeedRejectedError(this.#feed, `HTTP ${status} from ${shown}`, { status });
  }

  #networkError(error: unknown, shown: string): FeedError {
    const detail = describe(error);
    return new FeedError(
      this.#feed,
      'network',
      this.#scrub(`request to ${shown} failed${detail === '' ? '' : ` (${detail})`}`),
      { cause: this.#sanitize(error) },
    );
  }

  /** A copy of `error` that keeps its name and (scrubbed) message, without the original chain. */
  #sanitize(error: unknown): Error {
    const copy = new Error(this.#scrub(describe(error)));
    if (error instanceof Error) copy.name = error.name;
    return copy;
  }

  /** Drops the query string of every URL in `text`, then masks each secret left. */
  readonly #scrub = (text: string): string => {
    let result = text.replace(/(https?:\/\/[^\s?#"'<>]*)\?[^\s#"'<>]*/g, '$1');
    for (const secret of this.#secrets) result = result.split(secret).join('[redacted]');
    return result;
  };

  #url(request: Pick<FeedRequest<unknown, unknown>, 'path' | 'query'>): string {
    const query = new URLSearchParams(request.query ?? {}).toString();
    return `${this.#baseUrl}${request.path}${query === '' ? '' : `?${query}`}`;
  }
}

/** `url` without its query string and fragment, safe to log: query strings carry tokens. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.replace(/[?#].*$/s, '');
  }
}

/** An error's message with the message of its cause (undici's `fetch failed` hides the reason). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  const inner = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : '';
  return inner === '' || inner === error.message ? error.message : `${error.message}: ${inner}`;
}

function baseUrl(label: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ValidationError(`${label}: baseUrl is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(`${label}: baseUrl must be http or https, got ${parsed.protocol}`);
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new ValidationError(`${label}: baseUrl must not have a query string or fragment`);
  }
  return value.replace(/\/+$/, '');
}

function atLeast(label: string, name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ValidationError(`${label}: ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}
