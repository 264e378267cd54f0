import { ValidationError, contextAge, type MarketContext } from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../__fixtures__/recording-logger.js';
import { FastClock } from './__fixtures__/fast-clock.js';
import { FeedServer, reply } from './__fixtures__/feed-server.js';
import { FeedError } from './feed-errors.js';
import {
  SentimentService,
  createSentimentService,
  type CreateSentimentServiceOptions,
} from './sentiment-service.js';

const hour = 3_600_000;
const token = 'cp-SENTINEL-service-token';
const paths = {
  fearGreed: '/fng/',
  news: '/api/v1/posts/',
  tvl: '/v2/historicalChainTvl',
  market: '/api/v3/global',
};

let server: FeedServer;
let clock: FastClock;
let logger: RecordingLogger;

beforeEach(async () => {
  server = await FeedServer.start();
  // The recorded CryptoPanic "hot" feed is of 2018-01-18; the news window is the last 24h.
  clock = new FastClock(Date.parse('2018-01-18T12:00:00Z'));
  logger = new RecordingLogger();
  serveAll();
});

afterEach(async () => {
  await server.close();
});

function serveAll(): void {
  server
    .route(paths.fearGreed, reply.file('alternative-me_fng_limit365_2025-04-22.json'))
    .route(paths.news, reply.file('cryptopanic_posts_filter-hot_2018-01-18.json'))
    .route(paths.tvl, reply.file('defillama_v2_historicalChainTvl.written.json'))
    .route(paths.market, reply.file('coingecko_v3_global.written.json'));
}

function failAll(): void {
  for (const path of Object.values(paths)) server.route(path, reply.status(500));
}

function service(options: Partial<CreateSentimentServiceOptions> = {}): SentimentService {
  return createSentimentService({
    clock,
    logger,
    cryptoPanicToken: token,
    // Generous: a loaded CI machine must not turn a slow local answer into a timeout and retry.
    timeoutMs: 15_000,
    retries: 1,
    baseUrls: {
      'fear-greed': server.url,
      cryptopanic: `${server.url}/api/v1`,
      defillama: server.url,
      coingecko: `${server.url}/api/v3`,
    },
    ...options,
  });
}

/** Every part as the fixtures give it, fetched at `at`. */
function expectedContext(at: number): MarketContext {
  return {
    fearGreed: { value: 47, classification: 'Neutral', updatedAt: at },
    news: { score: 0.32, bullishVotes: 66, bearishVotes: 34, posts: 6, updatedAt: at },
    tvl: {
      totalUsd: 88_417_265_934.12,
      change1dPct: ((88_417_265_934.12 - 87_102_553_019.45) / 87_102_553_019.45) * 100,
      updatedAt: at,
    },
    market: {
      marketCapUsd: 2_925_617_304_521.38,
      btcDominancePct: 63.12,
      marketCapChange24hPct: 2.3417,
      updatedAt: at,
    },
  };
}

describe('SentimentService', () => {
  it('combines the four feeds into a MarketContext, each part with its time', async () => {
    const sentiment = service();
    expect(await sentiment.snapshot()).toEqual({});
    const result = await sentiment.refresh();
    expect(result.failed).toEqual([]);
    expect(result.parts.map((part) => [part.part, part.outcome])).toEqual([
      ['fearGreed', 'fetched'],
      ['news', 'fetched'],
      ['tvl', 'fetched'],
      ['market', 'fetched'],
    ]);
    const at = clock.now();
    expect(await sentiment.snapshot()).toEqual(expectedContext(at));
    expect(server.requestsTo(paths.news)[0]?.query.get('currencies')).toBe('BTC');
    expect(sentiment.status().map((part) => part.ageMs)).toEqual([0, 0, 0, 0]);
  });

  it('serves parts from the clients’ caches within their TTLs', async () => {
    const sentiment = service();
    await sentiment.refresh();
    clock.advance(4 * 60_000);
    const result = await sentiment.refresh();
    expect(result.parts.every((part) => part.outcome === 'cached')).toBe(true);
    expect(server.requests).toHaveLength(4);
    clock.advance(2 * 60_000); // CoinGecko's 5-minute TTL has passed, the others' have not
    const later = await sentiment.refresh();
    expect(later.parts.map((part) => part.outcome)).toEqual([
      'cached',
      'cached',
      'cached',
      'fetched',
    ]);
  });

  it('leaves a failing feed’s part absent and the others present, without throwing', async () => {
    server.route(paths.market, reply.status(500));
    const sentiment = service();
    const at = clock.now();
    const result = await sentiment.refresh();
    expect(result.failed).toEqual(['market']);
    const failed = result.parts.find((part) => part.part === 'market');
    expect(failed?.error).toBeInstanceOf(FeedError);
    expect(failed?.updatedAt).toBeNull();
    const { market, ...rest } = expectedContext(at);
    expect(market).toBeDefined();
    expect(await sentiment.snapshot()).toEqual(rest);
    expect(logger.matching('Sentiment feed failed')[0]?.fields).toMatchObject({
      part: 'market',
      feed: 'coingecko',
      code: 'FEED_UNAVAILABLE',
      ageMs: null,
    });
    expect(sentiment.status().find((part) => part.part === 'market')).toMatchObject({
      consecutiveFailures: 1,
      updatedAt: null,
      lastError: { code: 'FEED_UNAVAILABLE' },
    });
  });

  it('keeps stale parts with their age while feeds fail, drops them past maxAgeMs, and recovers', async () => {
    const sentiment = service({ maxAgeMs: 6 * hour, retries: 0 });
    await sentiment.refresh();
    const fetchedAt = clock.now();

    clock.advance(2 * hour);
    failAll();
    const failed = await sentiment.refresh();
    expect(failed.failed).toEqual(['fearGreed', 'news', 'tvl', 'market']);
    const stale = await sentiment.snapshot();
    expect(stale).toEqual(expectedContext(fetchedAt));
    // What a strategy computes: the age of the part it reads.
    expect(contextAge(stale.fearGreed, clock.now())).toBe(2 * hour);
    expect(logger.matching('Sentiment feed failed')[0]?.fields).toMatchObject({
      ageMs: 2 * hour,
    });

    clock.advance(5 * hour);
    expect(await sentiment.snapshot()).toEqual({});
    expect(sentiment.status().every((part) => part.expired && part.ageMs !== null)).toBe(true);

    serveAll();
    const recovered = await sentiment.refresh();
    expect(recovered.failed).toEqual([]);
    expect(await sentiment.snapshot()).toEqual(expectedContext(clock.now()));
    expect(logger.matching('Sentiment feed recovered')).toHaveLength(4);
    expect(sentiment.status().every((part) => part.consecutiveFailures === 0)).toBe(true);
  });

  it('is not held up by a hanging feed beyond its timeout', async () => {
    server.route(paths.fearGreed, reply.hang());
    // The timeout leaves the healthy local feeds ample time even on a loaded CI machine.
    const sentiment = service({ timeoutMs: 1_500, retries: 0 });
    const started = performance.now();
    const result = await sentiment.refresh();
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result.failed).toEqual(['fearGreed']);
    expect(result.parts[0]?.error).toMatchObject({ reason: 'timeout' });
    const context = await sentiment.snapshot();
    expect(context.fearGreed).toBeUndefined();
    expect(context.market).toBeDefined();
  });

  it('disables news without a CryptoPanic token, and feeds left out', async () => {
    const sentiment = service({ cryptoPanicToken: '', feeds: ['fear-greed', 'cryptopanic'] });
    const result = await sentiment.refresh();
    expect(result.parts.map((part) => part.outcome)).toEqual([
      'fetched',
      'disabled',
      'disabled',
      'disabled',
    ]);
    expect(server.requests.map((request) => request.path)).toEqual([paths.fearGreed]);
    expect(Object.keys(await sentiment.snapshot())).toEqual(['fearGreed']);
  });

  it('never throws, even when a client throws something that is not a feed error', async () => {
    const sentiment = new SentimentService({
      clock,
      logger,
      fearGreed: {
        latest: () => {
          throw new TypeError('bug in a client');
        },
      },
      market: {
        global: () => Promise.reject(new Error('boom')),
      },
    });
    const result = await sentiment.refresh();
    expect(result.failed).toEqual(['fearGreed', 'market']);
    expect(sentiment.status()[0]?.lastError).toEqual({
      code: 'UNEXPECTED',
      message: 'bug in a client',
    });
    expect(await sentiment.snapshot()).toEqual({});
  });

  it('shares a running refresh, and snapshot() makes no request', async () => {
    const sentiment = service();
    const [a, b] = await Promise.all([sentiment.refresh(), sentiment.refresh()]);
    expect(a).toBe(b);
    expect(server.requests).toHaveLength(4);
    await sentiment.snapshot();
    clock.advance(10 * hour);
    await sentiment.snapshot();
    expect(server.requests).toHaveLength(4);
  });

  it('keeps the CryptoPanic token out of its logs and results', async () => {
    server.route(paths.news, reply.status(503));
    const sentiment = service();
    const result = await sentiment.refresh();
    expect(result.failed).toEqual(['news']);
    const seen = JSON.stringify([
      logger.lines,
      sentiment.status(),
      result.parts[1]?.error?.message,
    ]);
    expect(seen).toContain('HTTP 503');
    expect(seen).not.toContain(token);
  });

  it('rejects a news currency that is not a code', () => {
    expect(() => service({ newsCurrencies: ['BTC,ETH'] })).toThrow(ValidationError);
  });
});
