import {
  ValidationError,
  type Candle,
  type FetchCandlesOptions,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import { ManualClock, ScriptedMarketDataSource } from '@lumenlink/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hour, hourlyCandles, t0 } from './__fixtures__/domain.js';
import { RecordingLogger } from './__fixtures__/recording-logger.js';
import { MarketDataService, type MarketDataServiceOptions } from './market-data-service.js';
import { openStore, type LumenLinkStore } from './open-store.js';

/** 48 hourly candles from t0; index i opens at t0 + i hours. */
const series = hourlyCandles(48);

function at(index: number): Candle {
  return series[index] as Candle;
}

function range(from: number, to: number): Candle[] {
  return series.slice(from, to + 1);
}

/**
 * A scripted source whose next responses can be rewritten: each queued function receives what
 * the scripted source would serve and returns the rows to answer with.
 */
class PatchedSource extends ScriptedMarketDataSource {
  readonly rewrites: ((served: Candle[]) => Candle[])[] = [];

  override async fetchCandles(
    symbol: SymbolId,
    timeframe: Timeframe,
    options: FetchCandlesOptions = {},
  ): Promise<Candle[]> {
    const served = await super.fetchCandles(symbol, timeframe, options);
    const rewrite = this.rewrites.shift();
    return rewrite === undefined ? served : rewrite(served);
  }

  /** The `since` of every fetchCandles call, in order. */
  sinces(): (number | undefined)[] {
    return this.calls
      .filter((call) => call.method === 'fetchCandles')
      .map((call) => (call.args[2] as FetchCandlesOptions).since);
  }
}

/** A source that ignores `since` and `limit`: every response holds every candle it has. */
class IgnoresSinceSource extends ScriptedMarketDataSource {
  override fetchCandles(symbol: SymbolId, timeframe: Timeframe): Promise<Candle[]> {
    return super.fetchCandles(symbol, timeframe, {});
  }
}

let store: LumenLinkStore;
let logger: RecordingLogger;

beforeEach(async () => {
  store = await openStore({ path: ':memory:' });
  logger = new RecordingLogger();
});

afterEach(async () => {
  await store.close();
});

function service(
  options: Partial<MarketDataServiceOptions> & Pick<MarketDataServiceOptions, 'source' | 'clock'>,
): MarketDataService {
  return new MarketDataService({
    store: store.candles,
    logger,
    symbols: ['BTC-USD'],
    timeframe: '1h',
    ...options,
  });
}

async function stored(symbol: SymbolId = 'BTC-USD'): Promise<Candle[]> {
  return store.candles.getCandles(symbol, '1h', 0, Number.MAX_SAFE_INTEGER);
}

describe('MarketDataService.poll', () => {
  it('stores closed candles only: the forming candle waits until it has closed', async () => {
    const source = new PatchedSource();
    const forming = { ...at(10), close: at(10).close - 0.5, volume: 1 };
    source.addCandles('BTC-USD', '1h', [...range(0, 9), forming]);
    const clock = new ManualClock(t0 + 10 * hour + 30 * 60_000);
    const collector = service({ source, clock });

    const first = await collector.poll();
    expect(first.stored).toBe(10);
    expect(first.symbols[0]).toMatchObject({ status: 'ok', requests: 1, received: 11 });
    expect(await stored()).toEqual(range(0, 9));
    expect(collector.lastCandleTime('BTC-USD')).toBe(at(9).time);

    // The candle closes with its final values; the next one forms.
    source.addCandles('BTC-USD', '1h', [at(10), { ...at(11), close: at(11).open }]);
    await clock.advance(hour);
    const second = await collector.poll();
    expect(second.stored).toBe(1);
    expect(source.sinces().at(-1)).toBe(at(10).time);
    expect(await stored()).toEqual(range(0, 10));
    expect(second.symbols[0]?.lastCandleTime).toBe(at(10).time);
  });

  it('asks nothing while no new candle can have closed, and resumes from the stored candles', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', range(0, 9));
    const source = new PatchedSource();
    source.addCandles('BTC-USD', '1h', range(0, 10));
    const clock = new ManualClock(t0 + 10 * hour + 59 * 60_000);
    const collector = service({ source, clock });

    const result = await collector.poll();
    expect(result.symbols[0]).toMatchObject({ status: 'ok', requests: 0, stored: 0 });
    expect(collector.lastCandleTime('BTC-USD')).toBe(at(9).time);
    expect(source.calls).toHaveLength(0);
  });

  it('does not store a candle twice when the source sends what is stored again', async () => {
    const source = new IgnoresSinceSource();
    source.addCandles('BTC-USD', '1h', range(0, 10));
    const clock = new ManualClock(t0 + 10 * hour + 30 * 60_000);
    const collector = service({ source, clock });

    expect((await collector.poll()).stored).toBe(10);
    source.addCandles('BTC-USD', '1h', [at(11)]);
    await clock.advance(hour);
    const second = await collector.poll();
    expect(second.symbols[0]).toMatchObject({ received: 12, stored: 1, rejected: 0 });
    expect(await stored()).toEqual(range(0, 10));
    const rows = await store.db
      .selectFrom('candles')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(rows.count).toBe(11);
  });

  it('pages forward through a long outage in requests of `limit` candles', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', range(0, 4));
    const source = new PatchedSource();
    source.addCandles('BTC-USD', '1h', range(0, 30));
    const clock = new ManualClock(t0 + 30 * hour + 5 * 60_000);
    const collector = service({ source, clock, limit: 10 });

    const result = await collector.poll();
    expect(source.sinces()).toEqual([at(5).time, at(15).time, at(25).time]);
    expect(result.symbols[0]).toMatchObject({ requests: 3, stored: 25, gaps: [] });
    expect(await stored()).toEqual(range(0, 29));
  });

  it('backfills a gap between the last stored candle and the first one fetched', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', range(0, 4));
    const source = new PatchedSource();
    source.addCandles('BTC-USD', '1h', range(0, 30));
    // The first answer ignores `since` and holds only the latest candles, as some venues do.
    source.rewrites.push((served) => served.slice(-11));
    const clock = new ManualClock(t0 + 30 * hour + 5 * 60_000);
    const collector = service({ source, clock });

    const result = await collector.poll();
    const gap = { from: at(5).time, to: at(19).time, missing: 15 };
    expect(result.symbols[0]).toMatchObject({
      status: 'ok',
      stored: 25,
      backfilled: 15,
      gaps: [gap],
      unfilledGaps: [],
    });
    expect(source.sinces()).toEqual([at(5).time, at(5).time]);
    expect(await stored()).toEqual(range(0, 29));
    expect(await store.candles.findGaps('BTC-USD', '1h', at(0).time, at(29).time)).toEqual([]);
    expect(logger.matching('Backfilled candle gaps')).toHaveLength(1);
  });

  it('backfills a gap inside a response', async () => {
    await store.candles.saveCandles('BTC-USD', '1h', range(0, 4));
    const source = new PatchedSource();
    source.addCandles('BTC-USD', '1h', range(0, 30));
    source.rewrites.push((served) =>
      served.filter((candle) => candle.time < at(12).time || candle.time > at(14).time),
    );
    const clock = new ManualClock(t0 + 30 * hour + 5 * 60_000);
    const collector = service({ source, clock });

    const result = await collector.poll();
    expect(result.symbols[0]).toMatchObject({
      stored: 25,
      backfilled: 3,
      gaps: [{ from: at(12).time, to: at(14).time, missing: 3 }],
      unfilledGaps: [],
    });
    expect(source.sinces()).toEqual([at(5).time, at(12).time]);
    expect(await stored()).toEqual(range(0, 29));
  });

  it('counts, logs and drops invalid candles, storing the valid ones of the same batch', async () => {
    const source = new PatchedSource();
    const nanClose = { ...at(3), close: Number.NaN };
    const highBelowLow = { ...at(5), high: at(5).low - 1 };
    const misaligned = { ...at(6), time: at(6).time + 30 * 60_000 };
    // The source keeps the NaN candle but does not have candle 5 at all.
    source.addCandles('BTC-USD', '1h', [...range(0, 2), nanClose, at(4), ...range(6, 10)]);
    source.rewrites.push(() => [
      ...range(0, 2),
      nanClose,
      at(4),
      highBelowLow,
      at(6),
      misaligned,
      at(7),
      at(2), // out of order
      at(7), // repeats the row before the out-of-order one
      ...range(8, 10),
    ]);
    const clock = new ManualClock(t0 + 10 * hour + 30 * 60_000);
    const collector = service({ source, clock });

    const result = await collector.poll();
    const symbol = result.symbols[0];
    expect(symbol?.status).toBe('ok');
    expect(symbol?.rejected).toBe(5);
    expect(result.rejected).toBe(5);
    expect(symbol?.rejections).toMatchObject({
      not_finite: 1,
      high_below_body: 1,
      misaligned: 1,
      out_of_order: 1,
      duplicate: 1,
      invalid_time: 0,
      low_above_body: 0,
      negative_volume: 0,
      non_positive_price: 0,
    });
    expect(await stored()).toEqual([...range(0, 2), at(4), ...range(6, 9)]);
    // Backfill asked again for the two holes; the NaN candle came back and was counted once.
    expect(symbol?.unfilledGaps).toEqual([
      { from: at(3).time, to: at(3).time, missing: 1 },
      { from: at(5).time, to: at(5).time, missing: 1 },
    ]);
    expect(source.sinces().slice(1)).toEqual([at(3).time, at(5).time]);
    const rejectedLines = logger.matching('Rejected a candle');
    expect(rejectedLines.map((line) => line.fields['reason'])).toEqual([
      'not_finite',
      'high_below_body',
      'misaligned',
      'out_of_order',
      'duplicate',
    ]);
    expect(rejectedLines[0]).toMatchObject({
      level: 'warn',
      fields: { symbol: 'BTC-USD', timeframe: '1h', time: at(3).time, module: 'market-data' },
    });
    expect(logger.matching('Candle gaps remain')[0]?.fields).toMatchObject({ missing: 2 });
  });

  it('keeps polling the other symbols when one fails, and reports the failure', async () => {
    const source = new PatchedSource();
    const symbols: SymbolId[] = ['BTC-USD', 'ETH-USD', 'SOL-USD'];
    for (const symbol of symbols) source.addCandles(symbol, '1h', range(0, 10));
    source.failNext('fetchCandles', new Error('exchange answered 503'));
    const clock = new ManualClock(t0 + 10 * hour + 30 * 60_000);
    const collector = service({ source, clock, symbols });

    const result = await collector.poll();
    expect(result.failed).toEqual(['BTC-USD']);
    expect(result.symbols.map((entry) => [entry.symbol, entry.status, entry.stored])).toEqual([
      ['BTC-USD', 'failed', 0],
      ['ETH-USD', 'ok', 10],
      ['SOL-USD', 'ok', 10],
    ]);
    expect(result.symbols[0]?.error?.message).toBe('exchange answered 503');
    expect(result.stored).toBe(20);
    expect(await stored('ETH-USD')).toEqual(range(0, 9));
    expect(await stored('BTC-USD')).toEqual([]);
    const failure = logger.matching('poll failed');
    expect(failure).toHaveLength(1);
    expect(failure[0]).toMatchObject({ level: 'error', fields: { symbol: 'BTC-USD' } });

    const retry = await collector.poll();
    expect(retry.failed).toEqual([]);
    expect(retry.symbols.map((entry) => entry.stored)).toEqual([10, 0, 0]);
  });

  it('returns the running poll to a second caller instead of polling twice', async () => {
    const source = new PatchedSource();
    source.addCandles('BTC-USD', '1h', range(0, 10));
    const clock = new ManualClock(t0 + 10 * hour + 30 * 60_000);
    const collector = service({ source, clock });
    const [first, second] = await Promise.all([collector.poll(), collector.poll()]);
    expect(second).toBe(first);
    expect(source.calls).toHaveLength(1);
  });

  it('rejects bad options', () => {
    const source = new PatchedSource();
    const clock = new ManualClock(t0);
    expect(() => service({ source, clock, symbols: [] })).toThrow(ValidationError);
    expect(() => service({ source, clock, symbols: ['BTC-USD', 'BTC-USD'] })).toThrow(/twice/);
    expect(() => service({ source, clock, timeframe: '1x' as Timeframe })).toThrow(ValidationError);
    expect(() => service({ source, clock, limit: 0 })).toThrow(/limit 0/);
  });
});
