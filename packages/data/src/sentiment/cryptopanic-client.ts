/**
 * CryptoPanic news posts with their community votes, scored from bearish (-1) to bullish (1).
 * `GET https://cryptopanic.com/api/v1/posts/?auth_token=…&currencies=BTC&public=true`; needs a
 * token (`CRYPTOPANIC_TOKEN`), which never appears in a log line or an error message.
 */
import { ValidationError } from '@lumenlink/core';
import { z } from 'zod';
import { HttpFeed, type FeedClientOptions, type FeedResult } from './http-feed.js';

/** The real API root of CryptoPanic (v1). Plans on the newer API set their own, e.g. `…/api/developer/v2`. */
export const cryptoPanicBaseUrl = 'https://cryptopanic.com/api/v1';
/** The default cache TTL of {@link CryptoPanicClient}, below the default sentiment loop of 15 minutes. */
export const defaultCryptoPanicCacheTtlMs = 10 * 60_000;

const count = z.number().int().nonnegative();
const currencyRefSchema = z.looseObject({ code: z.string().min(1) });

/** A post's votes. The 2018 API sends `negative`, `positive`, `important`; later ones add more. */
const cryptoPanicVotesSchema = z.looseObject({
  positive: count,
  negative: count,
  important: count.optional(),
  liked: count.optional(),
  disliked: count.optional(),
  toxic: count.optional(),
});

/** One post of `GET /posts/`. Only the fields we read are checked; the rest pass through. */
const cryptoPanicPostSchema = z.looseObject({
  id: z.number().int(),
  title: z.string(),
  published_at: z.string().refine((text) => Number.isFinite(Date.parse(text)), 'not a date'),
  votes: cryptoPanicVotesSchema,
  url: z.string().optional(),
  kind: z.string().optional(),
  /** The coins a post is tagged with (v1); newer APIs name them `instruments`. */
  currencies: z.array(currencyRefSchema).nullable().optional(),
  instruments: z.array(currencyRefSchema).nullable().optional(),
});

/** The body of `GET /posts/`. `next` embeds the token: it is never kept or logged. */
export const cryptoPanicResponseSchema = z.looseObject({
  results: z.array(cryptoPanicPostSchema),
});
/** The validated body of `GET /posts/`. */
export type CryptoPanicResponse = z.infer<typeof cryptoPanicResponseSchema>;

/** CryptoPanic's UI filters, passed as `filter`. */
export type CryptoPanicFilter =
  'rising' | 'hot' | 'bullish' | 'bearish' | 'important' | 'saved' | 'lol';

/** One news post, with its votes read as bullish (`positive`) and bearish (`negative`). */
export interface NewsPost {
  readonly id: number;
  readonly title: string;
  /** Epoch ms. */
  readonly publishedAt: number;
  /** Currency codes the post is tagged with, upper case. */
  readonly currencies: readonly string[];
  readonly bullishVotes: number;
  readonly bearishVotes: number;
  readonly importantVotes: number;
  readonly url?: string;
}

/** What {@link CryptoPanicClient.posts} asks for. */
export interface NewsQuery {
  /** Currency codes such as `BTC` (default `['BTC']`). Posts tagged with none of them are dropped. */
  readonly currencies?: readonly string[];
  readonly filter?: CryptoPanicFilter;
  /** `news` or `media`; both by default. */
  readonly kind?: 'news' | 'media';
}

/** The vote score of a set of posts: core's `MarketContext.news` without its time. */
export interface NewsScore {
  /** From -1 (all bearish votes) to 1 (all bullish); 0 with no votes. */
  readonly score: number;
  readonly bullishVotes: number;
  readonly bearishVotes: number;
  readonly posts: number;
}

/** Options of {@link CryptoPanicClient}. */
export interface CryptoPanicClientOptions extends FeedClientOptions {
  /** The API token (`CRYPTOPANIC_TOKEN`). Sent as `auth_token`, scrubbed from every message. */
  readonly token: string;
}

/**
 * Client of the CryptoPanic posts API, with timeout, retries, rate-limit awareness and a TTL
 * cache (default 10 minutes). Asks for public posts of the given currencies, and keeps only the
 * posts tagged with one of them.
 *
 * @example
 * ```ts
 * const client = new CryptoPanicClient({ token: config.sentiment.cryptoPanicToken, clock });
 * const { value: posts } = await client.posts({ currencies: ['BTC'] });
 * const { score, posts: counted } = scoreNews(posts); // score in [-1, 1]
 * ```
 */
export class CryptoPanicClient {
  readonly #http: HttpFeed;
  readonly #token: string;

  /** @throws {ValidationError} for an empty token, a bad base URL or a bad number option. */
  constructor(options: CryptoPanicClientOptions) {
    if (options.token.trim() === '') {
      throw new ValidationError('CryptoPanic: the token is empty (set CRYPTOPANIC_TOKEN)');
    }
    this.#token = options.token;
    this.#http = new HttpFeed(options, {
      feed: 'cryptopanic',
      defaultBaseUrl: cryptoPanicBaseUrl,
      defaultCacheTtlMs: defaultCryptoPanicCacheTtlMs,
      secrets: [options.token, encodeURIComponent(options.token)],
    });
  }

  /**
   * Recent public posts of `query.currencies`, newest first, each tagged with one of them.
   *
   * @throws {ValidationError} for a currency code that is not 1-15 letters or digits.
   * @throws {FeedError} | {FeedRejectedError} | {FeedSchemaError} as `HttpFeed.get` does (a
   *   bad token is a 401 {@link FeedRejectedError}).
   */
  posts(query: NewsQuery = {}): Promise<FeedResult<NewsPost[]>> {
    const currencies = normalizeCurrencies(query.currencies ?? ['BTC']);
    const params: Record<string, string> = {
      auth_token: this.#token,
      currencies: currencies.join(','),
      public: 'true',
    };
    if (query.filter !== undefined) params.filter = query.filter;
    if (query.kind !== undefined) params.kind = query.kind;
    return this.#http.get({
      key: `posts:${currencies.join(',')}:${query.filter ?? ''}:${query.kind ?? ''}`,
      path: '/posts/',
      query: params,
      schema: cryptoPanicResponseSchema,
      map: (data) =>
        data.results
          .map(toPost)
          .filter((post) => post.currencies.some((code) => currencies.includes(code))),
    });
  }
}

/**
 * The vote score of `posts`: `(bullish - bearish) / (bullish + bearish)` over the votes of every
 * post, or 0 when there are none. With `since` (epoch ms), older posts are left out.
 *
 * @example
 * ```ts
 * scoreNews(posts, { since: now - 24 * 3_600_000 }); // { score: 0.32, bullishVotes: 66, ... }
 * ```
 */
export function scoreNews(
  posts: readonly NewsPost[],
  options: { readonly since?: number } = {},
): NewsScore {
  const since = options.since ?? Number.NEGATIVE_INFINITY;
  let bullishVotes = 0;
  let bearishVotes = 0;
  let counted = 0;
  for (const post of posts) {
    if (post.publishedAt < since) continue;
    bullishVotes += post.bullishVotes;
    bearishVotes += post.bearishVotes;
    counted++;
  }
  const votes = bullishVotes + bearishVotes;
  return {
    score: votes === 0 ? 0 : (bullishVotes - bearishVotes) / votes,
    bullishVotes,
    bearishVotes,
    posts: counted,
  };
}

function toPost(post: z.infer<typeof cryptoPanicPostSchema>): NewsPost {
  const tags = [...(post.currencies ?? []), ...(post.instruments ?? [])].map((ref) =>
    ref.code.toUpperCase(),
  );
  const base = {
    id: post.id,
    title: post.title,
    publishedAt: Date.parse(post.published_at),
    currencies: [...new Set(tags)],
    bullishVotes: post.votes.positive,
    bearishVotes: post.votes.negative,
    importantVotes: post.votes.important ?? 0,
  };
  return post.url === undefined ? base : { ...base, url: post.url };
}

/**
 * Currency codes upper-cased, deduplicated and sorted.
 *
 * @throws {ValidationError} for an empty list or a code that is not 1-15 letters or digits.
 */
export function normalizeCurrencies(codes: readonly string[]): string[] {
  if (codes.length === 0) throw new ValidationError('CryptoPanic: currencies is empty');
  const normalized = codes.map((code) => code.trim().toUpperCase());
  const bad = normalized.find((code) => !/^[A-Z0-9]{1,15}$/.test(code));
  if (bad !== undefined) {
    throw new ValidationError(
      `CryptoPanic: "${bad}" is not a currency code (1-15 letters or digits)`,
    );
  }
  return [...new Set(normalized)].sort();
}
