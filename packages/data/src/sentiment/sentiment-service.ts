/**
 * The sentiment service: refreshes the four feeds and hands strategies core's `MarketContext`,
 * each part with the time it was fetched. A feed failing or hanging leaves its part stale (with
 * its age) or absent; nothing it does throws into the caller (docs/architecture/principles.md,
 * principle 6).
 */
import {
  LumenLinkError,
  contextAge,
  silentLogger,
  type Clock,
  type Logger,
  type MarketContext,
} from '@lumenlink/core';
import { CoinGeckoClient } from './coingecko-client.js';
import { CryptoPanicClient, normalizeCurrencies, scoreNews } from './cryptopanic-client.js';
import { DefiLlamaClient } from './defillama-client.js';
import { FearGreedClient } from './fear-greed-client.js';
import { feedNames, type FeedName } from './feed-errors.js';
import type { FeedClientOptions } from './http-feed.js';

/** The parts of core's `MarketContext`, in refresh order. */
export const sentimentParts = ['fearGreed', 'news', 'tvl', 'market'] as const;
/** One of {@link sentimentParts}. */
export type SentimentPart = (typeof sentimentParts)[number];

/** The feed behind each part. */
export const sentimentPartFeeds: Readonly<Record<SentimentPart, FeedName>> = {
  fearGreed: 'fear-greed',
  news: 'cryptopanic',
  tvl: 'defillama',
  market: 'coingecko',
};

/** The default of {@link SentimentServiceOptions.maxAgeMs}: a day. */
export const defaultSentimentMaxAgeMs = 24 * 3_600_000;
/** The default of {@link SentimentServiceOptions.newsWindowMs}: a day. */
export const defaultNewsWindowMs = 24 * 3_600_000;

/** What a {@link SentimentService} needs. Each client is optional: a missing one is a disabled part. */
export interface SentimentServiceOptions {
  /** Ages the parts; the only time the service reads. */
  readonly clock: Clock;
  /** Receives failures and recoveries (warn, info); silent by default. */
  readonly logger?: Logger;
  readonly fearGreed?: Pick<FearGreedClient, 'latest'>;
  readonly news?: Pick<CryptoPanicClient, 'posts'>;
  readonly tvl?: Pick<DefiLlamaClient, 'tvl'>;
  readonly market?: Pick<CoinGeckoClient, 'global'>;
  /** Currencies whose news is scored together (default `['BTC']`). */
  readonly newsCurrencies?: readonly string[];
  /** Posts older than this at refresh time are not scored (default {@link defaultNewsWindowMs}). */
  readonly newsWindowMs?: number;
  /** The chain whose TVL is reported (a DeFiLlama chain name); all chains by default. */
  readonly tvlChain?: string;
  /** Parts older than this are left out of {@link SentimentService.snapshot} (default {@link defaultSentimentMaxAgeMs}). */
  readonly maxAgeMs?: number;
}

/** What a refresh did for one part. */
export type PartOutcome = 'fetched' | 'cached' | 'failed' | 'disabled';

/** One part of a {@link SentimentRefreshResult}. */
export interface PartRefresh {
  readonly part: SentimentPart;
  readonly feed: FeedName;
  /** `fetched` from the provider, `cached` within the client's TTL, `failed`, or `disabled`. */
  readonly outcome: PartOutcome;
  /** Why it failed (a `FeedError`, `FeedRejectedError`, `FeedSchemaError`, or anything else thrown). */
  readonly error: Error | null;
  /** When the part now held was fetched, `null` when none is held. */
  readonly updatedAt: number | null;
}

/** What one {@link SentimentService.refresh} did. */
export interface SentimentRefreshResult {
  readonly startedAt: number;
  readonly finishedAt: number;
  /** One entry per part, in {@link sentimentParts} order. */
  readonly parts: readonly PartRefresh[];
  /** Parts whose feed failed this time (their last good value, if any, is kept). */
  readonly failed: readonly SentimentPart[];
}

/** The health of one part, for a status page. */
export interface SentimentPartStatus {
  readonly part: SentimentPart;
  readonly feed: FeedName;
  readonly enabled: boolean;
  /** When the part held was fetched, `null` when none is held. */
  readonly updatedAt: number | null;
  /** Its age now, in ms, `null` when none is held. */
  readonly ageMs: number | null;
  /** Whether it is too old for {@link SentimentService.snapshot} (older than `maxAgeMs`). */
  readonly expired: boolean;
  readonly lastAttemptAt: number | null;
  /** Failed refreshes in a row. */
  readonly consecutiveFailures: number;
  /** Code and message of the last failure, `null` after a success. Never contains a token. */
  readonly lastError: { readonly code: string; readonly message: string } | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface PartState {
  lastAttemptAt: number | null;
  consecutiveFailures: number;
  lastError: { code: string; message: string } | null;
}

/**
 * Combines Fear & Greed, CryptoPanic, DeFiLlama and CoinGecko into core's `MarketContext`.
 * `refresh()` (the scheduler's sentiment loop, every `SENTIMENT_INTERVAL_MS`) asks every
 * enabled feed concurrently; each client serves from its TTL cache, retries with backoff and
 * honours rate limits. A part whose feed fails keeps its last good value and `updatedAt`.
 * `snapshot()` never touches the network: it returns the parts held, leaving out those older
 * than `maxAgeMs`. Neither method throws.
 *
 * @example
 * ```ts
 * const sentiment = createSentimentService({ clock: systemClock, logger,
 *   cryptoPanicToken: config.sentiment.cryptoPanicToken });
 * await sentiment.refresh(); // at start, then every config.loops.sentimentMs
 * const market = await sentiment.snapshot(); // { fearGreed?: { value, classification, updatedAt }, news?, tvl?, market? }
 * ```
 */
export class SentimentService {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #options: SentimentServiceOptions;
  readonly #newsCurrencies: readonly string[];
  readonly #newsWindowMs: number;
  readonly #maxAgeMs: number;
  readonly #context: Mutable<MarketContext> = {};
  readonly #states: Record<SentimentPart, PartState>;
  #inFlight: Promise<SentimentRefreshResult> | undefined;

  /** @throws {ValidationError} for a news currency that is not a currency code. */
  constructor(options: SentimentServiceOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#logger = (options.logger ?? silentLogger).child({ module: 'sentiment' });
    this.#newsCurrencies = normalizeCurrencies(options.newsCurrencies ?? ['BTC']);
    this.#newsWindowMs = options.newsWindowMs ?? defaultNewsWindowMs;
    this.#maxAgeMs = options.maxAgeMs ?? defaultSentimentMaxAgeMs;
    const fresh = (): PartState => ({
      lastAttemptAt: null,
      consecutiveFailures: 0,
      lastError: null,
    });
    this.#states = { fearGreed: fresh(), news: fresh(), tvl: fresh(), market: fresh() };
  }

  /**
   * Refreshes every enabled part concurrently and reports what happened. Never throws: a failed
   * part is reported, logged and keeps its last good value. A call while one runs returns it.
   */
  refresh(): Promise<SentimentRefreshResult> {
    if (this.#inFlight === undefined) {
      this.#inFlight = this.#refreshAll().finally(() => {
        this.#inFlight = undefined;
      });
    }
    return this.#inFlight;
  }

  /**
   * The parts held, each with `updatedAt`; parts older than `maxAgeMs` and parts never fetched
   * are absent. No network access: it never waits for a feed.
   */
  snapshot(): Promise<MarketContext> {
    const now = this.#clock.now();
    const context: Mutable<MarketContext> = {};
    for (const part of sentimentParts) {
      const age = contextAge(this.#context[part], now);
      if (age !== undefined && age <= this.#maxAgeMs) copyPart(context, this.#context, part);
    }
    return Promise.resolve(context);
  }

  /** The health of every part now: age, last attempt, failures in a row, last error. */
  status(): SentimentPartStatus[] {
    const now = this.#clock.now();
    return sentimentParts.map((part) => {
      const held = this.#context[part];
      const age = contextAge(held, now);
      const state = this.#states[part];
      return {
        part,
        feed: sentimentPartFeeds[part],
        enabled: this.#enabled(part),
        updatedAt: held?.updatedAt ?? null,
        ageMs: age ?? null,
        expired: age !== undefined && age > this.#maxAgeMs,
        lastAttemptAt: state.lastAttemptAt,
        consecutiveFailures: state.consecutiveFailures,
        lastError: state.lastError,
      };
    });
  }

  async #refreshAll(): Promise<SentimentRefreshResult> {
    const startedAt = this.#clock.now();
    const parts = await Promise.all(sentimentParts.map((part) => this.#refreshPart(part)));
    return {
      startedAt,
      finishedAt: this.#clock.now(),
      parts,
      failed: parts.filter((part) => part.outcome === 'failed').map((part) => part.part),
    };
  }

  #enabled(part: SentimentPart): boolean {
    switch (part) {
      case 'fearGreed':
        return this.#options.fearGreed !== undefined;
      case 'news':
        return this.#options.news !== undefined;
      case 'tvl':
        return this.#options.tvl !== undefined;
      case 'market':
        return this.#options.market !== undefined;
    }
  }

  async #refreshPart(part: SentimentPart): Promise<PartRefresh> {
    const feed = sentimentPartFeeds[part];
    if (!this.#enabled(part)) {
      return { part, feed, outcome: 'disabled', error: null, updatedAt: null };
    }
    const state = this.#states[part];
    state.lastAttemptAt = this.#clock.now();
    try {
      const fromCache = await this.#fetchPart(part);
      if (state.consecutiveFailures > 0) {
        this.#logger.info('Sentiment feed recovered', {
          part,
          feed,
          failures: state.consecutiveFailures,
        });
      }
      state.consecutiveFailures = 0;
      state.lastError = null;
      return {
        part,
        feed,
        outcome: fromCache ? 'cached' : 'fetched',
        error: null,
        updatedAt: this.#context[part]?.updatedAt ?? null,
      };
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      const code = LumenLinkError.isInstance(error) ? error.code : 'UNEXPECTED';
      state.consecutiveFailures++;
      state.lastError = { code, message: error.message };
      const held = this.#context[part];
      this.#logger.warn('Sentiment feed failed; keeping the last value', {
        part,
        feed,
        code,
        error: error.message,
        failures: state.consecutiveFailures,
        ageMs: contextAge(held, this.#clock.now()) ?? null,
      });
      return { part, feed, outcome: 'failed', error, updatedAt: held?.updatedAt ?? null };
    }
  }

  /** Fetches one part into the context; returns whether it came from the client's cache. */
  async #fetchPart(part: SentimentPart): Promise<boolean> {
    const options = this.#options;
    switch (part) {
      case 'fearGreed': {
        const result = await options.fearGreed!.latest();
        this.#context.fearGreed = {
          value: result.value.value,
          classification: result.value.classification,
          updatedAt: result.fetchedAt,
        };
        return result.fromCache;
      }
      case 'news': {
        const result = await options.news!.posts({ currencies: this.#newsCurrencies });
        const since = this.#clock.now() - this.#newsWindowMs;
        this.#context.news = { ...scoreNews(result.value, { since }), updatedAt: result.fetchedAt };
        return result.fromCache;
      }
      case 'tvl': {
        const result = await options.tvl!.tvl(options.tvlChain);
        this.#context.tvl = {
          totalUsd: result.value.totalUsd,
          change1dPct: result.value.change1dPct,
          updatedAt: result.fetchedAt,
        };
        return result.fromCache;
      }
      case 'market': {
        const result = await options.market!.global();
        this.#context.market = {
          marketCapUsd: result.value.marketCapUsd,
          btcDominancePct: result.value.btcDominancePct,
          marketCapChange24hPct: result.value.marketCapChange24hPct,
          updatedAt: result.fetchedAt,
        };
        return result.fromCache;
      }
    }
  }
}

/** Options of {@link createSentimentService}: the clients' shared options plus the service's. */
export interface CreateSentimentServiceOptions
  extends
    Omit<FeedClientOptions, 'baseUrl' | 'cacheTtlMs'>,
    Omit<SentimentServiceOptions, 'fearGreed' | 'news' | 'tvl' | 'market'> {
  /** `config.sentiment.cryptoPanicToken`; without it the news part is disabled. */
  readonly cryptoPanicToken?: string;
  /** A CoinGecko Demo API key (optional). */
  readonly coinGeckoApiKey?: string;
  /** The feeds to use (default all; CryptoPanic only with a token). */
  readonly feeds?: readonly FeedName[];
  /** Base URL per feed, for a proxy or a local test server. */
  readonly baseUrls?: Partial<Readonly<Record<FeedName, string>>>;
  /** Cache TTL per feed, in ms (defaults per client). */
  readonly cacheTtlMs?: Partial<Readonly<Record<FeedName, number>>>;
}

/**
 * Builds the four clients with shared options and a {@link SentimentService} over them.
 *
 * @throws {ValidationError} for a bad base URL, number option or news currency code.
 *
 * @example
 * ```ts
 * const sentiment = createSentimentService({ clock: systemClock, logger,
 *   cryptoPanicToken: config.sentiment.cryptoPanicToken, newsCurrencies: ['BTC', 'ETH'] });
 * ```
 */
export function createSentimentService(options: CreateSentimentServiceOptions): SentimentService {
  const {
    cryptoPanicToken,
    coinGeckoApiKey,
    feeds = feedNames,
    baseUrls = {},
    cacheTtlMs = {},
    newsCurrencies,
    newsWindowMs,
    tvlChain,
    maxAgeMs,
    ...shared
  } = options;
  const client = (feed: FeedName): FeedClientOptions => {
    const baseUrl = baseUrls[feed];
    const ttl = cacheTtlMs[feed];
    return {
      ...shared,
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(ttl === undefined ? {} : { cacheTtlMs: ttl }),
    };
  };
  const token = cryptoPanicToken?.trim() ?? '';
  const useNews = feeds.includes('cryptopanic') && token !== '';
  return new SentimentService({
    clock: shared.clock,
    ...(shared.logger === undefined ? {} : { logger: shared.logger }),
    ...(feeds.includes('fear-greed')
      ? { fearGreed: new FearGreedClient(client('fear-greed')) }
      : {}),
    ...(useNews
      ? { news: new CryptoPanicClient({ ...client('cryptopanic'), token: cryptoPanicToken! }) }
      : {}),
    ...(feeds.includes('defillama') ? { tvl: new DefiLlamaClient(client('defillama')) } : {}),
    ...(feeds.includes('coingecko')
      ? {
          market: new CoinGeckoClient({
            ...client('coingecko'),
            ...(coinGeckoApiKey === undefined ? {} : { apiKey: coinGeckoApiKey }),
          }),
        }
      : {}),
    ...(newsCurrencies === undefined ? {} : { newsCurrencies }),
    ...(newsWindowMs === undefined ? {} : { newsWindowMs }),
    ...(tvlChain === undefined ? {} : { tvlChain }),
    ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
  });
}

function copyPart(
  target: Mutable<MarketContext>,
  source: MarketContext,
  part: SentimentPart,
): void {
  switch (part) {
    case 'fearGreed':
      if (source.fearGreed !== undefined) target.fearGreed = source.fearGreed;
      return;
    case 'news':
      if (source.news !== undefined) target.news = source.news;
      return;
    case 'tvl':
      if (source.tvl !== undefined) target.tvl = source.tvl;
      return;
    case 'market':
      if (source.market !== undefined) target.market = source.market;
      return;
  }
}
