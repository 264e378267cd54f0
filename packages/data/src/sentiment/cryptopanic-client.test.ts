import { ValidationError } from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../__fixtures__/recording-logger.js';
import { FastClock } from './__fixtures__/fast-clock.js';
import { FeedServer, fixtureJson, reply } from './__fixtures__/feed-server.js';
import {
  CryptoPanicClient,
  scoreNews,
  type CryptoPanicClientOptions,
} from './cryptopanic-client.js';
import { FeedError, FeedRejectedError, FeedSchemaError } from './feed-errors.js';

/** Recorded 2018-01 (v1 shape), auth_token redacted at the source (see __fixtures__/README.md). */
const neo = 'cryptopanic_posts_currencies-NEO_2018-01.json';
const hot = 'cryptopanic_posts_filter-hot_2018-01-18.json';
const path = '/api/v1/posts/';
/** A token that must never be seen outside the request; `/+=` make its encoded form differ. */
const token = 'cp-SENTINEL/t0ken+x=9';

interface PostsBody {
  results: Record<string, unknown>[];
}

let server: FeedServer;
let clock: FastClock;

beforeEach(async () => {
  server = await FeedServer.start();
  clock = new FastClock(Date.parse('2018-01-18T12:00:00Z'));
});

afterEach(async () => {
  await server.close();
});

function client(options: Partial<CryptoPanicClientOptions> = {}): CryptoPanicClient {
  return new CryptoPanicClient({
    baseUrl: `${server.url}/api/v1`,
    clock,
    token,
    timeoutMs: 2_000,
    retries: 1,
    ...options,
  });
}

describe('CryptoPanicClient on recorded responses', () => {
  it('asks for public posts of the currency with the token, and reads their votes', async () => {
    server.route(path, reply.file(neo));
    const { value: posts } = await client().posts({ currencies: ['neo'] });
    const query = server.requestsTo(path)[0]?.query;
    expect(query?.get('auth_token')).toBe(token);
    expect(query?.get('currencies')).toBe('NEO');
    expect(query?.get('public')).toBe('true');
    expect(posts).toHaveLength(20);
    expect(posts[0]).toEqual({
      id: 841770,
      title: 'NEO ($NEO) price is up <span class="color-green">20.99%</span>',
      publishedAt: Date.parse('2018-01-18T09:45:28.965353Z'),
      currencies: ['NEO'],
      bullishVotes: 10,
      bearishVotes: 0,
      importantVotes: 2,
      url: 'https://cryptopanic.com/news/841770/NEO-NEO-price-is-up-2099-in-the-last-24h',
    });
    expect(scoreNews(posts)).toEqual({
      score: (140 - 44) / (140 + 44),
      bullishVotes: 140,
      bearishVotes: 44,
      posts: 20,
    });
  });

  it('keeps only the posts tagged with a requested currency', async () => {
    // The "hot" feed mixes 16 currencies and 9 untagged posts; 6 posts are tagged BTC.
    server.route(path, reply.file(hot));
    const { value: posts } = await client().posts({ currencies: ['BTC'], filter: 'hot' });
    expect(server.requestsTo(path)[0]?.query.get('filter')).toBe('hot');
    expect(posts).toHaveLength(6);
    expect(posts.every((post) => post.currencies.includes('BTC'))).toBe(true);
    expect(scoreNews(posts)).toEqual({ score: 0.32, bullishVotes: 66, bearishVotes: 34, posts: 6 });
  });

  it('joins several currencies, and reads v2 `instruments` tags too', async () => {
    const body = fixtureJson<PostsBody>(neo);
    for (const post of body.results) {
      post.instruments = post.currencies;
      delete post.currencies;
    }
    server.route(path, reply.json(body));
    const { value: posts } = await client().posts({ currencies: ['ETH', 'btc', 'BTC'] });
    expect(server.requestsTo(path)[0]?.query.get('currencies')).toBe('BTC,ETH');
    expect(posts.map((post) => post.id)).toHaveLength(3);
  });

  it('scores only posts inside the window', async () => {
    server.route(path, reply.file(neo));
    const { value: posts } = await client().posts({ currencies: ['NEO'] });
    const since = clock.now() - 24 * 3_600_000;
    const expected = posts.filter((post) => post.publishedAt >= since);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(posts.length);
    expect(scoreNews(posts, { since }).posts).toBe(expected.length);
    expect(scoreNews([], { since })).toEqual({
      score: 0,
      bullishVotes: 0,
      bearishVotes: 0,
      posts: 0,
    });
  });
});

describe('CryptoPanicClient failures', () => {
  it('reports schema drift (a post without votes) without retrying', async () => {
    const body = fixtureJson<PostsBody>(neo);
    delete body.results[3]?.votes;
    server.route(path, reply.json(body));
    const error = await client()
      .posts({ currencies: ['NEO'] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedSchemaError);
    expect((error as FeedSchemaError).issues[0]).toMatch(/^results\.3\.votes: /);
    expect(server.requests).toHaveLength(1);
  });

  it('treats a bad token (401) as a rejection', async () => {
    server.route(path, reply.status(401));
    const error = await client()
      .posts()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedRejectedError);
    expect(server.requests).toHaveLength(1);
  });

  it('never puts the token in an error message, a cause or a log line', async () => {
    const logger = new RecordingLogger();
    const errors: unknown[] = [];
    const attempt = async (options: Partial<CryptoPanicClientOptions> = {}): Promise<void> => {
      errors.push(
        await client({ logger, ...options })
          .posts()
          .catch((caught: unknown) => caught),
      );
    };
    server.route(path, reply.status(500));
    await attempt();
    server.route(path, reply.status(401));
    await attempt();
    server.route(path, reply.status(429, { 'retry-after': '3600' }));
    await attempt();
    server.route(path, reply.hang());
    await attempt({ timeoutMs: 50, retries: 0 });
    server.route(path, reply.text('not json'));
    await attempt({ retries: 0 });
    server.route(path, reply.json({ results: [{ id: 1 }] }));
    await attempt();
    // A fetch whose error names the full URL and the token, as some HTTP stacks do.
    await attempt({
      fetch: (input) =>
        Promise.reject(new TypeError(`request to ${input} failed (token ${token})`)),
      retries: 1,
    });

    expect(errors).toHaveLength(7);
    expect(errors.every((error) => error instanceof Error)).toBe(true);
    expect(errors[6]).toBeInstanceOf(FeedError);
    expect((errors[6] as Error).message).not.toContain('?');
    expect((errors[6] as Error).message).toContain('(token [redacted])');
    const seen = [
      ...errors.map((error) => {
        const { message, cause, stack } = error as Error;
        return `${message} ${String(cause)} ${stack ?? ''} ${JSON.stringify(error)}`;
      }),
      JSON.stringify(logger.lines),
    ].join('\n');
    expect(seen).toContain(`${server.url}/api/v1/posts/`);
    expect(seen).not.toContain(token);
    expect(seen).not.toContain(encodeURIComponent(token));
    expect(seen).not.toContain('auth_token');
  });

  it('rejects an empty token and a bad currency code without echoing them', () => {
    expect(() => new CryptoPanicClient({ clock, token: ' ' })).toThrow(ValidationError);
    expect(() => client().posts({ currencies: ['BTC&x=1'] })).toThrow(ValidationError);
    expect(() => client().posts({ currencies: [] })).toThrow(ValidationError);
  });
});
