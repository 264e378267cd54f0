/**
 * CoinGecko's global market figures: total market cap, 24h volume, dominance per coin and the
 * market cap's 24h change. `GET https://api.coingecko.com/api/v3/global`; a key is optional.
 */
import { z } from 'zod';
import { HttpFeed, type FeedClientOptions, type FeedResult } from './http-feed.js';

/** The real API root of CoinGecko's public (and Demo-key) API. */
export const coinGeckoBaseUrl = 'https://api.coingecko.com/api/v3';
/** The default cache TTL of {@link CoinGeckoClient}; CoinGecko refreshes `/global` every few minutes. */
export const defaultCoinGeckoCacheTtlMs = 5 * 60_000;

/** `data` of `GET /global`. Amounts per currency code (`usd`, `btc`, …); only `usd` is required. */
const coinGeckoGlobalDataSchema = z.looseObject({
  total_market_cap: z.looseObject({ usd: z.number().nonnegative() }),
  total_volume: z.looseObject({ usd: z.number().nonnegative() }).optional(),
  market_cap_percentage: z.looseObject({ btc: z.number().min(0).max(100) }),
  market_cap_change_percentage_24h_usd: z.number(),
  /** Epoch seconds of CoinGecko's computation. */
  updated_at: z.number().int().nonnegative(),
  active_cryptocurrencies: z.number().int().optional(),
  markets: z.number().int().optional(),
});

/** The body of `GET /global`. */
export const coinGeckoGlobalSchema = z.looseObject({ data: coinGeckoGlobalDataSchema });
/** The validated body of `GET /global`. */
export type CoinGeckoGlobalResponse = z.infer<typeof coinGeckoGlobalSchema>;

/** The global crypto market. */
export interface GlobalMarket {
  /** Total market cap, USD. */
  readonly marketCapUsd: number;
  /** Total 24h volume, USD, `null` when absent. */
  readonly volume24hUsd: number | null;
  /** Bitcoin's share of the total market cap, percent. */
  readonly btcDominancePct: number;
  /** Share of the total market cap per coin symbol (lower case), percent. */
  readonly dominancePct: Readonly<Record<string, number>>;
  /** Change of the total market cap (USD) over 24h, percent. */
  readonly marketCapChange24hPct: number;
  /** When CoinGecko computed the figures, epoch ms. */
  readonly asOf: number;
}

/** Options of {@link CoinGeckoClient}. */
export interface CoinGeckoClientOptions extends FeedClientOptions {
  /** A Demo API key, sent as `x-cg-demo-api-key` (never logged). Without one, the keyless limits apply. */
  readonly apiKey?: string;
}

/**
 * Client of CoinGecko's `/global` endpoint, with timeout, retries, rate-limit awareness and a
 * TTL cache (default 5 minutes).
 *
 * @example
 * ```ts
 * const client = new CoinGeckoClient({ clock: systemClock });
 * const { value } = await client.global(); // { marketCapUsd, btcDominancePct, marketCapChange24hPct, ... }
 * ```
 */
export class CoinGeckoClient {
  readonly #http: HttpFeed;

  /** @throws {ValidationError} for a bad base URL or number option. */
  constructor(options: CoinGeckoClientOptions) {
    const apiKey = options.apiKey ?? '';
    this.#http = new HttpFeed(options, {
      feed: 'coingecko',
      defaultBaseUrl: coinGeckoBaseUrl,
      defaultCacheTtlMs: defaultCoinGeckoCacheTtlMs,
      ...(apiKey === '' ? {} : { headers: { 'x-cg-demo-api-key': apiKey }, secrets: [apiKey] }),
    });
  }

  /**
   * The global market figures.
   *
   * @throws {FeedError} | {FeedRejectedError} | {FeedSchemaError} as `HttpFeed.get` does.
   */
  global(): Promise<FeedResult<GlobalMarket>> {
    return this.#http.get({
      key: 'global',
      path: '/global',
      schema: coinGeckoGlobalSchema,
      map: ({ data }) => {
        const dominancePct: Record<string, number> = {};
        for (const [coin, share] of Object.entries(data.market_cap_percentage)) {
          if (typeof share === 'number' && Number.isFinite(share)) dominancePct[coin] = share;
        }
        return {
          marketCapUsd: data.total_market_cap.usd,
          volume24hUsd: data.total_volume?.usd ?? null,
          btcDominancePct: data.market_cap_percentage.btc,
          dominancePct,
          marketCapChange24hPct: data.market_cap_change_percentage_24h_usd,
          asOf: data.updated_at * 1000,
        };
      },
    });
  }
}
