import { Writable } from 'node:stream';
import {
  ValidationError,
  timeframeMs,
  type Candle,
  type FetchCandlesOptions,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import { ManualClock, ScriptedMarketDataSource } from '@lumenlink/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hour } from './__fixtures__/domain.js';
import { RecordingLogger } from './__fixtures__/recording-logger.js';
import { fetchHistory, type FetchHistoryOptions } from './history.js';
import { openStore, type LumenLinkStore } from './open-store.js';

/** 2024-04-01 00:30 UTC: the 1h and 4h candles opening at 00:00 are still forming. */
const now = Date.UTC(2024, 3, 1, 0, 30);
/** The 1h range of one month back: 2024-03-01 01:00 (the first open after 00:30) to 03-31 23:00. */
const from1h = Date.UTC(2024, 2, 1, 1);
const to1h = Date.UTC(2024, 2, 31, 23);
const count1h = (to1h - from1h) / hour + 1; // 743
/** The 4h range: 2024-03-01 04:00 to 03-31 20:00. */
const from4h = Date.UTC(2024, 2, 1, 4);
const to4h = Date.UTC(2024, 2, 31, 20);

/** Candles every `timeframe` with open times from `from` to `to` inclusive, prices rising. */
function candlesBetween(timeframe: Timeframe, from: number, to: number, base = 100): Candle[] {
  const step = timeframeMs(timeframe);
  const candles: Candle[] = [];
  for (let time = from, index = 0; time <= to; time += step, index++) {
    const open = base + index * 0.01;
    candles.push({ time, open, high: open + 2, low: open - 1, close: open + 1, volume: 5 });
  }
  return candles;
}

/** A scripted source that can throw on its n-th fetchCandles call, or run code before each. */
class TestSource extends ScriptedMarketDataSource {
  failOnCall: number | undefined;
  beforeEach: (() => Promise<void>) | undefined;
  #count = 0;

  override async fetchCandles(
    symbol: SymbolId,
    timeframe: Timeframe,
    options: FetchCandlesOptions = {},
  ): Promise<Candle[]> {
    this.#count++;
    await this.beforeEach?.();
    if (this.#count === this.failOnCall) throw new Error('connection reset by peer');
    return super.fetchCandles(symbol, timeframe, options);
  }

  /** The `since` of every fetchCandles call, in order. */
  sinces(): (number | undefined)[] {
    return this.calls
      .filter((call) => call.method === 'fetchCandles')
      .map((call) => (call.args[2] as FetchCandlesOptions).since);
  }
}

/** A stream that keeps what is written, a TTY or not. */
function captureStream(isTTY: boolean): Writable & { readonly text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, { isTTY, columns: 120, text: () => chunks.join('') });
}

let store: LumenLinkStore;
let logger: RecordingLogger;
let clock: ManualClock;

beforeEach(async () => {
  store = await openStore({ path: ':memory:' });
  logger = new RecordingLogger();
  clock = new ManualClock(now);
});

afterEach(async () => {
  await store.close();
});

function history(
  source: TestSource,
  options: Partial<FetchHistoryOptions> = {},
): ReturnType<typeof fetchHistory> {
  return fetchHistory({
    source,
    store: store.candles,
    clock,
    logger,
    symbols: ['BTC-USD'],
    timeframes: ['1h'],
    months: 1,
    pageSize: 100,
    progress: 'none',
    ...options,
  });
}

/** A source with 1h and 4h candles from February to the forming candle of 2024-04-01 00:00. */
function fullSource(symbols: readonly SymbolId[] = ['BTC-USD']): TestSource {
  const source = new TestSource();
  for (const symbol of symbols) {
    source.addCandles(symbol, '1h', candlesBetween('1h', Date.UTC(2024, 1, 1), now - 30 * 60_000));
    source.addCandles(symbol, '4h', candlesBetween('4h', Date.UTC(2024, 1, 1), now - 30 * 60_000));
  }
  return source;
}

describe('fetchHistory', () => {
  it('backfills months for symbols x timeframes, closed candles only', async () => {
    const symbols: SymbolId[] = ['BTC-USD', 'ETH-USD'];
    const source = fullSource(symbols);
    const result = await history(source, { symbols, timeframes: ['1h', '4h'] });

    expect(
      result.tasks.map((task) => [task.symbol, task.timeframe, task.stored, task.requests]),
    ).toEqual([
      ['BTC-USD', '1h', 743, 8],
      ['BTC-USD', '4h', 185, 2],
      ['ETH-USD', '1h', 743, 8],
      ['ETH-USD', '4h', 185, 2],
    ]);
    expect(result.tasks[0]).toMatchObject({
      from: from1h,
      to: to1h,
      missingBefore: count1h,
      fetched: count1h,
      rejected: 0,
      gaps: [],
    });
    expect(result.stored).toBe(2 * (743 + 185));
    expect(result.requests).toBe(20);
    for (const symbol of symbols) {
      expect(await store.candles.getCandles(symbol, '1h', 0, Number.MAX_SAFE_INTEGER)).toEqual(
        candlesBetween('1h', Date.UTC(2024, 1, 1), to1h).filter((c) => c.time >= from1h),
      );
      const fourHour = await store.candles.getCandles(symbol, '4h', 0, Number.MAX_SAFE_INTEGER);
      expect([fourHour[0]?.time, fourHour.at(-1)?.time]).toEqual([from4h, to4h]);
      // The forming candles of 2024-04-01 00:00 are not stored.
      expect(await store.candles.latestCandleTime(symbol, '1h')).toBe(to1h);
    }
    expect(source.sinces().slice(0, 3)).toEqual([from1h, from1h + 100 * hour, from1h + 200 * hour]);
  });

  it('fetches only what is new on the next run', async () => {
    const source = fullSource();
    await history(source, { timeframes: ['1h', '4h'] });

    const again = await history(source, { timeframes: ['1h', '4h'] });
    expect(again.requests).toBe(0);
    expect(again.stored).toBe(0);

    source.addCandles(
      'BTC-USD',
      '1h',
      candlesBetween('1h', now - 30 * 60_000, now + 3 * hour, 200),
    );
    await clock.advance(3 * hour);
    const calls = source.calls.length;
    const later = await history(source, { timeframes: ['1h', '4h'] });
    expect(later.tasks.map((task) => [task.timeframe, task.requests, task.stored])).toEqual([
      ['1h', 1, 3],
      ['4h', 0, 0],
    ]);
    expect(source.sinces().slice(calls)).toEqual([to1h + hour]);
    expect(await store.candles.latestCandleTime('BTC-USD', '1h')).toBe(to1h + 3 * hour);
  });

  it('resumes an interrupted run from the last stored candle without fetching it again', async () => {
    const source = fullSource();
    source.failOnCall = 4;
    await expect(history(source)).rejects.toThrow('connection reset by peer');
    const last = await store.candles.latestCandleTime('BTC-USD', '1h');
    expect(last).toBe(from1h + 299 * hour);
    expect(logger.matching('History fetch stopped')[0]).toMatchObject({
      level: 'error',
      fields: { stored: 300 },
    });

    const calls = source.calls.length;
    const resumed = await history(source);
    expect(source.sinces().slice(calls)[0]).toBe(from1h + 300 * hour);
    expect(resumed.tasks[0]).toMatchObject({
      missingBefore: count1h - 300,
      fetched: count1h - 300,
      stored: count1h - 300,
      requests: 5,
      gaps: [],
    });
    expect(await store.candles.findGaps('BTC-USD', '1h', from1h, to1h)).toEqual([]);
  });

  it('logs structured progress lines every N requests when the stream is not a TTY', async () => {
    const stream = captureStream(false);
    await history(fullSource(), { progress: 'auto', stream, progressEveryPages: 3 });

    const lines = logger.matching('History progress');
    expect(lines.map((line) => line.fields)).toEqual([
      {
        module: 'history',
        symbol: 'BTC-USD',
        timeframe: '1h',
        fetched: 300,
        percent: 40.4,
        overallPercent: 40.4,
      },
      {
        module: 'history',
        symbol: 'BTC-USD',
        timeframe: '1h',
        fetched: 600,
        percent: 80.8,
        overallPercent: 80.8,
      },
    ]);
    expect(lines.every((line) => line.level === 'info')).toBe(true);
    expect(logger.matching('History fetched')[0]?.fields).toMatchObject({
      symbol: 'BTC-USD',
      fetched: count1h,
      missing: 0,
    });
    expect(stream.text()).toBe('');
  });

  it('paces progress lines by clock time too', async () => {
    const source = fullSource();
    source.beforeEach = () => clock.advance(4_000);
    await history(source, { progress: 'lines', progressEveryPages: 100, progressEveryMs: 10_000 });
    // Eight requests 4 s apart: a line once 10 s have passed, after the 3rd and the 6th page.
    expect(logger.matching('History progress').map((line) => line.fields['fetched'])).toEqual([
      300, 600,
    ]);
  });

  it('draws a progress bar on a TTY instead of logging progress lines', async () => {
    const stream = captureStream(true);
    await history(fullSource(), { progress: 'auto', stream });
    const text = stream.text();
    expect(text).toContain('BTC-USD 1h');
    expect(text).toContain('100%');
    expect(text).toContain(`${count1h}/${count1h} candles`);
    expect(logger.matching('History progress')).toEqual([]);
  });

  it('stops paging when the source has no new candles, and reports what it lacks', async () => {
    const source = new TestSource();
    // Listed on 03-10, and down for three hours on 03-20.
    const listed = Date.UTC(2024, 2, 10);
    const outage = Date.UTC(2024, 2, 20, 5);
    source.addCandles(
      'BTC-USD',
      '1h',
      candlesBetween('1h', listed, now).filter(
        (candle) => candle.time < outage || candle.time > outage + 2 * hour,
      ),
    );
    const stream = captureStream(true);
    const first = await history(source, { progress: 'bar', stream });
    const expectedGaps = [
      { from: from1h, to: listed - hour, missing: (listed - from1h) / hour },
      { from: outage, to: outage + 2 * hour, missing: 3 },
    ];
    expect(first.tasks[0]).toMatchObject({
      stored: (to1h - listed) / hour + 1 - 3,
      gaps: expectedGaps,
    });
    expect(stream.text()).toContain('100%');

    const second = await history(source);
    // One request per missing run, each answered with nothing new.
    expect(second.tasks[0]).toMatchObject({ requests: 2, stored: 0, gaps: expectedGaps });
  });

  it('counts rejected rows and stores the rest', async () => {
    const source = new TestSource();
    const candles = candlesBetween('1h', from1h, to1h);
    const bad = 42;
    candles[bad] = { ...(candles[bad] as Candle), volume: -1 };
    source.addCandles('BTC-USD', '1h', candles);
    const result = await history(source);
    expect(result.tasks[0]).toMatchObject({
      stored: count1h - 1,
      rejected: 1,
      rejections: expect.objectContaining({ negative_volume: 1 }) as unknown,
      gaps: [{ from: from1h + bad * hour, to: from1h + bad * hour, missing: 1 }],
    });
    expect(logger.matching('Rejected candles')[0]?.fields).toMatchObject({
      rejected: 1,
      first: { reason: 'negative_volume', time: from1h + bad * hour },
    });
  });

  it('stops between requests when aborted, keeping what it stored', async () => {
    const controller = new AbortController();
    const source = fullSource();
    let calls = 0;
    source.beforeEach = () => {
      if (++calls === 2) controller.abort(new Error('interrupted'));
      return Promise.resolve();
    };
    await expect(history(source, { signal: controller.signal })).rejects.toThrow('interrupted');
    expect(await store.candles.latestCandleTime('BTC-USD', '1h')).toBe(from1h + 199 * hour);
  });

  it('rejects bad options', async () => {
    const source = fullSource();
    await expect(history(source, { months: 0 })).rejects.toThrow(ValidationError);
    await expect(history(source, { pageSize: 1.5 })).rejects.toThrow(/pageSize/);
    await expect(history(source, { symbols: [] })).rejects.toThrow(/symbols/);
    await expect(history(source, { timeframes: ['2x' as Timeframe] })).rejects.toThrow(/timeframe/);
  });
});
