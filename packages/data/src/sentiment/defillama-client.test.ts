import { ValidationError } from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FastClock } from './__fixtures__/fast-clock.js';
import { FeedServer, fixtureJson, reply } from './__fixtures__/feed-server.js';
import { DefiLlamaClient, summarizeTvl } from './defillama-client.js';
import { FeedRejectedError, FeedSchemaError } from './feed-errors.js';

/** Written from DeFiLlama's documented formats; no recording exists (see __fixtures__/README.md). */
const history = 'defillama_v2_historicalChainTvl.written.json';
const chains = 'defillama_v2_chains.written.json';
const aave = 'defillama_protocol_aave.written.json';
const day = 86_400_000;

let server: FeedServer;
let clock: FastClock;

beforeEach(async () => {
  server = await FeedServer.start();
  clock = new FastClock();
});

afterEach(async () => {
  await server.close();
});

function client(): DefiLlamaClient {
  return new DefiLlamaClient({ baseUrl: server.url, clock, timeoutMs: 2_000, retries: 1 });
}

describe('DefiLlamaClient', () => {
  it('reads the all-chain TVL series, oldest first, with times in ms', async () => {
    server.route('/v2/historicalChainTvl', reply.file(history));
    const { value: points } = await client().historicalTvl();
    expect(points).toHaveLength(8);
    expect(points[0]).toEqual({ time: Date.UTC(2025, 3, 15), tvlUsd: 86_214_550_231.07 });
    expect(points.at(-1)).toEqual({ time: Date.UTC(2025, 3, 22), tvlUsd: 88_417_265_934.12 });
  });

  it('summarizes the newest TVL and its change over a day', async () => {
    server.route('/v2/historicalChainTvl', reply.file(history));
    const { value } = await client().tvl();
    expect(value.totalUsd).toBe(88_417_265_934.12);
    expect(value.time).toBe(Date.UTC(2025, 3, 22));
    expect(value.change1dPct).toBeCloseTo(
      ((88_417_265_934.12 - 87_102_553_019.45) / 87_102_553_019.45) * 100,
      10,
    );
  });

  it('asks for one chain by name, encoded', async () => {
    server.route('/v2/historicalChainTvl/OP%20Mainnet', reply.file(history));
    const { value } = await client().tvl('OP Mainnet');
    expect(value.totalUsd).toBe(88_417_265_934.12);
    expect(server.requests[0]?.path).toBe('/v2/historicalChainTvl/OP%20Mainnet');
    expect(() => client().tvl('a/b')).toThrow(ValidationError);
  });

  it('lists chains by TVL, largest first', async () => {
    server.route('/v2/chains', reply.file(chains));
    const { value } = await client().chains();
    expect(value.map((chain) => chain.name)).toEqual([
      'Ethereum',
      'Solana',
      'BSC',
      'Tron',
      'Bitcoin',
      'Example Testnet',
    ]);
    expect(value[0]).toEqual({
      name: 'Ethereum',
      tvlUsd: 50_412_873_115.41,
      tokenSymbol: 'ETH',
      geckoId: 'ethereum',
    });
    expect(value.at(-1)).toMatchObject({ tokenSymbol: null, geckoId: null });
  });

  it('reads a protocol: TVL, change and TVL per chain', async () => {
    server.route('/protocol/aave', reply.file(aave));
    const { value } = await client().protocol('aave');
    expect(value.name).toBe('Aave');
    expect(value.totalUsd).toBe(18_532_015_221.7);
    expect(value.change1dPct).toBeCloseTo(
      ((18_532_015_221.7 - 18_110_337_821.3) / 18_110_337_821.3) * 100,
      10,
    );
    expect(value.chainTvls.Ethereum).toBe(14_102_331_570.2);
  });

  it('treats an unknown protocol (HTTP 400) as a rejection', async () => {
    server.route('/protocol/nope', reply.status(400));
    await expect(client().protocol('nope')).rejects.toBeInstanceOf(FeedRejectedError);
  });

  it('reports drift when a point lacks its tvl', async () => {
    const body = fixtureJson<Record<string, unknown>[]>(history);
    delete body[7]?.tvl;
    server.route('/v2/historicalChainTvl', reply.json(body));
    const error = await client()
      .tvl()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedSchemaError);
    expect((error as FeedSchemaError).issues).toEqual([
      '7.tvl: Invalid input: expected number, received undefined',
    ]);
  });
});

describe('summarizeTvl', () => {
  it('compares with the newest point at least a day older', () => {
    const points = [
      { time: 0, tvlUsd: 100 },
      { time: day, tvlUsd: 110 },
      { time: day + 3_600_000, tvlUsd: 121 },
    ];
    expect(summarizeTvl(points, 'x')).toEqual({
      totalUsd: 121,
      change1dPct: 21,
      time: day + 3_600_000,
    });
  });

  it('fails as drift without a point a day older', () => {
    expect(() => summarizeTvl([{ time: 0, tvlUsd: 1 }], 'x')).toThrow(FeedSchemaError);
    expect(() => summarizeTvl([], 'x')).toThrow(FeedSchemaError);
    expect(() =>
      summarizeTvl(
        [
          { time: 0, tvlUsd: 0 },
          { time: day, tvlUsd: 1 },
        ],
        'x',
      ),
    ).toThrow(FeedSchemaError);
  });
});
