/**
 * The alternative.me Crypto Fear & Greed Index: one value a day from 0 (extreme fear) to 100
 * (extreme greed). `GET https://api.alternative.me/fng/?limit=N`, no key.
 */
import { z } from 'zod';
import { FeedRejectedError, FeedSchemaError } from './feed-errors.js';
import { HttpFeed, type FeedClientOptions, type FeedResult } from './http-feed.js';

/** The real API root of alternative.me. */
export const fearGreedBaseUrl = 'https://api.alternative.me';
/** The default cache TTL of {@link FearGreedClient}: the index changes once a day. */
export const defaultFearGreedCacheTtlMs = 60 * 60_000;

/** An integer in a string (the API quotes its numbers), or a number. */
const numeric = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);

/** One day of the index as the API returns it (numbers as strings, time in epoch seconds). */
const fearGreedPointSchema = z.looseObject({
  value: numeric.pipe(z.number().min(0).max(100)),
  value_classification: z.string().min(1),
  timestamp: numeric.pipe(z.number().int().nonnegative()),
  /** Seconds until the next value; only on the newest point. */
  time_until_update: numeric.optional(),
});

/** The body of `GET /fng/`: `data` newest first, and `metadata.error`. */
export const fearGreedResponseSchema = z.looseObject({
  name: z.string().optional(),
  data: z.array(fearGreedPointSchema),
  metadata: z.looseObject({ error: z.string().nullable() }),
});
/** The validated body of `GET /fng/`. */
export type FearGreedResponse = z.infer<typeof fearGreedResponseSchema>;

/** One day of the Fear & Greed Index. */
export interface FearGreedReading {
  /** 0 (extreme fear) to 100 (extreme greed). */
  readonly value: number;
  /** The provider's label: `Extreme Fear`, `Fear`, `Neutral`, `Greed` or `Extreme Greed`. */
  readonly classification: string;
  /** The day the value is for: its start, epoch ms (UTC). */
  readonly timestamp: number;
  /** Time until the provider publishes the next value, in ms; only on the newest reading. */
  readonly timeUntilUpdateMs?: number;
}

/**
 * Client of the alternative.me Fear & Greed Index API, with timeout, retries, rate-limit
 * awareness and a TTL cache (default one hour).
 *
 * @example
 * ```ts
 * const client = new FearGreedClient({ clock: systemClock, logger });
 * const { value, fetchedAt } = await client.latest(); // value: { value: 47, classification: 'Neutral', ... }
 * ```
 */
export class FearGreedClient {
  readonly #http: HttpFeed;

  /** @throws {ValidationError} for a bad base URL or number option. */
  constructor(options: FeedClientOptions) {
    this.#http = new HttpFeed(options, {
      feed: 'fear-greed',
      defaultBaseUrl: fearGreedBaseUrl,
      defaultCacheTtlMs: defaultFearGreedCacheTtlMs,
    });
  }

  /**
   * The last `limit` daily readings, newest first (`limit` 0 asks for the whole history).
   *
   * @throws {FeedError} | {FeedRejectedError} | {FeedSchemaError} as `HttpFeed.get` does; a
   *   `metadata.error` in the body is a {@link FeedRejectedError}.
   */
  history(limit = 30): Promise<FeedResult<FearGreedReading[]>> {
    return this.#http.get({
      key: `fng:${limit}`,
      path: '/fng/',
      query: { limit: String(limit) },
      schema: fearGreedResponseSchema,
      map: (data) => {
        if (data.metadata.error !== null) {
          throw new FeedRejectedError('fear-greed', `provider error: ${data.metadata.error}`);
        }
        return data.data.map(toReading);
      },
    });
  }

  /**
   * Today's reading.
   *
   * @throws {FeedSchemaError} when the response holds no reading; otherwise as {@link history}.
   */
  async latest(): Promise<FeedResult<FearGreedReading>> {
    const result = await this.#http.get({
      key: 'fng:latest',
      path: '/fng/',
      query: { limit: '1' },
      schema: fearGreedResponseSchema,
      map: (data, url) => {
        if (data.metadata.error !== null) {
          throw new FeedRejectedError('fear-greed', `provider error: ${data.metadata.error}`);
        }
        const newest = data.data[0];
        if (newest === undefined) throw new FeedSchemaError('fear-greed', url, ['data: empty']);
        return [toReading(newest)];
      },
    });
    return { ...result, value: result.value[0] as FearGreedReading };
  }
}

function toReading(point: z.infer<typeof fearGreedPointSchema>): FearGreedReading {
  const reading = {
    value: point.value,
    classification: point.value_classification,
    timestamp: point.timestamp * 1000,
  };
  return point.time_until_update === undefined
    ? reading
    : { ...reading, timeUntilUpdateMs: point.time_until_update * 1000 };
}
