/**
 * Sentiment and on-chain facts around the market, built by the sentiment service and handed to
 * strategies. Every part is optional (a feed can be down) and carries the time it was fetched,
 * so a strategy can ignore stale parts. Absent in backtests unless supplied.
 */
export interface MarketContext {
  /** Fear & Greed index, 0 (extreme fear) to 100 (extreme greed). */
  readonly fearGreed?: {
    readonly value: number;
    readonly classification: string;
    readonly updatedAt: number;
  };
  /** News sentiment from CryptoPanic votes: score from -1 (bearish) to 1 (bullish). */
  readonly news?: {
    readonly score: number;
    readonly bullishVotes: number;
    readonly bearishVotes: number;
    readonly posts: number;
    readonly updatedAt: number;
  };
  /** Total value locked (DeFiLlama), USD, and its change over 24h in percent. */
  readonly tvl?: {
    readonly totalUsd: number;
    readonly change1dPct: number;
    readonly updatedAt: number;
  };
  /** Global market (CoinGecko): market cap in USD, BTC dominance and 24h change in percent. */
  readonly market?: {
    readonly marketCapUsd: number;
    readonly btcDominancePct: number;
    readonly marketCapChange24hPct: number;
    readonly updatedAt: number;
  };
}

/** Age in ms of a context part at `now`, or `undefined` when the part is absent. */
export function contextAge(
  part: { readonly updatedAt: number } | undefined,
  now: number,
): number | undefined {
  return part === undefined ? undefined : Math.max(0, now - part.updatedAt);
}
