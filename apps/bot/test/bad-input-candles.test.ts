/**
 * Bad candles (issue #15, part 3; reliability.md §4 rows 11 and 12): NaN, Infinity, negative
 * volume, high below low, a zero price, out of order, duplicates, misaligned or non-numeric
 * times, and gaps. The market data service the bot's market-data loop runs stores only valid
 * closed candles, counts every rejected row per reason, reports the holes it could not fill,
 * and never changes a candle stored before. Through the exchange adapter (ccxt's real binance
 * class against the emulator) one bad row refuses the whole response with a clear error, and
 * again nothing stored changes.
 *
 * Enumerated cases, not fast-check properties: fast-check is not a dev dependency of
 * @lumenlink/bot.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DataIntegrityError,
  ExchangeUnavailableError,
  ManualClock,
  candleOpenTime,
  systemClock,
  type Candle,
  type MarketDataSource,
  type SymbolId,
} from '@lumenlink/core';
import {
  MarketDataService,
  emptyRejectionCounts,
  openStore,
  type LumenLinkStore,
} from '@lumenlink/data';
import { CcxtExchange } from '@lumenlink/exchanges';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import { tempDir } from './helpers.js';

// Some cases start the bot or go through ccxt's rate limiter, on a shared machine: allow more
// than vitest's 5 s default when the file runs on its own (the package's test script does too).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const hour = 3_600_000;
const symbol: SymbolId = 'BTC-USDT';

/** A sound candle at `time` around `price`. */
function candle(time: number, price = 100): Candle {
  return { time, open: price, high: price + 2, low: price - 2, close: price + 1, volume: 10 };
}

/**
 * A market data source at the network edge that serves rows exactly as given, in the given
 * order (the scripted fake of core sorts and merges them): one batch per `fetchCandles` call,
 * then nothing.
 */
class RawRowsSource implements MarketDataSource {
  readonly requests: { since: number | undefined }[] = [];
  readonly #batches: Candle[][];

  constructor(batches: Candle[][]) {
    this.#batches = batches;
  }

  fetchCandles(
    _symbol: SymbolId,
    _timeframe: string,
    options: { since?: number } = {},
  ): Promise<Candle[]> {
    this.requests.push({ since: options.since });
    return Promise.resolve(this.#batches.shift() ?? []);
  }

  loadMarkets(): never {
    throw new Error('not served');
  }

  fetchTicker(): never {
    throw new Error('not served');
  }

  fetchOrderBook(): never {
    throw new Error('not served');
  }
}

async function storeWith(candles: readonly Candle[]): Promise<LumenLinkStore> {
  const store = await openStore({ path: join(tempDir('lumenlink-candles-'), 'bot.db') });
  await store.candles.saveCandles(symbol, '1h', candles);
  return store;
}

describe('bad candles from a source, through the market data service', () => {
  const base = Date.UTC(2025, 0, 1);
  const at = (index: number): number => base + index * hour;
  const stored = Array.from({ length: 10 }, (_, index) => candle(at(index), 100 + index));

  it('stores the valid closed rows, counts every bad one per reason, reports the holes, and changes nothing stored', async () => {
    const store = await storeWith(stored);
    const valid = [
      candle(at(10), 200),
      candle(at(15), 205),
      candle(at(20), 210),
      candle(at(22), 212),
    ];
    const rows: Candle[] = [
      { ...candle(at(5)), close: 999 }, // already stored: outside the window, not rewritten
      valid[0]!,
      { ...candle(at(11)), close: Number.NaN },
      { ...candle(at(12)), high: Number.POSITIVE_INFINITY },
      { ...candle(at(13)), volume: -1 },
      { ...candle(at(14)), open: 100, close: 100, high: 90, low: 110 },
      valid[1]!,
      { ...candle(at(15)), close: 555 }, // a duplicate time
      candle(at(14)), // earlier than the row before
      candle(at(16) + 1), // not the open time of a 1h candle
      { ...candle(at(17)), time: String(at(17)) as unknown as number },
      { ...candle(at(18)), open: 0 },
      { ...candle(at(19)), open: 100, close: 100, low: 105 },
      valid[2]!,
      // at(21) is missing: a gap
      valid[3]!,
      candle(at(23)), // still forming: outside the window
    ];
    const source = new RawRowsSource([rows]);
    const service = new MarketDataService({
      source,
      store: store.candles,
      clock: new ManualClock(at(23) + 1),
      symbols: [symbol],
      timeframe: '1h',
    });

    const result = await service.poll();
    const [polled] = result.symbols;
    expect(polled).toMatchObject({
      status: 'ok',
      error: null,
      received: rows.length,
      stored: valid.length,
      rejected: 10,
      lastCandleTime: at(22),
    });
    expect(polled?.rejections).toEqual({
      ...emptyRejectionCounts(),
      not_finite: 2,
      negative_volume: 1,
      high_below_body: 1,
      low_above_body: 1,
      non_positive_price: 1,
      duplicate: 1,
      out_of_order: 1,
      misaligned: 1,
      invalid_time: 1,
    });
    // The holes left by the rejected and missing rows, tried again and still open.
    expect(polled?.unfilledGaps.map(({ from, to, missing }) => [from, to, missing])).toEqual([
      [at(11), at(14), 4],
      [at(16), at(19), 4],
      [at(21), at(21), 1],
    ]);
    expect(source.requests.map((request) => request.since)).toEqual(
      expect.arrayContaining([at(10), at(11), at(16), at(21)]),
    );

    const all = await store.candles.getCandles(symbol, '1h', 0, at(30));
    expect(all).toEqual([...stored, ...valid]);
    for (const row of all) {
      for (const value of [row.open, row.high, row.low, row.close, row.volume]) {
        expect(Number.isFinite(value)).toBe(true);
      }
    }
    await store.close();
  });

  it('a response of nothing but bad rows stores nothing, fails nothing, and counts a row sent twice once', async () => {
    const store = await storeWith(stored);
    const garbage: Candle[] = [
      { ...candle(at(10)), open: Number.NaN },
      { ...candle(at(11)), volume: Number.NEGATIVE_INFINITY },
      { ...candle(at(12)), low: -5 },
    ];
    const source = new RawRowsSource([garbage, garbage]);
    const service = new MarketDataService({
      source,
      store: store.candles,
      clock: new ManualClock(at(13) + 1),
      symbols: [symbol],
      timeframe: '1h',
    });
    const [polled] = (await service.poll()).symbols;
    expect(polled).toMatchObject({ status: 'ok', stored: 0, rejected: 3 });
    expect(polled?.rejections).toMatchObject({ not_finite: 2, non_positive_price: 1 });
    expect(await store.candles.getCandles(symbol, '1h', 0, at(30))).toEqual(stored);
    await store.close();
  });
});

/** A Binance kline row for `candle` (prices as strings, as Binance sends them). */
function kline(c: Candle): unknown[] {
  return [
    c.time,
    String(c.open),
    String(c.high),
    String(c.low),
    String(c.close),
    String(c.volume),
    c.time + hour - 1,
    '0',
    1,
    '0',
    '0',
    '0',
  ];
}

describe('bad candles from the exchange, through ccxt and the adapter', () => {
  let emulator: ExchangeEmulator;
  let exchange: CcxtExchange;
  const newestClosed = candleOpenTime(systemClock.now(), '1h') - hour;
  const at = (back: number): number => newestClosed - back * hour;
  const stored = Array.from({ length: 5 }, (_, index) => candle(at(10 - index), 100 + index));

  beforeAll(async () => {
    emulator = await startExchangeEmulator();
    exchange = new CcxtExchange({
      exchange: 'binance',
      apiUrl: emulator.url,
      timeoutMs: 5_000,
      // The emulator enforces no rate limit: at binance's pace ccxt would space every request (200 ms after a myTrades).
      rateLimitMs: 1,
    });
    await exchange.loadMarkets();
  });

  afterAll(async () => {
    await emulator.close();
  });

  const good = (back: number): unknown[] => kline(candle(at(back)));
  const cases: readonly {
    readonly name: string;
    readonly body: string;
    readonly error: typeof DataIntegrityError | typeof ExchangeUnavailableError;
    readonly message: RegExp;
  }[] = [
    {
      name: 'a NaN close',
      body: JSON.stringify([
        good(4),
        [at(3), '100', '102', '98', 'NaN', '10', 0, '0', 1, '0', '0', '0'],
      ]),
      error: DataIntegrityError,
      message: /candle #1/,
    },
    {
      name: 'an infinite high',
      body: JSON.stringify([
        [at(3), '100', 'Infinity', '98', '101', '10', 0, '0', 1, '0', '0', '0'],
      ]),
      error: DataIntegrityError,
      message: /high Infinity is not a positive price/,
    },
    {
      name: 'a negative volume',
      body: JSON.stringify([good(5), good(4), kline({ ...candle(at(3)), volume: -3 })]),
      error: DataIntegrityError,
      message: /volume/,
    },
    {
      name: 'high below low',
      body: JSON.stringify([kline({ ...candle(at(3)), high: 90, low: 110 })]),
      error: DataIntegrityError,
      message: /high|low/,
    },
    {
      name: 'a duplicate row',
      body: JSON.stringify([good(4), good(4)]),
      error: DataIntegrityError,
      message: /is not after/,
    },
    {
      name: 'a null price',
      body: JSON.stringify([[at(3), null, '102', '98', '101', '10', 0, '0', 1, '0', '0', '0']]),
      error: DataIntegrityError,
      message: /candle #0 open/,
    },
    {
      name: 'a word for a price',
      body: JSON.stringify([[at(3), 'abc', '102', '98', '101', '10', 0, '0', 1, '0', '0', '0']]),
      error: DataIntegrityError,
      message: /candle #0/,
    },
    {
      name: 'a row with fields missing',
      body: JSON.stringify([[at(3), '100', '102']]),
      error: DataIntegrityError,
      message: /candle #0/,
    },
    {
      name: 'a body that is not JSON',
      body: '[[1, "100", ',
      error: ExchangeUnavailableError,
      message: /binance fetchCandles\(BTC-USDT/,
    },
  ];

  it.each(cases)(
    '$name: the poll fails the symbol with a clear error, and nothing stored changes',
    async ({ body, error, message }) => {
      const store = await storeWith(stored);
      const service = new MarketDataService({
        source: exchange,
        store: store.candles,
        clock: systemClock,
        symbols: [symbol],
        timeframe: '1h',
      });
      emulator.inject({ kind: 'malformed', route: 'GET /api/v3/klines', body, times: 1 });
      const result = await service.poll();
      expect(result.failed).toEqual([symbol]);
      const failure = result.symbols[0]?.error;
      expect(failure).toBeInstanceOf(error);
      expect(failure?.message).toMatch(message);
      expect(result.stored).toBe(0);
      expect(await store.candles.getCandles(symbol, '1h', 0, newestClosed)).toEqual(stored);
      await store.close();
    },
  );

  it('rows out of order are put in time order by ccxt: each is stored once, and nothing stored changes', async () => {
    const store = await storeWith(stored);
    const service = new MarketDataService({
      source: exchange,
      store: store.candles,
      clock: systemClock,
      symbols: [symbol],
      timeframe: '1h',
    });
    emulator.inject({
      kind: 'malformed',
      route: 'GET /api/v3/klines',
      body: JSON.stringify([good(3), good(5), good(4)]),
      times: 1,
    });
    const result = await service.poll();
    expect(result.failed).toEqual([]);
    expect(result.rejected).toBe(0);
    expect(await store.candles.getCandles(symbol, '1h', 0, newestClosed)).toEqual([
      ...stored,
      candle(at(5)),
      candle(at(4)),
      candle(at(3)),
    ]);
    await store.close();
  });
});
