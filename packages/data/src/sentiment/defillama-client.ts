/**
 * DeFiLlama total value locked: DeFi on all chains or one chain, per protocol, and its change
 * over a day. `GET https://api.llama.fi/v2/historicalChainTvl[/{chain}]`, `/v2/chains` and
 * `/protocol/{slug}`; no key.
 */
import { ValidationError } from '@lumenlink/core';
import { z } from 'zod';
import { FeedSchemaError } from './feed-errors.js';
import { HttpFeed, type FeedClientOptions, type FeedResult } from './http-feed.js';

/** The real API root of DeFiLlama's free API. */
export const defiLlamaBaseUrl = 'https://api.llama.fi';
/** The default cache TTL of {@link DefiLlamaClient}: TVL moves slowly and the series is large. */
export const defaultDefiLlamaCacheTtlMs = 30 * 60_000;

const dayMs = 86_400_000;
const usd = z.number().nonnegative();

/** One point of `/v2/historicalChainTvl`: `date` in epoch seconds (00:00 UTC), `tvl` in USD. */
const defiLlamaTvlPointSchema = z.looseObject({
  date: z.number().int().nonnegative(),
  tvl: usd,
});
/** The body of `/v2/historicalChainTvl[/{chain}]`, oldest first. */
export const defiLlamaHistoricalTvlSchema = z.array(defiLlamaTvlPointSchema);

/** One chain of `/v2/chains`. */
const defiLlamaChainSchema = z.looseObject({
  name: z.string().min(1),
  tvl: usd,
  tokenSymbol: z.string().nullable().optional(),
  gecko_id: z.string().nullable().optional(),
});
/** The body of `/v2/chains`. */
export const defiLlamaChainsSchema = z.array(defiLlamaChainSchema);

/** The parts of `/protocol/{slug}` we read: the TVL series and the current TVL per chain. */
export const defiLlamaProtocolSchema = z.looseObject({
  name: z.string().min(1),
  tvl: z.array(z.looseObject({ date: z.number().int().nonnegative(), totalLiquidityUSD: usd })),
  currentChainTvls: z.record(z.string(), z.number()).optional(),
});
/** The validated body of `/protocol/{slug}`. */
export type DefiLlamaProtocolResponse = z.infer<typeof defiLlamaProtocolSchema>;

/** TVL at one time. */
export interface TvlPoint {
  /** Epoch ms (00:00 UTC for daily points; the newest point may be later in the day). */
  readonly time: number;
  readonly tvlUsd: number;
}

/** The newest TVL of a series and its change over a day. */
export interface TvlSummary {
  /** The newest TVL, USD. */
  readonly totalUsd: number;
  /** Change from the newest point at least a day older, in percent. */
  readonly change1dPct: number;
  /** Time of the newest point, epoch ms. */
  readonly time: number;
}

/** One chain's current TVL. */
export interface ChainTvl {
  readonly name: string;
  readonly tvlUsd: number;
  readonly tokenSymbol: string | null;
  readonly geckoId: string | null;
}

/** A protocol's current TVL, its change over a day, and its TVL per chain. */
export interface ProtocolTvl extends TvlSummary {
  readonly name: string;
  /** Current TVL per chain key as DeFiLlama reports it (keys such as `Ethereum-borrowed` included). */
  readonly chainTvls: Readonly<Record<string, number>>;
}

/**
 * Client of the DeFiLlama TVL API, with timeout, retries, rate-limit awareness and a TTL cache
 * (default 30 minutes).
 *
 * @example
 * ```ts
 * const client = new DefiLlamaClient({ clock: systemClock });
 * const { value } = await client.tvl(); // { totalUsd: 8.9e10, change1dPct: -1.2, time }
 * const aave = await client.protocol('aave');
 * ```
 */
export class DefiLlamaClient {
  readonly #http: HttpFeed;

  /** @throws {ValidationError} for a bad base URL or number option. */
  constructor(options: FeedClientOptions) {
    this.#http = new HttpFeed(options, {
      feed: 'defillama',
      defaultBaseUrl: defiLlamaBaseUrl,
      defaultCacheTtlMs: defaultDefiLlamaCacheTtlMs,
    });
  }

  /**
   * Daily TVL of DeFi on all chains, or on `chain` (a name from {@link chains}), oldest first.
   *
   * @throws {ValidationError} for an empty chain name or one with a `/`.
   * @throws {FeedError} | {FeedRejectedError} | {FeedSchemaError} as `HttpFeed.get` does.
   */
  historicalTvl(chain?: string): Promise<FeedResult<TvlPoint[]>> {
    return this.#history(chain, 'history', (points) => points);
  }

  /**
   * The newest TVL of all chains (or `chain`) and its change over a day, from the series of
   * {@link historicalTvl} (cached apart from it).
   *
   * @throws {FeedSchemaError} when the series has no point a day before its newest; otherwise
   *   as {@link historicalTvl}.
   */
  tvl(chain?: string): Promise<FeedResult<TvlSummary>> {
    return this.#history(chain, 'summary', summarizeTvl);
  }

  /**
   * Current TVL of every chain DeFiLlama tracks, largest first.
   *
   * @throws {FeedError} | {FeedRejectedError} | {FeedSchemaError} as `HttpFeed.get` does.
   */
  chains(): Promise<FeedResult<ChainTvl[]>> {
    return this.#http.get({
      key: 'chains',
      path: '/v2/chains',
      schema: defiLlamaChainsSchema,
      map: (chains) =>
        chains
          .map((chain) => ({
            name: chain.name,
            tvlUsd: chain.tvl,
            tokenSymbol: chain.tokenSymbol ?? null,
            geckoId: chain.gecko_id ?? null,
          }))
          .sort((a, b) => b.tvlUsd - a.tvlUsd),
    });
  }

  /**
   * A protocol's TVL, its change over a day and its TVL per chain. `slug` as in DeFiLlama's
   * URLs, such as `aave` or `uniswap`.
   *
   * @throws {ValidationError} for an empty slug or one with a `/`.
   * @throws {FeedRejectedError} for an unknown protocol (HTTP 4xx); otherwise as `HttpFeed.get`.
   */
  protocol(slug: string): Promise<FeedResult<ProtocolTvl>> {
    return this.#http.get({
      key: `protocol:${slug}`,
      path: `/protocol/${segment(slug)}`,
      schema: defiLlamaProtocolSchema,
      map: (data, url) => {
        const points = data.tvl
          .map((point) => ({ time: point.date * 1000, tvlUsd: point.totalLiquidityUSD }))
          .sort((a, b) => a.time - b.time);
        return {
          name: data.name,
          ...summarizeTvl(points, url),
          chainTvls: data.currentChainTvls ?? {},
        };
      },
    });
  }

  #history<T>(
    chain: string | undefined,
    kind: string,
    map: (points: TvlPoint[], url: string) => T,
  ): Promise<FeedResult<T>> {
    const path =
      chain === undefined ? '/v2/historicalChainTvl' : `/v2/historicalChainTvl/${segment(chain)}`;
    return this.#http.get({
      key: `${kind}:${chain ?? ''}`,
      path,
      schema: defiLlamaHistoricalTvlSchema,
      map: (points, url) =>
        map(
          points
            .map((point) => ({ time: point.date * 1000, tvlUsd: point.tvl }))
            .sort((a, b) => a.time - b.time),
          url,
        ),
    });
  }
}

/**
 * The newest point of an ascending TVL series and its change, in percent, from the newest point
 * at least a day older.
 *
 * `url` (without its query) names the source in the error.
 *
 * @throws {FeedSchemaError} when no point is a day older than the newest, or that one is 0.
 */
export function summarizeTvl(points: readonly TvlPoint[], url: string): TvlSummary {
  const feed = 'defillama';
  const newest = points.at(-1);
  if (newest === undefined) throw new FeedSchemaError(feed, url, ['(root): no TVL points']);
  let before: TvlPoint | undefined;
  for (let index = points.length - 2; index >= 0; index--) {
    const point = points[index] as TvlPoint;
    if (point.time <= newest.time - dayMs) {
      before = point;
      break;
    }
  }
  if (before === undefined || before.tvlUsd === 0) {
    throw new FeedSchemaError(feed, url, ['(root): no nonzero TVL point a day before the newest']);
  }
  return {
    totalUsd: newest.tvlUsd,
    change1dPct: ((newest.tvlUsd - before.tvlUsd) / before.tvlUsd) * 100,
    time: newest.time,
  };
}

function segment(name: string): string {
  if (name.trim() === '' || name.includes('/')) {
    throw new ValidationError(`DeFiLlama: "${name}" is not a chain or protocol name`);
  }
  return encodeURIComponent(name);
}
