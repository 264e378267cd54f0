import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataIntegrityError, ValidationError, type Candle, type Timeframe } from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../test/temp-dir.js';
import { hour, hourlyCandles, t0 } from './__fixtures__/domain.js';
import {
  candleCsvHeader,
  exportCandlesCsv,
  formatCandlesCsv,
  importCandlesCsv,
  parseCandlesCsv,
  readCandlesCsv,
  writeCandlesCsv,
} from './csv.js';
import { openStore, type LumenLinkStore } from './open-store.js';

/** Candles with awkward numbers: long fractions, tiny and huge values, zero volume. */
const awkward: Candle[] = [
  { time: t0, open: 0.1 + 0.2, high: 1 / 3 + 1, low: 1e-8, close: 0.30000000000000004, volume: 0 },
  {
    time: t0 + hour,
    open: 42_283.58,
    high: 73_777,
    low: 42_261.02,
    close: 42_475.23,
    volume: 1271.68108,
  },
  { time: t0 + 2 * hour, open: 1e21, high: 2e21, low: 5e20, close: 1.5e21, volume: 123456789.123 },
];

function csv(...rows: string[]): string {
  return [candleCsvHeader, ...rows].join('\n');
}

describe('parseCandlesCsv and formatCandlesCsv', () => {
  it('round-trip every number exactly', () => {
    const text = formatCandlesCsv(awkward);
    expect(text.startsWith(`${candleCsvHeader}\n`)).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseCandlesCsv(text, { timeframe: '1h' })).toEqual(awkward);
    expect(formatCandlesCsv([])).toBe(`${candleCsvHeader}\n`);
    expect(parseCandlesCsv(formatCandlesCsv([]))).toEqual([]);
  });

  it('accepts CRLF line ends, a byte order mark, spaces and blank lines', () => {
    const text = `\uFEFF${formatCandlesCsv(awkward).replaceAll('\n', '\r\n')}\r\n\r\n`;
    expect(parseCandlesCsv(text)).toEqual(awkward);
    expect(parseCandlesCsv(csv(' 1704067200000 , 1, 2, 0.5, 1.5, 10 '))).toEqual([
      { time: t0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
    ]);
  });

  it('checks the header', () => {
    expect(() =>
      parseCandlesCsv('timestamp,open,high,low,close,volume\n1,1,1,1,1,1', { source: 'btc.csv' }),
    ).toThrow(/btc\.csv: line 1 must be the header "time,open,high,low,close,volume"/);
    expect(() => parseCandlesCsv('', { source: 'empty.csv' })).toThrow(/empty\.csv: line 1/);
    expect(() => parseCandlesCsv('TIME,Open,High,Low,Close,Volume\n')).not.toThrow();
  });

  it.each([
    [
      'a missing field',
      '1704070800000,1,2,0.5,1.5',
      /line 3: expected 6 comma-separated fields, got 5/,
    ],
    ['a word', '1704070800000,1,2,abc,1.5,1', /line 3: low NaN is not a positive price/],
    ['an empty field', '1704070800000,1,2,0.5,,1', /line 3: close NaN is not a positive price/],
    ['high below low', '1704070800000,1,0.5,2,1,1', /line 3: low 2 is above high 0\.5/],
    ['a negative volume', '1704070800000,1,2,0.5,1.5,-1', /line 3: volume -1/],
    ['a fractional time', '1704070800000.5,1,2,0.5,1.5,1', /line 3: time 1704070800000\.5/],
  ])('names the line of a bad row: %s', (_name, row, message) => {
    const text = csv('1704067200000,1,2,0.5,1.5,1', row);
    expect(() => parseCandlesCsv(text, { source: 'btc.csv' })).toThrow(DataIntegrityError);
    expect(() => parseCandlesCsv(text, { source: 'btc.csv' })).toThrow(message);
  });

  it('rejects unsorted and duplicate times', () => {
    const unsorted = csv('1704070800000,1,2,0.5,1.5,1', '1704067200000,1,2,0.5,1.5,1');
    expect(() => parseCandlesCsv(unsorted)).toThrow(
      /CSV: line 3: time 1704067200000 does not come after 1704070800000; sort the file/,
    );
    const duplicate = csv('1704067200000,1,2,0.5,1.5,1', '1704067200000,1,2,0.5,1.5,1');
    expect(() => parseCandlesCsv(duplicate)).toThrow(/line 3: .*remove duplicates/);
  });

  it('rejects times that are not open times of the timeframe', () => {
    const text = csv('1704067200000,1,2,0.5,1.5,1', '1704069000000,1,2,0.5,1.5,1');
    expect(parseCandlesCsv(text)).toHaveLength(2);
    expect(parseCandlesCsv(text, { timeframe: '30m' })).toHaveLength(2);
    expect(() => parseCandlesCsv(text, { timeframe: '1h' })).toThrow(
      /line 3: time 1704069000000 is not the open time of a 1h candle/,
    );
  });
});

describe('CSV files', () => {
  const temp = useTempDir();
  let store: LumenLinkStore;

  beforeEach(async () => {
    store = await openStore({ path: ':memory:' });
  });

  afterEach(async () => {
    await store.close();
  });

  it('writes and reads plain and gzip files', async () => {
    const plain = path.join(temp.dir(), 'btc.csv');
    const gzipped = path.join(temp.dir(), 'btc.csv.gz');
    await writeCandlesCsv(plain, awkward);
    await writeCandlesCsv(gzipped, awkward);
    expect(readFileSync(plain, 'utf8')).toBe(formatCandlesCsv(awkward));
    expect(gunzipSync(readFileSync(gzipped)).toString('utf8')).toBe(formatCandlesCsv(awkward));
    expect(await readCandlesCsv(plain, { timeframe: '1h' })).toEqual(awkward);
    expect(await readCandlesCsv(gzipped)).toEqual(awkward);
  });

  it('imports a file into the store once, and names the file and line of a bad row', async () => {
    const file = path.join(temp.dir(), 'btc.csv');
    const candles = hourlyCandles(50);
    writeFileSync(file, formatCandlesCsv(candles));
    expect(await importCandlesCsv(file, store.candles, 'BTC-USD', '1h')).toEqual({
      rows: 50,
      stored: 50,
    });
    expect(await importCandlesCsv(file, store.candles, 'BTC-USD', '1h')).toEqual({
      rows: 50,
      stored: 0,
    });
    expect(await store.candles.getRecentCandles('BTC-USD', '1h', 100)).toEqual(candles);

    const bad = path.join(temp.dir(), 'bad.csv');
    writeFileSync(
      bad,
      `${formatCandlesCsv(hourlyCandles(3, t0, 500))}${t0 + 3 * hour},1,2,3,4,5\n`,
    );
    await expect(importCandlesCsv(bad, store.candles, 'ETH-USD', '1h')).rejects.toThrow(
      `${bad}: line 5: low 3 is above high 2`,
    );
    expect(await store.candles.latestCandleTime('ETH-USD', '1h')).toBeNull();
    await expect(
      importCandlesCsv(file, store.candles, 'BTC-USD', '1x' as Timeframe),
    ).rejects.toThrow(ValidationError);
  });

  it('exports stored candles, all of them or a range, and the export imports back', async () => {
    const candles = hourlyCandles(24);
    await store.candles.saveCandles('BTC-USD', '1h', candles);
    const all = path.join(temp.dir(), 'all.csv');
    const part = path.join(temp.dir(), 'part.csv.gz');
    expect(await exportCandlesCsv(all, store.candles, 'BTC-USD', '1h')).toBe(24);
    expect(readFileSync(all, 'utf8')).toBe(formatCandlesCsv(candles));
    expect(
      await exportCandlesCsv(part, store.candles, 'BTC-USD', '1h', t0 + 5 * hour, t0 + 9 * hour),
    ).toBe(5);
    expect(await readCandlesCsv(part)).toEqual(candles.slice(5, 10));
    expect(
      await exportCandlesCsv(path.join(temp.dir(), 'none.csv'), store.candles, 'SOL-USD', '1h'),
    ).toBe(0);

    expect(await importCandlesCsv(all, store.candles, 'BTC-EUR', '1h')).toEqual({
      rows: 24,
      stored: 24,
    });
    expect(await store.candles.getRecentCandles('BTC-EUR', '1h', 100)).toEqual(candles);
  });
});
