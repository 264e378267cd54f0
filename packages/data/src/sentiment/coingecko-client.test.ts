import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../__fixtures__/recording-logger.js';
import { FastClock } from './__fixtures__/fast-clock.js';
import { FeedServer, fixtureJson, reply } from './__fixtures__/feed-server.js';
import { CoinGeckoClient, type CoinGeckoClientOptions } from './coingecko-client.js';
import { FeedSchemaError } from './feed-errors.js';

/** Written from CoinGecko's documented `/global` format; no recording exists (see __fixtures__/README.md). */
const global = 'coingecko_v3_global.written.json';
const path = '/api/v3/global';

let server: FeedServer;
let clock: FastClock;

beforeEach(async () => {
  server = await FeedServer.start();
  clock = new FastClock();
});

afterEach(async () => {
  await server.close();
});

function client(options: Partial<CoinGeckoClientOptions> = {}): CoinGeckoClient {
  return new CoinGeckoClient({
    baseUrl: `${server.url}/api/v3`,
    clock,
    timeoutMs: 2_000,
    retries: 1,
    ...options,
  });
}

describe('CoinGeckoClient', () => {
  it('reads market cap, volume, dominance and the 24h change', async () => {
    server.route(path, reply.file(global));
    const { value, fetchedAt } = await client().global();
    expect(fetchedAt).toBe(clock.now());
    expect(value).toEqual({
      marketCapUsd: 2_925_617_304_521.38,
      volume24hUsd: 100_330_541_192.77,
      btcDominancePct: 63.12,
      dominancePct: {
        btc: 63.12,
        eth: 7.41,
        usdt: 4.86,
        xrp: 4.22,
        bnb: 2.91,
        sol: 2.5,
        usdc: 2.06,
      },
      marketCapChange24hPct: 2.3417,
      asOf: 1_745_316_120_000,
    });
    expect(server.requests[0]?.headers['x-cg-demo-api-key']).toBeUndefined();
  });

  it('sends a Demo key as a header and never logs it', async () => {
    const apiKey = 'CG-SENTINEL-key';
    const logger = new RecordingLogger();
    server.route(path, reply.status(500), reply.file(global));
    await client({ apiKey, logger }).global();
    expect(server.requests.map((request) => request.headers['x-cg-demo-api-key'])).toEqual([
      apiKey,
      apiKey,
    ]);
    expect(logger.matching('retrying')).toHaveLength(1);
    expect(JSON.stringify(logger.lines)).not.toContain(apiKey);
  });

  it('reports drift when the 24h change is missing', async () => {
    const body = fixtureJson<{ data: Record<string, unknown> }>(global);
    delete body.data.market_cap_change_percentage_24h_usd;
    server.route(path, reply.json(body));
    const error = await client()
      .global()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedSchemaError);
    expect((error as FeedSchemaError).issues[0]).toMatch(
      /^data\.market_cap_change_percentage_24h_usd: /,
    );
  });
});
