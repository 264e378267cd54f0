import { ManualClock } from '@lumenlink/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../__fixtures__/recording-logger.js';
import { FastClock } from './__fixtures__/fast-clock.js';
import { FeedServer, fixtureJson, reply } from './__fixtures__/feed-server.js';
import { FearGreedClient } from './fear-greed-client.js';
import { FeedError, FeedRejectedError, FeedSchemaError } from './feed-errors.js';
import type { FeedClientOptions } from './http-feed.js';

/** Recorded 2025-04-22: 365 daily points, newest first (see __fixtures__/README.md). */
const recorded = 'alternative-me_fng_limit365_2025-04-22.json';

interface FngBody {
  data: Record<string, string>[];
  metadata: { error: string | null };
}

let server: FeedServer;
let clock: FastClock;

beforeEach(async () => {
  server = await FeedServer.start();
  clock = new FastClock();
});

afterEach(async () => {
  await server.close();
});

function client(options: Partial<FeedClientOptions> = {}): FearGreedClient {
  return new FearGreedClient({
    baseUrl: server.url,
    clock,
    timeoutMs: 2_000,
    retries: 2,
    backoffMs: 1_000,
    ...options,
  });
}

describe('FearGreedClient on the recorded response', () => {
  it('parses every point, newest first, with times in ms', async () => {
    server.route('/fng/', reply.file(recorded));
    const result = await client().history(365);
    expect(result.fromCache).toBe(false);
    expect(result.fetchedAt).toBe(clock.now());
    expect(result.value).toHaveLength(365);
    expect(result.value[0]).toEqual({
      value: 47,
      classification: 'Neutral',
      timestamp: Date.UTC(2025, 3, 22),
      timeUntilUpdateMs: 6_023_000,
    });
    expect(result.value[1]).toEqual({
      value: 39,
      classification: 'Fear',
      timestamp: Date.UTC(2025, 3, 21),
    });
    expect(result.value.at(-1)?.timestamp).toBe(Date.UTC(2024, 3, 22));
    expect(server.requests[0]?.query.get('limit')).toBe('365');
    expect(server.requests[0]?.headers.accept).toBe('application/json');
  });

  it('latest() asks for one point and returns it', async () => {
    server.route('/fng/', reply.file(recorded));
    const { value } = await client().latest();
    expect(value.value).toBe(47);
    expect(value.classification).toBe('Neutral');
    expect(server.requests[0]?.query.get('limit')).toBe('1');
  });
});

describe('FearGreedClient cache', () => {
  it('serves from the cache within the TTL and fetches again after it', async () => {
    const manual = new ManualClock(Date.UTC(2025, 3, 22, 12));
    server.route('/fng/', reply.file(recorded));
    const fng = new FearGreedClient({ baseUrl: server.url, clock: manual, cacheTtlMs: 60_000 });
    const first = await fng.latest();
    await manual.advance(59_999);
    const second = await fng.latest();
    expect(second).toEqual({ ...first, fromCache: true });
    expect(server.requests).toHaveLength(1);
    await manual.advance(1);
    const third = await fng.latest();
    expect(third.fromCache).toBe(false);
    expect(third.fetchedAt).toBe(first.fetchedAt + 60_000);
    expect(server.requests).toHaveLength(2);
  });

  it('shares one request between concurrent calls', async () => {
    server.route('/fng/', reply.file(recorded));
    const fng = client();
    const [a, b] = await Promise.all([fng.latest(), fng.latest()]);
    expect(a).toEqual(b);
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the cache through a failure: cacheTtlMs 0 fetches every time', async () => {
    server.route('/fng/', reply.file(recorded), reply.status(500));
    const fng = client({ cacheTtlMs: 0, retries: 0 });
    await fng.latest();
    await expect(fng.latest()).rejects.toBeInstanceOf(FeedError);
    expect(server.requests).toHaveLength(2);
  });
});

describe('FearGreedClient retries', () => {
  it('retries a 500 after an exponential backoff and succeeds', async () => {
    server.route('/fng/', reply.status(500), reply.status(502), reply.file(recorded));
    const logger = new RecordingLogger();
    const { value } = await client({ logger }).latest();
    expect(value.value).toBe(47);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(server.requests).toHaveLength(3);
    expect(logger.matching('retrying')).toHaveLength(2);
    expect(logger.matching('retrying')[0]?.fields).toMatchObject({
      feed: 'fear-greed',
      status: 500,
    });
  });

  it('gives up after retries + 1 attempts with a transient FeedError', async () => {
    server.route('/fng/', reply.status(503));
    const error = await client({ retries: 2 })
      .latest()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedError);
    expect(error).toMatchObject({ feed: 'fear-greed', reason: 'status', status: 503 });
    expect((error as FeedError).isRetryable).toBe(true);
    expect((error as FeedError).message).toBe(`Fear & Greed: HTTP 503 from ${server.url}/fng/`);
    expect(server.requests).toHaveLength(3);
  });

  it('waits out a 429 Retry-After in seconds, then succeeds', async () => {
    server.route('/fng/', reply.status(429, { 'retry-after': '7' }), reply.file(recorded));
    const { value } = await client().latest();
    expect(value.value).toBe(47);
    expect(clock.sleeps).toEqual([7_000]);
  });

  it('waits out a 429 Retry-After given as an HTTP date', async () => {
    const at = new Date(clock.now() + 12_000).toUTCString();
    server.route('/fng/', reply.status(429, { 'retry-after': at }), reply.file(recorded));
    await client().latest();
    expect(clock.sleeps).toEqual([12_000]);
  });

  it('backs off on a 429 without Retry-After', async () => {
    server.route('/fng/', reply.status(429), reply.file(recorded));
    await client().latest();
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('gives up at once on a Retry-After over the cap, and sends nothing until it has passed', async () => {
    server.route('/fng/', reply.status(429, { 'retry-after': '120' }), reply.file(recorded));
    const logger = new RecordingLogger();
    const fng = client({ maxRetryAfterMs: 60_000, logger });
    const error = await fng.latest().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'rate_limited', status: 429, retryAfterMs: 120_000 });
    expect(clock.sleeps).toEqual([]);
    expect(logger.matching('rate limited')).toHaveLength(1);

    clock.advance(60_000);
    const blocked = await fng.latest().catch((caught: unknown) => caught);
    expect(blocked).toMatchObject({ reason: 'rate_limited', retryAfterMs: 60_000 });
    expect(server.requests).toHaveLength(1);

    clock.advance(60_000);
    const { value } = await fng.latest();
    expect(value.value).toBe(47);
    expect(server.requests).toHaveLength(2);
  });

  it('times out a hanging server, retries, and reports a timeout', async () => {
    server.route('/fng/', reply.hang());
    const started = performance.now();
    const error = await client({ timeoutMs: 1_000, retries: 1 })
      .latest()
      .catch((caught: unknown) => caught);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(FeedError);
    expect(error).toMatchObject({ reason: 'timeout', status: null });
    expect((error as Error).message).toContain('within 1000 ms');
    expect(server.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(1_990);
    expect(elapsed).toBeLessThan(30_000); // two 1 s timeouts, nowhere near a hang
  });

  it('times out a body that stalls halfway', async () => {
    server.route('/fng/', reply.stallBody());
    const error = await client({ timeoutMs: 100, retries: 0 })
      .latest()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'timeout' });
  });

  it('retries a malformed body as transient', async () => {
    server.route('/fng/', reply.text('{"name": "Fear and Gr'), reply.file(recorded));
    const { value } = await client().latest();
    expect(value.value).toBe(47);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('reports a body that stays malformed', async () => {
    server.route('/fng/', reply.text('<html>502 Bad Gateway</html>'));
    const error = await client({ retries: 1 })
      .latest()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'malformed', status: 200 });
  });

  it('reports a refused connection as a network FeedError', async () => {
    const url = server.url;
    await server.close();
    const error = await new FearGreedClient({ baseUrl: url, clock, retries: 0 })
      .latest()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'network', status: null });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    server = await FeedServer.start();
  });
});

describe('FearGreedClient permanent failures', () => {
  it('does not retry schema drift (a missing field) and names the field', async () => {
    const body = fixtureJson<FngBody>(recorded);
    delete body.data[0]?.value_classification;
    server.route('/fng/', reply.json(body));
    const error = await client()
      .latest()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedSchemaError);
    expect((error as FeedSchemaError).isRetryable).toBe(false);
    expect((error as FeedSchemaError).issues[0]).toMatch(/^data\.0\.value_classification: /);
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a value out of range as drift', async () => {
    const body = fixtureJson<FngBody>(recorded);
    body.data[0]!.value = '147';
    server.route('/fng/', reply.json(body));
    await expect(client().latest()).rejects.toBeInstanceOf(FeedSchemaError);
  });

  it('reports an empty data list as drift', async () => {
    server.route(
      '/fng/',
      reply.json({ name: 'Fear and Greed Index', data: [], metadata: { error: null } }),
    );
    await expect(client().latest()).rejects.toBeInstanceOf(FeedSchemaError);
  });

  it('turns metadata.error into a FeedRejectedError', async () => {
    server.route('/fng/', reply.json({ data: [], metadata: { error: 'Invalid limit' } }));
    const error = await client()
      .history(5)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedRejectedError);
    expect((error as Error).message).toBe('Fear & Greed: provider error: Invalid limit');
  });

  it('does not retry a 404', async () => {
    server.route('/other/', reply.status(200));
    const error = await client()
      .latest()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedRejectedError);
    expect(error).toMatchObject({ status: 404, code: 'FEED_REJECTED' });
    expect(server.requests).toHaveLength(1);
  });
});
