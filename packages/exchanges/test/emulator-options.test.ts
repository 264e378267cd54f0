/**
 * The emulator's input checks (options, CSV files) and `pointCcxtAt`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import { DataIntegrityError, ValidationError } from '@lumenlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultEmulatorMarkets,
  pointCcxtAt,
  startExchangeEmulator,
  type EmulatorMarket,
  type EmulatorOptions,
} from '../src/testing/index.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'emulator-options-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const btc = defaultEmulatorMarkets[0]!;

function market(overrides: Partial<Record<keyof EmulatorMarket, unknown>>): EmulatorMarket {
  return { ...btc, ...overrides } as EmulatorMarket;
}

async function refusal(options: unknown): Promise<Error> {
  return startExchangeEmulator(options as EmulatorOptions).then(
    async (emulator) => {
      await emulator.close();
      throw new Error('the emulator started');
    },
    (error: unknown) => error as Error,
  );
}

describe('options', () => {
  it.each([
    [
      { markets: [market({ tickSize: -1 })] },
      /options\.markets\[0\]\.tickSize must be a finite number > 0, got -1/,
    ],
    [
      { markets: [market({ stepSize: 1e-9 })] },
      /options\.markets\[0\]\.stepSize must be a multiple of 0\.00000001/,
    ],
    [
      { markets: [market({ minQty: 0.000015 })] },
      /options\.markets\[0\]\.minQty must be a multiple of stepSize/,
    ],
    [
      { markets: [market({ symbol: 'BTC-USDT' })] },
      /options\.markets\[0\]\.symbol must be "BTC\/USDT"/,
    ],
    [{ markets: [btc, btc] }, /options\.markets\[1\]\.symbol must be unique/],
    [{ markets: [] }, /options\.markets must be a non-empty array/],
    [{ balances: { USDT: -5 } }, /options\.balances\.USDT must be a finite number >= 0, got -5/],
    [
      { candles: { 'XRP/USDT': [] } },
      /options\.candles key must be a listed market .*got "XRP\/USDT"/,
    ],
    [
      { candles: { 'BTC/USDT': [{ time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 }] } },
      /needs at least 2 candles/,
    ],
    [
      {
        candles: {
          'BTC/USDT': [
            { time: 3_600_000, open: 1, high: 2, low: 1, close: 2, volume: 1 },
            { time: 0, open: 1, high: 2, low: 1, close: 2, volume: 1 },
          ],
        },
      },
      /options\.candles\["BTC\/USDT"\]\[1\]: time 0 does not come after 3600000/,
    ],
    [
      {
        candles: {
          'BTC/USDT': [
            { time: 0, open: 1, high: 0.5, low: 1, close: 2, volume: 1 },
            { time: 60_000, open: 1, high: 2, low: 1, close: 2, volume: 1 },
          ],
        },
      },
      /options\.candles\["BTC\/USDT"\]\[0\]: low 1 is above high 0\.5/,
    ],
    [
      {
        candles: {
          'BTC/USDT': [
            { time: 0, open: 1, high: 2, low: 1, close: 2, volume: 1 },
            { time: 90_000, open: 1, high: 2, low: 1, close: 2, volume: 1 },
          ],
        },
      },
      /90000 ms apart, which is not a Binance interval/,
    ],
    [
      { randomWalk: { seed: 1, intervalMs: 90_000, count: 10, start: 0 } },
      /options\.randomWalk\.intervalMs must be the ms of a Binance interval/,
    ],
    [
      { randomWalk: { seed: 1, intervalMs: 60_000, count: 10, start: 1_000 } },
      /options\.randomWalk\.start must be a candle open time/,
    ],
    [{ apiKey: 'key' }, /options\.apiKey and options\.secret must be both set or both absent/],
    [{ depthLevels: 0 }, /options\.depthLevels must be an integer from 1 to 5000/],
    [{ port: 70_000 }, /options\.port must be an integer from 0 to 65535/],
    [{ colour: 'red' }, /options\.colour must be one of markets, balances/],
  ])('refuses %j', async (options, message) => {
    const error = await refusal(options);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });

  it('refuses CSV files that cannot be read or are malformed, naming the file and line', async () => {
    const badHeader = join(directory, 'bad-header.csv');
    await writeFile(badHeader, 'date,open,high,low,close,volume\n0,1,1,1,1,1\n');
    const badRow = join(directory, 'bad-row.csv');
    await writeFile(badRow, 'time,open,high,low,close,volume\n0,1,2,1,2,1\n3600000,1,2,1,abc,1\n');

    const missing = await refusal({ candlesCsv: { 'BTC/USDT': join(directory, 'missing.csv') } });
    expect(missing).toBeInstanceOf(ValidationError);
    expect(missing.message).toMatch(
      /options\.candlesCsv\["BTC\/USDT"\]: cannot read ".*missing\.csv"/,
    );
    const header = await refusal({ candlesCsv: { 'BTC/USDT': badHeader } });
    expect(header).toBeInstanceOf(DataIntegrityError);
    expect(header.message).toMatch(
      /bad-header\.csv\): line 1 must be the header "time,open,high,low,close,volume"/,
    );
    const row = await refusal({ candlesCsv: { 'BTC/USDT': badRow } });
    expect(row).toBeInstanceOf(DataIntegrityError);
    expect(row.message).toMatch(/bad-row\.csv\): line 3: close NaN is not a positive price/);
  });

  it('listens on the port it is given', async () => {
    const probe = await startExchangeEmulator();
    const port = Number(new URL(probe.url).port);
    await probe.close();

    const emulator = await startExchangeEmulator({ port });
    try {
      expect(emulator.url).toBe(`http://127.0.0.1:${port}`);
      expect(await (await fetch(`${emulator.url}/api/v3/time`)).json()).toEqual({
        serverTime: expect.any(Number) as number,
      });
    } finally {
      await emulator.close();
    }
  });
});

describe('pointCcxtAt', () => {
  it('keeps every path of every API family and replaces scheme, host and port', () => {
    const exchange = {
      urls: {
        api: {
          public: 'https://api.binance.com/api/v3',
          sapi: 'https://api.binance.com/sapi/v1',
          nested: { spot: 'https://api.{hostname}/v5', root: 'https://example.com' },
        },
      },
    };
    pointCcxtAt(exchange, 'http://127.0.0.1:4321/');

    expect(exchange.urls.api).toEqual({
      public: 'http://127.0.0.1:4321/api/v3',
      sapi: 'http://127.0.0.1:4321/sapi/v1',
      nested: { spot: 'http://127.0.0.1:4321/v5', root: 'http://127.0.0.1:4321' },
    });
  });

  it('rewrites every key of ccxt binance and refuses a base that is not an http origin', () => {
    const exchange = new ccxt.binance();
    const before = exchange.urls['api'] as Record<string, string>;
    pointCcxtAt(exchange, 'http://127.0.0.1:9');
    const after = exchange.urls['api'] as Record<string, string>;

    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const [key, url] of Object.entries(before)) {
      expect(after[key]).toBe(`http://127.0.0.1:9${new URL(url).pathname}`);
    }
    expect(() => pointCcxtAt(exchange, '127.0.0.1:9')).toThrow(
      /pointCcxtAt base must be an http\(s\) origin/,
    );
  });
});
