/**
 * Every feed against the same failures, each on a local server: success, 429 (waited out, and
 * over the cap), 500, a hang past the timeout, malformed JSON and schema drift (a missing field).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FastClock } from './__fixtures__/fast-clock.js';
import { FeedServer, fixtureJson, reply, type Responder } from './__fixtures__/feed-server.js';
import { CoinGeckoClient } from './coingecko-client.js';
import { CryptoPanicClient } from './cryptopanic-client.js';
import { DefiLlamaClient } from './defillama-client.js';
import { FearGreedClient } from './fear-greed-client.js';
import { FeedError, FeedSchemaError, type FeedName } from './feed-errors.js';
import type { FeedClientOptions } from './http-feed.js';

interface FeedCase {
  readonly feed: FeedName;
  /** `recorded` or `written` (see __fixtures__/README.md). */
  readonly fixture: string;
  readonly path: string;
  readonly basePath: string;
  /** Calls the client; resolves to a number read from the value, to check success. */
  readonly call: (options: FeedClientOptions) => Promise<number>;
  readonly expected: number;
  /** The fixture with one required field removed. */
  readonly drifted: () => unknown;
}

const cases: readonly FeedCase[] = [
  {
    feed: 'fear-greed',
    fixture: 'alternative-me_fng_limit365_2025-04-22.json',
    path: '/fng/',
    basePath: '',
    call: async (options) => (await new FearGreedClient(options).latest()).value.value,
    expected: 47,
    drifted: () => {
      const body = fixtureJson<{ data: Record<string, unknown>[] }>(
        'alternative-me_fng_limit365_2025-04-22.json',
      );
      delete body.data[0]?.value;
      return body;
    },
  },
  {
    feed: 'cryptopanic',
    fixture: 'cryptopanic_posts_currencies-NEO_2018-01.json',
    path: '/api/v1/posts/',
    basePath: '/api/v1',
    call: async (options) =>
      (await new CryptoPanicClient({ ...options, token: 'tok' }).posts({ currencies: ['NEO'] }))
        .value.length,
    expected: 20,
    drifted: () => {
      const body = fixtureJson<{ results: Record<string, unknown>[] }>(
        'cryptopanic_posts_currencies-NEO_2018-01.json',
      );
      delete body.results[0]?.published_at;
      return body;
    },
  },
  {
    feed: 'defillama',
    fixture: 'defillama_v2_historicalChainTvl.written.json',
    path: '/v2/historicalChainTvl',
    basePath: '',
    call: async (options) => (await new DefiLlamaClient(options).tvl()).value.totalUsd,
    expected: 88_417_265_934.12,
    drifted: () => {
      const body = fixtureJson<Record<string, unknown>[]>(
        'defillama_v2_historicalChainTvl.written.json',
      );
      delete body[0]?.date;
      return body;
    },
  },
  {
    feed: 'coingecko',
    fixture: 'coingecko_v3_global.written.json',
    path: '/api/v3/global',
    basePath: '/api/v3',
    call: async (options) => (await new CoinGeckoClient(options).global()).value.marketCapUsd,
    expected: 2_925_617_304_521.38,
    drifted: () => {
      const body = fixtureJson<{ data: { total_market_cap: Record<string, unknown> } }>(
        'coingecko_v3_global.written.json',
      );
      delete body.data.total_market_cap.usd;
      return body;
    },
  },
];

let server: FeedServer;
let clock: FastClock;

beforeEach(async () => {
  server = await FeedServer.start();
  clock = new FastClock();
});

afterEach(async () => {
  await server.close();
});

describe.each(cases)('$feed', (feedCase) => {
  const options = (overrides: Partial<FeedClientOptions> = {}): FeedClientOptions => ({
    baseUrl: `${server.url}${feedCase.basePath}`,
    clock,
    timeoutMs: 2_000,
    retries: 2,
    backoffMs: 500,
    maxRetryAfterMs: 30_000,
    ...overrides,
  });
  const serve = (...responders: Responder[]): void => {
    server.route(feedCase.path, ...responders);
  };
  const failure = (overrides?: Partial<FeedClientOptions>): Promise<unknown> =>
    feedCase.call(options(overrides)).catch((caught: unknown) => caught);

  it('succeeds on the fixture', async () => {
    serve(reply.file(feedCase.fixture));
    expect(await feedCase.call(options())).toBe(feedCase.expected);
    expect(server.requests).toHaveLength(1);
  });

  it('waits out a 429 Retry-After within the cap, then succeeds', async () => {
    serve(reply.status(429, { 'retry-after': '20' }), reply.file(feedCase.fixture));
    expect(await feedCase.call(options())).toBe(feedCase.expected);
    expect(clock.sleeps).toEqual([20_000]);
  });

  it('gives up on a 429 Retry-After over the cap', async () => {
    serve(reply.status(429, { 'retry-after': '600' }));
    const error = await failure();
    expect(error).toBeInstanceOf(FeedError);
    expect(error).toMatchObject({ feed: feedCase.feed, reason: 'rate_limited', status: 429 });
    expect(clock.sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 500 with backoff, then reports it', async () => {
    serve(reply.status(500));
    const error = await failure();
    expect(error).toMatchObject({ feed: feedCase.feed, reason: 'status', status: 500 });
    expect(clock.sleeps).toEqual([500, 1_000]);
    expect(server.requests).toHaveLength(3);
  });

  it('times out a server that hangs', async () => {
    serve(reply.hang());
    const error = await failure({ timeoutMs: 80, retries: 0 });
    expect(error).toMatchObject({ feed: feedCase.feed, reason: 'timeout' });
  });

  it('reports malformed JSON as transient', async () => {
    serve(reply.text('{"truncated": '));
    const error = await failure({ retries: 0 });
    expect(error).toBeInstanceOf(FeedError);
    expect(error).toMatchObject({ reason: 'malformed', isRetryable: true });
  });

  it('reports schema drift (a missing field) as permanent, without retrying', async () => {
    serve(reply.json(feedCase.drifted()));
    const error = await failure();
    expect(error).toBeInstanceOf(FeedSchemaError);
    expect(error).toMatchObject({ feed: feedCase.feed, isRetryable: false });
    expect(server.requests).toHaveLength(1);
  });
});
